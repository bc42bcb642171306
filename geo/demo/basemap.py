"""The demo borough's base map: a made-up coast, river, roads, railway, station and parks.

Drawn in the borough's own British National Grid coordinates around :func:`borough_outline`
(see :mod:`geo.demo.borough`), and as invented as the rest of it: the sea (Saltmarsh Bay) is to
the south, 90 m beyond the wards' southern edge, with a shingle beach; the River Salt comes
down from the downs through Riverside ward (past the towpath where people sleep) to the harbour
notch in the coast; the railway runs east-west with Saltmarsh Central station at the Station
underpass; Jubilee Park, Millfield allotments and two woods are green; the town around the
centre is a grid of unnamed streets turned to the coast, lined with terraced houses (drawn from
a fixed seed of their own). The roads carry the
names the demo's places and police.uk snap points already use (Station Road, Station Approach,
Market Street, High Street, Bridge Street, Harbour Road, Marine Parade, Kings Road, Church
Lane, Jubilee Walk, Riverside Path, Northfields Way, Ferry Road, Westcliff Parade, Mill Lane,
Beacon Road), so "the doorway on Station Road" is on Station Road on the map.

The features are fixed (no seed): a different seed moves the wards a little, not the coast.
:mod:`geo.demo.files` writes them as ``basemap_synthetic.geojson``; :func:`geo.demo.load_demo`
draws them into the demo store's base map through the same import as a user's file, credited
:data:`DEMO_BASEMAP_ATTRIBUTION`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from geo.demo.borough import _OUTLINE, _TOWN_CENTRE
from geo.schema import DISPLAY_CRS, WORKING_CRS

#: The credit in the corner of every map drawn over the demo's base map.
DEMO_BASEMAP_ATTRIBUTION: Final = "Synthetic demo base map — not a real place"
#: The demo's base map is drawn to zoom 15 (streets, names) and shown enlarged beyond: zoom 16
#: would take two thirds of its drawing time, and it is drawn on the app's first start.
DEMO_BASEMAP_MAX_ZOOM: Final = 15
#: The layer's name in the file says what it is, as the wards' does.
DEMO_BASEMAP_LAYER: Final = "basemap_synthetic_demo"

#: How far the coast lies south of the wards' southern edge, in metres.
_COAST_OFFSET_M: Final = 90.0
#: The wards' southern edge, west to east (the first 22 points of the outline).
_SOUTH_EDGE: Final = _OUTLINE[:22]
_HARBOUR: Final = (521500.0, 522200.0)  # eastings of the harbour mouth: no beach there

_RIVER: Final = (
    (523300, 110300), (523050, 109500), (522700, 108700), (522550, 108000), (522700, 107300),
    (522500, 106600), (522330, 106000), (522200, 105500), (522000, 105100), (521880, 104800),
    (521850, 104550),
)  # fmt: skip
_RAILWAY: Final = (
    (514800, 105120), (517500, 105350), (519950, 105440), (521500, 105560), (523000, 105750),
    (525300, 105900),
)  # fmt: skip
_STATION: Final = ("Saltmarsh Central", (519980, 105470))
#: Eastings of the seafront roads, which follow the coast 70 m inland.
_MARINE_PARADE: Final = (516800.0, 521450.0)
_WESTCLIFF_PARADE: Final = (515350.0, 516800.0)
#: The built-up town is an oval this many metres along and across the coast (half-axes)...
_TOWN_RADII_M: Final = (3_000.0, 1_250.0)
#: ... and its unnamed streets a grid of cells this many metres across and along the coast,
#: turned this many degrees anticlockwise (the coast's own slope) about the town centre.
_BLOCK_M: Final = (180.0, 120.0)
_GRID_TURN_DEG: Final = 14.0
#: Terraced houses are this deep, in metres.
_TERRACE_DEPTH_M: Final = 12.0
#: The layout of side streets and houses is drawn from this seed, the same every time.
_LAYOUT_SEED: Final = 2026

#: (name, kind, points): the roads, with the names the demo's places already use.
_ROADS: Final = (
    ("London Road", "major_road", ((520300, 104980), (520350, 105600), (520500, 106400),
                                   (520650, 107500), (520700, 108600), (520900, 110100))),
    ("Downs Road", "major_road", ((514800, 106400), (517000, 106550), (519000, 106450),
                                  (520500, 106400), (522500, 106650), (525300, 106800))),
    ("Station Road", "road", ((519945, 104215), (519900, 104700), (519880, 105000),
                              (519900, 105250), (519950, 105470), (519900, 106450))),
    ("Station Approach", "road", ((519950, 105470), (520180, 105500))),
    ("High Street", "road", ((519500, 104880), (520000, 104950), (520600, 104960))),
    ("Bridge Street", "road", ((520600, 104960), (521300, 105040), (522030, 105100))),
    ("Ferry Road", "road", ((522030, 105100), (522500, 104900), (523100, 104930),
                            (524000, 105100), (525200, 105150))),
    ("Market Street", "road", ((519900, 104600), (520300, 104650), (520700, 104720))),
    ("Harbour Road", "road", ((520700, 104720), (521100, 104760), (521450, 104800),
                              (521640, 104805))),
    ("Kings Road", "road", ((519000, 103940), (519020, 104600), (519050, 105300),
                            (519000, 106450))),
    ("Church Lane", "road", ((520500, 105150), (520750, 105420), (520900, 105700))),
    ("Northfields Way", "road", ((522650, 106950), (523500, 107050), (524700, 107200))),
    ("Mill Lane", "road", ((516500, 106300), (517600, 106450), (518700, 106650))),
    ("Beacon Road", "road", ((515200, 108000), (516400, 108150), (517800, 108600),
                             (519000, 108700), (520700, 108600))),
    ("Marsh Lane", "road", ((517250, 103330), (517200, 104300), (517150, 105300),
                            (517000, 106550))),
    ("Priory Road", "road", ((520900, 106450), (521250, 107000), (521600, 107600))),
    ("Hillcrest Avenue", "road", ((522500, 106650), (523200, 107000), (523600, 107900))),
    ("Ropewalk", "road", ((519000, 108700), (519800, 108100), (520650, 107500))),
    ("Kingsmead Road", "road", ((515300, 105600), (516300, 105500), (517150, 105300))),
    ("Jubilee Walk", "path", ((518000, 104780), (518300, 104950), (518600, 105120))),
)  # fmt: skip
#: (name, kind, corners) of the green places.
_GREEN: Final = (
    ("Jubilee Park", "park", ((518050, 104780), (518580, 104830), (518620, 105130),
                              (518120, 105150))),
    ("Millfield allotments", "park", ((517450, 106400), (517760, 106410), (517750, 106600),
                                      (517460, 106590))),
    ("Beacon Wood", "woodland", ((516700, 108900), (517500, 108850), (517900, 109300),
                                 (517300, 109550), (516800, 109400))),
    ("Chalkpit Wood", "woodland", ((521700, 108800), (522350, 108750), (522450, 109250),
                                   (521900, 109350))),
)  # fmt: skip


def basemap_frame() -> gpd.GeoDataFrame:
    """The demo base map's features (``kind``, ``name``) in British National Grid."""
    coast = _coastline()
    sea = shapely.Polygon([*coast.coords, (529000, 97000), (511000, 97000)])
    beach = shapely.intersection(sea, coast.buffer(50.0, cap_style="flat"))
    beach = beach.difference(shapely.box(_HARBOUR[0], 100000, _HARBOUR[1], 106000))
    river = shapely.LineString(_RIVER)
    water = shapely.union(
        river.buffer(14.0), shapely.LineString(_RIVER[-4:]).buffer(32.0)
    ).difference(sea)
    towpath = shapely.offset_curve(shapely.LineString(_RIVER[3:9]), -45.0, join_style="round")
    seafront = [
        ("Marine Parade", "road", _seafront(_MARINE_PARADE, 70.0)),
        ("Westcliff Parade", "road", _seafront(_WESTCLIFF_PARADE, 70.0)),
    ]
    named = shapely.union_all(
        [shapely.LineString(points) for _, _, points in _ROADS] + [g for _, _, g in seafront]
    )
    keep_out = shapely.union_all(
        [
            sea.buffer(40.0),
            water.buffer(25.0),
            shapely.LineString(_RAILWAY).buffer(30.0),
            *(shapely.Polygon(corners).buffer(15.0) for _, _, corners in _GREEN),
        ]
    )
    streets, houses = _town_grid(named=named, keep_out=keep_out, town=_town())
    rows: list[tuple[str, str, shapely.Geometry]] = [
        ("Saltmarsh Bay", "sea", sea),
        ("", "foreshore", beach),
        ("", "water", water),
        ("River Salt", "waterway", river.difference(sea)),
        *((name, kind, shapely.Polygon(corners)) for name, kind, corners in _GREEN),
        *((name, kind, shapely.LineString(points)) for name, kind, points in _ROADS),
        *seafront,
        ("Riverside Path", "path", towpath),
        ("", "railway", shapely.LineString(_RAILWAY)),
        (_STATION[0], "station", shapely.Point(_STATION[1])),
        ("Saltmarsh", "place", shapely.Point(520500, 106900)),
        ("", "street", streets),
        ("", "building", houses),
    ]
    return gpd.GeoDataFrame(
        {"kind": [kind for _, kind, _ in rows], "name": [name for name, _, _ in rows]},
        geometry=[geometry for _, _, geometry in rows],
        crs=WORKING_CRS,
    )


def write_basemap_file(path: Path) -> None:
    """Write :func:`basemap_frame` as GeoJSON (CRS84, 5 decimals: about a metre), byte for byte
    the same every time."""
    path.unlink(missing_ok=True)
    basemap_frame().to_crs(DISPLAY_CRS).to_file(
        path, driver="GeoJSON", layer=DEMO_BASEMAP_LAYER, COORDINATE_PRECISION=5
    )


def _coastline() -> shapely.LineString:
    """The coast: the wards' southern edge moved south, carried on beyond the borough."""
    shifted = [(x, y - _COAST_OFFSET_M) for x, y in _SOUTH_EDGE]
    return shapely.LineString([(511000, 101000), *shifted, (529000, 105300)])


def _seafront(eastings: tuple[float, float], inland: float) -> shapely.LineString:
    """A road following the wards' southern edge ``inland`` metres north of it."""
    edge = shapely.LineString(_SOUTH_EDGE)
    west, east = eastings
    cut = shapely.clip_by_rect(edge, west, 0, east, 1_000_000)
    return shapely.LineString([(x, y + inland) for x, y in shapely.get_coordinates(cut)])


def _town() -> shapely.Geometry:
    """The built-up town: an oval along the coast around the town centre, inside the borough."""
    cx, cy = _TOWN_CENTRE
    oval = shapely.affinity.scale(shapely.Point(cx, cy).buffer(1.0, quad_segs=16), *_TOWN_RADII_M)
    oval = shapely.affinity.rotate(oval, _GRID_TURN_DEG, origin=(cx, cy))
    return shapely.intersection(oval, shapely.Polygon(_OUTLINE))


def _town_grid(
    *, named: shapely.Geometry, keep_out: shapely.Geometry, town: shapely.Geometry
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """The town's unnamed streets, a grid turned to the coast, and its houses between them.

    The grid's cells are :data:`_BLOCK_M` metres; one street in ten between two crossings is
    left out, and none runs within 40 m of a named road. A cell inside the town holds two rows
    of terraced houses facing the streets along the coast (one cell in eight is left open),
    clear of the named roads, water, the railway and the parks. Streets and houses are one
    feature each, to keep the file small.
    """
    rng = np.random.default_rng(_LAYOUT_SEED)
    across, along = _BLOCK_M
    cx, cy = _TOWN_CENTRE
    turn = _GRID_TURN_DEG
    min_x, min_y, max_x, max_y = shapely.affinity.rotate(town, -turn, origin=(cx, cy)).bounds
    xs = np.arange(cx - np.ceil((cx - min_x) / across) * across, max_x + across, across)
    ys = np.arange(cy - np.ceil((cy - min_y) / along) * along, max_y + along, along)
    pieces = [shapely.LineString([(x, y0), (x, y0 + along)]) for x in xs for y0 in ys[:-1]]
    pieces += [shapely.LineString([(x0, y), (x0 + across, y)]) for y in ys for x0 in xs[:-1]]
    kept = [piece for piece in pieces if rng.random() < 0.9]
    grid = shapely.affinity.rotate(
        shapely.line_merge(shapely.union_all(kept)), turn, origin=(cx, cy)
    )
    room = shapely.difference(town, shapely.union(keep_out, named.buffer(40.0)))
    streets = shapely.line_merge(shapely.intersection(grid, room))
    streets = shapely.MultiLineString(
        [part for part in shapely.get_parts(streets) if part.length >= 60.0]
    )
    clear = shapely.difference(
        town, shapely.union_all([keep_out, named.buffer(11.0), streets.buffer(8.0)])
    )
    rows = []
    for x in xs[:-1]:
        for y in ys[:-1]:
            cell = shapely.affinity.rotate(
                shapely.box(x, y, x + across, y + along), turn, origin=(cx, cy)
            )
            if not town.contains(cell) or rng.random() < 0.12:  # an open block: a school, a yard
                continue
            for near in (y + 9.0, y + along - 9.0 - _TERRACE_DEPTH_M):
                row = shapely.box(x + 12.0, near, x + across - 12.0, near + _TERRACE_DEPTH_M)
                if rng.random() < 0.5:  # a gap in the row: an alley to the backs
                    middle = x + across / 2 + rng.uniform(-40.0, 40.0)
                    row = row.difference(shapely.box(middle - 3, y, middle + 3, y + along))
                rows.append(shapely.affinity.rotate(row, turn, origin=(cx, cy)))
    houses = shapely.intersection(shapely.union_all(rows), clear)
    houses = shapely.MultiPolygon(
        [
            part
            for part in shapely.get_parts(houses)
            if part.geom_type == "Polygon" and part.area > 80
        ]
    )
    return streets, houses
