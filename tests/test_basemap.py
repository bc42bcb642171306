"""Base maps: MBTiles written and read the standard way, vector files drawn into tiles, tiles
unpacked for the app to serve, the demo's own base, and maps that never leave the app.

Every file is built here in ``tmp_path``. Tile numbers are checked against the hand-worked
example in :func:`geo.io.basemap.grid.tile_of` (Trafalgar Square, zoom 10: x 511, y 340, TMS
row 1023 - 340 = 683).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image

from geo.cli import basemap as basemap_cli
from geo.cli._common import parents
from geo.demo import DEMO_BASEMAP_ATTRIBUTION
from geo.demo.basemap import DEMO_BASEMAP_MAX_ZOOM, basemap_frame
from geo.demo.borough import _SITES
from geo.errors import AtlasError, InputFileError
from geo.importing.basemap import import_basemap
from geo.io.basemap import (
    TILES_ATTRIBUTION_ENV,
    TILES_ENV,
    BaseTiles,
    basemap_path,
    clip_box,
    extract_tiles,
    iter_tiles,
    read_tileset,
    served_tiles,
    tile_of,
    write_basemap,
)
from geo.io.basemap.grid import mercator, tile_box
from geo.io.basemap.mbtiles import write_mbtiles
from geo.io.basemap.style import WATER
from layers import maps
from tests.shapes import EAST_WARD, WEST_WARD, store_with_wards

#: Trafalgar Square and its tile at zoom 10, worked by hand (see the module's docstring).
TRAFALGAR = (-0.1281, 51.5080)
TRAFALGAR_TILE = (10, 511, 340)
TRAFALGAR_TMS_ROW = 683

#: In Brighton (tests/shapes.py): a pond in West ward, a road across the north of East ward.
POND = shapely.box(-0.19, 50.810, -0.18, 50.816)
ROAD = shapely.LineString([(-0.13, 50.845), (-0.09, 50.855)])
#: The north-west corner of the two: 4 km from either, so nothing is drawn there.
EMPTY_CORNER = (-0.19, 50.855)


def _rgb(colour: str) -> tuple[int, int, int, int]:
    digits = colour.lstrip("#")
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 255)


def _png(rgba: tuple[int, int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (256, 256), rgba).save(out, "PNG")
    return out.getvalue()


def _vector_file(folder: Path) -> Path:
    """A GeoPackage as OS OpenMap Local lays it out, in British National Grid: a road, a pond."""
    path = folder / "base.gpkg"
    road = gpd.GeoDataFrame(
        {"distinctive_name": ["Station Road"], "classification": ["Minor Road"]},
        geometry=[ROAD],
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    pond = gpd.GeoDataFrame({"distinctive_name": [None]}, geometry=[POND], crs="EPSG:4326").to_crs(
        "EPSG:27700"
    )
    road.to_file(path, layer="Road")
    pond.to_file(path, layer="SurfaceWater_Area")
    return path


def _tiles(path: Path) -> dict[tuple[int, int, int], bytes]:
    return {(z, x, y): data for z, x, y, data in iter_tiles(path)}


def _pixel(tiles: dict[tuple[int, int, int], bytes], lon: float, lat: float, zoom: int):
    """The colour of the tile pixel under (lon, lat) at ``zoom``."""
    x, y = tile_of(lon, lat, zoom)
    left, bottom, right, top = tile_box(x, y, zoom)
    mx, my = mercator([lon], [lat])
    column = int((float(mx[0]) - left) / (right - left) * 256)
    row = int((top - float(my[0])) / (top - bottom) * 256)
    image = Image.open(io.BytesIO(tiles[(zoom, x, y)])).convert("RGBA")
    return tuple(int(v) for v in np.asarray(image)[row, column])


# --- The tile grid and MBTiles ----------------------------------------------------------------


def test_a_known_place_is_in_its_known_tile() -> None:
    assert tile_of(*TRAFALGAR, 10) == TRAFALGAR_TILE[1:]


def test_mbtiles_has_its_metadata_and_rows_counted_from_the_bottom(tmp_path: Path) -> None:
    z, x, y = TRAFALGAR_TILE
    tileset = write_mbtiles(
        tmp_path / "t.mbtiles",
        [(z, x, y, _png((255, 0, 0, 255)))],
        name="trafalgar",
        attribution="Test tiles",
        bounds=(-0.2, 51.4, 0.0, 51.6),
    )
    with closing(sqlite3.connect(tmp_path / "t.mbtiles")) as db:
        rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
        metadata = dict(db.execute("SELECT name, value FROM metadata").fetchall())
    assert rows == [(10, 511, TRAFALGAR_TMS_ROW)]
    assert metadata["format"] == "png"
    assert metadata["minzoom"] == metadata["maxzoom"] == "10"
    assert metadata["attribution"] == "Test tiles"
    assert metadata["bounds"] == "-0.200000,51.400000,0.000000,51.600000"
    assert metadata["name"] == "trafalgar"
    # read back with XYZ rows, and the extent is that of the one tile (cut to the bounds given)
    assert list(iter_tiles(tileset.path))[0][:3] == TRAFALGAR_TILE
    west, south, east, north = tileset.bounds
    assert west == pytest.approx(-0.2) and east == pytest.approx(0.0)
    assert south < TRAFALGAR[1] < north
    assert (tileset.min_zoom, tileset.max_zoom, tileset.tiles) == (10, 10, 1)


def test_the_base_map_lives_beside_the_store() -> None:
    assert basemap_path("var/outreach-atlas.sqlite") == Path("var/outreach-atlas-basemap.mbtiles")
    with pytest.raises(InputFileError, match="OUTREACH_ATLAS_TILES"):
        basemap_path("postgresql://atlas@db/atlas")


# --- Drawing a vector file --------------------------------------------------------------------


def test_a_road_and_a_pond_are_drawn_where_they_are_and_nothing_elsewhere(
    tmp_path: Path,
) -> None:
    tileset = write_basemap(
        _vector_file(tmp_path), tmp_path / "base.mbtiles", min_zoom=14, max_zoom=16
    )
    tiles = _tiles(tileset.path)
    assert (tileset.min_zoom, tileset.max_zoom) == (14, 16)
    middle = ROAD.interpolate(0.5, normalized=True)
    for zoom in (14, 15, 16):
        assert (zoom, *tile_of(middle.x, middle.y, zoom)) in tiles
        assert (zoom, *tile_of(*POND.centroid.coords[0], zoom)) in tiles
        assert (zoom, *tile_of(*EMPTY_CORNER, zoom)) not in tiles
    # a pixel a quarter of the way into the pond (clear of any name) is water-coloured
    assert _pixel(tiles, -0.1875, 50.8115, 16) == _rgb(WATER)
    assert _pixel(tiles, -0.1875, 50.8115, 14) == _rgb(WATER)
    # OS OpenMap Local's layers: credited to OS unless told otherwise
    assert "Crown copyright" in tileset.attribution


def test_a_base_map_is_cut_to_the_wards_and_a_margin(tmp_path: Path) -> None:
    wards = gpd.GeoSeries([WEST_WARD, EAST_WARD], crs="EPSG:4326")
    clip = clip_box(tuple(wards.total_bounds))
    far = gpd.GeoDataFrame(
        {"name": ["Far Lane"]},
        geometry=[shapely.LineString([(-0.15, 50.83), (1.5, 51.5)])],
        crs="EPSG:4326",
    )
    far.to_file(tmp_path / "far.geojson")
    tileset = write_basemap(tmp_path / "far.geojson", tmp_path / "cut.mbtiles", clip=clip)
    west, south, east, north = tileset.bounds
    # the wards end at -0.08; a margin of half their width (0.06 degrees) follows, then nothing
    assert east == pytest.approx(-0.02, abs=0.002)
    assert north < 50.86 + 0.07 and west > -0.20 - 0.07


def test_a_store_with_wards_draws_its_base_map_beside_itself(tmp_path: Path) -> None:
    store = store_with_wards(tmp_path)
    result = import_basemap(store, _vector_file(tmp_path), min_zoom=13, max_zoom=14)
    assert result.tileset.path == tmp_path / "atlas-basemap.mbtiles"
    assert result.clipped_to_wards
    report = result.to_dict()
    assert report["tiles"] == result.tileset.tiles > 0
    assert report["bytes"] == (tmp_path / "atlas-basemap.mbtiles").stat().st_size


# --- Importing an MBTiles file ----------------------------------------------------------------


def test_an_mbtiles_file_is_checked_and_copied(tmp_path: Path) -> None:
    source = write_mbtiles(
        tmp_path / "council.mbtiles",
        [(*TRAFALGAR_TILE, _png((10, 20, 30, 255)))],
        name="council",
        attribution="Council tiles",
        bounds=(-0.2, 51.4, 0.0, 51.6),
    ).path
    store = store_with_wards(tmp_path / "store")
    result = import_basemap(store, source, attribution="© The Council")
    copied = basemap_path(store.location)
    assert result.tileset.path == copied
    assert _tiles(copied) == _tiles(source)
    assert read_tileset(copied).attribution == "© The Council"
    assert read_tileset(source).attribution == "Council tiles"  # the user's file is untouched


def _sqlite(path: Path, script: str) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(script)
        db.commit()
    return path


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("missing.gpkg", None, "does not exist"),
        ("text.mbtiles", "text", "is not an MBTiles file: SQLite cannot read it"),
        ("notiles.mbtiles", "CREATE TABLE other (a);", "no tiles table"),
        (
            "empty.mbtiles",
            "CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data);",
            "holds no tiles",
        ),
        (
            "vector.mbtiles",
            "CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data);"
            "CREATE TABLE metadata (name, value); INSERT INTO metadata VALUES ('format', 'pbf');"
            "INSERT INTO tiles VALUES (0, 0, 0, x'1f8b0800');",
            r"holds vector tiles \(pbf\): only raster tiles",
        ),
        ("garbage.gpkg", "text", "GDAL cannot read it as a vector file"),
        ("table.csv", "csv", "no layer of lines, polygons or points"),
    ],
)
def test_bad_files_are_refused_with_their_name(
    tmp_path: Path, name: str, make: str | None, message: str
) -> None:
    path = tmp_path / name
    if make == "text":
        path.write_text("this is not a map\n")
    elif make == "csv":
        path.write_text("ward,people\nWest,3\n")
    elif make is not None:
        _sqlite(path, make)
    with pytest.raises(InputFileError, match=message) as caught:
        write_basemap(path, tmp_path / "out.mbtiles")
    assert name in str(caught.value)
    assert not (tmp_path / "out.mbtiles").exists()


def test_a_file_far_from_the_wards_is_refused(tmp_path: Path) -> None:
    store = store_with_wards(tmp_path)
    far = gpd.GeoDataFrame(geometry=[shapely.box(-3.0, 53.0, -2.9, 53.1)], crs="EPSG:4326")
    far.to_file(tmp_path / "manchester.geojson")
    with pytest.raises(InputFileError, match="manchester.geojson: it does not reach the wards"):
        import_basemap(store, tmp_path / "manchester.geojson")


def test_zooms_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="zooms 16-11 must run from 0 to 18"):
        write_basemap(_vector_file(tmp_path), tmp_path / "o.mbtiles", min_zoom=16, max_zoom=11)


# --- Unpacking for the app to serve -----------------------------------------------------------


@pytest.fixture
def trafalgar_mbtiles(tmp_path: Path) -> Path:
    return write_mbtiles(
        tmp_path / "store-basemap.mbtiles",
        [(*TRAFALGAR_TILE, _png((200, 0, 0, 255)))],
        name="t",
        attribution="Test <tiles>",
        bounds=(-0.2, 51.4, 0.0, 51.6),
    ).path


def test_tiles_are_unpacked_with_xyz_rows_once(tmp_path: Path, trafalgar_mbtiles: Path) -> None:
    into = tmp_path / "static" / "basemap"
    tiles = extract_tiles(trafalgar_mbtiles, into=into, url_prefix="/app/static/basemap")
    (folder,) = into.iterdir()
    assert re.fullmatch(r"[0-9a-f]{16}", folder.name)
    assert tiles.url == f"/app/static/basemap/{folder.name}/{{z}}/{{x}}/{{y}}.png"
    written = folder / "10" / "511" / "340.png"
    assert written.read_bytes() == _png((200, 0, 0, 255))
    assert not (folder / "10" / "511" / f"{TRAFALGAR_TMS_ROW}.png").exists()
    # the tiles around it exist too, blank, so the browser never asks for a missing one
    blank = Image.open(folder / "10" / "512" / "340.png")
    assert blank.size == (256, 256) and blank.convert("RGBA").getextrema()[3] == (0, 0)
    assert (tiles.min_zoom, tiles.max_zoom, tiles.attribution) == (10, 10, "Test <tiles>")
    # again: the same folder, nothing rewritten, nothing left behind
    stamp = written.stat().st_mtime_ns
    again = extract_tiles(trafalgar_mbtiles, into=into, url_prefix="/app/static/basemap")
    assert again == tiles
    assert [p.name for p in into.iterdir()] == [folder.name]
    assert written.stat().st_mtime_ns == stamp


def test_the_store_base_map_is_served_unless_a_tile_server_is_set(
    tmp_path: Path, trafalgar_mbtiles: Path
) -> None:
    store = tmp_path / "store.sqlite"  # its base map is the fixture's store-basemap.mbtiles
    static = tmp_path / "static"
    served = served_tiles(store, static_dir=static, environ={})
    assert served is not None and served.url.startswith("/app/static/basemap/")
    council = {
        TILES_ENV: "https://tiles.example.gov.uk/{z}/{x}/{y}.png",
        TILES_ATTRIBUTION_ENV: "© Brighton and Hove City Council",
    }
    chosen = served_tiles(store, static_dir=tmp_path / "other", environ=council)
    assert chosen == BaseTiles(
        url="https://tiles.example.gov.uk/{z}/{x}/{y}.png",
        attribution="© Brighton and Hove City Council",
    )
    assert not (tmp_path / "other").exists()  # nothing unpacked when the council's server wins
    assert served_tiles(tmp_path / "none.sqlite", static_dir=static, environ={}) is None


def test_a_shared_stores_base_map_is_served_from_the_files_folder(
    tmp_path: Path, trafalgar_mbtiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.importing.basemap import store_basemap_path
    from geo.store import FILES_ENV
    from ui.basemap import STATIC_DIR, base_tiles

    url = "postgresql://atlas@db.example:5432/county"
    assert served_tiles(url, static_dir=tmp_path / "static", environ={}) is None  # none named
    monkeypatch.setenv(FILES_ENV, str(tmp_path / "files"))
    kept = store_basemap_path(url)
    assert kept.parent == tmp_path / "files"
    kept.parent.mkdir()
    kept.write_bytes(trafalgar_mbtiles.read_bytes())  # as `geo import basemap` keeps it
    monkeypatch.delenv(TILES_ENV, raising=False)
    served = base_tiles(url)  # what the app draws under the wards
    assert served is not None and served.url.startswith("/app/static/basemap/")
    assert (STATIC_DIR / "basemap").is_dir()


def test_a_tile_server_that_is_not_a_template_is_refused() -> None:
    with pytest.raises(AtlasError, match="is not an XYZ template"):
        served_tiles("x.sqlite", static_dir="static", environ={TILES_ENV: "tiles.example.gov.uk"})


# --- The demo borough's base map --------------------------------------------------------------


def test_the_demo_roads_carry_the_street_names_the_demo_already_uses() -> None:
    features = basemap_frame()
    names = set(features.loc[features["kind"].isin(["road", "major_road", "path"]), "name"])
    assert {site.street for site in _SITES} <= names
    assert {"sea", "water", "railway", "station", "park"} <= set(features["kind"])


def test_the_demo_store_gets_its_base_map(demo_store) -> None:
    tileset = read_tileset(basemap_path(demo_store.location))
    assert tileset.attribution == DEMO_BASEMAP_ATTRIBUTION
    assert (tileset.min_zoom, tileset.max_zoom) == (11, DEMO_BASEMAP_MAX_ZOOM) == (11, 15)
    tiles = _tiles(tileset.path)
    # Saltmarsh Bay, 1.5 km out to sea off Saltings ward, is open water at zoom 14
    sea = gpd.GeoSeries([shapely.Point(523500, 103300)], crs="EPSG:27700").to_crs(4326)[0]
    assert _pixel(tiles, sea.x, sea.y, 14) == _rgb(WATER)


# --- Maps --------------------------------------------------------------------------------------


def test_a_map_with_tiles_asks_only_the_app_for_them() -> None:
    tiles = BaseTiles(
        url="/app/static/basemap/0123456789abcdef/{z}/{x}/{y}.png",
        attribution="Synthetic <b>base</b>",
        min_zoom=11,
        max_zoom=16,
        bounds=(-0.2, 50.8, -0.08, 50.86),
    )
    m = maps.base_map((-0.2, 50.8, -0.08, 50.86), tiles=tiles)
    layers = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert [layer.tiles for layer in layers] == [tiles.url]
    options = layers[0].options
    assert (options["min_zoom"], options["max_native_zoom"]) == (11, 16)
    assert options["max_zoom"] == maps.MAX_ZOOM
    assert options["bounds"] == [[50.8, -0.2], [50.86, -0.08]]
    html = m.get_root().render()
    assert not re.search(r"https?://", html)
    assert "<b>base</b>" not in html  # the credit is text, not markup


def test_a_map_without_tiles_has_none() -> None:
    m = maps.base_map((-0.2, 50.8, -0.08, 50.86))
    assert not [c for c in m._children.values() if isinstance(c, folium.TileLayer)]


# --- The command line ---------------------------------------------------------------------------


def test_the_import_basemap_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    kinds = parser.add_subparsers(dest="what")
    basemap_cli.add_parser(kinds, parents())
    store = store_with_wards(tmp_path)
    argv = ["basemap", str(_vector_file(tmp_path)), "--store", store.location]
    args = parser.parse_args([*argv, "--max-zoom", "13", "--json"])
    assert args.run(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(tmp_path / "atlas-basemap.mbtiles")
    assert (report["min_zoom"], report["max_zoom"]) == (11, 13)
    args = parser.parse_args([*argv, "--min-zoom", "12", "--max-zoom", "12"])
    assert args.run(args) == 0
    assert "base.gpkg: base map written to" in capsys.readouterr().out


# --- Real files ---------------------------------------------------------------------------------


@pytest.mark.shared
def test_real_ward_boundaries_draw_as_a_base_map(shared_data: Path, tmp_path: Path) -> None:
    """No real OS OpenMap Local file is in ../shared/data: real ward outlines (polygons with a
    name column, as published) stand in for a user's vector file."""
    found = sorted((shared_data / "wards").glob("*brighton-and-hove.geojson"))
    if not found:
        pytest.skip("no Brighton and Hove ward file in ../shared/data/wards")
    tileset = write_basemap(found[0], tmp_path / "b.mbtiles", min_zoom=11, max_zoom=13)
    west, south, east, north = tileset.bounds
    assert -0.25 < west < east < -0.0 and 50.7 < south < north < 50.95
    assert tileset.attribution == f"Base map: {found[0].name}"
    assert tileset.tiles >= 3


def test_names_in_a_frame_are_not_required(tmp_path: Path) -> None:
    """Any file with lines and no name column at all will do."""
    lines = gpd.GeoDataFrame(
        {"id": [1]}, geometry=[shapely.LineString([(-0.15, 50.83), (-0.14, 50.84)])], crs=4326
    )
    lines.to_file(tmp_path / "lines.gpkg", layer="paths")
    tileset = write_basemap(tmp_path / "lines.gpkg", tmp_path / "l.mbtiles", max_zoom=14)
    assert tileset.tiles > 0
    assert tileset.attribution == "Base map: lines.gpkg"
