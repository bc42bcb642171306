"""Data quality on the Import page: the imports so far, and how records were located.

Two small files with known places go into a store with West and East wards; every count below
is worked out by hand from them. Admins see no records, so they get the import log's sums only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import AccessDenied
from geo.importing import import_records, quality
from geo.store import STORE_ENV
from tests.shapes import store_with_wards
from tests.signing import signed_in

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
PAGE = "app_pages/import_data.py"

#: Council outreach team, by latitude and longitude. Precision is the metres the last decimal
#: place spans (111,320 m a degree of latitude): 4 places 11.1 m, 2 places 1,113 m, 1 place
#: 11,132 m.
OUTREACH_CSV = (
    "Date,Latitude,Longitude,People\n"
    "04/11/2026,50.8226,-0.1372,1\n"  # the clock tower, East ward: within 100 m
    "04/11/2026,50.83,-0.15,2\n"  # Station Road, West ward: coarser than 1 km
    "04/11/2026,50.83,-0.15,2\n"  # the same row again: skipped as a duplicate
    "04/11/2026,51.5,-0.1,1\n"  # London, outside every ward: coarser than 1 km
    "05/11/2026,,,1\n"  # no location: rejected
)
#: St Mungo's, by grid reference (a square; precision is half its diagonal), in a shared system.
MUNGO_CSV = (
    "Date,Grid reference,People\n"
    "04/11/2026,TQ 3100 0500,1\n"  # 10 m square, West ward: 7.1 m, within 10 m
    "04/11/2026,TQ 310 050,1\n"  # 100 m square, West ward: 70.7 m, within 100 m
    "04/11/2026,TQ3105,1\n"  # 1 km square, East ward: 707 m, within 1 km
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, _write(tmp_path / "outreach.csv", OUTREACH_CSV), agency="Outreach")
    import_records(
        store, _write(tmp_path / "mungo.csv", MUNGO_CSV), agency="St Mungo's", ref_namespace="CHAIN"
    )
    return store


def _rows(table: pd.DataFrame) -> list[list[object]]:
    return table.astype(object).where(table.notna(), None).values.tolist()


# -- imports so far ---------------------------------------------------------------------------


def test_the_import_log_counts_each_file_newest_first(store):
    table = quality.import_log(store, role="coordinator")
    assert list(table.columns) == list(quality.LOG_COLUMNS)
    assert _rows(table.drop(columns="When")) == [
        ["Records", "mungo.csv", "St Mungo's", 3, 3, 0, 0, 0, "CHAIN"],
        ["Records", "outreach.csv", "Outreach", 5, 3, 1, 1, 1, None],
        ["Wards", "wards.geojson", None, 2, 2, 0, 0, None, None],
    ]
    assert table["When"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d").all()


def test_the_import_log_is_the_same_for_admins(store):
    pd.testing.assert_frame_equal(
        quality.import_log(store, role="admin"), quality.import_log(store, role="coordinator")
    )


def _log(*rows: tuple[str, str, str | None, str, dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["kind", "source", "agency", "imported_at", "accounting"]
    ).assign(batch_id="b", sha256="x")


def test_log_times_are_london_time_and_rows_add_up_when_imports_race():
    log = _log(
        # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time)
        ("records", "a.csv", "A", "2026-07-01T23:30:00+00:00", {"read": 5, "stored": 2,
         "skipped": 1, "rejected": 1, "outside_areas": 0, "ref_namespace": None}),
        # winter: London is UTC
        ("police", "p.csv", None, "2026-01-05T09:15:00+00:00", {"read": 4, "stored": 4,
         "skipped": 0, "rejected": 0, "outside_areas": 3}),
        ("areas", "lsoa.gpkg", None, "2026-01-05T09:00:00+00:00", {"read": 7, "stored": 7,
         "skipped": 0, "rejected": 0, "outside_areas": 0, "layer": "lsoa"}),
    )  # fmt: skip
    table = quality.log_table(log)
    assert _rows(table) == [
        ["2 Jul 2026, 00:30", "Records", "a.csv", "A", 5, 2, 2, 1, 0, None],
        ["5 Jan 2026, 09:15", "police.uk crime", "p.csv", None, 4, 4, 0, 0, 3, None],
        ["5 Jan 2026, 09:00", "Areas (lsoa)", "lsoa.gpkg", None, 7, 7, 0, 0, None, None],
    ]


def test_an_empty_log_is_an_empty_table_with_the_headings(tmp_path):
    from geo.store import open_store

    table = quality.import_log(open_store(tmp_path / "empty.sqlite"), role="admin")
    assert table.empty and list(table.columns) == list(quality.LOG_COLUMNS)


# -- how records were located -----------------------------------------------------------------


def test_coordinators_see_how_the_stored_records_were_located(store):
    located = quality.how_located(store, role="coordinator")
    assert located.basis == "records"
    assert list(located.table.columns) == [
        "Agency",
        "Records",
        "GPS",
        "Coordinates",
        "Grid reference",
        "Postcode",
        "Place name",
        "Within 10 m",
        "Within 100 m",
        "Within 1 km",
        "Coarser than 1 km",
        "Outside every ward",
    ]
    assert _rows(located.table) == [
        ["Outreach", 3, 0, 3, 0, 0, 0, 0, 1, 0, 2, 1],
        ["St Mungo's", 3, 0, 0, 3, 0, 0, 1, 1, 1, 0, 0],
        ["All agencies", 6, 0, 3, 3, 0, 0, 1, 2, 1, 2, 1],
    ]


def test_admins_are_refused_records_and_get_the_import_logs_sums(store):
    with pytest.raises(AccessDenied, match="does not see records"):
        store.records(role="admin", columns=["agency"])
    located = quality.how_located(store, role="admin")
    assert located.basis == "import_log"
    assert list(located.table.columns) == [
        "Agency",
        "Imports",
        "Rows located",
        "GPS",
        "Coordinates",
        "Grid reference",
        "Postcode",
        "Place name",
        "Outside every ward",
    ]
    # the outreach file stored 3 rows, all by coordinates (its duplicate is not counted)
    assert _rows(located.table) == [
        ["Outreach", 1, 3, 0, 3, 0, 0, 0, 1],
        ["St Mungo's", 1, 3, 0, 0, 3, 0, 0, 0],
        ["All agencies", 2, 6, 0, 3, 3, 0, 0, 1],
    ]


def test_an_empty_store_has_only_a_total_of_nothing(tmp_path):
    from geo.store import open_store

    empty = open_store(tmp_path / "empty.sqlite")
    for role in ("coordinator", "admin"):
        table = quality.how_located(empty, role=role).table
        assert table["Agency"].tolist() == ["All agencies"]
        assert (table.drop(columns="Agency") == 0).all().all()


@pytest.mark.parametrize("role", ["police", "councillor", None, "mayor"])
def test_roles_that_may_not_import_get_neither_table(store, role):
    with pytest.raises(AccessDenied):
        quality.import_log(store, role=role)
    with pytest.raises(AccessDenied):
        quality.how_located(store, role=role)


def test_one_files_rows_are_described_in_plain_words(store, tmp_path):
    report = import_records(
        store, _write(tmp_path / "again.csv", MUNGO_CSV + "04/11/2026,TQ3106,1\n"), agency="B"
    )
    assert report.located_by == {"grid_ref": 4}
    assert _rows(quality.file_located_by(report.located_by)) == [["Grid reference", 4]]
    assert _rows(quality.file_located_by({"place": 1, "gps": 2, "postcode": 0})) == [
        ["GPS", 2],
        ["Place name", 1],
    ]


# -- the page ---------------------------------------------------------------------------------


@pytest.fixture
def app_with_store(store, monkeypatch):
    """The app reading the hand-made store (it has records, so no demo is built)."""
    monkeypatch.setenv(STORE_ENV, store.location)
    return store


def _open(role: str, *, last_import: object = None) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=120), None, role)
    if last_import is not None:
        at.session_state["last_import"] = last_import
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_the_import_page_shows_the_log_and_how_records_were_located(app_with_store, role):
    at = _open(role)
    assert not at.error
    headings = [h.value for h in at.subheader]
    assert headings[-2:] == ["Imports so far", "How records were located"]
    log = _table(at, "When")
    expected_log = quality.import_log(app_with_store, role=role)
    assert _rows(log) == _rows(expected_log)
    located = _table(at, "Agency")
    expected = quality.how_located(app_with_store, role=role)
    assert _rows(located) == _rows(expected.table)
    assert list(located.columns) == list(expected.table.columns)
    shown = " ".join(c.value for c in at.caption)
    if role == "admin":
        assert "Within 10 m" not in located.columns  # no precision: the log does not hold it
        assert "sees no records" in shown
    else:
        assert "Every record in the store now" in shown


def test_after_an_import_the_page_says_how_that_files_rows_were_located(app_with_store, tmp_path):
    report = import_records(
        app_with_store,
        _write(tmp_path / "new.csv", MUNGO_CSV.replace("04/11", "06/11")),
        agency="B",
    )
    at = _open("coordinator", last_import=report)
    assert "**How this file's rows were located**" in [m.value for m in at.markdown]
    assert _rows(_table(at, "Located by")) == [["Grid reference", 3]]
