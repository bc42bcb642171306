"""The sighting form: the one-row frame it builds and its own checks, the same pipeline as a
file (a repeat is a duplicate), and the page through AppTest. Answers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import AccessDenied, InputFileError
from geo.importing import import_postcodes, import_records
from geo.importing.sighting import (
    FORM_SOURCE,
    KIND_WORDS,
    Place,
    Sighting,
    check_can_record,
    locate_place,
    record_sighting,
    sighting_frame,
    site_choices,
)
from geo.io.columns import RECORD_FIELDS, map_columns
from geo.schema import RECORD_KINDS
from geo.store import STORE_ENV, open_store
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards
from ui.pages import pages_for
from ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
WARDS = {"E05000001": "Station", "E05000002": "Seafront"}
#: STATION_ROAD (-0.15, 50.83) is E 530383, N 105015 on the British National Grid: the 10 m
#: square TQ 3038 0501 (centre E 530385, N 105015) holds it, in Station (the west) ward.
STATION_ROAD_GRID_REF = "TQ 3038 0501"
#: 23:40 on 22 November, and 01:30 the morning after: both the night of the 22nd.
EVENING = datetime(2026, 11, 22, 23, 40)
AFTER_MIDNIGHT = datetime(2026, 11, 23, 1, 30)
NOW = datetime(2026, 12, 7, 9, 0)
AGENCY = "Council outreach team"


@pytest.fixture
def store(tmp_path):
    return store_with_wards(tmp_path, names=WARDS)


def sighting(**changes: object) -> Sighting:
    values: dict[str, object] = {
        "place": Place.typed(STATION_ROAD_GRID_REF),
        "observed": EVENING,
        "agency": AGENCY,
        "people": 2,
        "location_text": "doorway on Station Road",
    }
    return Sighting(**{**values, **changes})  # type: ignore[arg-type]


# -- the frame: the columns a file would have ----------------------------------------------------


def test_a_grid_reference_becomes_a_grid_reference_column():
    frame = sighting_frame(sighting(nrpf="yes"), now=NOW)
    assert frame.to_dict("records") == [
        {
            "Date": "22/11/2026",
            "Time": "23:40",
            "Grid reference": "TQ 3038 0501",
            "Location": "doorway on Station Road",
            "People": "2",
            "Interpreter needed": "not known",
            "Language": "",
            "NRPF": "yes",
            "Trafficking concern": "not known",
            "Under 18": "not known",
            "Notes": "",
        }
    ]


def test_a_tapped_point_becomes_latitude_and_longitude_to_about_a_metre():
    frame = sighting_frame(sighting(place=Place.tapped(-0.1500004, 50.8300049)), now=NOW)
    assert (frame["Latitude"].iloc[0], frame["Longitude"].iloc[0]) == ("50.83000", "-0.15000")
    assert "Grid reference" not in frame.columns


def test_typed_latitude_longitude_is_read_as_a_pair():
    frame = sighting_frame(sighting(place=Place.typed(" 50.8226, -0.1372 ")), now=NOW)
    assert (frame["Latitude"].iloc[0], frame["Longitude"].iloc[0]) == ("50.8226", "-0.1372")


def test_a_known_site_gives_its_point_and_its_name_when_nothing_is_typed():
    site = Place.site("Clock tower steps", *CLOCK_TOWER)
    frame = sighting_frame(sighting(place=site, location_text=""), now=NOW)
    assert frame[["Latitude", "Longitude", "Location"]].iloc[0].tolist() == [
        "50.82260",
        "-0.13720",
        "Clock tower steps",
    ]
    typed = sighting_frame(sighting(place=site, location_text="bench by the tower"), now=NOW)
    assert typed["Location"].iloc[0] == "bench by the tower"


def test_known_places_are_offered_by_what_people_call_them():
    sites = pd.DataFrame(
        {
            "place_name": [
                "Station underpass",
                "a place in Seafront ward",
                "Bus shelter",
                "Bus shelter",
            ],  # fmt: skip
            "ward_name": ["Station", "Seafront", "Station", "Station"],
            "lon": [-0.15, -0.1372, -0.151, -0.152],
            "lat": [50.83, 50.8226, 50.831, 50.832],
        }
    )
    choices = site_choices(sites)
    assert list(choices) == [
        "Station underpass, Station ward",
        "a place in Seafront ward",
        "Bus shelter, Station ward",
        "Bus shelter, Station ward (2)",
    ]
    assert choices["Bus shelter, Station ward (2)"] == Place.site("Bus shelter", -0.152, 50.832)


def test_every_column_is_a_field_a_file_has_and_none_identifies_a_person():
    frame = sighting_frame(sighting(place=Place.typed("50.83, -0.15")), now=NOW)
    mapping = map_columns(list(frame.columns), RECORD_FIELDS, source="form", personal=True)
    assert (mapping.sensitive, tuple(mapping.unused)) == ({}, ())
    assert set(mapping.fields) == {
        "date", "time", "lat", "lon", "location_text", "people", "interpreter_needed",
        "language", "nrpf", "trafficking_concern", "under_18", "notes",
    }  # fmt: skip


def test_every_record_kind_has_words_on_the_form():
    assert tuple(KIND_WORDS) == RECORD_KINDS


# -- the form's own checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agency": "  "}, "^Agency: say which agency"),
        ({"people": -1}, r"^People: -1 is not from 0 to 500"),
        ({"people": 501}, r"^People: 501 is not from 0 to 500"),
        ({"people": 1.5}, r"^People: 1\.5 is not a whole number"),
        ({"kind": "visit", "people": 2}, "^People: a visit records that no one was found"),
        ({"kind": "patrol"}, "^Kind: 'patrol' is not one of Street count"),
        ({"nrpf": "maybe"}, "^Nrpf: 'maybe' is not one of not known, yes, no"),
        ({"observed": datetime(2026, 12, 7, 9, 30)}, r"^Date and time: 07/12/2026 09:30 is in"),
        ({"place": Place("map")}, "^Place: no point yet; tap the map"),
        ({"place": Place("site")}, "^Place: choose a known place"),
        ({"place": Place.typed("")}, "^Place: type an OS grid reference"),
        ({"place": Place.postcode(" ")}, "^Place: type a postcode"),
    ],
)
def test_the_form_refuses_what_it_cannot_store_and_names_the_box(changes, message):
    with pytest.raises(InputFileError, match=message):
        sighting_frame(sighting(**changes), now=NOW)


def test_a_few_minutes_ahead_of_the_clock_is_allowed():
    sighting_frame(sighting(observed=datetime(2026, 12, 7, 9, 10)), now=NOW)


def test_a_night_after_midnight_belongs_to_the_evening_before():
    assert sighting(observed=AFTER_MIDNIGHT).night == date(2026, 11, 22)
    assert sighting(observed=EVENING).night == date(2026, 11, 22)
    assert sighting(observed=datetime(2026, 11, 23, 12, 0)).night == date(2026, 11, 23)


def test_only_coordinators_may_record():
    check_can_record("coordinator")
    for role in ("police", "councillor", "admin"):
        with pytest.raises(AccessDenied, match=f"the {role} role cannot record sightings"):
            check_can_record(role)
    with pytest.raises(AccessDenied, match="no role given"):
        check_can_record(None)  # type: ignore[arg-type]


# -- locating before storing: what the page shows under the map ----------------------------------


def test_a_place_is_located_and_its_ward_named(store):
    wards = store.areas(layer="ward")
    found = locate_place(Place.typed(STATION_ROAD_GRID_REF), wards=wards)
    assert (round(found.lon, 4), round(found.lat, 4), found.ward_name) == (-0.15, 50.83, "Station")
    assert found.precision_m == pytest.approx(7.07, abs=0.01)  # half a 10 m square's diagonal
    assert locate_place(Place.tapped(*CLOCK_TOWER), wards=wards).ward_name == "Seafront"
    assert locate_place(Place.tapped(-0.30, 50.83), wards=wards).ward_name is None


def test_a_place_that_cannot_be_located_says_why():
    with pytest.raises(InputFileError, match=r"^Grid reference: 'TQ 303' is not a valid OS grid"):
        locate_place(Place.typed("TQ 303"))
    with pytest.raises(InputFileError, match="^Postcode: the store has no postcode directory"):
        locate_place(Place.postcode("BN1 1AA"))


# -- storing: the import pipeline, its accounting and its duplicate rule -------------------------


def test_a_sighting_is_stored_once_and_again_is_a_duplicate(store):
    first = record_sighting(store, sighting(observed=AFTER_MIDNIGHT), role="coordinator", now=NOW)
    assert first.status == "stored"
    assert first.message == (
        "Stored: 2 people at doorway on Station Road, Station ward, night of 22 Nov 2026."
    )
    report = first.report
    assert (report.read, report.stored, report.skipped, report.rejected) == (1, 1, 0, 0)
    assert report.source == FORM_SOURCE
    log = store.imports().set_index("batch_id")
    assert log.loc[report.batch_id, "source"] == FORM_SOURCE  # logged like a file's import
    records = store.records(role="coordinator")
    assert len(records) == 1
    row = records.iloc[0]
    assert (row["kind"], row["agency"], row["people"], row["location_source"]) == (
        "street_count",
        AGENCY,
        2,
        "grid_ref",
    )
    assert row["area_code"] == "E05000001"
    assert row["night"] == pd.Timestamp("2026-11-22")
    assert row["observed_at"] == pd.Timestamp("2026-11-23 01:30", tz="Europe/London")

    again = record_sighting(store, sighting(observed=AFTER_MIDNIGHT), role="coordinator", now=NOW)
    assert again.status == "duplicate"
    assert "already in the store" in again.message
    assert (again.report.read, again.report.stored, again.report.skipped) == (1, 0, 1)
    assert len(store.records(role="coordinator")) == 1


def test_needs_are_stored_as_flags(store):
    needs = sighting(interpreter_needed="yes", language="Polish", nrpf="yes", under_18="no")
    record_sighting(store, needs, role="coordinator", now=NOW)
    row = store.records(role="coordinator").iloc[0]
    assert (row["interpreter_needed"], row["language"], row["nrpf"], row["under_18"]) == (
        1,
        "Polish",
        1,
        0,
    )
    assert pd.isna(row["trafficking_concern"])  # "not known" is not "no"


def test_no_one_found_is_a_visit(store):
    visit = record_sighting(store, sighting(people=0), role="coordinator", now=NOW)
    assert visit.message.startswith("Stored: a visit that found no one at doorway on Station")
    row = store.records(role="coordinator").iloc[0]
    assert (row["kind"], row["people"]) == ("visit", 0)


def test_a_tapped_point_outside_every_ward_is_stored_and_says_so(store):
    outside = sighting(place=Place.tapped(-0.30, 50.83), location_text="", people=1)
    result = record_sighting(store, outside, role="coordinator", now=NOW)
    assert result.message == (
        "Stored: 1 person at the point tapped on the map, outside every ward, night of 22 Nov 2026."
    )
    assert result.report.outside_areas == 1


def test_a_row_the_pipeline_rejects_comes_back_in_plain_words(store):
    result = record_sighting(store, sighting(place=Place.typed("TQ 303")), role="coordinator")
    assert result.status == "rejected"
    assert result.message == (
        "Not stored: Grid reference: 'TQ 303' is not a valid OS grid reference"
        " (an odd number of digits)."
    )
    assert store.counts()["records"] == 0


def test_a_role_that_may_not_record_stores_nothing(store):
    with pytest.raises(AccessDenied):
        record_sighting(store, sighting(), role="police", now=NOW)
    assert store.counts()["records"] == 0


# -- the store's postcode directory -------------------------------------------------------------


def keep_postcodes(store, folder: Path) -> None:
    """Keep a one-postcode directory in ``store``: BN1 1AA at Station Road."""
    path = folder / "postcodes.csv"
    path.write_text(f"postcode,lat,long\nBN1 1AA,{STATION_ROAD[1]},{STATION_ROAD[0]}\n")
    import_postcodes(store, path)


def test_a_postcode_needs_the_store_to_keep_a_directory(store):
    with pytest.raises(InputFileError, match="^Postcode: the store has no postcode directory"):
        record_sighting(store, sighting(place=Place.postcode("BN1 1AA")), role="coordinator")
    assert store.counts()["records"] == 0


def test_a_postcode_is_located_in_the_stores_directory(store, tmp_path):
    keep_postcodes(store, tmp_path)
    result = record_sighting(
        store,
        sighting(place=Place.postcode("bn11aa"), location_text=""),
        role="coordinator",
        now=NOW,
    )
    assert result.message == "Stored: 2 people at bn11aa, Station ward, night of 22 Nov 2026."
    assert store.records(role="coordinator")["location_source"].tolist() == ["postcode"]


# -- the page ----------------------------------------------------------------------------------


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """A store of two wards (no demo) that the app opens."""
    store = store_with_wards(tmp_path, names=WARDS)
    monkeypatch.setenv(STORE_ENV, store.location)
    return store


def open_form(role: str = "coordinator", *, agency: str | None = AGENCY) -> AppTest:
    """The form as ``role``, with ``agency`` set in the session (as sign-in will set it).

    (AppTest cannot type a new option into a select box; the browser test types one.)
    """
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["role"] = role
    if agency is not None:
        at.session_state["agency"] = agency
    at.run()
    at.switch_page("app_pages/sighting.py").run()
    assert not at.exception, at.exception
    return at


def fill_in(at: AppTest) -> AppTest:
    at.radio(key="sighting_how").set_value("Grid reference or lat, long").run()
    at.text_input(key="sighting_typed").input(STATION_ROAD_GRID_REF).run()
    assert "Station ward" in at.caption[0].value  # the point is shown before it is stored
    at.text_input(key="sighting_called").input("doorway on Station Road")
    at.date_input(key="sighting_date").set_value(date(2026, 11, 23))
    at.time_input(key="sighting_time").set_value(time(1, 30))
    at.number_input(key="sighting_people").set_value(2)
    assert at.selectbox(key="sighting_agency").value == AGENCY  # the session's agency
    at.radio(key="sighting_interpreter").set_value("yes")
    at.text_input(key="sighting_language").input("Polish")
    return at


def test_the_form_records_a_sighting_once_and_a_repeat_is_a_duplicate(app_store):
    at = fill_in(open_form())
    at.button(key="sighting_submit").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [
        plain("Stored: 2 people at doorway on Station Road, Station ward, night of 22 Nov 2026.")
    ]
    stored = open_store(app_store.location).records(role="coordinator")
    assert len(stored) == 1
    assert (stored["people"].iloc[0], stored["language"].iloc[0]) == (2, "Polish")
    assert stored["night"].iloc[0] == pd.Timestamp("2026-11-22")

    at.button(key="sighting_submit").click().run()
    assert not at.exception and not at.success
    assert "already in the store" in at.info[0].value
    assert len(open_store(app_store.location).records(role="coordinator")) == 1


def test_the_form_says_what_is_missing_and_stores_nothing(app_store):
    at = open_form()
    at.button(key="sighting_submit").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(plain("Place: no point yet; tap the map"))
    assert open_store(app_store.location).counts()["records"] == 0


def test_without_an_agency_nothing_is_stored(app_store):
    at = open_form(agency=None)
    assert at.selectbox(key="sighting_agency").value is None
    at.radio(key="sighting_how").set_value("Grid reference or lat, long").run()
    at.text_input(key="sighting_typed").input(STATION_ROAD_GRID_REF).run()
    at.button(key="sighting_submit").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(plain("Agency: say which agency"))
    assert open_store(app_store.location).counts()["records"] == 0


def test_a_known_place_is_offered_by_name_and_used(app_store):
    at = open_form()
    at.radio(key="sighting_how").set_value("Known place").run()
    assert "No persistent sites yet" in at.info[0].value  # two wards, no records

    nights = pd.DataFrame(
        {
            "Date": ["20/11/2026 23:00", "21/11/2026 23:00", "22/11/2026 23:00"],
            "Latitude": [CLOCK_TOWER[1]] * 3,
            "Longitude": [CLOCK_TOWER[0]] * 3,
            "Location": ["Clock tower steps"] * 3,
        }
    )
    import_records(app_store, nights, agency=AGENCY)
    at = open_form()
    at.radio(key="sighting_how").set_value("Known place").run()
    known = at.selectbox(key="sighting_site")
    assert known.options == ["Clock tower steps, Seafront ward"]  # shown by name and ward
    known.select_index(0).run()
    at.date_input(key="sighting_date").set_value(date(2026, 11, 23))
    at.time_input(key="sighting_time").set_value(time(22, 15))
    at.button(key="sighting_submit").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith(
        plain("Stored: 1 person at Clock tower steps, Seafront ward")
    )
    assert len(open_store(app_store.location).records(role="coordinator")) == 4


def test_no_postcode_box_without_a_directory_and_one_with(app_store, tmp_path):
    assert "Postcode" not in open_form().radio(key="sighting_how").options
    keep_postcodes(app_store, tmp_path)
    assert "Postcode" in open_form().radio(key="sighting_how").options


@pytest.mark.parametrize("role", ["police", "councillor", "admin"])
def test_other_roles_cannot_reach_the_form(app_store, role):
    assert "Record a sighting" not in [spec.title for spec in pages_for(role)]
    # and the page refuses them itself, should it ever be reached
    at = AppTest.from_file(str(ROOT / "app_pages" / "sighting.py"), default_timeout=60)
    at.session_state["role"] = role
    at.run()
    assert not at.exception
    assert "cannot record sightings" in at.info[0].value
    assert not at.text_input and not at.button
