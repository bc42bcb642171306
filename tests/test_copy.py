"""Copying a whole store between backends (issue 16, section 1), and a URL store where a file
path was taken: the command line's default, the app's store, the base map's folder.

The store copied, by hand: West and East wards (tests/shapes.py); the Outreach team's CSV with
three sightings, each one person:

- Ann (client A1) at Station Road (West) at 23:10 on 10 November 2026: night of 10 Nov;
- Bob (B1) at the clock tower (East) at 01:30 on 11 November: night of 10 Nov too;
- Ann again at the clock tower (East) at 22:00 on 12 November: night of 12 Nov.

Then the registers: ana@council.example added as admin; police_see_nationality turned on
("DPIA 7"); Ann's two sightings unlinked; a cold-weather activation for 10-12 November; Ann's
first sighting's safeguarding item closed; a page view recorded. So the import log holds two
imports (wards, then records) and the audit log eight rows: two imports, user added, setting
changed, records unlinked, activation recorded, item closed, page viewed.

Over nights 10-12 November a coordinator's ward figures count two people in East (Bob on the
10th, Ann on the 12th, unlinked from her West sighting) and one in West: the copy must give
the same frame.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.cli import build_parser, main
from geo.errors import StoreError
from geo.importing import import_areas, import_records
from geo.importing.basemap import store_basemap_path
from geo.questions import area_summary
from geo.store import (
    FILES_ENV,
    STORE_ENV,
    Store,
    app_store_location,
    copying,
    default_store_location,
    demo_store_path,
    open_store,
)
from geo.store.copying import copy_store
from tests.shapes import CLOCK_TOWER, STATION_ROAD, ward_file

SIGHTINGS = [
    ("10/11/2026 23:10", STATION_ROAD, "A1"),
    ("11/11/2026 01:30", CLOCK_TOWER, "B1"),
    ("12/11/2026 22:00", CLOCK_TOWER, "A1"),
]
FIRST, LAST = date(2026, 11, 10), date(2026, 11, 12)
BACKENDS = ("sqlite", "postgis")


def write_csv(path: Path, rows: list[tuple[str, tuple[float, float], str]]) -> Path:
    lines = ["Date,Latitude,Longitude,Client ID"]
    lines += [f"{when},{lat},{lon},{ref}" for when, (lon, lat), ref in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fill(store: Store, folder: Path) -> Store:
    """The store of the module's description."""
    import_areas(store, ward_file(folder))
    import_records(store, write_csv(folder / "outreach.csv", SIGHTINGS), agency="Outreach")
    store.put_user("ana@council.example", role="admin")
    store.put_user("bo@council.example", role="coordinator", council="E06000001")
    store.share("E06000002", "E06000001", by="Ana", reason="DSA 2026-07")
    store.change_setting("police_see_nationality", True, reason="DPIA 7")
    ids = store.records(role="coordinator", columns=["record_id"])["record_id"].tolist()
    store.add_link_decision(record_a=ids[0], record_b=ids[2], action="unlink", by="Ana")
    store.add_activation(FIRST, LAST, by="Ana", note="frost")
    store.add_closure(key=f"record-{ids[0]}", by="Ana", reason="referred")
    store.record_event("page viewed", {"page": "overview"})
    return store


@pytest.fixture()
def open_new(request, tmp_path):
    """``open_new(backend, name)``: a new, empty store of that backend."""

    def make(backend: str, name: str) -> Store:
        if backend == "sqlite":
            return open_store(tmp_path / f"{name}.sqlite")
        return open_store(request.getfixturevalue("postgis_cluster").new_database())

    return make


@pytest.mark.parametrize(
    ("source_kind", "target_kind"), [(a, b) for a in BACKENDS for b in BACKENDS]
)
def test_a_copy_holds_everything_and_says_it_was_checked(
    open_new, tmp_path, source_kind, target_kind
):
    source = fill(open_new(source_kind, "source"), tmp_path)
    audit_before = source._audit_rows()
    target = open_new(target_kind, "target")

    report = copy_store(source, target)

    assert report.equal, report.differences
    assert report.counts == {
        "areas: ward": 2,
        "records": 3,
        "services": 0,
        "police": 0,
        "imports": 2,
        "link decisions": 1,
        "activations": 1,
        "closures": 1,
        "users": 2,
        "sharing agreements": 1,
        "settings": 1,
        "audit": 10,
    }
    assert report.sentence() == (
        "Copied 3 records, 2 wards, 0 services, 0 police.uk incidents, 0 postcodes, 2 users,"
        f" 2 imports, 10 audit log rows from {source.location} to {target.location};"
        " counts and ward figures checked equal."
    )
    coordinator = {"role": "coordinator"}
    assert target.records(**coordinator).equals(source.records(**coordinator))
    assert target.imports().equals(source.imports())  # the same batches, order and accounting
    for register in ("link_decisions", "activations", "closures", "users", "sharing"):
        assert getattr(target, register)().equals(getattr(source, register)()), register
    assert target.settings() == source.settings()
    # the audit log: the source's rows with their original times, then one saying so
    log = target._audit_rows()
    copied = log.iloc[-11:-1].drop(columns="seq").reset_index(drop=True)
    assert copied.equals(audit_before.drop(columns="seq"))
    assert log.iloc[-1]["action"] == "store copied"
    assert source._audit_rows().iloc[-1]["action"] == "store copied out"
    # the ward figures by hand: East 2 (Bob, Ann unlinked), West 1
    figures = area_summary(target, role="coordinator", period="range", start=FIRST, end=LAST)
    assert dict(zip(figures.areas["area_name"], figures.areas["people"], strict=True)) == {
        "West": 1,
        "East": 2,
    }


@pytest.mark.parametrize("target_kind", BACKENDS)
def test_the_key_comes_too_so_a_later_import_finds_the_same_people(open_new, tmp_path, target_kind):
    source = fill(open_new("sqlite", "source"), tmp_path)
    target = open_new(target_kind, "target")
    copy_store(source, target)
    assert target.secret_key() == source.secret_key()
    later = write_csv(tmp_path / "later.csv", [("20/11/2026 23:00", CLOCK_TOWER, "A1")])
    for store in (source, target):
        import_records(store, later, agency="Outreach")
    refs = [s.records(role="coordinator")["person_ref"].tolist() for s in (source, target)]
    assert refs[0] == refs[1]
    assert refs[1][3] == refs[1][0]  # Ann after the copy is Ann before it


@pytest.mark.parametrize("target_kind", BACKENDS)
def test_a_target_that_is_not_empty_is_refused(open_new, tmp_path, target_kind):
    source = fill(open_new("sqlite", "source"), tmp_path)
    target = open_new(target_kind, "target")
    target.put_user("bo@council.example", role="admin")
    with pytest.raises(StoreError, match=r"is not empty: it holds users \(1\)\. A copy goes"):
        copy_store(source, target)
    assert len(target.records(role="coordinator")) == 0


def test_a_store_is_not_copied_onto_itself(tmp_path):
    store = open_store(tmp_path / "a.sqlite")
    with pytest.raises(StoreError, match="is both the source and the target"):
        copy_store(store, open_store(tmp_path / "a.sqlite"))


def test_a_copy_that_loses_a_row_says_what_differs(open_new, tmp_path, monkeypatch):
    source = fill(open_new("sqlite", "source"), tmp_path)
    target = open_new("sqlite", "target")
    add = target.add
    # a broken backend: the last row of every import is lost
    monkeypatch.setattr(
        target, "add", lambda table, rows, *, batch: add(table, rows.iloc[:-1], batch=batch)
    )
    report = copy_store(source, target)
    assert not report.equal
    assert report.differences[0] == "records: 3 in the source, 2 in the copy"
    assert "the ward figures differ" in report.differences
    assert report.sentence().endswith(
        "but the copy differs: " + "; ".join(report.differences) + "."
    )


def test_the_copy_command_both_ways_and_a_difference_exits_non_zero(
    postgis_url, tmp_path, capsys, monkeypatch
):
    source = fill(open_store(tmp_path / "a.sqlite"), tmp_path)
    assert main(["copy", source.location, postgis_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Copied 3 records, 2 wards,")
    assert out.endswith("; counts and ward figures checked equal.\n")
    assert main(["copy", postgis_url, str(tmp_path / "b.sqlite"), "--json"]) == 0
    assert '"equal": true' in capsys.readouterr().out
    assert main(["copy", source.location, postgis_url]) == 2
    assert "is not empty" in capsys.readouterr().err
    monkeypatch.setattr(copying, "_differences", lambda *_: ["the ward figures differ"])
    assert main(["copy", source.location, str(tmp_path / "c.sqlite")]) == 1
    assert "but the copy differs: the ward figures differ." in capsys.readouterr().out


# -- a URL wherever a store path was taken ---------------------------------------------------
def test_a_url_in_the_environment_is_the_command_lines_store(postgis_url, monkeypatch, capsys):
    # "postgresql://postgres@127.0.0.1:PORT/db" kept whole (a Path folds the //)
    monkeypatch.setenv(STORE_ENV, postgis_url)
    assert default_store_location() == postgis_url
    assert build_parser().parse_args(["status"]).store == postgis_url
    assert main(["status"]) == 0
    assert capsys.readouterr().out.startswith(f"{postgis_url}: areas 0, records 0")


def test_the_app_opens_a_url_as_given_and_a_file_or_the_demo_otherwise(tmp_path, monkeypatch):
    url = "postgresql://atlas@db.example:5432/county"
    monkeypatch.setenv(STORE_ENV, url)
    assert app_store_location() == url
    real = tmp_path / "atlas.sqlite"
    monkeypatch.setenv(STORE_ENV, str(real))
    assert app_store_location() == str(demo_store_path(real))  # not begun: the demo's
    open_store(real)
    assert app_store_location() == str(real)


def test_a_url_stores_base_map_goes_in_the_files_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(FILES_ENV, raising=False)
    url = "postgresql://atlas@db.example:5432/county"
    assert store_basemap_path(url) == Path("var") / "db.example-5432-county-basemap.mbtiles"
    monkeypatch.setenv(FILES_ENV, str(tmp_path))
    assert store_basemap_path(url) == tmp_path / "db.example-5432-county-basemap.mbtiles"
    assert store_basemap_path("var/a.sqlite") == Path("var") / "a-basemap.mbtiles"


def test_the_demo_loads_into_postgis_with_its_base_map(postgis_url, tmp_path, monkeypatch):
    monkeypatch.setenv(FILES_ENV, str(tmp_path / "files"))
    from geo.demo import load_demo

    store = open_store(postgis_url)
    result = load_demo(store, directory=tmp_path / "demo")
    made = Path(result["basemap"]["path"])
    assert made == store_basemap_path(store.location)
    assert made.parent == tmp_path / "files" and made.is_file()
    assert len(store.areas(layer="ward")) == 20
