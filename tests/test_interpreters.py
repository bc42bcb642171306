"""Shared interpreters (issue 14, section 4), each answer worked out by hand.

Wards of tests/shapes.py (West: Station Road; East: the clock tower). 9 November 2026 is a
Monday. Contacts (``outreach_contact``) where the person needed an interpreter ("yes"):

| row | agency   | night   | ward | language | interpreter |
|-----|----------|---------|------|----------|-------------|
| O1  | Outreach | Tue 10  | East | Tigrinya | yes         |
| O2  | Outreach | Wed 11  | East | tigrinya | yes         |
| O3  | Outreach | Thu 12  | East | Polish   | yes         |
| O4  | Outreach | Tue 17  | West | Tigrinya | yes         |
| P1  | Police   | Thu 12  | East | Tigrinya | yes         |
| P2  | Police   | Thu 12  | East | Polish   | no          |
| P3  | Police   | Tue 24  | West | Tigrinya | yes         |

plus the council's street count on Fri 13 in East, Tigrinya, yes: a sighting, not a contact,
so the council is not an agency that needed a Tigrinya interpreter.

Weeks ending Sun 29 Nov, three of them: 9-15, 16-22 and 23-29 Nov.

- East, 9-15 Nov, Tigrinya: Outreach (O1, O2: "tigrinya" is Tigrinya, spelt as most records
  spell it) 2 and Police 1 (P1): two agencies, listed, total 3.
- East, 9-15 Nov, Polish: only Outreach needed an interpreter (P2 did not): not listed.
- West, Tigrinya: Outreach in 16-22 Nov (O4) and Police in 23-29 Nov (P3): different weeks,
  not listed.

So Tigrinya recurs once: "East, week from 9 November 2026".

Police and councillors get whole weeks aligned on Monday 1 Jan 2024; the latest night is 24
Nov, so the last whole week is 16-22 Nov, and two periods are 9-15 and 16-22 Nov. They see
East's Tigrinya with Outreach 2, Police 1 and total 3, each "<5". With five more Outreach
Tigrinya contacts in East on Mon 9 Nov, Outreach has 7, Police 1 and the total is 8: Police
is "<5", and 7 and 8 shown would give away 8 - 7 = 1, so the smaller of them, Outreach's 7,
is hidden too ("*"); the total 8 stays.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.interpreters import shared_interpreters, who_could_share
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.questions.interpreters import interpreter_sharing, view_interpreters
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

END = date(2026, 11, 29)
WEEK = "2026-11-09/2026-11-15"
POLICE = "Police neighbourhood team"
BOTH = f"Outreach, {POLICE}"
HEADER = "Date,Time,Latitude,Longitude,Language,Interpreter"
WEST = f"{STATION_ROAD[1]},{STATION_ROAD[0]}"
EAST = f"{CLOCK_TOWER[1]},{CLOCK_TOWER[0]}"
OUTREACH_ROWS = [
    f"10/11/2026,21:00,{EAST},Tigrinya,yes",
    f"11/11/2026,22:00,{EAST},tigrinya,yes",
    f"12/11/2026,21:30,{EAST},Polish,yes",
    f"17/11/2026,21:00,{WEST},Tigrinya,yes",
]
POLICE_ROWS = [
    f"12/11/2026,23:00,{EAST},Tigrinya,yes",
    f"12/11/2026,23:30,{EAST},Polish,no",
    f"24/11/2026,22:00,{WEST},Tigrinya,yes",
]
COUNCIL_ROWS = [f"13/11/2026,22:00,{EAST},Tigrinya,yes"]


def add(store, folder: Path, name: str, rows: list[str], *, agency: str, kind: str) -> None:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    import_records(store, path, agency=agency, kind=kind)


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    add(store, tmp_path, "outreach.csv", OUTREACH_ROWS, agency="Outreach", kind="outreach_contact")
    add(store, tmp_path, "police.csv", POLICE_ROWS, agency=POLICE, kind="outreach_contact")
    add(store, tmp_path, "council.csv", COUNCIL_ROWS, agency="Council", kind="street_count")
    return store


def exact(store):
    records = store.records(role="coordinator")
    return shared_interpreters(records, store.areas(), period="week", end=END, periods=3)


def test_two_agencies_in_one_ward_and_week_are_listed(store):
    found = exact(store)
    assert found.shared.to_dict("records") == [
        {
            "area_code": "E05000002",
            "area_name": "East",
            "period": WEEK,
            "period_start": date(2026, 11, 9),
            "period_end": date(2026, 11, 15),
            "language": "Tigrinya",
            "agencies": BOTH,
            "total": 3,
        }
    ]
    assert found.contacts[["agency", "contacts"]].to_dict("records") == [
        {"agency": "Outreach", "contacts": 2},
        {"agency": POLICE, "contacts": 1},
    ]
    assert found.recurring.to_dict("records") == [
        {"language": "Tigrinya", "area_periods": 1, "where": "East, week from 9 November 2026"}
    ]


def test_the_pages_question(store):
    found = exact(store)
    assert who_could_share(found, language="tigrinya", area_name="East ward", period=WEEK) == [
        "Outreach",
        POLICE,
    ]
    on_a_night = who_could_share(
        found, language="Tigrinya", area_name="East", period=date(2026, 11, 15)
    )
    assert on_a_night == ["Outreach", POLICE]
    # Polish: the police did not need an interpreter for P2
    assert who_could_share(found, language="Polish", area_name="East", period=WEEK) == []
    # next week: nobody in East
    assert (
        who_could_share(found, language="Tigrinya", area_name="East", period=date(2026, 11, 16))
        == []
    )
    with pytest.raises(AnalysisError, match="say which language"):
        who_could_share(found, language=" ", area_name="East", period=WEEK)


def test_the_same_language_in_different_weeks_is_not_shared(store):
    found = exact(store)
    assert "West" not in set(found.shared["area_name"])
    for night in (date(2026, 11, 17), date(2026, 11, 24)):
        assert who_could_share(found, language="Tigrinya", area_name="West", period=night) == []
    # one long period puts them together
    whole = shared_interpreters(
        store.records(role="coordinator"), store.areas(), period="range",
        start=date(2026, 11, 9), end=END,
    )  # fmt: skip
    assert set(zip(whole.shared["area_name"], whole.shared["agencies"], strict=True)) == {
        ("East", BOTH),
        ("West", BOTH),
    }


def test_police_and_councillors_see_small_counts_hidden(store, tmp_path):
    for role in ("police", "councillor"):
        found = interpreter_sharing(store, role=role, periods=2)
        assert found.role == role
        assert found.shared[["period", "agencies", "total"]].to_dict("records") == [
            {"period": WEEK, "agencies": BOTH, "total": "<5"}
        ]
        assert found.contacts["contacts"].tolist() == ["<5", "<5"]
    more = [f"09/11/2026,21:{m:02d},{EAST},Tigrinya,yes" for m in range(5)]
    add(store, tmp_path, "more.csv", more, agency="Outreach", kind="outreach_contact")
    found = interpreter_sharing(store, role="councillor", periods=2)
    assert found.shared["total"].tolist() == [8]
    assert found.contacts["contacts"].tolist() == ["*", "<5"]
    coordinator = interpreter_sharing(store, role="coordinator", end=END, periods=3)
    assert coordinator.contacts["contacts"].tolist() == [7, 1]
    # the coordinator's exact figures are not changed by viewing them
    viewed = view_interpreters(coordinator, role="police")
    assert coordinator.contacts["contacts"].tolist() == [7, 1]
    assert viewed.contacts["contacts"].tolist() == ["*", "<5"]


def test_wrong_roles_and_options_fail(store):
    with pytest.raises(AccessDenied, match="admin role"):
        interpreter_sharing(store, role="admin")
    records = store.records(role="coordinator")
    with pytest.raises(AnalysisError, match="period must be one of"):
        shared_interpreters(records, store.areas(), period="fortnight")
    with pytest.raises(AnalysisError, match="no column language"):
        shared_interpreters(records.drop(columns="language"), store.areas())


def test_the_command_line(store, tmp_path, capsys):
    location = str(tmp_path / "atlas.sqlite")
    assert main(["interpreters", "--store", location, "--to", "2026-11-29", "--periods", "3",
                 "--json"]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["headline"] == ["Tigrinya: 1 time (East, week from 9 November 2026)"]
    assert [(r["language"], r["agencies"], r["total"]) for r in printed["rows"]] == [
        ("Tigrinya", BOTH, 3)
    ]
    out = tmp_path / "shared.csv"
    assert main(["interpreters", "--store", location, "--role", "police", "--periods", "2",
                 "--by", "agency", "--out", str(out)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert "2 rows (wards x periods x languages x agencies), as the police role sees them" in said
    written = pd.read_csv(out)
    assert written["agency"].tolist() == ["Outreach", POLICE]
    assert written["contacts"].tolist() == ["<5", "<5"]
    assert main(["interpreters", "--store", location, "--role", "admin"]) == 2
    assert "error: the admin role" in capsys.readouterr().err
