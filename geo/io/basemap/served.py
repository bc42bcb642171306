"""Which tiles a map shows under the wards, and the store's own tiles unpacked for serving.

The choice, in order (:func:`served_tiles`):

1. ``OUTREACH_ATLAS_TILES``, an XYZ URL template with ``{z}``, ``{x}`` and ``{y}``: the council's
   own tile server (credited by ``OUTREACH_ATLAS_TILES_ATTRIBUTION``, zoomed to
   ``OUTREACH_ATLAS_TILES_MAX_ZOOM`` at most, default 19). Setting it is the only way the map
   asks anything of another server.
2. The store's base map, the MBTiles file beside it (:func:`~geo.io.basemap.basemap_path`;
   a shared store's is in the files folder, which the caller names),
   unpacked once into ``<static>/basemap/<key>/{z}/{x}/{y}.png`` (:func:`extract_tiles`), where
   the app's own static file route serves it. ``<key>`` is the first 16 hex digits of the
   file's SHA-256, so a new base map gets a new folder (browsers never show stale tiles) and an
   identical one (the demo, built again) reuses the old.
3. Nothing: the map keeps its plain background.

Unpacking is safe with several sessions and several servers: it is written into a temporary
folder and renamed into place in one step, under a lock in this process; whoever renames second
throws its copy away. Every tile position inside the tiles' bounds gets a file, blank ones
hard-linked to a single empty tile, so a map never asks for a tile that is not there (a
missing tile is a failed request and a console error in the browser).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo.errors import AtlasError
from geo.io.basemap.grid import mercator, tile_range
from geo.io.basemap.mbtiles import Bounds, TileSet, basemap_path, iter_tiles, read_tileset

TILES_ENV: Final = "OUTREACH_ATLAS_TILES"
TILES_ATTRIBUTION_ENV: Final = "OUTREACH_ATLAS_TILES_ATTRIBUTION"
TILES_MAX_ZOOM_ENV: Final = "OUTREACH_ATLAS_TILES_MAX_ZOOM"
#: The deepest zoom a map allows (as :data:`layers.maps.MAX_ZOOM`).
DEEPEST_ZOOM: Final = 19
#: The folder under the static folder that holds unpacked base maps.
BASEMAP_FOLDER: Final = "basemap"
_TEMPLATE = re.compile(r"^(https?://[^\s/]+|/)[^\s]*$")
_KEY_DIGITS: Final = 16


@dataclass(frozen=True)
class BaseTiles:
    """Tiles for a map's base: an XYZ URL template and how to show it.

    ``min_zoom``/``max_zoom`` are the zooms the tiles exist at (a map zoomed in further scales
    up the deepest), ``bounds`` (west, south, east, north, degrees) where they exist; None:
    everywhere. ``attribution`` is plain text.
    """

    url: str
    attribution: str
    min_zoom: int = 0
    max_zoom: int = DEEPEST_ZOOM
    bounds: Bounds | None = None

    def __post_init__(self) -> None:
        missing = [part for part in ("{z}", "{x}", "{y}") if part not in self.url]
        if missing or not _TEMPLATE.match(self.url):
            raise AtlasError(
                f"tile URL {self.url!r} is not an XYZ template: it must start with https://, "
                f"http:// or / and hold {{z}}, {{x}} and {{y}}, e.g. "
                "https://tiles.example.gov.uk/{z}/{x}/{y}.png"
            )
        if not 0 <= self.min_zoom <= self.max_zoom <= DEEPEST_ZOOM:
            raise AtlasError(
                f"tile zooms {self.min_zoom}-{self.max_zoom} must run from 0 to {DEEPEST_ZOOM}, "
                "lowest first"
            )


def configured_tiles(environ: Mapping[str, str]) -> BaseTiles | None:
    """The tile server set in ``environ`` (:data:`TILES_ENV`), or None when none is."""
    url = environ.get(TILES_ENV, "").strip()
    if not url:
        return None
    zoom = environ.get(TILES_MAX_ZOOM_ENV, "").strip() or str(DEEPEST_ZOOM)
    if not zoom.isdigit():
        raise AtlasError(f"{TILES_MAX_ZOOM_ENV}={zoom!r}: give a whole number such as 18")
    host = re.sub(r"^https?://([^/]+).*$", r"\1", url)
    return BaseTiles(
        url=url,
        attribution=environ.get(TILES_ATTRIBUTION_ENV, "").strip() or f"Base map: {host}",
        max_zoom=int(zoom),
    )


def served_tiles(
    store_location: str | Path,
    *,
    static_dir: str | Path,
    url_root: str = "/app/static",
    environ: Mapping[str, str] | None = None,
    mbtiles: str | Path | None = None,
) -> BaseTiles | None:
    """The tiles to draw under the wards of the store at ``store_location``, or None.

    See the module's description for the order. ``static_dir`` is the folder the app serves at
    ``url_root`` (Streamlit: ``static/`` beside the app's script, at ``/app/static``).
    ``mbtiles`` is the store's base map file: by default the one beside an embedded store; a
    shared store (a URL) keeps its own in the files folder, which the caller names
    (:func:`geo.importing.basemap.store_basemap_path` finds either).
    """
    configured = configured_tiles(os.environ if environ is None else environ)
    if configured is not None:
        return configured
    if mbtiles is None and "://" in str(store_location):
        return None
    mbtiles = Path(mbtiles) if mbtiles is not None else basemap_path(store_location)
    if not mbtiles.is_file():
        return None
    return extract_tiles(
        mbtiles,
        into=Path(static_dir) / BASEMAP_FOLDER,
        url_prefix=f"{url_root.rstrip('/')}/{BASEMAP_FOLDER}",
    )


def extract_tiles(mbtiles: str | Path, *, into: str | Path, url_prefix: str) -> BaseTiles:
    """Unpack ``mbtiles`` once into ``into/<key>/{z}/{x}/{y}.<png|jpg>`` (XYZ rows).

    ``url_prefix`` is the URL the app serves ``into`` at; the result's URL template is
    ``url_prefix/<key>/{z}/{x}/{y}.png``. Calling it again with the same file does no work
    beyond a look at the file's size and time.
    """
    source = Path(mbtiles)
    key, tileset = _checked(source)
    folder = Path(into) / key
    with _lock:
        if not folder.is_dir():
            _unpack(tileset, folder)
    return BaseTiles(
        url=f"{url_prefix.rstrip('/')}/{key}/{{z}}/{{x}}/{{y}}.{tileset.format}",
        attribution=tileset.attribution or "Base map",
        min_zoom=tileset.min_zoom,
        max_zoom=min(tileset.max_zoom, DEEPEST_ZOOM),
        bounds=tileset.bounds,
    )


_lock = threading.Lock()
#: (path, size, modified) -> (key, what the file holds): the hash is taken once per version.
_known: dict[tuple[str, int, int], tuple[str, TileSet]] = {}


def _checked(source: Path) -> tuple[str, TileSet]:
    stat = source.stat()
    seen = (str(source.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if seen in _known:
            return _known[seen]
    tileset = read_tileset(source)
    digest = hashlib.sha256()
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    found = (digest.hexdigest()[:_KEY_DIGITS], tileset)
    with _lock:
        _known[seen] = found
    return found


def _unpack(tileset: TileSet, folder: Path) -> None:
    """Write every tile of ``tileset`` under a temporary folder, then rename it to ``folder``."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = folder.parent / f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        written: set[tuple[int, int, int]] = set()
        made: set[Path] = set()
        for z, x, y, data in iter_tiles(tileset.path):
            column = temporary / str(z) / str(x)
            if column not in made:
                column.mkdir(parents=True, exist_ok=True)
                made.add(column)
            (column / f"{y}.{tileset.format}").write_bytes(data)
            written.add((z, x, y))
        _fill_gaps(tileset, temporary, written, made)
        try:
            temporary.rename(folder)
        except OSError:
            if not folder.is_dir():  # not another server's copy in the way: a real failure
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _fill_gaps(
    tileset: TileSet, temporary: Path, written: set[tuple[int, int, int]], made: set[Path]
) -> None:
    """Give every tile position inside the bounds a file: blank tiles, hard-linked to one."""
    blank = temporary / f"blank.{tileset.format}"
    blank.write_bytes(_blank_tile(tileset.format))
    west, south, east, north = tileset.bounds
    xs, ys = mercator([west, east], [south, north])
    box = (float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))
    for z in range(tileset.min_zoom, tileset.max_zoom + 1):
        x0, y0, x1, y1 = tile_range(box, z)
        for x in range(max(x0 - 1, 0), min(x1 + 1, 2**z - 1) + 1):
            column = temporary / str(z) / str(x)
            for y in range(max(y0 - 1, 0), min(y1 + 1, 2**z - 1) + 1):
                if (z, x, y) in written:
                    continue
                if column not in made:
                    column.mkdir(parents=True, exist_ok=True)
                    made.add(column)
                target = column / f"{y}.{tileset.format}"
                try:
                    os.link(blank, target)
                except OSError:  # a file system without hard links
                    shutil.copyfile(blank, target)


def _blank_tile(tile_format: str) -> bytes:
    """A 256-pixel tile with nothing on it: transparent PNG, or a JPEG of the map background."""
    import io

    from PIL import Image

    out = io.BytesIO()
    if tile_format == "png":
        Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(out, "PNG", optimize=True)
    else:
        Image.new("RGB", (256, 256), (0xF4, 0xF3, 0xEF)).save(out, "JPEG", quality=90)
    return out.getvalue()
