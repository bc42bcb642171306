"""The project's errors: a small hierarchy on built-ins, each message naming the fix.

Expected errors reach users as one line (the CLI prints ``str(err)``; the app shows it with
``st.error``), never as a traceback.
"""

from __future__ import annotations


class AtlasError(Exception):
    """Base of every error Outreach Atlas raises on purpose."""


class InputFileError(AtlasError, ValueError):
    """A file the user gave cannot be read as asked (format, encoding, missing columns...).

    The message names the file and, where there is one, the row, column and value.
    """


class ColumnMappingError(InputFileError):
    """Columns could not be matched to the canonical ones; the message lists what was found."""


class BoundaryError(InputFileError):
    """A boundary file is unusable as a layer of areas (no code field, duplicate codes...)."""


class GeocodeError(AtlasError, ValueError):
    """A lookup file (postcode directory, gazetteer) is unusable."""


class AnalysisError(AtlasError, ValueError):
    """An option of an analysis (figures, hotspots, coverage, patrol) is unusable; the message
    names the option, the value received and the fix."""


class StoreError(AtlasError, OSError):
    """The store cannot be opened or written (wrong schema version, locked for too long...)."""


class DaskMissing(AtlasError, ImportError):
    """Dask or distributed is not installed (``--dask`` needs them)."""


class AccessDenied(AtlasError, PermissionError):
    """A role asked for data it may not see (see "Who sees what" in the design)."""
