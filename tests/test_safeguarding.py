"""The safeguarding queue (issue 14, section 3), worked out by hand.

Wards and places of tests/shapes.py; November 2026 is on GMT. Person references are CHAIN
numbers, shared by every agency. Today is 10 November 2026.

| row | agency   | date, time  | night | place       | ref | U18 | TC  | outcome                   |
|-----|----------|-------------|-------|-------------|-----|-----|-----|---------------------------|
| P2  | Police   | 1 Nov 21:00 | 1 Nov | clock tower | B   |     |     | Police informed           |
| O1  | Outreach | 2 Nov 22:00 | 2 Nov | Station Rd  | A   | yes |     | advice given              |
| O2  | Outreach | 3 Nov 23:30 | 3 Nov | clock tower | B   | yes |     | advice given              |
| P1  | Police   | 4 Nov 01:00 | 3 Nov | Station Rd  | A   |     |     | Referred to children's... |
| O3  | Outreach | 5 Nov 21:00 | 5 Nov | clock tower | B   |     |     |                           |
| O4  | Outreach | 6 Nov 22:00 | 6 Nov | clock tower |     |     | yes | advice given              |
| O5  | Outreach | 7 Nov 22:00 | 7 Nov | clock tower |     |     | yes |                           |

(ref: CHAIN number; U18: under 18; TC: trafficking concern; P1's outcome is "Referred to
children's services".)

- A (O1) was referred later by another agency (P1, the police): A leaves the queue.
- B (O2) was "referred" only before the sighting (P2 is earlier), so B waits, from the evening
  of 3 November: 10 - 3 = 7 days. B was last seen on 5 November by Outreach in East ward (O3,
  a record with no flag counts as a sighting of B).
- O4 and O5 have no reference: one site at the clock tower, 2 sightings, waiting since the
  evening of 6 November: 4 days; last seen 7 November.

Queue, oldest first: person-B (7 days), the clock tower site (4 days).

Counts per ward: a visit on 27 November ends the records; police and councillors get aligned
months, the last one over by 27 November being 17 Oct - 15 Nov (as in test_completeness), which
holds both items, in East ward: 2, shown as "<5", West 0, and the total 2 as "<5".
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo.analysis.safeguarding import referral_mask, safeguarding_queue
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.questions.safeguarding import close_item, queue, queue_counts
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

TODAY = date(2026, 11, 10)
POLICE = "Police neighbourhood team"
HEADER = "Date,Time,Latitude,Longitude,CHAIN ID,Under 18,Trafficking,Outcome"
WEST = f"{STATION_ROAD[1]},{STATION_ROAD[0]}"
EAST = f"{CLOCK_TOWER[1]},{CLOCK_TOWER[0]}"
OUTREACH_ROWS = [
    f"02/11/2026,22:00,{WEST},A,yes,no,advice given",
    f"03/11/2026,23:30,{EAST},B,yes,no,advice given",
    f"05/11/2026,21:00,{EAST},B,no,no,",
    f"06/11/2026,22:00,{EAST},,no,yes,advice given",
    f"07/11/2026,22:00,{EAST},,no,yes,",
]
POLICE_ROWS = [
    f"01/11/2026,21:00,{EAST},B,no,no,Police informed",
    f"04/11/2026,01:00,{WEST},A,no,no,Referred to children's services",
]


def add(store, folder: Path, name: str, rows: list[str], *, agency: str, kind: str) -> None:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    import_records(store, path, agency=agency, kind=kind)


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    add(store, tmp_path, "outreach.csv", OUTREACH_ROWS, agency="Outreach", kind="outreach_contact")
    add(store, tmp_path, "police.csv", POLICE_ROWS, agency=POLICE, kind="outreach_contact")
    return store


def test_referred_by_another_agency_leaves_and_unreferred_waits_from_the_evening(store):
    found = queue(store, role="coordinator", today=TODAY)
    assert found["days_waiting"].tolist() == [7, 4]
    assert found["first_night"].tolist() == [date(2026, 11, 3), date(2026, 11, 6)]
    assert found["sightings"].tolist() == [1, 2]
    person, site = found.to_dict("records")
    assert person["key"].startswith("person-") and site["key"].startswith("site-E")
    assert (person["under_18"], person["trafficking_concern"]) == (True, False)
    assert (site["under_18"], site["trafficking_concern"]) == (False, True)
    assert (person["last_seen_night"], person["last_seen_agency"]) == (
        date(2026, 11, 5),
        "Outreach",
    )
    assert (person["first_ward"], person["last_seen_ward"]) == ("East", "East")
    assert site["last_seen_night"] == date(2026, 11, 7)


def test_without_the_later_referral_both_people_wait(store):
    records = store.records(role="coordinator")
    kept = records[~records["outcome"].astype(str).str.startswith("Referred")]
    found = safeguarding_queue(kept, today=TODAY)
    assert found["days_waiting"].tolist() == [8, 7, 4]  # A from the evening of 2 November


def test_outcome_patterns_are_configurable_and_case_insensitive():
    import pandas as pd

    outcome = pd.Series(["REFERRED to NRM", "nrm", "nothing", None, "sanrm"])
    assert referral_mask(outcome).tolist() == [True, True, False, False, False]
    assert referral_mask(outcome, ["nothing"]).tolist() == [False, False, True, False, False]


def test_a_coordinator_closes_an_item_with_a_reason(store):
    site = queue(store, role="coordinator", today=TODAY)["key"].iloc[1]
    closed = close_item(store, site, role="coordinator", by="Sam", reason="adult, checked ID")
    assert queue(store, role="coordinator", today=TODAY)["days_waiting"].tolist() == [7]
    (row,) = store.closures().to_dict("records")
    assert (row["key"], row["closed_by"], row["reason"]) == (site, "Sam", "adult, checked ID")
    assert row["closed_at"] == closed.closed_at
    with pytest.raises(AnalysisError, match="no item .* waits"):
        close_item(store, site, role="coordinator", by="Sam", reason="again")


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_only_coordinators_see_or_close_the_queue(store, role):
    with pytest.raises(AccessDenied, match="only a coordinator can see"):
        queue(store, role=role)
    with pytest.raises(AccessDenied, match="only a coordinator can close"):
        close_item(store, "person-x", role=role, by="Sam", reason="no")


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_others_see_counts_per_ward_suppressed(store, tmp_path, role):
    add(store, tmp_path, "visit.csv", [f"27/11/2026,21:00,{WEST},,no,no,"], agency="Outreach",
        kind="visit")  # fmt: skip
    figures = queue_counts(store, role=role, period="month", periods=1, today=TODAY)
    areas = figures.areas.set_index("area_name")
    assert set(areas["period"]) == {"2026-10-17/2026-11-15"}
    assert areas.loc["East", "waiting"] == "<5"
    assert areas.loc["West", "waiting"] == 0
    assert figures.totals["waiting"].tolist() == ["<5"]


def test_command_line_queue_and_close(store, tmp_path, capsys):
    db = str(store.path)
    assert main(["safeguarding", "--store", db, "--role", "coordinator", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["key"][:7] for r in rows] == ["person-", "site-E5"]
    key = rows[1]["key"]
    args = ["safeguarding", "--store", db, "--role", "coordinator", "--close", key]
    assert main([*args, "--reason", "moved on", "--by", "Sam"]) == 0
    assert f"closed {key} by Sam" in capsys.readouterr().out
    assert main(args) == 2
    assert "error: --close needs --reason" in capsys.readouterr().err
    out = tmp_path / "queue.csv"
    assert main(["safeguarding", "--store", db, "--role", "coordinator", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 2  # header and person B


def test_closing_an_item_moves_the_store_on_so_cached_queues_refresh(tmp_path):

    store = store_with_wards(tmp_path)
    before = store.cache_key()
    store.add_closure(key="person-x", by="coordinator", reason="referred by phone")
    assert store.cache_key() != before
