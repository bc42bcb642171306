"""The one import pipeline: files whose structure fails every row, data frames as a way in,
shared reference namespaces, and the structured report. Answers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import InputFileError
from geo.importing import import_records, import_services
from tests.shapes import CENTRAL_WARD, CLOCK_TOWER, STATION_ROAD, store_with_wards


@pytest.fixture
def store(tmp_path):
    return store_with_wards(tmp_path, names={"E05000001": "Central"}, shapes=(CENTRAL_WARD,))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- a file whose columns make every row fail is an error, and nothing is stored --------------


def test_a_file_with_no_location_column_is_refused_and_nothing_is_stored(store, tmp_path):
    path = write(tmp_path / "count.csv", "Date,People,Notes\n04/11/2026,1,doorway\n")
    with pytest.raises(InputFileError, match=r"^count\.csv: cannot locate any row: no column"):
        import_records(store, path, agency="Council outreach team")
    assert store.counts()["records"] == 0
    assert len(store.imports()) == 1  # the ward import only: no batch was logged


def test_half_a_coordinate_pair_is_named(store, tmp_path):
    path = write(tmp_path / "count.csv", "Date,Latitude,People\n04/11/2026,50.82,1\n")
    with pytest.raises(
        InputFileError, match="'Latitude' gives lat but no column gives lon. A row needs one of"
    ):
        import_records(store, path, agency="Council outreach team")


def test_the_command_line_exits_2_with_one_line_naming_the_file(store, tmp_path, capsys):
    path = write(tmp_path / "count.csv", "Date,People\n04/11/2026,1\n05/11/2026,2\n")
    status = main(["import", "records", str(path), "--agency", "A", "--store", store.location])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: count.csv: cannot locate any row") and err.count("\n") == 1
    assert store.counts()["records"] == 0


def test_services_with_no_location_column_are_refused_too(store, tmp_path):
    path = write(tmp_path / "services.csv", "Name,Type\nSt Anne's,day centre\n")
    with pytest.raises(InputFileError, match="services.csv: cannot locate any row"):
        import_services(store, path)


def test_rows_that_fail_one_by_one_are_still_an_import_with_rejects(store, tmp_path):
    text = "Date,Latitude,Longitude\n31/02/2026,50.82,-0.13\n04/11/2026,,\n"
    report = import_records(store, write(tmp_path / "c.csv", text), agency="A")
    assert (report.read, report.stored, report.rejected) == (2, 0, 2)
    assert report.rejected_by_reason == {
        "Date: not a date in a format understood": 1,
        "no location given": 1,
    }


# -- a data frame is another way in, with the same accounting ---------------------------------


def sightings_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Seen at": ["2026-11-04 23:40", "2026-11-05 01:10", "2026-11-05 01:10", "not a date"],
            "Latitude": [CLOCK_TOWER[1], STATION_ROAD[1], STATION_ROAD[1], 50.83],
            "Longitude": [CLOCK_TOWER[0], STATION_ROAD[0], STATION_ROAD[0], np.nan],
            "People": [2, 1, 1, 1],
            "Where": ["doorway on Station Road", None, None, "bench"],
        }
    )


def test_a_data_frame_is_imported_with_the_same_accounting(store):
    frame = sightings_frame()
    report = import_records(store, frame, agency="Sighting form")
    # row 3 repeats row 2; row 4 has no date the parser reads
    assert (report.read, report.stored, report.skipped, report.rejected) == (4, 2, 1, 1)
    assert report.source == "form" and report.encoding == "data frame"
    assert report.rejects["row"].tolist() == [4]
    assert frame.equals(sightings_frame())  # the caller's frame is not changed
    stored = store.records(role="coordinator").sort_values("observed_at")
    assert stored["people"].tolist() == [2, 1]
    assert stored["location_text"].iloc[0] == "doorway on Station Road"
    assert pd.isna(stored["location_text"].iloc[1])
    assert stored["night"].tolist() == [pd.Timestamp("2026-11-04")] * 2  # 01:10 is the 4th's
    again = import_records(store, frame, agency="Sighting form")
    assert (again.stored, again.skipped_by_reason) == (
        0,
        {"repeats an earlier row of the file": 1, "already in the store": 2},
    )


def test_a_data_frame_with_real_timestamps_is_read_as_local_time(store):
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-11-04 23:40"]),
            "Lat": [50.8226],
            "Long": [-0.1372],
        }
    )
    report = import_records(store, frame, agency="API", source="api call 7")
    assert (report.source, report.stored) == ("api call 7", 1)
    observed = store.records(role="coordinator")["observed_at"].iloc[0]
    assert observed == pd.Timestamp("2026-11-04 23:40", tz="Europe/London")


# -- shared reference namespaces ----------------------------------------------------------------

COUNT = "Date,Latitude,Longitude,{ref}\n04/11/2026 23:40,50.8226,-0.1372,P1\n"


def refs(store) -> dict[str, str]:
    records = store.records(role="coordinator")
    return dict(zip(records["agency"], records["person_ref"], strict=True))


def test_each_agency_has_its_own_references_unless_they_share_a_namespace(store, tmp_path):
    for agency in ("Council", "Charity"):
        path = write(tmp_path / f"{agency}.csv", COUNT.format(ref="Client ref"))
        import_records(store, path, agency=agency)
    own = refs(store)
    assert own["Council"] != own["Charity"]  # agency-scoped: P1 and P1 are two people


def test_references_in_one_namespace_are_one_person(store, tmp_path):
    for agency in ("Council", "Charity"):
        path = write(tmp_path / f"{agency}.csv", COUNT.format(ref="Client ref"))
        report = import_records(store, path, agency=agency, ref_namespace="Saltmarsh by-name list")
        assert report.ref_namespace == "Saltmarsh by-name list"
    shared = refs(store)
    assert shared["Council"] == shared["Charity"]
    logged = [row.get("ref_namespace") for row in store.imports()["accounting"]]
    assert logged.count("Saltmarsh by-name list") == 2  # the batch says which namespace


def test_a_chain_column_is_in_the_chain_namespace(store, tmp_path):
    path = write(tmp_path / "council.csv", COUNT.format(ref="CHAIN ID"))
    assert import_records(store, path, agency="Council").ref_namespace == "CHAIN"
    path = write(tmp_path / "charity.csv", COUNT.format(ref="Client ref"))
    assert import_records(store, path, agency="Charity", ref_namespace="chain").ref_namespace == (
        "CHAIN"
    )
    chain = refs(store)
    assert chain["Council"] == chain["Charity"]


def test_namespaces_do_not_mix(store, tmp_path):
    import_records(
        store,
        write(tmp_path / "a.csv", COUNT.format(ref="Client ref")),
        agency="A",
        ref_namespace="X",
    )
    import_records(
        store,
        write(tmp_path / "b.csv", COUNT.format(ref="Client ref")),
        agency="B",
        ref_namespace="Y",
    )
    mixed = refs(store)
    assert mixed["A"] != mixed["B"]


def test_a_namespace_name_is_checked(store, tmp_path):
    path = write(tmp_path / "a.csv", COUNT.format(ref="Client ref"))
    with pytest.raises(InputFileError, match="reference namespace '<b>x'"):
        import_records(store, path, agency="A", ref_namespace="<b>x")


def test_the_command_line_takes_a_namespace(store, tmp_path, capsys):
    for agency in ("Council", "Charity"):
        path = write(tmp_path / f"{agency}.csv", COUNT.format(ref="Client ref"))
        argv = ["import", "records", str(path), "--agency", agency, "--store", store.location]
        assert main([*argv, "--ref-namespace", "Partnership list"]) == 0
    shared = refs(store)
    assert shared["Council"] == shared["Charity"]
    assert "references from the shared system 'Partnership list'" in capsys.readouterr().out


# -- the report is structured: pages and the CLI never search its text --------------------------


def test_the_report_says_why_each_column_was_not_stored_with_codes(store, tmp_path):
    text = (
        "Date,Latitude,Longitude,Full Name,Colour,Interpreter needed\n"
        "04/11/2026,50.8226,-0.1372,John Smith,blue,maybe\n"
    )
    report = import_records(store, write(tmp_path / "c.csv", text), agency="A")
    notes = report.columns_not_stored
    assert (notes["Full Name"].reason, notes["Colour"].reason) == ("personal", "unused")
    assert report.personal_columns == ["Full Name"]
    assert [(w.code, w.column) for w in report.warnings] == [("not_yes_no", "Interpreter needed")]
    as_dict = report.to_dict()
    assert as_dict["columns_not_stored"]["Full Name"]["reason"] == "personal"
    assert as_dict["warnings"][0]["code"] == "not_yes_no"
    assert "John Smith" not in str(as_dict)
