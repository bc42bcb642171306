"""Tension watch (issue 14, section 1), each figure worked out by hand.

In code (:func:`tension_watch`, three wards, November 2026 against October, floor 5): a count
rises fast when it went up by at least 5 and (now + 5) / (before + 5) is at least 1.5.

| ward    | people  | ASB     | public order | rising                  | signals | rise |
|---------|---------|---------|--------------|-------------------------|---------|------|
| Station | 6 -> 12 | 6 -> 12 | 6 -> 12      | each: +6, 17/11 = 1.55  | 3       | 18   |
| Harbour | 6 -> 6  | 2 -> 8  | 1 -> 1       | ASB: +6, 13/7 = 1.86    | 1       | 6    |
| Market  | 1 -> 3  | 0 -> 0  | 0 -> 0       | people +2 is under 5    | 0       | 0    |

Station is watched (three signals); Harbour is not (one); Market's rise from 1 to 3 is below
the floor. A visit on 1 October (nobody found) shows the records cover October from its start:
a month the records begin part-way through is not compared. People are one person per record
(one agency, no references); Station's October
people include a record on the night of 31 October, seen at 01:30 on 1 November.

From the store (the wards of tests/shapes.py, one outreach team, police.uk files):
West has 2 people in October (31 Oct 22:00 and 1 Nov 01:30: that night began on 31 October)
and 9 in November (1-9 Nov 22:00): +7, 14/7 = 2, rising; ASB 0 -> 6: +6, 11/5, rising; so
watched, "people, anti-social behaviour", combined rise 13. East has 1 person in October and
3 in November, ASB 2 -> 2 and public order 0 -> 1: nothing rises. The last month is November,
the latest both sources have data for.

A councillor sees West's October 2 and East's 1 and 3 as "<5" and no people change for either
ward. West's people rise is judged from the most October could be, 4: +5, 14/9 = 1.56, still
rising, so West is still watched, its combined rise (9 - 4) + 6 = 11.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.tension import TENSION_CAVEAT, rising_fast, tension_watch
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_police, import_records
from geo.questions.tension import tension
from geo.schema import POLICE_UK_HEADER
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

CODES = {"W1": "Station", "W2": "Harbour", "W3": "Market"}
WARDS = gpd.GeoDataFrame(
    {"area_code": list(CODES), "area_name": list(CODES.values())},
    geometry=[shapely.box(k, 0, k + 1, 1) for k in range(3)],
    crs="EPSG:4326",
)
#: (ward, people in October, in November, ASB Oct, Nov, public order Oct, Nov)
COUNTS = [("W1", 6, 12, 6, 12, 6, 12), ("W2", 6, 6, 2, 8, 1, 1), ("W3", 1, 3, 0, 0, 0, 0)]


def _records() -> pd.DataFrame:
    nights: list[str] = []
    wards: list[str] = []
    for ward, october, november, *_ in COUNTS:
        nights += [f"2026-10-{d:02d}" for d in range(31 - october + 1, 32)]
        nights += [f"2026-11-{d:02d}" for d in range(1, november + 1)]
        wards += [ward] * (october + november)
    # a visit on 1 October (nobody found): the records cover October from its first night
    nights.append("2026-10-01")
    wards.append("W1")
    n = len(nights)
    return pd.DataFrame(
        {
            "kind": ["street_count"] * (n - 1) + ["visit"],
            "agency": "Outreach",
            "night": pd.to_datetime(nights),
            "people": [1] * (n - 1) + [0],
            "person_ref": None,
            "easting": 530_000.0 + 1_000.0 * np.arange(n),
            "northing": 105_000.0,
            "sex": "unknown",
            "nationality_group": "unknown",
            "area_code": wards,
        }
    )


def _incidents() -> pd.DataFrame:
    months: list[str] = []
    types: list[str] = []
    wards: list[str] = []
    for ward, _, _, asb_oct, asb_nov, po_oct, po_nov in COUNTS:
        for month, crime, n in [
            ("2026-10", "Anti-social behaviour", asb_oct),
            ("2026-11", "Anti-social behaviour", asb_nov),
            ("2026-10", "Public order", po_oct),
            ("2026-11", "Public order", po_nov),
            ("2026-11", "Burglary", 20),  # never counted
        ]:
            months += [month] * n
            types += [crime] * n
            wards += [ward] * n
    return pd.DataFrame({"month": months, "crime_type": types, "area_code": wards})


def test_a_ward_where_all_three_double_is_watched_with_three_signals():
    found = tension_watch(_records(), _incidents(), WARDS, months=1)
    assert found.months == ("2026-11",)
    rows = found.areas.set_index("area_name")
    assert list(found.areas["area_name"]) == ["Station", "Harbour", "Market"]
    station = rows.loc["Station"]
    assert (station["people_previous"], station["people"], station["people_change"]) == (6, 12, 6)
    assert (station["asb"], station["public_order"]) == (12, 12)
    assert station["signals"] == "people, anti-social behaviour, public order"
    assert (station["n_signals"], station["combined_rise"], station["watch"]) == (3, 18, True)


def test_a_ward_where_only_asb_rises_is_not_watched():
    rows = tension_watch(_records(), _incidents(), WARDS, months=1).areas.set_index("area_name")
    harbour = rows.loc["Harbour"]
    assert (harbour["asb_previous"], harbour["asb"], harbour["asb_rising"]) == (2, 8, True)
    assert not harbour["people_rising"] and not harbour["public_order_rising"]
    assert (harbour["signals"], harbour["n_signals"], harbour["watch"]) == (
        "anti-social behaviour",
        1,
        False,
    )


def test_a_rise_from_1_to_3_is_below_the_floor():
    rows = tension_watch(_records(), _incidents(), WARDS, months=1).areas.set_index("area_name")
    market = rows.loc["Market"]
    assert (market["people_previous"], market["people"], market["people_change"]) == (1, 3, 2)
    assert not market["people_rising"] and market["signals"] == "" and not market["watch"]
    # with a floor of 2 the same rise counts: +2, (3 + 2) / (1 + 2) = 1.67
    low = tension_watch(_records(), _incidents(), WARDS, months=1, floor=2).areas
    assert low.set_index("area_name").loc["Market", "people_rising"]


def test_a_month_with_no_police_data_is_not_known_and_cannot_rise():
    november_only = _incidents().query("month == '2026-11'")
    found = tension_watch(_records(), november_only, WARDS, months=1, end="2026-11")
    station = found.areas.set_index("area_name").loc["Station"]
    assert math.isnan(station["asb_previous"]) and not station["asb_rising"]
    assert station["signals"] == "people"


def test_inputs_are_checked_and_not_changed():
    records, incidents = _records(), _incidents()
    before = records.copy()
    tension_watch(records, incidents, WARDS, months=2)
    pd.testing.assert_frame_equal(records, before)
    with pytest.raises(AnalysisError, match="months must be a whole number"):
        tension_watch(records, incidents, WARDS, months=0)
    with pytest.raises(AnalysisError, match="incidents has no column crime_type"):
        tension_watch(records, incidents.drop(columns="crime_type"), WARDS)
    with pytest.raises(AnalysisError, match="end must be a month"):
        tension_watch(records, incidents, WARDS, end="November")


def test_the_caveat_says_a_prompt_not_a_prediction_and_never_ethnicity():
    assert "prompt for a conversation between partners, not a prediction" in TENSION_CAVEAT
    assert "ethnic or national make-up of an area is not a signal" in TENSION_CAVEAT
    assert rising_fast(np.array([np.nan]), np.array([1.0]), floor=5).tolist() == [False]


# -- from the store, for each role -----------------------------------------------------------


def _police_csv(path, rows):
    lines = [",".join(POLICE_UK_HEADER)]
    for k, (month, (lon, lat), crime) in enumerate(rows):
        lines.append(
            f"C{k},{month},Sussex Police,Sussex Police,{lon},{lat},On or near X,,,{crime},,"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    west = [("31/10/2026 22:00", STATION_ROAD), ("01/11/2026 01:30", STATION_ROAD)]
    west += [(f"{d:02d}/11/2026 22:00", STATION_ROAD) for d in range(1, 10)]
    east = [(f"{d:02d}/1{m}/2026 23:00", CLOCK_TOWER) for m, d in [(0, 5), (1, 5), (1, 6), (1, 7)]]
    lines = ["Date,Latitude,Longitude,People"]
    lines += [f"{w},{lat},{lon},1" for w, (lon, lat) in west + east]
    # a visit that found nobody on 1 October: the records cover October from its first night
    lines += [f"01/10/2026 22:00,{CLOCK_TOWER[1]},{CLOCK_TOWER[0]},0"]
    (tmp_path / "outreach.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_records(store, tmp_path / "outreach.csv", agency="Outreach")
    asb = "Anti-social behaviour"
    police = [("2026-11", STATION_ROAD, asb)] * 6
    police += [("2026-10", CLOCK_TOWER, asb)] * 2 + [("2026-11", CLOCK_TOWER, asb)] * 2
    police += [("2026-11", CLOCK_TOWER, "Public order")]
    import_police(store, _police_csv(tmp_path / "police.csv", police))
    return store


def test_coordinators_see_west_watched_on_people_and_asb(store):
    found = tension(store, role="coordinator", months=1)
    assert found.months == ("2026-11",)
    rows = found.areas.set_index("area_name")
    west, east = rows.loc["West"], rows.loc["East"]
    assert (west["people_previous"], west["people"], west["asb"]) == (2, 9, 6)
    assert (west["signals"], west["combined_rise"], west["watch"]) == (
        "people, anti-social behaviour",
        13,
        True,
    )
    assert (east["people_previous"], east["people"], east["public_order"]) == (1, 3, 1)
    assert east["n_signals"] == 0
    police = tension(store, role="police", months=1).areas
    pd.testing.assert_frame_equal(police, found.areas)


def test_councillors_see_small_people_counts_hidden_and_no_change(store):
    rows = tension(store, role="councillor", months=1).areas.set_index("area_name")
    west, east = rows.loc["West"], rows.loc["East"]
    assert (west["people_previous"], west["people"], west["people_change"]) == ("<5", 9, None)
    assert (east["people_previous"], east["people"], east["people_change"]) == ("<5", "<5", None)
    assert (west["watch"], west["combined_rise"]) == (True, 11)
    assert (east["asb"], east["asb_previous"]) == (2, 2)


def test_roles_that_see_no_figures_are_refused(store):
    with pytest.raises(AccessDenied, match="coordinator, police or councillor"):
        tension(store, role="admin")


def test_the_command_line_prints_and_writes_the_watch(store, tmp_path, capsys):
    args = ["tension", "--store", str(store.path), "--role", "councillor", "--months", "1"]
    assert main([*args, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["caveat"] == TENSION_CAVEAT
    assert printed["headline"] == ["West ward, 2026-11: people, anti-social behaviour rising fast"]
    assert [r["area_name"] for r in printed["rows"]] == ["West", "East"]
    out = tmp_path / "tension.csv"
    assert main([*args, "--by", "ward", "--period", "month", "--out", str(out)]) == 0
    assert "2 rows" in capsys.readouterr().out
    written = pd.read_csv(out, dtype=str)
    assert written.loc[written["area_name"] == "East", "people"].tolist() == ["<5"]
    assert main([*args, "--months", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: months must be a whole number")


def test_a_month_the_records_begin_part_way_through_is_not_compared():
    # without the visit of 1 October the records begin on 26 October: October's people are
    # not known, so November's cannot rise from them (ASB and public order still can)
    records = _records().query("kind != 'visit'")
    station = tension_watch(records, _incidents(), WARDS, months=1).areas
    station = station.set_index("area_name").loc["Station"]
    assert math.isnan(station["people_previous"]) and not station["people_rising"]
    assert station["signals"] == "anti-social behaviour, public order"
