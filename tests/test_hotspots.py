"""Hotspots: grid counts, Gi* against esda and by hand, FDR, density, persistent sites, the demo.

Tiny grids and sites are made in code (``_record``/``_frame``/``_from_grid``) with the answers
worked out by hand in the comments; the demo borough is loaded once for the module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo.analysis.hotspots import (
    DENSITY_COLUMNS,
    GRID_COLUMNS,
    HOTSPOT_COLUMNS,
    density,
    gi_star,
    grid_counts,
    hotspots,
)
from geo.analysis.sites import SITE_COLUMNS, persistent_sites
from geo.crs import to_bng, to_lonlat
from geo.demo import PERSISTENT_SITES, REFERRALS_AGENCY, RISING_WARD_CODE, load_demo
from geo.errors import AnalysisError
from geo.store import open_store

E0, N0 = 530_000.0, 104_000.0  # south-west corner of every tiny grid (a 100 m grid corner)
FIRST = pd.Timestamp("2026-11-01")  # night 0
QUEEN = np.ones((3, 3))


def _record(
    x: float,
    y: float,
    *,
    night: int = 0,
    people: int = 1,
    kind: str = "street_count",
    agency: str = "Council outreach",
    area: str | None = "E05000001",
    hour: int = 23,
) -> dict[str, object]:
    """One record ``x``, ``y`` metres east and north of (E0, N0), on night ``night``."""
    return {
        "kind": kind,
        "agency": agency,
        "night_offset": night,
        "hour": hour,
        "easting": E0 + x,
        "northing": N0 + y,
        "people": 0 if kind == "visit" else people,
        "area_code": area,
    }


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    """Records with the columns the police role sees (the least any caller passes)."""
    raw = pd.DataFrame(list(rows))
    if raw.empty:
        raw = pd.DataFrame(
            columns=["kind", "agency", "night_offset", "hour", "easting", "northing", "people"]
        ).assign(area_code=None)
    night = FIRST + pd.to_timedelta(raw["night_offset"].astype(int), unit="D")
    observed = (night + pd.to_timedelta(raw["hour"].astype(int), unit="h")).dt.tz_localize(
        "Europe/London"
    )
    lon, lat = to_lonlat(raw["easting"].to_numpy(float), raw["northing"].to_numpy(float))
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(raw))],
            "kind": raw["kind"].astype(object),
            "agency": raw["agency"].astype(object),
            "observed_at": observed,
            "night": night,
            "lon": lon,
            "lat": lat,
            "easting": raw["easting"].astype(float),
            "northing": raw["northing"].astype(float),
            "people": raw["people"].astype(int),
            "area_code": raw["area_code"].astype(object),
        }
    )


def _from_grid(values: np.ndarray) -> tuple[pd.DataFrame, tuple[float, float, float, float]]:
    """One record per non-zero cell of ``values`` (row 0 is the south row) at its centre."""
    rows, cols = np.nonzero(values)
    frame = _frame(
        *(
            _record(c * 100 + 50, r * 100 + 50, people=int(values[r, c]))
            for r, c in zip(rows, cols, strict=True)
        )
    )
    nrows, ncols = values.shape
    return frame, (E0, N0, E0 + ncols * 100, N0 + nrows * 100)


def _esda_z(values: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """esda's Gi* z and two-sided p on a grid of 100 m cells, DistanceBand weights."""
    nrows, ncols = values.shape
    col, row = np.meshgrid(np.arange(ncols), np.arange(nrows))
    centres = np.column_stack([col.ravel() * 100 + 50, row.ravel() * 100 + 50])
    w = libpysal.weights.DistanceBand(centres, threshold=threshold, silence_warnings=True)
    g = esda.G_Local(values.ravel().astype(float), w, transform="B", star=True, permutations=0)
    return g.Zs, 2 * g.p_norm


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values, written out plainly for the check."""
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    out = np.empty(m)
    out[order] = q
    return out


# --------------------------------------------------------------------------- grid counts


def test_grid_counts_by_hand() -> None:
    records = _frame(
        _record(50, 50, people=2),  # cell E530000N104000
        _record(60, 70, people=1, night=1),  # same cell
        _record(250, 150, people=3),  # cell E530200N104100
        _record(50, 50, kind="visit"),  # a visit: not demand
    )
    cells = grid_counts(records)
    # Demand spans columns 5300..5302 and rows 1040..1041; one cell of margin each side:
    # 5 columns (5299..5303) by 4 rows (1039..1042) = 20 cells.
    assert len(cells) == 20
    assert list(cells.columns) == list(GRID_COLUMNS)
    assert cells.index.name == "cell_id"
    assert cells.crs == "EPSG:27700"
    assert cells.index[0] == "E529900N103900"  # south-west first
    assert cells.loc["E530000N104000", ["sightings", "people"]].tolist() == [2, 3]
    assert cells.loc["E530200N104100", ["sightings", "people"]].tolist() == [1, 3]
    assert cells[["sightings", "people"]].sum().tolist() == [3, 6]
    one = cells.loc["E530200N104100"]
    assert (one["col"], one["row"], one["easting"], one["northing"]) == (5302, 1041, 530250, 104150)
    assert one["geometry"].bounds == (530200.0, 104100.0, 530300.0, 104200.0)


def test_grid_counts_extent_and_nights() -> None:
    records = _frame(
        _record(50, 50, night=0),
        _record(50, 50, night=2, people=4),
        _record(50, 50, night=5),
        _record(5_000, 50),  # off the extent: not counted
    )
    # Extent widened to whole 100 m cells: 530000..530200 x 104000..104100 = 2 by 1.
    cells = grid_counts(
        records, extent=(E0 + 10, N0, E0 + 150, N0 + 100), start=date(2026, 11, 2), end="2026-11-3"
    )
    assert cells.index.tolist() == ["E530000N104000", "E530100N104000"]
    assert cells["people"].tolist() == [4, 0]  # only night 2 (2026-11-03) is in the period


def test_grid_counts_takes_geodataframe_and_leaves_input_alone() -> None:
    records = _frame(_record(50, 50), _record(420, 380, people=2))
    points = gpd.GeoDataFrame(
        records, geometry=gpd.points_from_xy(records["lon"], records["lat"]), crs="EPSG:4326"
    )
    before = points.copy()
    cells = grid_counts(points)
    pd.testing.assert_frame_equal(points, before)
    assert cells["people"].sum() == 3


@pytest.mark.parametrize(
    ("function", "columns"),
    [
        (grid_counts, GRID_COLUMNS),
        (hotspots, HOTSPOT_COLUMNS),
        (density, DENSITY_COLUMNS),
        (persistent_sites, SITE_COLUMNS),
    ],
)
def test_empty_input_gives_empty_frames(
    function: Callable[[pd.DataFrame], gpd.GeoDataFrame], columns: tuple[str, ...]
) -> None:
    for records in (_frame(), _frame(_record(0, 0, kind="visit"))):
        out = function(records)
        assert out.empty
        assert list(out.columns) == list(columns)
        assert out.crs == "EPSG:27700"


# --------------------------------------------------------------------------- Gi*


def test_gi_star_by_hand() -> None:
    # 3 by 3 grid, 9 in the middle. n = 9, mean 1, population sd sqrt(81/9 - 1) = sqrt(8).
    # Corner: window of 4 cells holding 9: z = (9 - 4*1) / (sqrt(8) * sqrt(4*5/8)) = 5/sqrt(20).
    # Edge: 6 cells: z = (9 - 6) / (sqrt(8) * sqrt(6*3/8)) = 3 / sqrt(18) = 1/sqrt(2).
    # Centre: its window is the whole grid, nothing to tell apart: z 0, p 1.
    z, p = gi_star(np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]]), QUEEN)
    corner, edge = 5 / np.sqrt(20), 1 / np.sqrt(2)
    expected = np.array([[corner, edge, corner], [edge, 0, edge], [corner, edge, corner]])
    np.testing.assert_allclose(z.reshape(3, 3), expected, atol=1e-12)
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(z)))
    assert p[4] == 1.0


def test_gi_star_of_a_flat_grid_is_zero() -> None:
    for values in (np.zeros((4, 5)), np.full((4, 5), 3)):
        z, p = gi_star(values, QUEEN)
        assert (z == 0).all() and (p == 1).all()


@pytest.mark.parametrize(
    ("neighbours", "threshold", "shape"),
    [
        ("queen", 150.0, (12, 15)),
        ("rook", 100.0, (12, 15)),
        (250.0, 250.0, (12, 15)),  # 5 by 5 window less its corners: 21 cells
        (1_500.0, 1_500.0, (40, 45)),  # 961-cell window: the FFT path
    ],
)
def test_hotspots_z_equals_esda(
    neighbours: str | float, threshold: float, shape: tuple[int, int]
) -> None:
    values = np.random.default_rng(7).poisson(0.6, shape)
    values[5, 6] = 12  # a clear peak
    records, extent = _from_grid(values)
    cells = hotspots(records, neighbours=neighbours, extent=extent)
    z, p = _esda_z(values, threshold)
    np.testing.assert_allclose(cells["gi_z"].to_numpy(), z, atol=1e-9)
    np.testing.assert_allclose(cells["gi_p"].to_numpy(), p, atol=1e-12)


def test_distance_neighbours_equal_queen_and_rook() -> None:
    values = np.random.default_rng(3).poisson(1.0, (8, 9))
    records, extent = _from_grid(values)
    z = {nb: hotspots(records, neighbours=nb, extent=extent)["gi_z"] for nb in ("queen", "rook")}
    pd.testing.assert_series_equal(
        hotspots(records, neighbours=150, extent=extent)["gi_z"], z["queen"]
    )
    pd.testing.assert_series_equal(
        hotspots(records, neighbours=100, extent=extent)["gi_z"], z["rook"]
    )


# --------------------------------------------------------------------------- hotspots


def test_one_busy_cell_makes_a_hot_block() -> None:
    values = np.zeros((15, 15), dtype=int)
    values[7, 7] = 20
    records, extent = _from_grid(values)
    cells = hotspots(records, extent=extent)
    assert list(cells.columns) == list(HOTSPOT_COLUMNS)
    # n = 225, mean 20/225, sd sqrt(400/225 - mean^2) = 1.3304. The 9 cells whose queen
    # window holds the 20: z = (20 - 9*mean) / (sd * sqrt(9*216/224)) = 19.2 / 3.9188 = 4.899,
    # p = 9.6e-7, BH q = p * 225 / 9 = 2.4e-5 <= 0.05: hot. Every other interior cell:
    # z = -0.8 / 3.9188 = -0.204, not significant. No cold cells.
    mean = 20 / 225
    sd = np.sqrt(400 / 225 - mean**2)
    hot_z = (20 - 9 * mean) / (sd * np.sqrt(9 * 216 / 224))
    assert hot_z == pytest.approx(4.899, abs=1e-3)
    hot = cells[cells["hotspot"] == "hot"]
    assert sorted(hot.index) == sorted(
        f"E{530000 + c * 100}N{104000 + r * 100}" for r in (6, 7, 8) for c in (6, 7, 8)
    )
    np.testing.assert_allclose(hot["gi_z"], hot_z)
    np.testing.assert_allclose(hot["gi_q"], 2 * stats.norm.sf(hot_z) * 225 / 9)
    assert (cells["hotspot"] != "cold").all()
    # A cell on the west edge has 6 cells in its window: z = -6*mean / (sd * sqrt(6*219/224)).
    edge = -6 * mean / (sd * np.sqrt(6 * 219 / 224))
    assert cells.loc["E530000N104600", "gi_z"] == pytest.approx(edge)


def test_only_one_class_gives_the_same_rows_as_the_whole_grids() -> None:
    values = np.zeros((15, 15), dtype=int)
    values[7, 7] = 20
    values[2:5, 10:13] = 1
    records, extent = _from_grid(values)
    cells = hotspots(records, extent=extent)
    for label in ("hot", "not significant"):
        pd.testing.assert_frame_equal(
            hotspots(records, extent=extent, only=label), cells[cells["hotspot"] == label]
        )
    assert len(hotspots(records, extent=extent, only="hot")) == 9  # the block round (7, 7)
    none = hotspots(records, extent=extent, only="cold")
    assert none.empty and list(none.columns) == list(cells.columns)
    with pytest.raises(AnalysisError, match="only must be 'hot', 'cold' or"):
        hotspots(records, extent=extent, only="warm")


def test_an_empty_patch_in_a_busy_area_is_cold() -> None:
    values = np.full((9, 9), 5)
    values[3:6, 3:6] = 0
    records, extent = _from_grid(values)
    cells = hotspots(records, extent=extent)
    # n = 81, mean 5*72/81 = 4.444, sd sqrt(25*72/81 - mean^2) = 1.5713. The centre's window is
    # the empty patch: z = (0 - 9*mean) / (sd * sqrt(9*72/80)); sd^2 * 8.1 = (16200/6561) * 8.1
    # = 20, so z = -40 / sqrt(20) = -8.944: cold.
    centre = cells.loc["E530400N104400"]
    assert centre["gi_z"] == pytest.approx(-40 / np.sqrt(20), rel=1e-9)
    assert centre["hotspot"] == "cold"
    assert (cells["hotspot"] != "hot").all()


def test_fdr_is_benjamini_hochberg_at_alpha() -> None:
    values = np.random.default_rng(11).poisson(0.4, (20, 20))
    values[4:7, 4:7] += 3
    values[14, 15] = 9
    records, extent = _from_grid(values)
    for alpha in (0.05, 0.2):
        cells = hotspots(records, extent=extent, alpha=alpha)
        q = _bh(cells["gi_p"].to_numpy())
        np.testing.assert_allclose(cells["gi_q"], q)
        significant = q <= alpha
        expected = np.where(
            significant & (cells["gi_z"] > 0),
            "hot",
            np.where(significant & (cells["gi_z"] < 0), "cold", "not significant"),
        )
        assert (cells["hotspot"].to_numpy() == expected).all()
        # Never more significant than plain p <= alpha; with the block, some are.
        assert 0 < significant.sum() <= (cells["gi_p"] <= alpha).sum()


def test_bh_by_hand() -> None:
    # p sorted .01 .03 .04 .20; times 4/rank: .04 .06 .0533 .20; running min from the top:
    # .04 .0533 .0533 .20.
    np.testing.assert_allclose(
        _bh(np.array([0.01, 0.04, 0.03, 0.20])), [0.04, 0.16 / 3, 0.16 / 3, 0.20]
    )


def test_weight_sightings_counts_records_not_people() -> None:
    values = np.zeros((9, 9), dtype=int)
    values[4, 4] = 30  # one record of 30 people
    records, extent = _from_grid(values)
    by_people = hotspots(records, extent=extent)
    by_sightings = hotspots(records, extent=extent, weight="sightings")
    z, _ = gi_star(by_people["sightings"].to_numpy().reshape(9, 9), QUEEN)
    np.testing.assert_allclose(by_sightings["gi_z"], z)
    # One record in one cell: the same shape of z either way (z does not depend on scale).
    np.testing.assert_allclose(by_sightings["gi_z"], by_people["gi_z"])


# --------------------------------------------------------------------------- density


def test_density_of_one_point_by_hand() -> None:
    records = _frame(_record(12.5, 12.5, people=4))  # the centre of cell E530000N104000
    surface = density(records, cell_m=25, bandwidth_m=50, min_share=0)
    assert list(surface.columns) == list(DENSITY_COLUMNS)
    # sigma = 2 cells, cut at 3 sigma = 6 cells. The 1-D weights exp(-i^2/8), i = -6..6, sum
    # to 1 + 2 * (.8825 + .6065 + .3247 + .1353 + .0439 + .0111) = 5.008, so the centre holds
    # 4 / 5.008^2 = 0.1595 people in 625 m^2: 255.2 per km^2 (the uncut Gaussian gives
    # 4 / (2 pi 50^2) * 1e6 = 254.6; cutting the tails puts a little more in the middle).
    one_d = np.exp(-(np.arange(-6, 7) ** 2) / 8).sum()
    peak = surface.loc["E530000N104000"]
    assert peak["density"] == pytest.approx(4 / one_d**2 * 1600, rel=1e-9)
    assert peak["density"] == pytest.approx(255.2, abs=0.05)
    assert peak["heat"] == 1.0 and surface["heat"].max() == 1.0
    # Nothing is lost: density times cell area sums to the 4 people.
    assert (surface["density"] * 625 / 1e6).sum() == pytest.approx(4)
    # Symmetric about the point.
    assert surface.loc["E529975N104000", "density"] == pytest.approx(
        surface.loc["E530025N104000", "density"]
    )
    assert surface["lat"].between(50, 52).all() and surface["lon"].between(-1, 1).all()


def test_density_drops_the_faint_edge() -> None:
    records = _frame(_record(0, 0), _record(400, 0, people=3))
    full = density(records, min_share=0)
    shown = density(records)
    assert len(shown) < len(full)
    assert (shown["heat"] >= 0.001).all()


# --------------------------------------------------------------------------- persistent sites


def _site_records() -> pd.DataFrame:
    return _frame(
        # Site A, within 6 m of (0, 0): the council on nights 10-14, 1 or 2 people.
        *(_record(d, -d, night=n, people=1 + n % 2) for d, n in enumerate(range(10, 15))),
        # Night 12: Harbour Light counts 2 there too (the same people: not added).
        _record(3, 3, night=12, people=2, agency="Harbour Light", area="E05000002"),
        # Harbour Light saw someone 20 m west on night 3, before the window: first seen.
        _record(-20, 0, night=3, agency="Harbour Light"),
        # St Anne's went 30 m east at 02:00 after night 14 and found nobody: the last visit.
        _record(30, 0, night=14, kind="visit", agency="St Anne's", hour=26),
        # Site B, 500 m east: seen on 2 nights only.
        _record(500, 0, night=11),
        _record(505, 0, night=13),
        # Site C, 500 m north: 4 nights, but before the window.
        *(_record(0, 500, night=n) for n in range(0, 4)),
    )


def test_persistent_site_by_hand() -> None:
    records = _site_records()
    before = records.copy()
    # Latest night is 14; the last 7 nights are 8-14.
    sites = persistent_sites(records, min_nights=3, last_nights=7)
    pd.testing.assert_frame_equal(records, before)
    assert list(sites.columns) == list(SITE_COLUMNS)
    assert sites.crs == "EPSG:27700"
    assert len(sites) == 1  # B: 2 nights; C: before the window
    site = sites.iloc[0]
    # Members: the council's (0,0) (1,-1) (2,-2) (3,-3) (4,-4) and Harbour Light's (3,3):
    # centre (13/6, -7/6). The night-3 sighting is 22 m from it: not a member, but at the site.
    assert site["sightings"] == 6
    assert site["easting"] == pytest.approx(E0 + 13 / 6)
    assert site["northing"] == pytest.approx(N0 - 7 / 6)
    assert site["nights_seen"] == 5
    assert site["first_seen"] == FIRST + pd.Timedelta(days=3)
    assert site["last_seen"] == FIRST + pd.Timedelta(days=14)
    # Council: 1 + n % 2 -> 1, 2, 1, 2, 1 on nights 10-14; night 12 Harbour Light 2. Max 2.
    assert site["people"] == 2
    assert site["agencies"] == "Council outreach; Harbour Light; St Anne's"
    assert site["last_visit"] == pd.Timestamp("2026-11-16 02:00", tz="Europe/London")
    assert str(site["last_visit"].tz) == "Europe/London"
    assert site["area_code"] == "E05000001"  # 5 of its 6 sightings
    assert site["site_id"] == "site-E530000N104000"  # (530002.2, 103998.8) to 10 m
    assert site["geometry"].x == site["easting"]
    assert (site["lon"], site["lat"]) == pytest.approx(
        tuple(float(v[0]) for v in to_lonlat([site["easting"]], [site["northing"]]))
    )


def test_window_and_min_nights() -> None:
    records = _site_records()
    # Last 3 nights (12-14): A seen on 3 (4 sightings); B on 1.
    assert persistent_sites(records, min_nights=3, last_nights=3)["sightings"].tolist() == [4]
    # Two nights are enough for B too; sorted by people: A (2) then B (1).
    two = persistent_sites(records, min_nights=2, last_nights=7)
    assert two["sightings"].tolist() == [6, 2]
    assert two["people"].tolist() == [2, 1]
    # Ending at night 4 (2026-11-05): nights -2..4 hold C (nights 0-3) and the lone night 3.
    early = persistent_sites(records, min_nights=3, last_nights=7, end=date(2026, 11, 5))
    assert early["sightings"].tolist() == [4]
    assert early.iloc[0]["northing"] == N0 + 500


def test_a_street_of_doorways_is_not_one_chain() -> None:
    # Twelve doorways 30 m apart along a street, each with one person on each of 5 nights.
    # Linking everything within 50 m would chain them into one site 330 m long. Here: the
    # doorways at 30..300 m have 3 doorways (15 sightings) within 50 m, those at 0 and 330
    # have 2 (10). Going down that ranking, west first on ties: 30 takes {0, 30, 60}; 90 takes
    # {90, 120}; 150 {150, 180}; 210 {210, 240}; 270 {270, 300}; then 330 is left alone.
    records = _frame(*(_record(30 * i, 0, night=n) for i in range(12) for n in range(5)))
    sites = persistent_sites(records, radius_m=50, min_nights=5, last_nights=5)
    # One person a night in each doorway, so a site's people is its number of doorways.
    assert sites["people"].tolist() == [3, 2, 2, 2, 2, 1]
    assert sorted(sites["sightings"].tolist()) == [5, 10, 10, 10, 10, 15]
    assert sorted((sites["easting"] - E0).round(6).tolist()) == [30, 105, 165, 225, 285, 330]


def test_sites_outside_every_ward_and_any_index() -> None:
    records = _frame(*(_record(0, 0, night=n, area=None) for n in range(3)))
    records.index = [7, 7, 3]  # a filtered frame: positions, not labels, are used
    sites = persistent_sites(records, min_nights=3, last_nights=3)
    assert sites["area_code"].tolist() == [None]
    assert sites["sightings"].tolist() == [3]
    cells = hotspots(records)
    assert cells["people"].sum() == 3


def test_people_are_the_most_one_agency_counted_on_one_night() -> None:
    records = _frame(
        _record(0, 0, night=0, people=3),
        _record(5, 0, night=0, people=2),  # the council's two lines that night: 5 people
        _record(0, 5, night=0, people=4, agency="Police"),  # the same people, counted again
        _record(0, 0, night=1, people=1),
        _record(0, 0, night=2, people=1),
    )
    assert persistent_sites(records, min_nights=3, last_nights=3)["people"].tolist() == [5]


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: grid_counts(r, cell_m=0), r"cell_m must be a whole number of metres.*got 0"),
        (lambda r: grid_counts(r, cell_m=12.5), r"cell_m .*got 12\.5; e\.g\. cell_m=100"),
        (lambda r: hotspots(r, cell_m=True), r"cell_m .*got True"),
        (lambda r: grid_counts(r, start=date(2026, 11, 5), end=date(2026, 11, 1)), "start"),
        (lambda r: grid_counts(r, start="last week"), r"start must be a night's date"),
        (lambda r: grid_counts(r, extent=(1, 2, 0, 5)), r"extent must be .*got \(1, 2, 0, 5\)"),
        (lambda r: grid_counts(r, cell_m=1, max_cells=100), r"max_cells=100.*larger cell size"),
        (lambda r: hotspots(r, alpha=0), r"alpha must be .* got 0"),
        (lambda r: hotspots(r, alpha=1.5), r"alpha .*got 1\.5"),
        (lambda r: hotspots(r, neighbours="bishop"), r"neighbours must be .*'bishop'"),
        (lambda r: hotspots(r, neighbours=50), r"neighbours .*cell_m \(100\).*got 50"),
        (lambda r: hotspots(r, weight="beds"), r"weight must be one of 'people', 'sightings'"),
        (lambda r: density(r, cell_m=50, bandwidth_m=20), r"bandwidth_m=20 is smaller than"),
        (lambda r: persistent_sites(r, radius_m=0), r"radius_m .*got 0; .*radius_m=50"),
        (lambda r: persistent_sites(r, min_nights=0), r"min_nights must .*got 0"),
        (lambda r: persistent_sites(r, min_nights=5, last_nights=3), r"min_nights=5 is more"),
        (lambda r: persistent_sites(r.drop(columns="agency")), r"lack the column\(s\) agency"),
        (lambda r: hotspots(r.to_numpy()), r"records must be a DataFrame"),
    ],
)
def test_bad_arguments_say_what_and_how(call: Callable[[pd.DataFrame], object], match: str) -> None:
    records = _frame(_record(0, 0), _record(5_000, 5_000))
    with pytest.raises(AnalysisError, match=match):
        call(records)
    assert issubclass(AnalysisError, ValueError)


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("hotspots_demo")
    store = open_store(folder / "demo.sqlite")
    loaded = load_demo(store, directory=folder / "demo")
    places = pd.read_csv(Path(loaded["directory"]) / "places.csv").set_index("name")
    x, y = to_bng(places["longitude"].to_numpy(), places["latitude"].to_numpy())
    return {
        "records": store.records(role="coordinator"),
        "police": store.records(role="police"),
        "wards": store.areas().to_crs("EPSG:27700"),
        "places": places.assign(x=x, y=y),
    }


def _ward_of(frame: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.Series:
    centres = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(frame["easting"], frame["northing"]),
        index=frame.index,
        crs="EPSG:27700",
    )
    return gpd.sjoin(centres, wards[["area_code", "geometry"]], how="left")["area_code"]


@pytest.mark.parametrize("role", ["records", "police"])
def test_demo_rising_ward_is_the_hottest_of_the_last_30_nights(
    demo: dict[str, Any], role: str
) -> None:
    records = demo[role]
    end = records["night"].max()
    cells = hotspots(records, start=end - pd.Timedelta(days=29), end=end)
    hot = cells[cells["hotspot"] == "hot"]
    assert len(hot) > 0
    wards = _ward_of(hot, demo["wards"])
    assert wards.loc[hot["gi_z"].idxmax()] == RISING_WARD_CODE
    towpath = demo["places"].loc["Riverside towpath"]
    at_towpath = cells[
        (abs(cells["easting"] - towpath["x"]) <= 50) & (abs(cells["northing"] - towpath["y"]) <= 50)
    ]
    assert at_towpath["hotspot"].tolist() == ["hot"]
    assert (cells["hotspot"] != "cold").all()


def test_demo_persistent_sites(demo: dict[str, Any]) -> None:
    sites = persistent_sites(demo["records"])
    places = demo["places"]

    def site_near(name: str) -> pd.Series:
        place = places.loc[name]
        gap = np.hypot(sites["easting"] - place["x"], sites["northing"] - place["y"])
        assert gap.min() < 50, name
        return sites.loc[gap.idxmin()]

    for name in PERSISTENT_SITES:
        assert site_near(name)["nights_seen"] >= 10
    riverside = site_near("Riverside towpath")
    assert riverside["area_code"] == RISING_WARD_CODE
    assert sites.iloc[0]["site_id"] == riverside["site_id"]  # the camp: most people
    assert riverside["people"] >= 5
    # Northfields: only the police team goes there.
    # no outreach team goes there: only the police, and the public's referrals, see it
    seen_by = set(site_near("Northfields retail park")["agencies"].split("; "))
    assert seen_by <= {"Police neighbourhood team", REFERRALS_AGENCY}
    assert "Police neighbourhood team" in seen_by
    assert sites["site_id"].is_unique
    assert (sites["last_visit"].dt.tz_localize(None) >= sites["last_seen"]).all()
    assert (sites["first_seen"] <= sites["last_seen"]).all()
    assert sites["people"].is_monotonic_decreasing


def test_demo_police_view_gives_the_same_sites_roughly(demo: dict[str, Any]) -> None:
    # Police see points snapped to 100 m centres; the persistent places still show.
    sites = persistent_sites(demo["police"], radius_m=75)
    places = demo["places"]
    for name in (*PERSISTENT_SITES, "Riverside towpath"):
        place = places.loc[name]
        assert np.hypot(sites["easting"] - place["x"], sites["northing"] - place["y"]).min() < 100


def test_demo_density_peaks_at_a_site(demo: dict[str, Any]) -> None:
    surface = density(demo["records"])
    peak = surface.loc[surface["heat"].idxmax()]
    places = demo["places"]
    gaps = np.hypot(places["x"] - peak["easting"], places["y"] - peak["northing"])
    assert gaps.min() < 100
    assert surface["density"].mul(625 / 1e6).sum() <= demo["records"]["people"].sum()
