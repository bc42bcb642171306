"""Places named for people: what the records there call a place, its ward, and what is needed.

Hand-made records with the answers worked out in the comments, then the demo borough for a
coordinator (names, languages, flags) and for police (names from wards only, no needs).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from geo import questions
from geo.analysis.sites import (
    SITE_COLUMNS,
    _joined,
    _peel,
    describe_places,
    persistent_sites,
)
from geo.demo import load_demo
from geo.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
E0, N0 = 530_000.0, 104_000.0
FIRST = pd.Timestamp("2026-11-01")  # night 0
#: The columns police records have: no text, languages or flags.
POLICE = ("kind", "agency", "observed_at", "night", "easting", "northing", "people", "area_code")


def _record(
    x: float,
    y: float,
    *,
    night: int = 0,
    text: str | None = None,
    language: str | None = None,
    interpreter: int = 0,
    flags: tuple[str, ...] = (),
    area: str | None = "W1",
    kind: str = "street_count",
) -> dict[str, object]:
    """One record ``x``, ``y`` metres east and north of (E0, N0) at 23:00 on night ``night``."""
    return {
        "kind": kind,
        "agency": "Council outreach",
        "observed_at": (FIRST + pd.Timedelta(days=night, hours=23)).tz_localize("Europe/London"),
        "night": FIRST + pd.Timedelta(days=night),
        "easting": E0 + x,
        "northing": N0 + y,
        "people": 0 if kind == "visit" else 1,
        "area_code": area,
        "location_text": text,
        "language": language,
        "interpreter_needed": interpreter,
        **{flag: int(flag in flags) for flag in ("nrpf", "trafficking_concern", "under_18")},
    }


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame.insert(0, "record_id", [f"r{i}" for i in range(len(frame))])
    for column in ("interpreter_needed", "nrpf", "trafficking_concern", "under_18"):
        frame[column] = frame[column].astype("Int8")
    return frame


def _doorway() -> pd.DataFrame:
    return _frame(
        # The doorway: three nights, two records saying "doorway on Station Road".
        _record(0, 0, night=10, text="doorway on Station Road", language="Polish", interpreter=1),
        _record(3, 0, night=11, text="Station Rd doorway", language="Arabic", interpreter=1),
        _record(0, 4, night=12, text="doorway on  Station Road ", flags=("nrpf", "under_18")),
        # Polish again, needing an interpreter: Polish (2) before Arabic (1). English without.
        _record(2, 2, night=12, language="Polish", interpreter=1),
        _record(1, 1, night=12, language="English"),
        # The last 14 nights end on the latest, night 18, so they are 5..18: five records of
        # night -10 calling the doorway something else do not count.
        *(_record(0, 0, night=-10, text="old bus shelter") for _ in range(5)),
        # 500 m east: seen on three nights, nobody wrote what the place is.
        *(_record(500, 0, night=n, area="W2") for n in (16, 17, 18)),
    )


# --------------------------------------------------------------------------- the rules


def test_the_most_common_description_names_the_place() -> None:
    records = pd.DataFrame(
        {
            "location_text": [
                "doorway on Station Road",
                "Station Rd doorway",
                "doorway on Station Road",
            ]
        }
    )
    found = describe_places(records, rows=np.arange(3), places=np.zeros(3, dtype=int))
    assert found["place_name"].tolist() == ["doorway on Station Road"]
    assert list(found.columns) == ["place_name"]  # no language or flag columns: no needs


def test_ties_go_alphabetically_and_blanks_are_not_names() -> None:
    records = pd.DataFrame({"location_text": ["the arches", "Arches", "  ", None, None]})
    # place 1: "the arches" and "Arches" once each -> "Arches" (capitals sort first);
    # place 2: a blank and nothing -> None
    found = describe_places(records, rows=np.arange(5), places=np.array([1, 1, 2, 2, 2]))
    assert found["place_name"].to_dict() == {1: "Arches", 2: None}


def test_languages_most_needed_first_and_flags_in_order() -> None:
    records = _frame(
        _record(0, 0, language="Romanian", interpreter=1, flags=("under_18",)),
        _record(0, 0, language="Polish", interpreter=1),
        _record(0, 0, language="Polish", interpreter=1, flags=("trafficking_concern",)),
        _record(0, 0, language="Arabic", interpreter=1),
        _record(0, 0, language="English"),  # no interpreter needed: not listed
        _record(0, 0, language="Tigrinya", interpreter=1),  # another place
    )
    found = describe_places(records, rows=np.arange(6), places=np.array([7, 7, 7, 7, 7, 8]))
    # Polish twice, then Arabic and Romanian once each (alphabetical)
    assert found.loc[7, "languages"] == "Polish, Arabic, Romanian"
    assert found.loc[7, "flags"] == "trafficking_concern, under_18"
    assert found.loc[8, "languages"] == "Tigrinya"
    assert found.loc[8, "flags"] == ""


def test_a_persistent_site_is_named_by_its_records_in_the_window() -> None:
    records = _doorway()
    sites = persistent_sites(records, min_nights=3, last_nights=14)
    assert list(sites.columns) == [*SITE_COLUMNS[:-1], "languages", "flags", "geometry"]
    doorway = sites.loc[sites["sightings"] == 5].iloc[0]
    assert doorway["place_name"] == "doorway on Station Road"  # not "old bus shelter" (5)
    assert doorway["languages"] == "Polish, Arabic"
    assert doorway["flags"] == "nrpf, under_18"
    assert doorway["site_id"].startswith("site-E")  # the stable id stays as it was
    east = sites.loc[sites["area_code"] == "W2"].iloc[0]
    assert east["place_name"] is None
    assert (east["languages"], east["flags"]) == ("", "")


def test_police_records_give_no_names_languages_or_flags() -> None:
    police = _doorway().loc[:, list(POLICE)]
    sites = persistent_sites(police, min_nights=3, last_nights=14)
    assert list(sites.columns) == list(SITE_COLUMNS)
    assert sites["place_name"].isna().all()
    empty = persistent_sites(police.iloc[:0])
    assert list(empty.columns) == list(SITE_COLUMNS)


def test_a_hot_patch_is_named_by_the_records_in_its_cells() -> None:
    cols, rows = np.meshgrid(np.arange(5300, 5303), np.arange(1040, 1043))
    cols, rows = cols.ravel(), rows.ravel()
    cells = gpd.GeoDataFrame(
        {
            "col": cols,
            "row": rows,
            "easting": cols * 100 + 50.0,
            "northing": rows * 100 + 50.0,
            "people": np.arange(9) * 10.0,
            "hotspot": "hot",
        },
        geometry=[
            shapely.box(c * 100, r * 100, c * 100 + 100, r * 100 + 100)
            for c, r in zip(cols, rows, strict=True)
        ],
        crs="EPSG:27700",
    )
    records = _frame(
        _record(10, 10, text="Market arches", area="W1", language="Dari", interpreter=1),
        _record(150, 250, text="Market arches", area="W1"),
        _record(250, 50, text="arches", area="W2", flags=("nrpf",)),
        # 2 km away, outside the patch: never its name
        *(_record(2_000, 0, text="elsewhere", area="W9") for _ in range(4)),
    )
    none = pd.DataFrame({"easting": [], "northing": []})
    places = questions._hot_places(cells, sites=none, nights=28, records=records)
    assert len(places) == 1
    place = places.iloc[0]
    assert (place["place_name"], place["area_code"]) == ("Market arches", "W1")
    assert (place["languages"], place["flags"]) == ("Dari", "nrpf")
    # without records the patch is still a place, with no ward
    assert questions._hot_places(cells, sites=none, nights=28)["area_code"].tolist() == [None]


def test_unnamed_places_say_their_ward_and_needs_go_only_to_coordinators() -> None:
    places = pd.DataFrame(
        {
            "place_id": ["a", "b", "c"],
            "area_code": ["W1", None, "W9"],
            "place_name": [None, None, "the arches"],
            "languages": ["Polish", "", ""],
            "flags": ["nrpf", "", ""],
        }
    )
    wards = pd.DataFrame({"area_code": ["W1", "W2"], "area_name": ["Station", "Market"]})
    police = questions.named_places(places, wards=wards, role="police")
    assert police["place_name"].tolist() == [
        "a place in Station ward",
        "an unnamed place",  # outside every ward
        "the arches",
    ]
    assert police["ward_name"].tolist() == ["Station", None, None]
    assert not {"languages", "flags"} & set(police.columns)
    coordinator = questions.named_places(places, wards=wards, role="coordinator")
    assert coordinator["languages"].tolist() == ["Polish", "", ""]
    assert list(coordinator.columns[:4]) == ["place_id", "area_code", "place_name", "ward_name"]
    pd.testing.assert_frame_equal(places, places.copy())  # the input is left alone


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("places") / "atlas.sqlite"
    load_demo(open_store(path), directory=ROOT / "data" / "demo")
    return open_store(path)


def test_demo_sites_for_coordinators_carry_names_wards_and_needs(store: Store) -> None:
    found = questions.sites(store, role="coordinator")
    wards = set(store.areas(layer="ward")["area_name"])
    riverside = found.loc[found["ward_name"] == "Riverside"].iloc[0]
    assert riverside["place_name"] == "Riverside towpath"
    assert set(found["ward_name"]) <= wards
    assert found["place_name"].notna().all()
    assert not found["place_name"].str.contains(r"site-|\d{4}").any()
    assert (found["languages"] != "").any()
    seen = {flag for text in found["flags"] for flag in text.split(", ") if flag}
    assert seen and seen <= {"nrpf", "trafficking_concern", "under_18"}


def test_demo_police_get_ward_names_and_no_needs(store: Store) -> None:
    wards = set(store.areas(layer="ward")["area_name"])
    found = questions.sites(store, role="police")
    assert not {"languages", "flags"} & set(found.columns)
    assert found["place_name"].str.fullmatch(r"a place in .+ ward").all()
    assert set(found["ward_name"]) <= wards
    gaps = questions.coverage_gaps(store, role="police")
    for frame in (gaps.demand, gaps.gaps, gaps.overlaps):
        assert not {"languages", "flags"} & set(frame.columns)
        assert frame["place_name"].notna().all()
    patrol = questions.plan(store, role="police", start_lonlat=(-0.30, 50.83), stops=4)
    assert not {"languages", "flags"} & set(patrol.stops.columns)
    assert patrol.stops["place_name"].str.fullmatch(r"a place in .+ ward").all()


def test_demo_patrol_stops_carry_names_and_needs_for_coordinators(store: Store) -> None:
    patrol = questions.plan(store, role="coordinator", start_lonlat=(-0.30, 50.83), stops=5)
    assert {"place_name", "ward_name", "languages", "flags"} <= set(patrol.stops.columns)
    assert patrol.stops["place_name"].notna().all()
    assert patrol.stops["ward_name"].notna().all()


# --- the fast paths: agencies joined once per site, spots peeled once ------------------------


def test_sites_agencies_are_joined_sorted_per_site() -> None:
    site = pd.Series([3, 1, 3, 3, 1])
    agency = pd.Series(["Police", "Council", "Council", "Police", None])
    assert _joined(site, agency).to_dict() == {1: "Council", 3: "Council; Police"}


def _peel_the_long_way(xy: np.ndarray, *, radius: float) -> np.ndarray:
    """Sites as :func:`geo.analysis.sites._peel` made them before it counted spots once."""
    spots, inverse, count = np.unique(
        np.round(xy, 1), axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.ravel()
    crowd = np.asarray(cKDTree(xy).query_ball_point(spots, radius, return_length=True))
    label = np.full(len(spots), -1, dtype=np.int64)
    alone = crowd == count
    label[alone] = np.arange(int(alone.sum()))
    site = int(alone.sum())
    together = np.flatnonzero(~alone)
    order = together[np.lexsort((spots[together, 1], spots[together, 0], -crowd[together]))]
    tree = cKDTree(spots)
    taken = alone.copy()
    for seed in order.tolist():
        if taken[seed]:
            continue
        hits = np.asarray(tree.query_ball_point(spots[seed], radius), dtype=np.int64)
        hits = hits[~taken[hits]]
        taken[hits] = True
        label[hits] = site
        site += 1
    return label[inverse]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_peel_equals_the_long_way_on_random_points(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # a 10 m grid (many points at one spot, many exactly 50 m apart) and some loose points
    grid = rng.integers(0, 60, (500, 2)) * 10.0 + [E0, N0]
    loose = rng.uniform(0, 600, (200, 2)) + [E0, N0]
    xy = np.vstack([grid, loose, loose[:20] + 0.04])  # within 0.1 m: one spot
    assert _peel(xy, radius=50.0).tolist() == _peel_the_long_way(xy, radius=50.0).tolist()


def test_peel_walks_a_long_chain_as_the_long_way_does() -> None:
    # spots 10 m apart along a street, each more crowded than the next: each spot waits on the
    # one before, so the rounds that settle many spots at once leave most of them to the walk
    east = np.repeat(np.arange(400) * 10.0, np.linspace(30, 1, 400).astype(int))
    xy = np.column_stack([east, np.zeros_like(east)]) + [E0, N0]
    sites = _peel(xy, radius=50.0)
    assert sites.tolist() == _peel_the_long_way(xy, radius=50.0).tolist()
    # spot 5, the most crowded, takes spots 0-10; then spot 11 takes 11-16, spot 17 takes 17-22
    # and so on: 1 + 65 sites, the last of spots 395-399
    assert len(np.unique(sites)) == 66
    assert (sites[east == 0.0] == sites[east == 100.0][0]).all()
    assert sites[east == 110.0][0] != sites[east == 100.0][0]


def test_one_record_a_place_is_described_as_by_the_general_rule() -> None:
    rows = [
        _record(0, 0, text=" doorway  on Station Road ", language="Polish", interpreter=1),
        _record(5, 0, text=None, language="Tigrinya", interpreter=0, flags=("under_18",)),
        _record(9, 0, text="", language=None, interpreter=1, flags=("nrpf", "under_18")),
        _record(20, 0, text="bus shelter", language="Arabic", interpreter=1),
    ]
    records = _frame(*rows)
    each = np.arange(len(records))
    single = describe_places(records, rows=each, places=each)  # a record a place
    # the same places, with a record that is no place's added: the general rule's path
    general = describe_places(
        pd.concat([records, records.iloc[:1]], ignore_index=True),
        rows=np.r_[each, 4],
        places=np.r_[each, 0],
    )
    assert single["place_name"].tolist() == ["doorway on Station Road", None, None, "bus shelter"]
    assert single["languages"].tolist() == ["Polish", "", "", "Arabic"]
    assert single["flags"].tolist() == ["", "under_18", "nrpf, under_18", ""]
    pd.testing.assert_frame_equal(single, general)
