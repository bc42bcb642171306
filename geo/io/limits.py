"""How big a file may be: the upload cap, and how far a zip may expand.

The upload cap is in one place: :func:`upload_cap_mb` reads ``OUTREACH_ATLAS_MAX_UPLOAD_MB``
(default :data:`DEFAULT_MAX_UPLOAD_MB`, 200, the same as ``server.maxUploadSize`` in
``.streamlit/config.toml``; raise both together).

Who the cap applies to: every importer (:mod:`geo.importing`) takes ``max_mb``, checked on the
file's size before a byte of it is read, so nothing is stored when a file is refused. Its
default, ``"upload"``, is the configured cap: anything that hands an importer a file it did not
choose itself (the Import page, a future API) is capped without asking, and a caller that forgets
fails closed. The command line passes ``max_mb=None``, no cap: whoever runs it on the server
already has the file there, and a national postcode directory (ONSPD, NSPL) is over 1 GB. A
number caps at that many megabytes.

Zips (:mod:`geo.io.zips`) are checked from their directory before anything in them is read:
at most :data:`MAX_ZIP_MEMBERS` members, and a zip whose members would expand to more than
:data:`MAX_ZIP_RATIO` times its own size *and* more than :data:`MAX_ZIP_EXPANDED_BYTES` is
refused. Both conditions: a small zip of well-compressed CSV may expand 100-fold harmlessly, and
a national directory zip expands to gigabytes at an ordinary ratio.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, Literal

from geo.errors import AtlasError, InputFileError

__all__ = [
    "DEFAULT_MAX_UPLOAD_MB",
    "MAX_UPLOAD_MB_ENV",
    "MAX_ZIP_EXPANDED_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "MaxMB",
    "check_size",
    "size_words",
    "upload_cap_mb",
]

#: The upload cap in megabytes when ``OUTREACH_ATLAS_MAX_UPLOAD_MB`` is not set.
DEFAULT_MAX_UPLOAD_MB: Final = 200
#: The environment variable that sets the upload cap, in megabytes.
MAX_UPLOAD_MB_ENV: Final = "OUTREACH_ATLAS_MAX_UPLOAD_MB"
#: A zip expanding to more than this many times its own size... (see the module docstring)
MAX_ZIP_RATIO: Final = 100
#: ... and to more than this many bytes in all is refused.
MAX_ZIP_EXPANDED_BYTES: Final = 2 * 1024**3
#: A zip with more members than this is refused (Code-Point Open holds about 130).
MAX_ZIP_MEMBERS: Final = 10_000

#: What an importer's ``max_mb`` can be: the configured upload cap, megabytes, or no cap.
MaxMB = Literal["upload"] | float | None

_MB: Final = 1024**2


def upload_cap_mb() -> float:
    """The upload cap in megabytes: ``OUTREACH_ATLAS_MAX_UPLOAD_MB``, else 200.

    Raises
    ------
    AtlasError
        The variable is set to something that is not a positive number.
    """
    text = os.environ.get(MAX_UPLOAD_MB_ENV, "").strip()
    if not text:
        return float(DEFAULT_MAX_UPLOAD_MB)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise AtlasError(
            f"{MAX_UPLOAD_MB_ENV}={text!r} is not a size in megabytes: set it to a positive"
            f" number such as {DEFAULT_MAX_UPLOAD_MB}, or unset it"
        )
    return value


def check_size(path: str | Path, *, max_mb: MaxMB = "upload", source: str | None = None) -> None:
    """Refuse a file bigger than the cap, before reading it (see the module docstring).

    Parameters
    ----------
    path
        The file; a missing file or a folder is left to the reader to refuse.
    max_mb
        ``"upload"`` (the configured cap), a number of megabytes, or ``None`` (no cap).
    source
        The file's name in the message (an upload's own name); by default its file name.

    Raises
    ------
    InputFileError
        The file is over the cap; the message names it, its size, the cap and how to raise it.
    """
    if max_mb is None:
        return
    cap = upload_cap_mb() if max_mb == "upload" else _checked_cap(max_mb)
    path = Path(path)
    if not path.is_file():
        return
    size = path.stat().st_size
    if size > cap * _MB:
        raise InputFileError(
            f"{source or path.name} is {size_words(size)}, over the upload limit of"
            f" {size_words(cap * _MB)}: import it on the server with 'python -m geo import ...',"
            f" which has no limit, or raise the limit with {MAX_UPLOAD_MB_ENV} (and"
            " server.maxUploadSize in .streamlit/config.toml)"
        )


def _checked_cap(max_mb: object) -> float:
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or not max_mb > 0:
        raise InputFileError(
            f"max_mb={max_mb!r}: give 'upload' (the configured limit), a positive number of"
            " megabytes, or None for no limit"
        )
    return float(max_mb)


def size_words(size: float) -> str:
    """A size in bytes as people read it.

    Examples
    --------
    >>> size_words(250 * 1024**2), size_words(1.5 * 1024**2), size_words(2048)
    ('250 MB', '1.5 MB', '2.0 KB')
    """
    mb = size / _MB
    if mb >= 10:
        return f"{mb:,.0f} MB"
    return f"{mb:.1f} MB" if mb >= 1 else f"{size / 1024:.1f} KB"
