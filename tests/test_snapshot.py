"""The snapshot night (issue 13, section 2), each figure worked out by hand.

The night is Thursday 12 November 2026, inside the official window. West and East wards:

- Ann (CHAIN ref A1): outreach at Station Road at 23:10 with no details written down, and the
  council 20 m away at 00:40 (the same night) writing female, 30, British: one person, in West;
  female, 26 and over, UK (the first thing any of her records says).
- a count line of two people at the clock tower (East) with no details: 2 people, unknown on
  every split.
- Bob (B1, male, 22, Polish): seen at the clock tower on 5 Nov, not on the 12th: seen recently
  but not counted, in East.
- Cath (C1): seen on 20 Oct, 23 nights before: too long ago to count as recent.
- nobody with a reference sleeps at the bus shelter (West) on 8, 9 and 10 Nov: a persistent
  site of unreferenced sightings, quiet on the 12th.

So West: people 1; East: people 2; total 3; seen recently not counted: East 1; quiet sites:
West 1.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.snapshot import SNAPSHOT_COLUMNS, snapshot_age
from geo.cli import main
from geo.errors import AccessDenied
from geo.importing import import_records
from geo.questions import area_summary
from geo.questions.snapshot import snapshot_night
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

NIGHT = date(2026, 11, 12)
NEAR_STATION_ROAD = (STATION_ROAD[0] + 0.0003, STATION_ROAD[1])  # about 21 m east
BUS_SHELTER = (-0.1700, 50.8400)  # West ward, far from Station Road

HEADER = "Date,Time,Latitude,Longitude,People,CHAIN ID,Sex,Age,Nationality"
OUTREACH = [  # date, time, place, people, ref, sex, age, nationality
    ("12/11/2026", "23:10", STATION_ROAD, 1, "A1", "", "", ""),
    ("12/11/2026", "22:30", CLOCK_TOWER, 2, "", "", "", ""),
    ("05/11/2026", "22:00", CLOCK_TOWER, 1, "B1", "M", "22", "Polish"),
    ("20/10/2026", "22:00", CLOCK_TOWER, 1, "C1", "F", "40", "British"),
    ("08/11/2026", "23:00", BUS_SHELTER, 1, "", "", "", ""),
    ("09/11/2026", "23:00", BUS_SHELTER, 1, "", "", "", ""),
    ("10/11/2026", "23:00", BUS_SHELTER, 1, "", "", "", ""),
]
COUNCIL = [("13/11/2026", "00:40", NEAR_STATION_ROAD, 1, "A1", "F", "30", "British")]


def write_csv(path: Path, rows: list[tuple]) -> Path:
    lines = [HEADER]
    lines += [
        f"{day},{time},{lat},{lon},{people},{ref},{sex},{age},{nationality}"
        for day, time, (lon, lat), people, ref, sex, age, nationality in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "outreach.csv", OUTREACH), agency="Outreach")
    import_records(store, write_csv(tmp_path / "council.csv", COUNCIL), agency="Council")
    return store


def row(frame: pd.DataFrame, name: str) -> dict[str, int]:
    (found,) = frame.loc[frame["area_name"] == name].to_dict("records")
    return {c: found[c] for c in SNAPSHOT_COLUMNS if found[c]}


def test_ann_recorded_twice_is_one_woman_of_26_and_over_from_the_uk(store):
    found = snapshot_night(store, role="coordinator", night=NIGHT)
    assert row(found.areas, "West") == dict(
        people=1, sex_female=1, age_26_plus=1, nationality_UK=1, sites_recently_not_counted=1
    )


def test_a_count_line_without_details_is_unknown_on_every_split(store):
    found = snapshot_night(store, role="coordinator", night=NIGHT)
    assert row(found.areas, "East") == dict(
        people=2,
        sex_unknown=2,
        age_unknown=2,
        nationality_unknown=2,
        seen_recently_not_counted=1,  # Bob, seen on the 5th; Cath's October is too long ago
    )


def test_the_total_row_and_the_ward_figures_of_that_night_agree(store):
    found = snapshot_night(store, role="coordinator", night=NIGHT)
    total = found.totals.iloc[0]
    assert total["people"] == 3
    assert total["seen_recently_not_counted"] == 1
    assert total["sites_recently_not_counted"] == 1
    for split in ("sex_", "age_", "nationality_"):
        parts = [c for c in SNAPSHOT_COLUMNS if c.startswith(split)]
        assert found.areas[parts].sum(axis=1).tolist() == found.areas["people"].tolist()
    nightly = area_summary(store, role="coordinator", period="night", end=NIGHT, periods=1)
    assert nightly.totals["people"].tolist() == [3]
    table = found.table()
    assert table["area_name"].tolist() == ["West", "East", "Total"]


def test_a_site_seen_again_on_the_night_is_not_quiet(store, tmp_path):
    again = [("12/11/2026", "23:30", BUS_SHELTER, 1, "", "", "", "")]
    import_records(store, write_csv(tmp_path / "late.csv", again), agency="Late team")
    found = snapshot_night(store, role="coordinator", night=NIGHT)
    assert found.totals.loc[0, "sites_recently_not_counted"] == 0
    assert found.totals.loc[0, "people"] == 4


def test_bob_is_not_recent_with_a_shorter_look_back(store):
    found = snapshot_night(store, role="coordinator", night=NIGHT, recent_nights=6)
    assert found.totals.loc[0, "seen_recently_not_counted"] == 0  # the 5th is 7 nights before


def test_a_night_outside_the_window_is_warned_about():
    from geo.analysis.snapshot import _warnings

    assert _warnings(NIGHT) == ()
    (warning,) = _warnings(date(2026, 12, 5))
    assert "outside the official snapshot window (1 October to 30 November)" in warning


def test_age_bands_map_to_the_snapshot_bands():
    bands = pd.Series(["under 18", "16-17", "18-25", "18-24", "26-35", "56-65", "66+", "25-34"])
    assert snapshot_age(bands).tolist() == [
        *("under 18", "under 18", "18-25", "18-25", "26+", "26+", "26+", "unknown"),
    ]


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_single_nights_are_for_coordinators(store, role):
    with pytest.raises(AccessDenied, match="whole weeks and months, not single nights"):
        snapshot_night(store, role=role, night=NIGHT)


def test_the_command_writes_the_submission_and_warns(store, tmp_path, capsys):
    out = tmp_path / "snapshot.csv"
    assert (
        main(["snapshot", "--store", str(store.path), "--night", "2026-11-12", "--out", str(out)])
        == 0
    )
    table = pd.read_csv(out)
    assert table.iloc[-1]["area_name"] == "Total" and table.iloc[-1]["people"] == 3
    assert "3 people counted" in capsys.readouterr().out
    assert main(["snapshot", "--store", str(store.path), "--night", "2026-12-05", "--json"]) == 0
    printed = capsys.readouterr()
    assert "warning: 05 December 2026 is outside" in printed.err
    assert json.loads(printed.out)[-1]["people"] == 0
    assert main(["snapshot", "--store", str(store.path), "--role", "councillor"]) == 2
    assert "not single nights" in capsys.readouterr().err


def test_a_link_marked_wrong_counts_ann_twice(store):
    from geo.questions.links import unlink

    records = store.records(role="coordinator", columns=["record_id", "agency", "person_ref"])
    (council, ann_ref) = records.loc[records["agency"] == "Council"].iloc[0][
        ["record_id", "person_ref"]
    ]  # the council's one record is Ann's
    (outreach,) = records.loc[
        (records["agency"] == "Outreach") & (records["person_ref"] == ann_ref), "record_id"
    ]
    unlink(store, outreach, council, role="coordinator", by="test")
    found = snapshot_night(store, role="coordinator", night=NIGHT)
    assert row(found.areas, "West")["people"] == 2
    assert found.totals.loc[0, "people"] == 4
