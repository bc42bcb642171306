"""Imports of messy real-world files: every row accounted for, nothing personal stored."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.errors import ColumnMappingError, GeocodeError, InputFileError
from geo.importing import import_police, import_records, import_services
from geo.store import open_store
from tests.shapes import store_with_wards

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    # West and East wards, split at longitude -0.14; West's name carries markup, shown as text
    return store_with_wards(tmp_path, names={"E05000001": "West <b>Ward</b>", "E05000002": "East"})


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def accounted(report) -> None:
    assert report.read == report.stored + report.skipped + report.rejected


MESSY = """\
Record ID,Date,Time,Latitude,Longitude,People,Client Ref,Full Name,DOB,Mobile,Nationality,Interpreter needed,NRPF,Notes
1,04/11/2026,23:40,50.8226,-0.1372,2,C1,John Smith,01/01/1980,07700900000,Polish,Y,N,<script>alert(1)</script>
2,05/11/2026,01:10,-0.1500,50.8300,1,C2,A B,,,Eritrean,N,Y,"=HYPERLINK(""http://x"")"
3,31/02/2026,01:10,50.8226,-0.1372,1,C3,,,,British,,,bad date
4,05/11/2026,01:10,531040,104624,1,,,,,,,,eastings in the latitude column

5,05/11/2026,01:10,,,1,,,,,,,,no location
6,05/11/2026,01:10,50.8226,-0.1372,1,,,,,,,,ragged,extra
7,05/11/2026,02:00,51.9,-0.1372,1,,,,,,maybe,,outside both wards
1,04/11/2026,23:40,50.8226,-0.1372,2,C1,John Smith,01/01/1980,07700900000,Polish,Y,N,<script>alert(1)</script>
8,06/11/2026,22:15,50.8226,-0.1372,two,,,,,,,,bad people
"""


def test_a_messy_file_is_accounted_for_row_by_row(store, tmp_path):
    path = write(tmp_path / "count.csv", MESSY)
    report = import_records(store, path, agency="Council outreach team")
    accounted(report)
    assert (report.read, report.stored, report.skipped, report.rejected) == (9, 4, 1, 4)
    assert report.outside_areas == 1
    assert report.blank_lines == 1
    assert report.rejected_by_reason == {
        "Date: not a date in a format understood": 1,
        "no location given": 1,
        "row has 15 fields but the header has 14": 1,
        "People: people is not a number": 1,
    }
    assert report.skipped_by_reason == {"repeats an earlier row of the file": 1}
    assert set(report.columns_not_stored) == {"Full Name", "DOB", "Mobile"}
    assert any(
        "'Interpreter needed': 1 values are not yes/no ('maybe')" in w
        for w in (notice.text for notice in report.warnings)
    )
    rejects = pd.read_csv(io.BytesIO(report.rejects_csv()), encoding="utf-8-sig", dtype=str)
    assert rejects["row"].tolist() == ["4", "7", "8", "11"]
    assert rejects.loc[0, ["column", "value"]].tolist() == ["Date", "31/02/2026"]
    assert "Full Name" not in rejects.columns and "DOB" not in rejects.columns


def test_what_is_stored_is_canonical_and_holds_nothing_identifying(store, tmp_path):
    import_records(store, write(tmp_path / "count.csv", MESSY), agency="Council outreach team")
    records = store.records(role="coordinator").set_index("notes")
    first = records.loc["<script>alert(1)</script>"]  # text is stored as typed, escaped on show
    assert first["people"] == 2
    assert first["observed_at"] == pd.Timestamp("2026-11-04 23:40", tz="Europe/London")
    assert first["night"] == pd.Timestamp("2026-11-04")
    assert (first["nationality_group"], first["interpreter_needed"], first["nrpf"]) == (
        "EU/EEA",
        1,
        0,
    )
    assert first["area_code"] == "E05000002"
    assert first["person_ref"].startswith("p_") and "C1" not in first["person_ref"]
    swapped = records.loc['=HYPERLINK("http://x")']
    assert (swapped["lon"], swapped["lat"]) == (-0.15, 50.83)
    assert swapped["location_note"] == "latitude and longitude were swapped"
    assert swapped["night"] == pd.Timestamp("2026-11-04")  # 01:10 on the 5th
    assert swapped["area_code"] == "E05000001"
    metres = records.loc["eastings in the latitude column"]
    assert (metres["easting"], metres["northing"]) == (531040, 104624)
    assert metres["area_code"] == "E05000001"  # BN1 1AA, lon -0.1408
    assert pd.isna(records.loc["outside both wards", "area_code"])
    # nothing identifying reached the store file
    raw = (tmp_path / "atlas.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("atlas.sqlite-wal")
    )
    for secret in (b"John Smith", b"01/01/1980", b"07700900000", b"C1,"):
        assert secret not in raw


def test_reimporting_stores_nothing_twice(store, tmp_path):
    path = write(tmp_path / "count.csv", MESSY)
    first = import_records(store, path, agency="Council outreach team")
    again = import_records(store, path, agency="Council outreach team")
    accounted(again)
    assert again.stored == 0
    assert again.skipped == first.stored + first.skipped
    assert again.skipped_by_reason["already in the store"] == first.stored
    assert store.counts()["records"] == first.stored
    # the same rows from another agency are other records
    other = import_records(store, path, agency="Harbour Light")
    assert other.stored == first.stored


def test_a_large_file_is_accounted_for_and_stored_in_its_own_order(store, tmp_path, monkeypatch):
    """Thousands of rows take the fast paths (C-engine CSV, rebuilt key index); same answers."""
    from geo.store import sqlite as store_module

    monkeypatch.setattr(store_module, "_BULK_FROM", 100)
    header, *lines = MESSY.splitlines()
    # MESSY's rows without its blank line, ragged row and repeat, each with a new Record ID:
    # stored, stored (swapped), bad date, stored (eastings), no location, outside, bad people
    kinds = [lines[i].split(",", 1)[1] for i in (0, 1, 2, 3, 5, 7, 9)]
    rows = [f"{i},{kinds[i % 7]}" for i in range(2100)]
    path = write(tmp_path / "big.csv", "\n".join([header, *rows]) + "\n")
    report = import_records(store, path, agency="Council outreach team")
    accounted(report)
    assert (report.read, report.stored, report.skipped, report.rejected) == (2100, 1200, 0, 900)
    assert report.outside_areas == 300
    assert report.rejected_by_reason == {
        "Date: not a date in a format understood": 300,
        "no location given": 300,
        "People: people is not a number": 300,
    }
    assert report.rejects["row"].tolist()[:3] == [4, 6, 8]  # bad date, no location, people
    assert set(report.seconds) == {
        "read", "parse", "locate", "hash", "ids", "dedupe", "join", "store"
    }  # fmt: skip
    notes = store.records(role="coordinator", columns=["notes"])["notes"]
    assert notes.tolist()[:5] == [
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "eastings in the latitude column",
        "outside both wards",
        "<script>alert(1)</script>",
    ]
    again = import_records(store, path, agency="Council outreach team")
    assert (again.stored, again.skipped) == (0, 1200)


def test_rejected_rows_never_run_as_formulas_in_a_spreadsheet(store, tmp_path):
    text = "Date,Latitude,Longitude,Notes\n=1+1,50.82,-0.13,@SUM(A1)\n"
    report = import_records(store, write(tmp_path / "f.csv", text), agency="A")
    rejects = report.rejects_csv().decode("utf-8-sig")
    assert "'=1+1" in rejects and "'@SUM(A1)" in rejects
    assert "\n=1" not in rejects and ",=1" not in rejects
    assert ",-0.13," in rejects  # plain numbers stay numbers


def test_windows_1252_bom_and_xlsx_read_the_same(store, tmp_path):
    import openpyxl

    text = "Date,Place,Latitude,Longitude\n04/11/2026 23:40,Café doorway,50.82,-0.13\n"
    cp = import_records(store, write(tmp_path / "a.csv", text, "cp1252"), agency="A")
    bom = import_records(store, write(tmp_path / "b.csv", text, "utf-8-sig"), agency="B")
    book = openpyxl.Workbook()
    for line in text.splitlines():
        book.active.append(line.split(","))
    book.save(tmp_path / "c.xlsx")
    xlsx = import_records(store, tmp_path / "c.xlsx", agency="C")
    assert (cp.encoding, bom.encoding, xlsx.encoding) == ("Windows-1252", "UTF-8 with BOM", "XLSX")
    records = store.records(role="coordinator")
    assert records["location_text"].tolist() == ["Café doorway"] * 3
    assert records["observed_at"].nunique() == 1


def test_grid_references_postcodes_and_places(store, tmp_path):
    directory = write(
        tmp_path / "nspl.csv",
        "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,wd25cd,lat,long\n"
        "BN1 1AA,BN1  1AA,BN1 1AA,198001,,0,531040,104624,1,E05000002,50.826334,-0.140818\n"
        "BN1 1AB,BN1  1AB,BN1 1AB,198001,202106,0,530981,104247,1,E05000002,50.822956,-0.141777\n",
    )
    places = write(
        tmp_path / "places.csv", "name,latitude,longitude\nStation underpass,50.8290,-0.1410\n"
    )
    text = (
        "Date,Grid Ref,Postcode,Place,Notes\n"
        "04/11/2026 23:40,TQ 31040 04560,,,grid\n"
        "04/11/2026 23:41,TQ3104,,,coarse grid\n"
        "04/11/2026 23:42,,bn11aa,,postcode\n"
        "04/11/2026 23:43,,BN1 1AB,,terminated\n"
        "04/11/2026 23:44,,ZZ99 3VZ,,no fixed abode\n"
        "04/11/2026 23:45,,XX9 9XX,,unknown postcode\n"
        "04/11/2026 23:46,,,station  UNDERPASS,place\n"
        "04/11/2026 23:47,,,Bandstand,unknown place\n"
        "04/11/2026 23:48,TQ 999,ZZ99 3VZ,Station underpass,fallback\n"
    )
    report = import_records(
        store, write(tmp_path / "r.csv", text), agency="Police", postcodes=directory, places=places
    )
    accounted(report)
    assert report.rejected == 3
    assert report.located_by == {"grid_ref": 2, "postcode": 2, "place": 2}
    records = store.records(role="coordinator").set_index("notes")
    assert (records.loc["grid", "easting"], records.loc["grid", "northing"]) == (531040.5, 104560.5)
    assert (
        records.loc["coarse grid", "location_precision_m"]
        > records.loc["grid", "location_precision_m"]
    )
    assert records.loc["postcode", "easting"] == 531040
    assert "terminated postcode" in records.loc["terminated", "location_note"]
    assert records.loc["place", "location_source"] == "place"
    assert records.loc["fallback", "location_source"] == "place"
    assert "located by place" in records.loc["fallback", "location_note"]
    problems = report.rejects.set_index("row")["problem"]
    assert "never geocoded" in problems[6]
    assert "not in the postcode directory" in problems[7]
    assert "Bandstand" in problems[9]


def test_postcodes_without_a_directory_say_what_is_needed(store, tmp_path):
    text = "Date,Postcode\n04/11/2026,BN1 1AA\n04/11/2026,ZZ99 3VZ\n"
    report = import_records(store, write(tmp_path / "r.csv", text), agency="A")
    assert report.rejected_by_reason == {
        "Postcode: postcode given but the store has no postcode directory": 1,
        "Postcode: 'no fixed abode' pseudo-postcode: never geocoded": 1,
    }


def test_files_that_cannot_be_imported_fail_whole_with_one_clear_message(store, tmp_path):
    before = store.counts()
    with pytest.raises(
        InputFileError,
        match=r"nodate\.csv: no date column found; columns are"
        r" Where, Lat, Lon",
    ):
        import_records(
            store, write(tmp_path / "nodate.csv", "Where,Lat,Lon\nx,50.8,-0.1\n"), agency="A"
        )
    with pytest.raises(InputFileError, match="an agency name is needed"):
        import_records(store, write(tmp_path / "x.csv", "Date\n04/11/2026\n"), agency=" ")
    with pytest.raises(ColumnMappingError, match="never stored"):
        import_records(
            store,
            write(tmp_path / "n.csv", "Date,Name\n04/11/2026,X\n"),
            agency="A",
            columns={"notes": "Name"},
        )
    with pytest.raises(GeocodeError):
        import_records(
            store,
            write(tmp_path / "y.csv", "Date,Place\n04/11/2026,X\n"),
            agency="A",
            places=write(tmp_path / "p.csv", "colour\nred\n"),
        )
    assert store.counts() == before


def test_visits_that_found_nobody_are_kept_as_visits(store, tmp_path):
    text = "Date,Latitude,Longitude,People,Outcome\n04/11/2026 23:40,50.82,-0.13,0,No one found\n"
    report = import_records(store, write(tmp_path / "v.csv", text), agency="A")
    assert report.stored == 1
    visit = store.records(role="coordinator").iloc[0]
    assert (visit["kind"], visit["people"]) == ("visit", 0)


def test_services_from_csv_and_from_a_vector_file(store, tmp_path):
    text = (
        "Name,Type,Opening hours,Latitude,Longitude\n"
        "Harbour day centre,Day centre,Mon-Fri 9-4,50.82,-0.13\n"
        "Unnamed,,,50.82,\n"
    )
    report = import_services(store, write(tmp_path / "s.csv", text))
    accounted(report)
    assert (report.stored, report.rejected) == (1, 1)
    frame = gpd.GeoDataFrame(
        {"name": ["Night shelter"], "type": ["shelter"]},
        geometry=gpd.points_from_xy([531040], [104624]),
        crs="EPSG:27700",
    )
    frame.to_file(tmp_path / "s.gpkg", driver="GPKG")
    report = import_services(store, tmp_path / "s.gpkg")
    assert report.stored == 1
    services = store.services().set_index("name")
    assert services.loc["Harbour day centre", "service_type"] == "day_centre"
    assert services.loc["Night shelter", "service_type"] == "night_shelter"
    assert services.loc["Night shelter", "lon"] == pytest.approx(-0.140818, abs=1e-5)
    assert services.loc["Night shelter", "area_code"] == "E05000001"


POLICE = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
    ",2026-10,Sussex Police,Sussex Police,-0.137,50.822,On or near Station,E01,B 1,"
    "Anti-social behaviour,,\n"
    ",2026-10,Sussex Police,Sussex Police,-0.137,50.822,On or near Station,E01,B 1,"
    "Anti-social behaviour,,\n"
    "abc,2026-10,Sussex Police,Sussex Police,,,No Location,,,Drugs,Under investigation,\n"
    "abc,2026-10,Sussex Police,Sussex Police,-0.15,50.83,On or near Park,E02,B 2,Drugs,,\n"
)


def test_police_uk_identical_rows_are_separate_incidents_and_reimport_adds_nothing(store, tmp_path):
    path = write(tmp_path / "2026-10-sussex-street.csv", POLICE)
    report = import_police(store, path)
    accounted(report)
    assert (report.read, report.stored, report.rejected) == (4, 3, 1)
    assert list(report.rejected_by_reason) == ["Longitude: no coordinates"]
    again = import_police(store, path)
    assert (again.stored, again.skipped) == (0, 3)
    incidents = store.police_incidents()
    assert incidents["crime_type"].value_counts().to_dict() == {
        "Anti-social behaviour": 2,
        "Drugs": 1,
    }


def test_police_files_must_look_like_police_uk(store, tmp_path):
    with pytest.raises(InputFileError, match="not a police.uk street-level file; columns missing"):
        import_police(store, write(tmp_path / "p.csv", "Crime ID,Month\n,2026-10\n"))


@pytest.mark.shared
def test_the_real_police_uk_file(store, shared_data):
    path = shared_data / "police" / "2019-01-city-of-london-street.csv"
    report = import_police(store, path)
    accounted(report)
    assert (report.read, report.stored, report.skipped, report.rejected) == (617, 586, 0, 31)
    assert report.outside_areas == 586  # the City is not in our two Brighton wards
    assert import_police(store, path).stored == 0


@pytest.mark.shared
def test_records_located_by_real_code_point_open_postcodes(store, tmp_path, shared_data):
    directory = shared_data / "postcodes" / "codepoint-open-bn.csv"
    text = "Date,Postcode\n04/11/2026 23:40,BN1 1AA\n04/11/2026 23:40,BN91 9AA\n"
    report = import_records(store, write(tmp_path / "r.csv", text), agency="A", postcodes=directory)
    assert (report.stored, report.rejected) == (1, 1)
    record = store.records(role="coordinator").iloc[0]
    assert (record["easting"], record["northing"]) == (531040, 104624)
    assert record["area_code"] == "E05000001"


def test_the_command_line_prints_the_accounting_as_json(store, tmp_path):
    path = write(tmp_path / "count.csv", MESSY)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "import",
            "records",
            str(path),
            "--agency",
            "Council",
            "--store",
            store.location,
            "--json",
            "--rejects",
            str(tmp_path / "rej.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("read", "stored", "skipped", "rejected", "outside_areas", "rejected_by_reason"):
        assert key in report
    assert report["read"] == report["stored"] + report["skipped"] + report["rejected"] == 9
    assert (tmp_path / "rej.csv").read_text(encoding="utf-8-sig").count("\n") == 5


def test_the_command_line_reports_expected_errors_in_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "import",
            "records",
            str(tmp_path / "missing.csv"),
            "--agency",
            "A",
            "--store",
            str(tmp_path / "s.sqlite"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: missing.csv: file not found ({tmp_path / 'missing.csv'})"
    ]
    assert "Traceback" not in result.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "geo", "import", "records", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "example:" in help_text and "--postcodes" in help_text


def test_a_geopackage_export_opens_as_layers(store, tmp_path):
    import pyogrio

    import_records(store, write(tmp_path / "count.csv", MESSY), agency="Council outreach team")
    written = open_store(store.location)
    from geo.questions import export_geopackage

    layers = export_geopackage(written, tmp_path / "out.gpkg", role="police")
    assert layers == {"wards": 2, "records": 4}
    names = [name for name, _ in pyogrio.list_layers(tmp_path / "out.gpkg")]
    assert names == ["wards", "records"]
    records = gpd.read_file(tmp_path / "out.gpkg", layer="records")
    assert "nrpf" not in records.columns and len(records) == 4
    assert export_geopackage(written, tmp_path / "c.gpkg", role="councillor") == {"wards": 2}


def test_several_command_line_imports_at_once_lose_nothing(store, tmp_path):
    files = []
    for i in range(3):
        lines = ["Record ID,Date,Latitude,Longitude"] + [
            f"{i}-{j},04/11/2026 23:{j % 60:02d},50.82{j % 10},-0.13{j % 7}" for j in range(300)
        ]
        files.append(write(tmp_path / f"team{i}.csv", "\n".join(lines) + "\n"))
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "geo",
                "import",
                "records",
                str(path),
                "--agency",
                "Team",
                "--store",
                store.location,
                "--json",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    assert [r["stored"] for r in reports] == [300, 300, 300]
    assert store.counts()["records"] == 900
    assert len(store.records(role="coordinator")) == 900


def test_records_find_the_ward_index_kept_when_the_wards_were_imported(
    tmp_path, monkeypatch
) -> None:
    """The ward file lists East (E05000002) before West; the store reads wards back sorted by
    code. The index kept on ward import must be the one the records import looks for (one per
    layer and order), so a later import, in a new process as it were, loads it and never
    builds: the clock tower is in East ward, Station Road in West."""
    import geo.locate.areas as join
    from tests.shapes import CLOCK_TOWER, EAST_WARD, STATION_ROAD, WEST_WARD

    monkeypatch.setattr(join, "_cache", join.OrderedDict())  # not kept by an earlier test
    store = store_with_wards(
        tmp_path, names={"E05000002": "East", "E05000001": "West"}, shapes=(EAST_WARD, WEST_WARD)
    )
    assert len(list(store.cache_folder.glob("area-index-*.npz"))) == 1
    monkeypatch.setattr(join, "_cache", join.OrderedDict())  # a new process
    monkeypatch.setattr(join.AreaIndex, "build", None)  # loading must not build
    csv = write(
        tmp_path / "rows.csv",
        "Date,Latitude,Longitude\n"
        f"01/11/2026 23:00,{CLOCK_TOWER[1]},{CLOCK_TOWER[0]}\n"
        f"01/11/2026 23:10,{STATION_ROAD[1]},{STATION_ROAD[0]}\n",
    )
    report = import_records(store, csv, agency="Team")
    assert report.stored == 2
    assert store.records(role="coordinator")["area_code"].tolist() == ["E05000002", "E05000001"]


def test_row_ids_are_the_keyed_hash_of_each_rows_text_worked_by_hand() -> None:
    """An id is ``prefix`` + the keyed BLAKE2b (16 bytes) of ``scope RS (name US cell RS)...``
    over the columns in name order; ids already stored depend on it never changing. With
    ``occurrence``, the second of two identical rows has ``1`` after its text."""
    import hashlib

    from geo.importing.pipeline import row_ids

    key = bytes(range(64))
    frame = pd.DataFrame({"B": ["b1", "b1", "5%"], "A": ["a1", "a1", "%s"]})

    def by_hand(text: str) -> str:
        return "r" + hashlib.blake2b(text.encode(), key=key, digest_size=16).hexdigest()

    first = "T%\x1eA\x1fa1\x1eB\x1fb1\x1e"
    third = "T%\x1eA\x1f%s\x1eB\x1f5%\x1e"
    ids = row_ids(frame, key=key, prefix="r", scope="T%")
    assert ids.tolist() == [by_hand(first), by_hand(first), by_hand(third)]
    repeated = row_ids(frame, key=key, prefix="r", scope="T%", occurrence=True)
    assert repeated.tolist() == [by_hand(first + "0"), by_hand(first + "1"), by_hand(third + "0")]


def test_row_ids_of_cells_that_are_not_text_use_their_printed_form() -> None:
    """Rows read from files are text and are joined as they are; a frame holding other values
    (a number, None) is written cell by cell as ``%s`` writes it ("5", "None"), as ids always
    were, so the two ways of building the text give the same ids."""
    import hashlib

    from geo.importing.pipeline import row_ids

    key = bytes(range(64))

    def by_hand(text: str) -> str:
        return "r" + hashlib.blake2b(text.encode(), key=key, digest_size=16).hexdigest()

    mixed = pd.DataFrame({"A": ["a1", "a1"], "B": [5, None]}, dtype=object)
    assert row_ids(mixed, key=key, prefix="r", scope="T").tolist() == [
        by_hand("T\x1eA\x1fa1\x1eB\x1f5\x1e"),
        by_hand("T\x1eA\x1fa1\x1eB\x1fNone\x1e"),
    ]
    text = pd.DataFrame({"A": ["a1"], "B": ["5"]}, dtype=object)
    assert (
        row_ids(text, key=key, prefix="r", scope="T")[0]
        == row_ids(mixed, key=key, prefix="r", scope="T")[0]
    )
