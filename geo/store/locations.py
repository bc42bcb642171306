"""Where a store lives: a file for the embedded store, a URL for the shared one, and where
each is when nothing else is said."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Where the store lives when nothing else is said (relative to the working directory).
DEFAULT_STORE: Final = Path("var") / "outreach-atlas.sqlite"
STORE_ENV: Final = "OUTREACH_ATLAS_STORE"


def is_store_url(location: str | Path) -> bool:
    """Whether ``location`` names the shared PostGIS store (a ``postgresql://`` or
    ``postgres://`` URL) rather than an embedded store's file.

    >>> is_store_url("postgresql://atlas@db.example/atlas"), is_store_url("var/a.sqlite")
    (True, False)
    """
    return str(location).strip().startswith(("postgresql:", "postgres:"))


def default_store_location() -> str:
    """Where the store is when nothing else is said: ``OUTREACH_ATLAS_STORE`` as given (a
    file path or a ``postgresql://`` URL, kept whole), else :data:`DEFAULT_STORE`."""
    text = (os.environ.get(STORE_ENV) or "").strip()
    return text or str(DEFAULT_STORE)


def default_store_path() -> Path:
    """The embedded store's file from ``OUTREACH_ATLAS_STORE``, else :data:`DEFAULT_STORE`.

    A URL in the variable is not a file: read :func:`default_store_location` wherever a URL
    may be meant (``Path`` would fold its ``//``)."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def demo_store_path(store_path: str | Path) -> Path:
    """Where the synthetic demo borough is kept beside a store: a store of its own, so made-up
    and real people are never mixed (``var/outreach-atlas.sqlite`` ->
    ``var/outreach-atlas-demo.sqlite``)."""
    path = Path(store_path)
    return path.with_name(f"{path.stem}-demo{path.suffix or '.sqlite'}")
