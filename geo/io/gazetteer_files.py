"""Gazetteers as users keep them: a small CSV of their own named places, read as text.

Matching its columns and placing each row is :class:`geo.locate.Gazetteer`'s work.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from geo.errors import InputFileError
from geo.io.file_kinds import check_input_file
from geo.io.text import decode, sniff_delimiter

__all__ = ["read_gazetteer_file"]


def read_gazetteer_file(path: str | Path) -> pd.DataFrame:
    """A gazetteer CSV as text cells, one row per line after the header, blank lines kept.

    Any encoding :func:`~geo.io.text.decode` reads; comma, semicolon, tab or bar separated.
    Blank lines stay (as rows of "") so a row's position gives its line number in the file.

    Raises
    ------
    InputFileError
        The file is missing, unreadable or empty.
    """
    path = Path(path)
    check_input_file(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(f"{path}: cannot read ({err.strerror or err})") from err
    text = decode(data, source=str(path)).text
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sniff_delimiter(text),
            dtype="string",
            keep_default_na=False,
            skip_blank_lines=False,  # so row numbers in messages are the file's
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
        raise InputFileError(f"{path}: cannot read as CSV ({err})") from err
