"""A base map for a store: the user's file made into the MBTiles file beside the store.

A shared (PostGIS) store is a database, not a file, so nothing can sit beside it: its base map
goes in the folder ``OUTREACH_ATLAS_FILES`` names (default ``var``), named after the server and
the database (:func:`store_basemap_path`).

``python -m geo import basemap FILE`` and the demo borough both come here. The base map is cut
to the store's wards plus a margin when wards are loaded (import the wards first, so a national
file is not drawn whole); the file is replaced only once the new one is complete. The import
log of records is not touched: a base map holds no records, and it is named by the store's own
file, so there is one at a time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from geo.io.basemap import (
    BASEMAP_SUFFIX,
    DEFAULT_MAX_ZOOM,
    DEFAULT_MIN_ZOOM,
    TileSet,
    basemap_path,
    clip_box,
    write_basemap,
)
from geo.schema import DISPLAY_CRS
from geo.store import Store, files_folder, is_store_url


@dataclass(frozen=True)
class BasemapImport:
    """What a base map import made: the file, its tiles, zooms and extent, and how long it took."""

    source: str
    tileset: TileSet
    clipped_to_wards: bool
    seconds: float

    def to_dict(self) -> dict[str, object]:
        path = self.tileset.path
        return {
            "source": self.source,
            "kind": "basemap",
            "path": str(path),
            "tiles": self.tileset.tiles,
            "format": self.tileset.format,
            "min_zoom": self.tileset.min_zoom,
            "max_zoom": self.tileset.max_zoom,
            "bounds": list(self.tileset.bounds),
            "bytes": path.stat().st_size if path.exists() else 0,
            "attribution": self.tileset.attribution,
            "clipped_to_wards": self.clipped_to_wards,
            "seconds": round(self.seconds, 2),
        }


def store_basemap_path(location: str | Path) -> Path:
    """Where the base map of the store at ``location`` is kept.

    An embedded store's is beside its file (:func:`geo.io.basemap.basemap_path`). A shared
    store's (``location`` as :attr:`geo.store.Store.location` shows it: no password) is in
    :func:`geo.store.files_folder`, named by server, port and database, so that two
    databases' maps never meet:

    >>> store_basemap_path("postgresql://atlas@db.example:5432/county").name
    'db.example-5432-county-basemap.mbtiles'
    """
    if not is_store_url(location):
        return basemap_path(location)
    where = str(location).split("://", 1)[-1].rsplit("@", 1)[-1]  # no user before the server
    name = re.sub(r"[^A-Za-z0-9_.]+", "-", where.split("?", 1)[0]).strip("-.") or "store"
    return files_folder(location) / f"{name}{BASEMAP_SUFFIX}"


def import_basemap(
    store: Store,
    path: str | Path,
    *,
    min_zoom: int = DEFAULT_MIN_ZOOM,
    max_zoom: int = DEFAULT_MAX_ZOOM,
    attribution: str | None = None,
    source: str | None = None,
) -> BasemapImport:
    """Make the base map of ``store`` from ``path``: raster ``.mbtiles``, or vector data.

    See :func:`geo.io.basemap.write_basemap` for what is accepted and how it is drawn.
    ``source`` names the file in the result (default: its name).
    """
    started = time.perf_counter()
    wards = store.areas(layer="ward")
    clip = None
    if len(wards):
        west, south, east, north = (float(b) for b in wards.to_crs(DISPLAY_CRS).total_bounds)
        clip = clip_box((west, south, east, north))
    tileset = write_basemap(
        path,
        store_basemap_path(store.location),
        clip=clip,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        attribution=attribution,
    )
    return BasemapImport(
        source=source or Path(path).name,
        tileset=tileset,
        clipped_to_wards=clip is not None,
        seconds=time.perf_counter() - started,
    )
