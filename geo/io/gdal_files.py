"""What every reader of files through GDAL (boundaries, base maps) checks and catches."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pyogrio.errors

from geo.errors import InputFileError

__all__ = ["GDAL_ERRORS", "existing_file"]

#: The errors pyogrio raises for a file GDAL cannot read as asked (caught, and said plainly).
GDAL_ERRORS: Final = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)


def existing_file(path: str | Path, *, what: str) -> Path:
    """``path`` as a Path, refused when it is not one or nothing is there.

    ``what`` names the file in the message ("boundary file", "base map file").
    """
    if not isinstance(path, str | Path):
        raise TypeError(f"path must be a str or Path, not {type(path).__name__}")
    file = Path(path)
    if not file.exists():
        raise InputFileError(f"{what} {file} does not exist: check the path and name")
    return file
