"""Zips checked from their directory before anything in them is read or handed to GDAL.

Every zip a user gives (postcode directories, boundary files, services, ``.xlsx`` workbooks,
which are zips too) passes :func:`check_zip` first. It reads only the zip's central directory
and refuses, naming the file and the member:

- a member whose name escapes the folder it would be unzipped into: an absolute path
  (``/etc/passwd``, ``\\\\server\\share``), a drive letter (``C:``) or a ``..`` part;
- more than :data:`~geo.io.limits.MAX_ZIP_MEMBERS` members;
- members that would expand to more than :data:`~geo.io.limits.MAX_ZIP_RATIO` times the zip's
  size and more than :data:`~geo.io.limits.MAX_ZIP_EXPANDED_BYTES` in all (a "zip bomb").

Sizes are those the directory declares. Python's :mod:`zipfile` never reads a member past its
declared size, and zips whose members overlap (the usual way to make a small directory declare
a huge total) declare that total, so the declared sizes are what a reader can be made to expand.
Nothing is ever extracted to disk: members are streamed, or read by GDAL through ``/vsizip/``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Final

from geo.errors import InputFileError
from geo.io import limits

__all__ = ["check_zip", "unsafe_member_name"]

_DRIVE: Final = re.compile(r"^[A-Za-z]:")


def unsafe_member_name(name: str) -> bool:
    """Whether a zip member's name would escape the folder it is unzipped into.

    Examples
    --------
    >>> names = ["wards/wards.shp", "../x", "/etc/passwd", "C:x", "a\\\\..\\\\b"]
    >>> [unsafe_member_name(name) for name in names]
    [False, True, True, True, True]
    """
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or "\x00" in name:
        return True
    return ".." in re.split(r"[/\\]", name)


def check_zip(path: str | Path, *, source: str | None = None) -> list[zipfile.ZipInfo]:
    """Check a zip from its directory (see the module docstring) and return its members.

    Parameters
    ----------
    path
        The zip (or ``.xlsx``, ``.kmz``...) file.
    source
        The file's name in messages (an upload's own name); by default its file name.

    Raises
    ------
    InputFileError
        The file is not a readable zip, or it is unsafe; the message names the file and, where
        one is to blame, the member.
    """
    path = Path(path)
    name = source or path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputFileError(
            f"{name} is not a readable zip file ({err}): download it again, or unzip it and give"
            " the file inside"
        ) from err
    _check_members(members, size=path.stat().st_size, name=name)
    return members


def _check_members(members: list[zipfile.ZipInfo], *, size: int, name: str) -> None:
    if len(members) > limits.MAX_ZIP_MEMBERS:
        raise InputFileError(
            f"{name} holds {len(members):,} files, more than the {limits.MAX_ZIP_MEMBERS:,} a zip"
            f" may hold here (the last is {members[-1].filename!r}): give the files needed in a"
            " smaller zip"
        )
    escaping = [m.filename for m in members if unsafe_member_name(m.filename)]
    if escaping:
        raise InputFileError(
            f"{name} holds {escaping[0]!r}, a name that points outside the zip's folder: the"
            " zip was not made from a folder of files; refused, nothing in it was read"
        )
    expanded = sum(m.file_size for m in members)
    if expanded > limits.MAX_ZIP_RATIO * max(size, 1) and expanded > limits.MAX_ZIP_EXPANDED_BYTES:
        largest = max(members, key=lambda m: m.file_size)
        raise InputFileError(
            f"{name} would expand from {limits.size_words(size)} to"
            f" {limits.size_words(expanded)} (its largest file,"
            f" {largest.filename!r}, to {limits.size_words(largest.file_size)}), more than"
            f" {limits.MAX_ZIP_RATIO} times its size: refused as unsafe, nothing in it was read;"
            " give the files unzipped, or zipped without padding"
        )
