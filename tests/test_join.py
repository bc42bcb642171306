"""Points to areas: the grid index gives sjoin's answers, and a documented one on boundaries."""

from __future__ import annotations

import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.io.boundaries import read_areas
from geo.locate.areas import AreaIndex, area_index, assign_points

DEMO_WARDS = Path(__file__).resolve().parents[1] / "data" / "demo" / "wards.geojson"

# Four unit squares meeting at (1, 1):   C D
#                                        A B
SQUARES = {
    "A": shapely.box(0, 0, 1, 1),
    "B": shapely.box(1, 0, 2, 1),
    "C": shapely.box(0, 1, 1, 2),
    "D": shapely.box(1, 1, 2, 2),
}


def index_of(areas: dict[str, shapely.Geometry], **options: float) -> AreaIndex:
    return AreaIndex.build(codes=list(areas), geometries=list(areas.values()), **options)


@pytest.mark.parametrize("cell", [None, 0.3, 1.0, 5.0])
def test_inside_boundary_corner_outside_and_missing(cell: float | None) -> None:
    index = index_of(SQUARES, cell=cell)
    x = [0.5, 1.5, 0.5, 1.5, 1.0, 1.0, 1.0, 0.0, 3.0, np.nan, -0.0001]
    y = [0.5, 0.5, 1.5, 1.5, 0.5, 1.5, 1.0, 0.5, 3.0, 0.5, 0.5]
    # inside each square; on A|B -> A; on C|D -> C; the corner of all four -> A; the outer
    # edge of A belongs to A; far away, missing, and just outside -> None
    expected = ["A", "B", "C", "D", "A", "C", "A", "A", None, None, None]
    assert index.assign(x, y).tolist() == expected


def test_the_code_that_sorts_first_wins_whatever_the_layer_order() -> None:
    reversed_layer = dict(reversed(list(SQUARES.items())))
    assert assign_points(
        [1.0], [1.0], codes=list(reversed_layer), geometries=list(reversed_layer.values())
    ).tolist() == ["A"]


def test_enclave_and_multipolygon() -> None:
    outer = shapely.box(0, 0, 10, 10).difference(shapely.box(4, 4, 6, 6))  # a ring with a hole
    areas = {
        "RING": outer,
        "HOLE": shapely.box(4, 4, 6, 6),
        "ISLES": shapely.MultiPolygon([shapely.box(20, 0, 21, 1), shapely.box(30, 0, 31, 1)]),
    }
    index = index_of(areas, cell=0.7)
    x = [1.0, 5.0, 4.0, 20.5, 30.5, 25.0]
    y = [1.0, 5.0, 5.0, 0.5, 0.5, 0.5]
    # on the hole's edge both RING and HOLE touch the point: HOLE sorts first
    assert index.assign(x, y).tolist() == ["RING", "HOLE", "HOLE", "ISLES", "ISLES", None]


def test_overlapping_areas_go_to_the_code_that_sorts_first() -> None:
    # Z covers a whole grid cell whose only crossing boundary is Y's: Z must still be found
    areas = {"Z": shapely.box(0, 0, 10, 10), "Y": shapely.box(4.2, 4.2, 4.8, 4.8)}
    index = index_of(areas, cell=1.0)
    x = [4.5, 4.1, 4.9, 1.0]
    y = [4.5, 4.1, 4.9, 1.0]
    assert index.assign(x, y).tolist() == ["Y", "Z", "Z", "Z"]


def test_empty_layer_and_empty_points() -> None:
    assert assign_points([1.0], [1.0], codes=[], geometries=[]).tolist() == [None]
    assert index_of(SQUARES).assign([], []).tolist() == []
    nothing = {"E": shapely.Polygon(), "F": None}
    assert index_of(nothing).assign([0.0], [0.0]).tolist() == [None]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="codes and geometries must be two 1-D arrays"):
        AreaIndex.build(codes=["A"], geometries=[])
    with pytest.raises(ValueError, match="cell must be a positive size.*got 0"):
        index_of(SQUARES, cell=0)
    with pytest.raises(ValueError, match="x and y must be 1-D and the same length"):
        index_of(SQUARES).assign([1.0, 2.0], [1.0])


def test_index_is_built_once_per_layer_and_again_when_a_boundary_moves() -> None:
    codes, shapes = list(SQUARES), list(SQUARES.values())
    first = area_index(codes=codes, geometries=shapes)
    assert area_index(codes=codes, geometries=list(shapes)) is first
    moved = [shapely.box(0, 0, 1.5, 1), *shapes[1:]]  # A now overlaps B
    again = area_index(codes=codes, geometries=moved)
    assert again is not first
    assert again.assign([1.2], [0.5]).tolist() == ["A"]
    assert first.assign([1.2], [0.5]).tolist() == ["B"]


def sjoin_answers(x: np.ndarray, y: np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    """geopandas.sjoin's answer per point; points it puts in no area or in two are None."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=areas.crs)
    joined = gpd.sjoin(points, areas[["area_code", "geometry"]], predicate="within")
    joined = joined[~joined.index.duplicated(keep=False)]
    answer = np.full(len(x), None, dtype=object)
    answer[joined.index.to_numpy()] = joined["area_code"].to_numpy()
    return answer


@pytest.mark.parametrize("cell", [None, 0.002, 0.05])
def test_same_answers_as_sjoin_on_the_demo_wards(cell: float | None) -> None:
    wards = read_areas(DEMO_WARDS).areas
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = wards.total_bounds
    x = rng.uniform(minx - 0.01, maxx + 0.01, 20_000)
    y = rng.uniform(miny - 0.01, maxy + 0.01, 20_000)
    got = AreaIndex.build(codes=wards["area_code"], geometries=wards.geometry, cell=cell).assign(
        x, y
    )
    expected = sjoin_answers(x, y, wards)
    assert 0 < (expected == None).sum() < len(x)  # noqa: E711 some points fall outside
    assert got.tolist() == expected.tolist()


@pytest.mark.shared
def test_same_answers_as_sjoin_on_the_england_wards(shared_data) -> None:
    wards = read_areas(shared_data / "england-wards-2013.gpkg").areas
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = wards.total_bounds
    x, y = rng.uniform(minx, maxx, 50_000), rng.uniform(miny, maxy, 50_000)
    got = assign_points(x, y, codes=wards["area_code"], geometries=wards.geometry)
    expected = sjoin_answers(x, y, wards)
    assert (expected != None).sum() > 10_000  # noqa: E711 a real share lands in England
    assert got.tolist() == expected.tolist()


def test_an_index_kept_on_disk_gives_the_same_answers(tmp_path, monkeypatch) -> None:
    import geo.locate.areas as join

    wards = read_areas(DEMO_WARDS).areas
    codes, shapes = wards["area_code"].to_numpy(), wards.geometry.to_numpy()
    built = area_index(codes=codes, geometries=shapes, folder=tmp_path)
    assert len(list(tmp_path.glob("area-index-*.npz"))) == 1
    monkeypatch.setattr(join, "_cache", join.OrderedDict())  # a new process, as it were
    monkeypatch.setattr(join.AreaIndex, "build", None)  # loading must not build
    loaded = area_index(codes=codes, geometries=shapes, folder=tmp_path)
    assert loaded is not built
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = wards.total_bounds
    x, y = rng.uniform(minx, maxx, 5_000), rng.uniform(miny, maxy, 5_000)
    assert loaded.assign(x, y).tolist() == built.assign(x, y).tolist()


class _SlowCache(OrderedDict):
    """An OrderedDict that lets other threads run inside each step, so that steps which are
    not guarded (check that a layer is kept, then use it) interleave with another thread's
    eviction as they would, rarely, under load."""

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        time.sleep(0.0005)
        return found

    def move_to_end(self, key: object, last: bool = True) -> None:
        time.sleep(0.0005)
        super().move_to_end(key, last)

    def popitem(self, last: bool = True) -> tuple[object, object]:
        time.sleep(0.0005)
        return super().popitem(last)


def test_the_index_cache_gives_every_thread_the_single_threaded_answer(
    tmp_path, monkeypatch
) -> None:
    """Streamlit sessions are threads sharing one cache: hammer it with more layers than it
    keeps, so that threads look up, build, save, load and evict at once."""
    import geo.locate.areas as join

    monkeypatch.setattr(join, "_cache", _SlowCache())
    # the four squares moved by a different step each: a different layer (hash) each
    layers = [
        (list(SQUARES), [shapely.affinity.translate(s, 0.1 * k, 0.0) for s in SQUARES.values()])
        for k in range(join._CACHE_SIZE + 3)
    ]
    rng = np.random.default_rng(5)
    x, y = rng.uniform(-0.5, 2.8, 2_000), rng.uniform(-0.5, 2.5, 2_000)
    expected = [
        AreaIndex.build(codes=codes, geometries=shapes).assign(x, y).tolist()
        for codes, shapes in layers
    ]

    def ask(task: int) -> tuple[int, list[object]]:
        layer = (task * 5 + task // 3) % len(layers)
        codes, shapes = layers[layer]
        folder = tmp_path if task % 2 else None  # half keep the index on disk too
        return layer, assign_points(x, y, codes=codes, geometries=shapes, folder=folder).tolist()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(8 * 25)))
    assert [answer == expected[layer] for layer, answer in answers] == [True] * len(answers)
    assert len(join._cache) <= join._CACHE_SIZE


# -- the second level: sub-cells of crossed cells ----------------------------------------------
# With cell=1 and split=4 every sub-cell is 0.25 wide, so the shapes below put edges, corners,
# holes and whole small areas exactly on sub-cell lines and inside single cells:
#   - SMALL (0.25..0.75 square) lies inside one grid cell [0, 1) x [0, 1), its edges on
#     sub-cell lines; a point on its corner (0.25, 0.25) touches SMALL only -> SMALL;
#   - FRAME is the square 1..4 with a hole 2.25..2.75 (inside one cell, outside every area):
#     (2.5, 2.5) -> None; (2.25, 2.5) lies on the hole's edge, which belongs to FRAME -> FRAME;
#   - PLUG fills another hole of FRAME, 3.25..3.5 (one sub-cell): (3.3, 3.4) -> PLUG and its
#     edge point (3.25, 3.4), touched by FRAME and PLUG, -> FRAME (sorts before PLUG);
#   - ISLES is a multipolygon of two 0.25 squares in one cell, at 6.0 and 6.5:
#     (6.1, 0.1) and (6.6, 0.1) -> ISLES, (6.4, 0.1) between them -> None;
#   - TRI is a thin triangle 8..9 x 0..1 whose slanted edge cuts sub-cells corner to corner:
#     (8.5, 0.5) is on that edge -> TRI, (8.6, 0.5) is off it (outside) -> None,
#     (8.4, 0.5) inside -> TRI.
HOLE_A = shapely.box(2.25, 2.25, 2.75, 2.75)
HOLE_B = shapely.box(3.25, 3.25, 3.5, 3.5)
TRICKY = {
    "SMALL": shapely.box(0.25, 0.25, 0.75, 0.75),
    "FRAME": shapely.box(1, 1, 4, 4).difference(HOLE_A).difference(HOLE_B),
    "PLUG": HOLE_B,
    "ISLES": shapely.MultiPolygon([shapely.box(6, 0, 6.25, 0.25), shapely.box(6.5, 0, 6.75, 0.25)]),
    "TRI": shapely.Polygon([(8, 0), (9, 1), (8, 1)]),
}
TRICKY_POINTS = {
    (0.5, 0.5): "SMALL",
    (0.25, 0.25): "SMALL",
    (0.1, 0.1): None,
    (2.5, 2.5): None,
    (2.25, 2.5): "FRAME",
    (1.0, 1.0): "FRAME",
    (3.3, 3.4): "PLUG",
    (3.25, 3.4): "FRAME",
    (6.1, 0.1): "ISLES",
    (6.6, 0.1): "ISLES",
    (6.4, 0.1): None,
    (8.5, 0.5): "TRI",
    (8.6, 0.5): None,
    (8.4, 0.5): "TRI",
}


@pytest.mark.parametrize("split", [1, 2, 4, 8])
def test_sub_cells_on_holes_corners_and_pieces_worked_by_hand(split: int) -> None:
    index = index_of(TRICKY, cell=1.0, split=split)
    x, y = np.array(list(TRICKY_POINTS)).T
    assert index.assign(x, y).tolist() == list(TRICKY_POINTS.values())


@pytest.mark.parametrize("split", [1, 3, 4, 8])
def test_sub_cells_give_sjoins_answers_on_every_sub_cell_line(split: int) -> None:
    """Points on every sub-cell line and corner (where floor and boundaries meet), and at
    random, over shapes whose edges lie on those lines: sjoin's answer wherever it has one."""
    index = index_of(TRICKY, cell=1.0, split=split)
    ticks = np.arange(-0.5, 10.0, 1 / 8)
    gx, gy = (v.ravel() for v in np.meshgrid(ticks, ticks))
    rng = np.random.default_rng(13)
    x = np.concatenate([gx, rng.uniform(-0.5, 10, 20_000)])
    y = np.concatenate([gy, rng.uniform(-0.5, 5, 20_000)])
    areas = gpd.GeoDataFrame({"area_code": list(TRICKY)}, geometry=list(TRICKY.values()))
    expected = sjoin_answers(x, y, areas)
    got = index.assign(x, y)
    # sjoin puts a point on a shared edge in no area; the index in the code sorting first
    single = np.array([e is not None for e in expected])
    assert single.sum() > 2_000
    assert got[single].tolist() == expected[single].tolist()
    touching = shapely.intersects_xy(np.array(list(TRICKY.values()))[:, None], x, y).any(axis=0)
    assert (got[~touching] == None).all()  # noqa: E711 off every area: no code


def test_sub_cells_find_an_area_covering_a_cell_another_boundary_crosses() -> None:
    # Y lies inside one sub-cell-aligned block of a cell that Z covers whole (overlapping
    # areas): sub-cells beside Y are Z's, Y's own are Y's (sorts first)
    areas = {"Z": shapely.box(0, 0, 10, 10), "Y": shapely.box(4.25, 4.25, 4.5, 4.5)}
    index = index_of(areas, cell=1.0, split=4)
    assert index.assign([4.3, 4.1, 4.6, 4.9, 1.0], [4.3, 4.1, 4.3, 4.9, 1.0]).tolist() == [
        "Y",
        "Z",
        "Z",
        "Z",
        "Z",
    ]


def test_split_is_checked() -> None:
    with pytest.raises(ValueError, match="split must be a whole number from 1 to 16; got 0"):
        index_of(SQUARES, split=0)
    with pytest.raises(ValueError, match="split must be a whole number from 1 to 16; got 2.5"):
        index_of(SQUARES, split=2.5)


def test_an_index_kept_on_disk_keeps_its_sub_cells(tmp_path, monkeypatch) -> None:
    import geo.locate.areas as join

    codes, shapes = list(TRICKY), list(TRICKY.values())
    monkeypatch.setattr(join, "_cache", join.OrderedDict())
    built = area_index(codes=codes, geometries=shapes, folder=tmp_path)
    assert built.split == join.DEFAULT_SPLIT and built.sub is not None
    monkeypatch.setattr(join, "_cache", join.OrderedDict())
    monkeypatch.setattr(join.AreaIndex, "build", None)  # loading must not build
    loaded = area_index(codes=codes, geometries=shapes, folder=tmp_path)
    assert loaded.split == built.split
    assert np.array_equal(loaded.sub, built.sub)
    x, y = np.array(list(TRICKY_POINTS)).T
    assert loaded.assign(x, y).tolist() == list(TRICKY_POINTS.values())


def test_an_index_kept_in_another_layout_is_built_again(tmp_path, monkeypatch) -> None:
    import geo.locate.areas as join

    codes, shapes = list(TRICKY), list(TRICKY.values())
    monkeypatch.setattr(join, "_cache", join.OrderedDict())
    area_index(codes=codes, geometries=shapes, folder=tmp_path)
    monkeypatch.setattr(join, "_cache", join.OrderedDict())
    monkeypatch.setattr(join, "_INDEX_FORMAT", b"a later layout")
    again = area_index(codes=codes, geometries=shapes, folder=tmp_path)
    assert len(list(tmp_path.glob("area-index-*.npz"))) == 2  # a new key, a new file
    x, y = np.array(list(TRICKY_POINTS)).T
    assert again.assign(x, y).tolist() == list(TRICKY_POINTS.values())
