"""A postcode directory and a gazetteer kept in the store, and later imports located by them."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import GeocodeError
from geo.importing import import_places, import_postcodes, import_records
from geo.store import STORE_ENV, open_store
from tests.shapes import store_with_wards

ROOT = Path(__file__).resolve().parents[1]

#: An NSPL-style directory (2025+ headers). Line 2 is terminated and line 4 the live copy of the
#: same postcode (the live one is kept), line 5 is not a postcode, line 6 is blank, line 7 has
#: no position (quality 9).
NSPL = (
    "pcds,doterm,east1m,north1m,gridind,wd25cd,lat,long\n"
    "BN1 1AA,202001,531000,104600,1,E05000002,,\n"  # line 2: terminated
    "BN1 1AB,,530981,104247,1,E05000002,,\n"  # line 3
    "bn11aa,,531040,104624,1,E05000002,,\n"  # line 4: BN1 1AA again, live: kept
    "NOT A CODE,,531000,104000,1,,,\n"  # line 5: rejected
    "\n"  # line 6: blank
    "BN1 9ZZ,,,,9,,99.999999,0\n"  # line 7: known, no position
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    return store_with_wards(tmp_path)


def test_a_directory_is_kept_with_every_row_accounted_for(store, tmp_path):
    report = import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    assert (report.read, report.stored, report.skipped, report.rejected) == (5, 3, 1, 1)
    assert report.blank_lines == 1
    assert report.rejected_by_reason == {"not a UK postcode": 1}
    assert report.rejects[["line", "postcode"]].values.tolist() == [[5, "NOT A CODE"]]
    assert list(report.skipped_by_reason) == [
        "the same postcode again in the file (the live, placed copy is kept)"
    ]
    kept = store.lookups()["postcodes"]
    assert (kept.name, kept.entries) == ("nspl.csv (ONSPD/NSPL (2025+ headers))", 3)
    rows = store.postcode_rows(["BN1 1AA", "BN1 9ZZ", "XX1 1XX"])
    assert sorted(rows.index) == ["BN1 1AA", "BN1 9ZZ"]  # only those asked for, if kept
    assert rows.loc["BN1 1AA", "easting"] == 531040  # the live copy, not the terminated one
    assert not rows.loc["BN1 9ZZ", "has_position"]
    assert store.imports().iloc[0]["kind"] == "postcodes"


def test_later_imports_locate_postcodes_with_the_kept_directory(store, tmp_path):
    import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    text = "Date,Postcode\n04/11/2026,BN1 1AA\n04/11/2026,bn1 1ab\n04/11/2026,BN1 9ZZ\n"
    report = import_records(store, write(tmp_path / "r.csv", text), agency="A")
    assert (report.stored, report.rejected) == (2, 1)
    assert report.located_by == {"postcode": 2}
    problems = report.rejects.set_index("row")["problem"]
    assert "has no position" in problems[4]
    records = store.records(role="coordinator")
    assert sorted(records["easting"].round()) == [530981.0, 531040.0]
    assert set(records["area_code"]) == {"E05000001"}  # both just west of -0.14: West ward


def test_a_directory_given_with_a_file_wins_over_the_kept_one(store, tmp_path):
    import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    other = write(tmp_path / "other.csv", "postcode,lat,long\nBN1 1AA,50.8226,-0.1372\n")
    text = "Date,Postcode\n04/11/2026,BN1 1AA\n"
    import_records(store, write(tmp_path / "r.csv", text), agency="A", postcodes=other)
    record = store.records(role="coordinator").iloc[0]
    assert (round(record["lon"], 4), round(record["lat"], 4)) == (-0.1372, 50.8226)


def test_a_bad_directory_leaves_the_kept_one_as_it_was(store, tmp_path):
    import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    with pytest.raises(GeocodeError, match=r"wrong\.csv: not a postcode directory I can read"):
        import_postcodes(store, write(tmp_path / "wrong.csv", "name,colour\nbench,green\n"))
    assert store.lookups()["postcodes"].entries == 3
    assert len(store.postcode_rows(["BN1 1AA"])) == 1


def test_a_new_directory_replaces_the_kept_one(store, tmp_path):
    import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    import_postcodes(store, write(tmp_path / "new.csv", "postcode,lat,long\nBN2 1AA,50.82,-0.13\n"))
    assert store.lookups()["postcodes"].entries == 1
    assert store.postcode_rows(["BN1 1AA"]).empty
    assert list(store.postcode_rows(["BN2 1AA"]).index) == ["BN2 1AA"]


PLACES = (
    "name,latitude,longitude,precision_m,aliases\n"
    "Station underpass,50.8300,-0.1500,30,the underpass\n"
    "\n"
    "Clock tower,50.8226,-0.1372,,\n"
)


def test_a_gazetteer_is_kept_and_locates_later_imports(store, tmp_path):
    report = import_places(store, write(tmp_path / "places.csv", PLACES))
    assert (report.read, report.stored, report.blank_lines) == (2, 2, 1)
    assert store.lookups()["places"].entries == 2
    text = "Date,Place\n04/11/2026,The Underpass\n04/11/2026,clock  tower.\n"
    located = import_records(store, write(tmp_path / "r.csv", text), agency="A")
    assert located.located_by == {"place": 2}
    records = store.records(role="coordinator").set_index("location_text")
    assert records.loc["The Underpass", "location_precision_m"] == 30
    assert records.loc["The Underpass", "area_code"] == "E05000001"  # West ward
    assert records.loc["clock  tower.", "location_precision_m"] == 50  # the default radius


def test_a_gazetteer_with_a_bad_row_keeps_the_one_before(store, tmp_path):
    import_places(store, write(tmp_path / "places.csv", PLACES))
    bad = write(tmp_path / "bad.csv", "name,latitude,longitude\nBench,91,0\n")
    with pytest.raises(GeocodeError, match=r"bad\.csv: 1 places cannot be placed: row 2"):
        import_places(store, bad)
    assert store.lookups()["places"].name == "places.csv"


def test_records_without_a_kept_directory_say_how_to_import_one(store, tmp_path):
    text = "Date,Postcode\n04/11/2026,BN1 1AA\n"
    report = import_records(store, write(tmp_path / "r.csv", text), agency="A")
    assert "python -m geo import postcodes FILE" in report.rejects["problem"].iloc[0]


def test_the_command_line_imports_a_directory(capsys, tmp_path):
    path = tmp_path / "atlas.sqlite"
    code = main(
        ["import", "postcodes", str(write(tmp_path / "nspl.csv", NSPL)), "--store", str(path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "nspl.csv: read 5, stored 3, skipped 1 as duplicates, rejected 1"
    assert "rejected 1: not a UK postcode" in out
    assert open_store(path).lookups()["postcodes"].entries == 3


def test_the_real_code_point_open_file_is_kept_and_used(shared_data, store, tmp_path):
    path = shared_data / "postcodes" / "codepoint-open-bn.csv"
    report = import_postcodes(store, path)
    assert report.read == report.stored + report.skipped + report.rejected
    assert report.stored > 20_000 and report.rejected == 0
    text = "Date,Postcode\n04/11/2026,BN1 1AA\n"
    import_records(store, write(tmp_path / "r.csv", text), agency="A")
    record = store.records(role="coordinator").iloc[0]
    assert (record["easting"], record["northing"]) == (531040, 104624)  # as the file gives


def test_the_import_page_says_which_directory_later_imports_use(store, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(STORE_ENV, store.location)
    import_postcodes(store, write(tmp_path / "nspl.csv", NSPL))
    at = AppTest.from_file(str(ROOT / "app_main.py"), default_timeout=120)
    at.session_state["role"] = "coordinator"
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    assert not at.exception and not at.warning  # a real store: the upload form, no demo offer
    captions = " ".join(c.value for c in at.caption)
    assert "Postcodes are located with **nspl\\.csv" in captions  # escaped: never markup
    assert "(3 postcodes, imported " in captions
    assert "Place names cannot be located yet: import a gazetteer first" in captions
    at.radio(key="import_what").set_value(
        "Postcode directory (ONSPD, NSPL or Code-Point Open)"
    ).run()
    assert "Kept now: **nspl\\.csv" in " ".join(c.value for c in at.caption)
