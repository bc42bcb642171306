"""Recording completeness (issue 14, section 2), each share worked out by hand.

Two agencies in the wards of tests/shapes.py; November 2026 is on GMT. "Station Road" is a
place in the gazetteer (West ward): a record located by it is located only coarsely. Blank
cells are details not recorded.

The police neighbourhood team never records nationality (``police.csv``):

| row | date, time        | located by  | ref | nationality | language | interpreter | NRPF |
|-----|-------------------|-------------|-----|-------------|----------|-------------|------|
| P1  | 4 Nov 23:40       | lat/lon     | PN1 |             | English  | no          | no   |
| P2  | 5 Nov, no time    | Station Rd  | PN2 |             |          | no          |      |
| P3  | 6 Nov 22:10       | lat/lon     |     |             | Polish   | yes         | no   |
| P4  | 7 Nov 01:30       | lat/lon     | PN4 |             |          |             |      |

so of 4 records: nationality 4 (100%), language P2 P4 (50%), interpreter P4 (25%), NRPF P2
P4 (50%), reference P3 (25%), time P2 (25%: a date only; P4's 01:30 is a time), coarse P2 (25%).

The outreach team always records nationality (``outreach.csv``):

| row | date, time        | located by  | ref | nationality | language | interpreter | NRPF |
|-----|-------------------|-------------|-----|-------------|----------|-------------|------|
| O1  | 4 Nov 22:00       | lat/lon     | ON1 | British     | English  | no          | no   |
| O2  | 5 Nov 23:00       | Station Rd  | ON2 | Romanian    | Romanian | yes         | yes  |
| O3  | 10 Nov 21:00      | lat/lon     | ON3 | Polish      | Polish   | yes         | no   |
| O4  | 12 Nov, no time   | lat/lon     |     | Polish      |          | no          | no   |

so of 4 records: nationality 0%, language O4 (25%), interpreter 0%, NRPF 0%, reference O4
(25%), time O4 (25%), coarse O2 (25%). Its visit on 27 Nov 21:00 (nobody found, nothing to
record) is not counted; it is the latest record, so the periods end on the night of 27 Nov.

Partnership, 8 records: nationality 4/8 = 0.5, language 3/8 = 0.375, interpreter 1/8 = 0.125,
NRPF 2/8 = 0.25, reference 2/8, time 2/8, coarse 2/8 = 0.25 each.

The month to 28 Nov is 30 Oct - 28 Nov and holds all eight. Police and councillors get whole
months aligned on 1 Jan 2024: the last one over by 27 Nov (night 1,061) ends on night
(1,062 // 30) * 30 - 1 = 1,049, 15 Nov: 17 Oct - 15 Nov, again all eight. Eight is under the
10 records shares need for them, so they see 8 records and no shares; two more complete
records from the outreach team (13 and 14 Nov) make 10, and the shares 4/10, 3/10, 1/10, 2/10
each for NRPF, reference, time and coarse. With only P1-P3, they see "<5" records.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.completeness import (
    GAP_COLUMNS,
    completeness,
    file_completeness,
    file_gaps,
    headline,
)
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.questions.completeness import recording_completeness
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

END = date(2026, 11, 28)
MONTH = "2026-10-30/2026-11-28"
ALIGNED_MONTH = "2026-10-17/2026-11-15"
POLICE = "Police neighbourhood team"
HEADER = "Date,Time,Latitude,Longitude,Place,Client Ref,Nationality,Language,Interpreter,NRPF"
WEST = f"{STATION_ROAD[1]},{STATION_ROAD[0]}"
EAST = f"{CLOCK_TOWER[1]},{CLOCK_TOWER[0]}"
POLICE_ROWS = [
    f"04/11/2026,23:40,{WEST},,PN1,,English,no,no",
    "05/11/2026,,,,Station Road,PN2,,,no,",
    f"06/11/2026,22:10,{EAST},,,,Polish,yes,no",
    f"07/11/2026,01:30,{WEST},,PN4,,,,",
]
OUTREACH_ROWS = [
    f"04/11/2026,22:00,{WEST},,ON1,British,English,no,no",
    "05/11/2026,23:00,,,Station Road,ON2,Romanian,Romanian,yes,yes",
    f"10/11/2026,21:00,{EAST},,ON3,Polish,Polish,yes,no",
    f"12/11/2026,,{EAST},,,Polish,,no,no",
]
COMPLETE_ROWS = [
    f"13/11/2026,21:00,{EAST},,ON5,British,English,no,no",
    f"14/11/2026,21:00,{EAST},,ON6,British,English,no,no",
]
POLICE_SHARES = [1.0, 0.5, 0.25, 0.5, 0.25, 0.25, 0.25]
OUTREACH_SHARES = [0.0, 0.25, 0.0, 0.0, 0.25, 0.25, 0.25]
PARTNERSHIP_SHARES = [0.5, 0.375, 0.125, 0.25, 0.25, 0.25, 0.25]


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def add(store, folder: Path, name: str, rows: list[str], *, agency: str, kind: str):
    places = folder / "places.csv"
    places.write_text(f"name,latitude,longitude\nStation Road,{WEST}\n", encoding="utf-8")
    return import_records(
        store, write_csv(folder / name, rows), agency=agency, kind=kind, places=places
    )


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    add(store, tmp_path, "police.csv", POLICE_ROWS, agency=POLICE, kind="outreach_contact")
    add(store, tmp_path, "outreach.csv", OUTREACH_ROWS, agency="Outreach", kind="street_count")
    visit = ["27/11/2026,21:00,,,Station Road,,,,,"]
    add(store, tmp_path, "visits.csv", visit, agency="Outreach", kind="visit")
    return store


def shares(row: pd.Series) -> list[float]:
    return [float(row[c]) for c in GAP_COLUMNS]


def test_each_agency_and_the_partnership_by_hand(store):
    found = completeness(store.records(role="coordinator"), period="month", end=END, periods=1)
    agencies = found.agencies.set_index("agency")
    assert list(agencies.index) == ["Outreach", POLICE]  # the visit is not counted
    assert set(agencies["period"]) == {MONTH}
    assert agencies["records"].tolist() == [4, 4]
    assert shares(agencies.loc[POLICE]) == POLICE_SHARES
    assert shares(agencies.loc["Outreach"]) == OUTREACH_SHARES
    (partnership,) = found.partnership.to_dict("records")
    assert (partnership["agency"], partnership["period"], partnership["records"]) == (
        "Partnership",
        MONTH,
        8,
    )
    assert [partnership[c] for c in GAP_COLUMNS] == PARTNERSHIP_SHARES
    assert headline(found) == [
        f"{POLICE}: nationality missing on 100% of 4 records",
        "Outreach: language missing on 25% of 4 records",
    ]


def test_a_period_an_agency_recorded_nothing_in_has_no_shares(store):
    # weeks to 28 Nov: 1-7 Nov holds P1-P4 (P4 at 01:30 on 7 Nov is the night of the 6th),
    # O1 and O2; 8-14 Nov only O3 and O4; 15-21 and 22-28 Nov nothing but the visit
    found = completeness(store.records(role="coordinator"), period="week", end=END, periods=4)
    police = found.agencies.set_index(["agency", "period"]).loc[POLICE]
    assert police["records"].tolist() == [4, 0, 0, 0]
    assert police.iloc[1:][list(GAP_COLUMNS)].isna().all().all()
    assert found.partnership["records"].tolist() == [6, 2, 0, 0]


def test_inputs_are_checked_and_not_changed(store):
    records = store.records(role="coordinator")
    before = records.copy()
    completeness(records, period="month", end=END)
    pd.testing.assert_frame_equal(records, before)
    with pytest.raises(AnalysisError, match="period must be one of"):
        completeness(records, period="year")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="no column language"):
        completeness(records.drop(columns="language"))
    with pytest.raises(AnalysisError, match="periods must be a whole number"):
        completeness(records, periods=0)


def test_a_coordinator_sees_each_agency(store):
    found = recording_completeness(store, role="coordinator", end=END, periods=1)
    assert found.role == "coordinator"
    assert sorted(found.agencies["agency"]) == ["Outreach", POLICE]


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_police_and_councillors_see_only_the_partnership(store, tmp_path, role):
    found = recording_completeness(store, role=role, end=END, periods=1)
    assert found.agencies.empty
    (row,) = found.partnership.to_dict("records")
    assert (row["period"], row["records"]) == (ALIGNED_MONTH, 8)
    assert all(row[c] is None for c in GAP_COLUMNS)  # 8 records: too few for shares
    assert headline(found) == ["no records to judge completeness by"]
    add(store, tmp_path, "more.csv", COMPLETE_ROWS, agency="Outreach", kind="street_count")
    found = recording_completeness(store, role=role, end=END, periods=1)
    (row,) = found.partnership.to_dict("records")
    assert row["records"] == 10
    assert [row[c] for c in GAP_COLUMNS] == [0.4, 0.3, 0.1, 0.2, 0.2, 0.2, 0.2]
    assert headline(found) == ["Partnership: nationality missing on 40% of 10 records"]


def test_few_records_read_as_a_small_number(tmp_path):
    store = store_with_wards(tmp_path)
    add(store, tmp_path, "police.csv", POLICE_ROWS[:3], agency=POLICE, kind="outreach_contact")
    add(store, tmp_path, "visits.csv", ["27/11/2026,21:00,,,Station Road,,,,,"],
        agency=POLICE, kind="visit")  # fmt: skip
    (row,) = recording_completeness(store, role="councillor", periods=1).partnership.to_dict(
        "records"
    )
    assert row["records"] == "<5"
    assert all(row[c] is None for c in GAP_COLUMNS)
    # a coordinator sees the exact figures
    exact = recording_completeness(store, role="coordinator", periods=1).partnership
    assert exact["records"].tolist() == [3]


def test_admins_see_no_figures(store):
    with pytest.raises(AccessDenied, match="admin role"):
        recording_completeness(store, role="admin")


def test_the_command_line(store, tmp_path, capsys):
    location = str(tmp_path / "atlas.sqlite")
    assert main(["completeness", "--store", location, "--to", "2026-11-28", "--periods", "1",
                 "--json"]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["headline"][0] == f"{POLICE}: nationality missing on 100% of 4 records"
    rows = {r["agency"]: r for r in printed["rows"]}
    assert rows[POLICE]["nationality_missing"] == 1.0
    assert rows["Outreach"]["nationality_missing"] == 0.0
    out = tmp_path / "completeness.csv"
    assert main(["completeness", "--store", location, "--to", "2026-11-28", "--periods", "1",
                 "--out", str(out)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert said.startswith(f"{POLICE}: nationality missing on 100% of 4 records\n")
    assert "2 rows (agencies x periods), as the coordinator role sees them" in said
    written = pd.read_csv(out)
    assert written.columns.tolist()[-8:] == ["records", *GAP_COLUMNS]
    assert written["records"].tolist() == [4, 4]
    out = tmp_path / "partnership.json"
    assert main(["completeness", "--store", location, "--role", "police", "--periods", "1",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "1 rows (partnership periods), as the police role sees them" in capsys.readouterr().out
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert row["agency"] == "Partnership" and row["records"] == 8
    assert main(["completeness", "--store", location, "--role", "admin"]) == 2
    assert "error: the admin role" in capsys.readouterr().err


def test_the_import_report_shows_the_files_shares(tmp_path, capsys):
    store = store_with_wards(tmp_path)
    report = add(store, tmp_path, "police.csv", POLICE_ROWS, agency=POLICE, kind="street_count")
    shown = report.completeness
    assert shown["records"] == 4
    assert [shown[c] for c in GAP_COLUMNS] == POLICE_SHARES
    assert report.to_dict()["completeness"] == shown
    assert file_gaps(shown)["What is missing"].tolist()[:3] == [
        "nationality missing",
        "language missing",
        "NRPF missing",
    ]
    # the same file again: every row skipped, nothing stored, no shares
    again = add(store, tmp_path, "police.csv", POLICE_ROWS, agency=POLICE, kind="street_count")
    assert again.completeness == {"records": 0, **dict.fromkeys(GAP_COLUMNS)}
    # a file of visits has no one to record details about
    visits = add(store, tmp_path, "v.csv", ["27/11/2026,21:00,,,Station Road,,,,,"],
                 agency=POLICE, kind="visit")  # fmt: skip
    assert visits.completeness["records"] == 0
    # the command line prints the shares, worst first
    location = str(tmp_path / "atlas.sqlite")
    path = write_csv(tmp_path / "outreach.csv", OUTREACH_ROWS)
    assert main(["import", "records", str(path), "--store", location, "--agency", "Outreach",
                 "--places", str(tmp_path / "places.csv")]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert (
        "  recording completeness of 4 records: language missing 25%, person reference"
        " missing 25%, time of day missing 25%, located only by postcode or place name 25%,"
        " nationality missing 0%, interpreter need missing 0%, NRPF missing 0%\n"
    ) in said


def test_file_completeness_of_no_rows_is_not_a_number():
    records = pd.DataFrame({c: [] for c in ("kind", "agency", "observed_at", "night",
        "nationality_group", "language", "interpreter_needed", "nrpf", "person_ref",
        "location_source")})  # fmt: skip
    shown = file_completeness(records)
    assert shown["records"] == 0
    assert all(shown[c] is None for c in GAP_COLUMNS)
    assert not any(isinstance(v, float) and math.isnan(v) for v in shown.values())


def test_the_page_table_puts_the_least_complete_first(store):
    from geo.analysis.completeness import completeness_table

    table = completeness_table(recording_completeness(store, role="coordinator"))
    # police miss (100 + 50 + 25 + 50 + 25 + 25 + 25) / 7 = 43 % on average, outreach
    # (0 + 25 + 0 + 0 + 25 + 25 + 25) / 7 = 14 %; the partnership comes last
    assert table["Agency"].tolist() == ["Police neighbourhood team", "Outreach", "Partnership"]
    assert table.loc[0, "Nationality missing"] == "100%"
    assert table.loc[1, "Nationality missing"] == "0%"
    assert table.loc[2, "Language missing"] == "38%"  # 3 of 8
    assert table.loc[0, "NRPF missing"] == "50%"
    councillor = completeness_table(recording_completeness(store, role="councillor"))
    assert councillor["Agency"].tolist() == ["Partnership"]
    assert set(councillor.iloc[0, 2:]) == {""}  # 8 records: too few for shares
