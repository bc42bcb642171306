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
