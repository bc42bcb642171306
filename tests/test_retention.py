"""Retention, subject access and erasure (issue 15, "Retention and the people's rights"), each
answer worked out by hand.

Today is 28 November 2026; with 24 months the first night kept is 28 November 2024. Outreach's
first file (client refs, its own scope), in West (Station Road) and East (Clock Tower) wards:

- C1, 27/11/2024 23:00, West: the night of 27 Nov 2024, the last before the cut -> purged;
- C1, 29/11/2024 01:30, West: after midnight, so the night of 28 Nov 2024, the cut -> kept;
- C2, 01/06/2024 23:00, East, notes "PURGEME-7731": the night of 1 Jun 2024 -> purged;
- C2, 10/11/2026 22:00, East: kept.

So a purge deletes 2 records of 4. A link decision between the 27 Nov and 28 Nov records names
a purged record (deleted); one between the two kept records stays. A closed safeguarding item
"record-<the 27 Nov id>" goes with its record; "person-<C1's hash>" stays, since C1 is still
seen on the 28th. Counts: records 2, link decisions 1, closed items 1.

Subject access to Outreach's C1 after a second file (C1 again, 12/11/2026, notes
"=HYPERLINK(...)") finds 3 records across the two files; the Council's own "C1" (another
person: another agency's scope) is not among them. Two agencies that both import CHAIN refs
"A9" are one person: access with the CHAIN namespace finds both records.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_areas, import_records
from geo.privacy import rights
from geo.privacy import users as people
from geo.store import sqlite as store_module
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards, ward_file

TODAY = date(2026, 11, 28)
CUT = date(2024, 11, 28)
WEST, EAST = STATION_ROAD, CLOCK_TOWER
HYPERLINK = '=HYPERLINK("http://evil.example","click")'

OUTREACH = [  # date and time, place, client ref, notes
    ("27/11/2024 23:00", WEST, "C1", ""),
    ("29/11/2024 01:30", WEST, "C1", ""),
    ("01/06/2024 23:00", EAST, "C2", "PURGEME-7731"),
    ("10/11/2026 22:00", EAST, "C2", ""),
]
OUTREACH_LATER = [("12/11/2026 23:15", EAST, "C1", HYPERLINK)]
COUNCIL = [("13/11/2026 23:20", WEST, "C1", "")]


def write_csv(path: Path, rows: list, *, ref: str = "Client ref") -> Path:
    """Records as an agency's CSV (a "Client ref" column is the agency's own references)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Date", "Latitude", "Longitude", ref, "Notes"])
        out.writerows([when, lat, lon, person, notes] for when, (lon, lat), person, notes in rows)
    return path


@pytest.fixture()
def store(store_at, tmp_path):
    """Outreach's first file, in a store of each kind (embedded and PostGIS)."""
    store = store_at("atlas")
    import_areas(store, ward_file(tmp_path))
    import_records(store, write_csv(tmp_path / "outreach.csv", OUTREACH), agency="Outreach")
    return store


def records(store) -> pd.DataFrame:
    return store.records(role="coordinator")


def record_on(store, night: str) -> str:
    frame = records(store)
    (found,) = frame.loc[frame["night"] == pd.Timestamp(night), "record_id"]
    return found


def last_audit(store) -> tuple[str, dict]:
    row = people.audit_log(store, role="admin").iloc[-1]
    return row["action"], json.loads(row["detail"])


def decide_and_close(store) -> None:
    """The link decisions and closed items of the module docstring."""
    purged, kept = record_on(store, "2024-11-27"), record_on(store, "2024-11-28")
    store.add_link_decision(record_a=purged, record_b=kept, action="unlink", by="sam")
    store.add_link_decision(
        record_a=kept, record_b=record_on(store, "2026-11-10"), action="unlink", by="sam"
    )
    c1 = records(store).set_index("record_id").loc[kept, "person_ref"]
    store.add_closure(key=f"record-{purged}", by="sam", reason="referred")
    store.add_closure(key=f"person-{c1}", by="sam", reason="referred")


# --------------------------------------------------------------------------- retention


def test_the_period_is_months_years_or_days_from_the_option_the_environment_or_24m(monkeypatch):
    monkeypatch.delenv(rights.RETENTION_ENV, raising=False)
    assert rights.retention_period() == "24m"
    assert [rights.retention_period(p) for p in ("18m", " 2Y ", "730d")] == ["18m", "2y", "730d"]
    monkeypatch.setenv(rights.RETENTION_ENV, "18m")
    assert rights.retention_period() == "18m"
    assert rights.first_night_kept("18m", today=TODAY) == date(2025, 5, 28)
    assert rights.first_night_kept("2y", today=TODAY) == CUT
    assert rights.first_night_kept("730d", today=TODAY) == CUT  # 2025 and 2026: no 29 Feb
    for bad in ("24 months", "0m", "-3m", "m"):
        with pytest.raises(AnalysisError, match="is not a retention period; write a whole"):
            rights.retention_period(bad)
    monkeypatch.setenv(rights.RETENTION_ENV, "two years")
    with pytest.raises(AnalysisError, match="OUTREACH_ATLAS_RETENTION environment variable"):
        rights.retention_period()


def test_a_dry_run_counts_what_a_purge_deletes_and_changes_nothing(store):
    decide_and_close(store)
    before = (store.cache_key(), len(people.audit_log(store, role="admin")))
    found = rights.purge(store, role="admin", older_than="24m", dry_run=True, today=TODAY)
    assert (found.kept_from, found.dry_run) == (CUT, True)
    assert found.deleted == {"records": 2, "link_decisions": 1, "safeguarding_closures": 1}
    assert len(records(store)) == 4 and len(store.link_decisions()) == 2
    assert len(store.closures()) == 2
    assert (store.cache_key(), len(people.audit_log(store, role="admin"))) == before


def test_a_purge_keeps_the_cut_night_and_deletes_what_came_from_earlier_nights(store):
    decide_and_close(store)
    purged = record_on(store, "2024-11-27")
    kept = [record_on(store, "2024-11-28"), record_on(store, "2026-11-10")]
    found = rights.purge(store, role="admin", older_than="24m", today=TODAY)
    assert found.deleted == {"records": 2, "link_decisions": 1, "safeguarding_closures": 1}
    left = records(store)
    assert left["night"].dt.date.tolist() == [CUT, date(2026, 11, 10)]
    assert left["record_id"].tolist() == kept
    links = store.link_decisions()
    assert links[["record_a", "record_b"]].values.tolist() == [kept]  # none names the purged
    assert [k for k in store.closures()["key"] if k.startswith("record-")] == []
    assert purged not in "".join(store.closures()["key"])
    action, detail = last_audit(store)
    assert action == "records purged"
    assert detail == {
        "kept_from_night": "2024-11-28",
        "deleted": {"records": 2, "link_decisions": 1, "safeguarding_closures": 1},
    }


def test_after_a_purge_no_cache_serves_or_keeps_a_purged_row(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "CACHE_FROM_ROWS", 2)  # 4 records: read through a cache
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "outreach.csv", OUTREACH), agency="Outreach")
    purged = record_on(store, "2024-11-27")
    cache = store.cache_folder / "records"
    cached = b"".join(p.read_bytes() for p in cache.rglob("*.arrow"))
    assert purged.encode() in cached and b"PURGEME-7731" in cached  # the cache holds them
    rights.purge(store, role="admin", older_than="24m", today=TODAY)

    def left_beside_the_store() -> bytes:
        return b"".join(p.read_bytes() for p in store.cache_folder.rglob("*") if p.is_file())

    # at once, before anything is read again: no version of the cache keeps a purged row
    assert purged.encode() not in left_beside_the_store()
    assert b"PURGEME-7731" not in left_beside_the_store()
    # read again at the new version, through a new cache: only the kept rows
    assert len(records(store)) == 2 and purged not in set(records(store)["record_id"])
    assert list(cache.rglob("*.arrow")) and purged.encode() not in left_beside_the_store()
    # nor does the store file or its log keep the deleted text in freed pages
    files = [p for p in tmp_path.glob("atlas.sqlite*") if p.is_file()]
    assert all(b"PURGEME-7731" not in p.read_bytes() for p in files)


def test_purge_from_the_command_line_reads_the_period_from_the_environment(
    store, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(rights, "_today", lambda: TODAY)
    monkeypatch.setenv(rights.RETENTION_ENV, "24m")
    path = store.location
    assert main(["purge", "--store", path, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "nights before 28 November 2024 (kept from that night on)" in out
    assert "Would delete 2 records, 0 link decisions and 0 closed safeguarding items" in out
    assert len(records(store)) == 4
    assert main(["purge", "--store", path, "--older-than", "2y", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["first_night_kept"] == "2024-11-28" and answer["deleted"]["records"] == 2
    assert main(["purge", "--store", path, "--older-than", "soon"]) == 2
    assert "error: the period 'soon' is not a retention period" in capsys.readouterr().err


# --------------------------------------------------------------------------- subject access


@pytest.fixture()
def partnership(store, tmp_path):
    """Outreach's two files, the Council's own C1, and two agencies sharing CHAIN ref A9."""
    later = write_csv(tmp_path / "outreach-later.csv", OUTREACH_LATER)
    import_records(store, later, agency="Outreach")
    import_records(store, write_csv(tmp_path / "council.csv", COUNCIL), agency="Council")
    for agency, when in (("Outreach", "14/11/2026 22:00"), ("Council", "14/11/2026 23:00")):
        rows = [(when, EAST, "A9", "")]
        import_records(
            store, write_csv(tmp_path / f"{agency}-chain.csv", rows, ref="CHAIN ID"), agency=agency
        )
    return store


def test_subject_access_finds_one_agencys_reference_across_its_files(partnership):
    found = rights.subject_access(partnership, role="admin", ref=" C1 ", agency="Outreach")
    assert found["night"].dt.date.tolist() == [CUT - pd.Timedelta(days=1), CUT, date(2026, 11, 12)]
    assert set(found["agency"]) == {"Outreach"}  # not the Council's C1: another person
    assert found["source_file"].tolist() == ["outreach.csv", "outreach.csv", "outreach-later.csv"]
    assert found["ward"].tolist() == ["West", "West", "East"]
    council = rights.subject_access(partnership, role="admin", ref="C1", agency="Council")
    assert council["night"].dt.date.tolist() == [date(2026, 11, 13)]
    # in a shared namespace, every agency's A9 is the one person
    chain = rights.subject_access(
        partnership, role="admin", ref="A9", agency="Council", ref_namespace="chain"
    )
    assert sorted(chain["agency"]) == ["Council", "Outreach"]
    assert rights.subject_access(partnership, role="admin", ref="A9", agency="Council").empty
    with pytest.raises(AnalysisError, match="no records were imported for the agency 'Nobody'"):
        rights.subject_access(partnership, role="admin", ref="C1", agency="Nobody")


def test_the_subject_access_csv_neutralises_formulas_and_the_audit_keeps_no_reference(
    partnership, tmp_path, capsys
):
    out = tmp_path / "c1.csv"
    path = partnership.location
    code = main(
        [
            "subject-access",
            "--store",
            path,
            "--ref",
            "C1",
            "--agency",
            "Outreach",
            "--out",
            str(out),
        ]
    )
    assert code == 0 and "c1.csv: 3 records held for that reference" in capsys.readouterr().out
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 3
    assert rows[2]["notes"] == "'" + HYPERLINK  # never runs as a formula
    action, detail = last_audit(partnership)
    assert (action, detail) == (
        "subject access export",
        {"agency": "Outreach", "ref_namespace": None, "records": 3},
    )
    log = people.audit_log(partnership, role="admin")
    assert not log["detail"].str.contains('"C1"').any()


# --------------------------------------------------------------------------- erasure


def test_erasure_removes_exactly_that_persons_records_and_links(partnership, tmp_path, capsys):
    frame = records(partnership)
    c1 = record_on(partnership, "2026-11-12")  # Outreach's C1
    partnership.add_link_decision(
        record_a=c1, record_b=record_on(partnership, "2026-11-13"), action="unlink", by="sam"
    )
    path = partnership.location
    argv = ["erase", "--store", path, "--ref", "C1", "--agency", "Outreach"]
    assert main(argv) == 0  # without --yes: what it would erase, nothing changed
    assert "Would erase 3 records, 1 link decision and 0 closed" in capsys.readouterr().out
    assert len(records(partnership)) == len(frame)
    assert main([*argv, "--yes"]) == 0
    assert "Erased 3 records, 1 link decision and 0 closed" in capsys.readouterr().out
    left = records(partnership)
    gone = set(frame["record_id"]) - set(left["record_id"])
    ref = frame.set_index("record_id").loc[c1, "person_ref"]
    assert gone == set(frame.loc[frame["person_ref"] == ref, "record_id"]) and len(gone) == 3
    assert set(left["agency"]) == {"Outreach", "Council"}  # C2, the Council's C1, A9 stay
    assert partnership.link_decisions().empty
    action, detail = last_audit(partnership)
    assert action == "person erased"
    assert detail == {
        "agency": "Outreach",
        "ref_namespace": None,
        "deleted": {"records": 3, "link_decisions": 1, "safeguarding_closures": 0},
    }
    assert main([*argv, "--yes"]) == 2
    assert "error: no records are held for that reference of 'Outreach'" in capsys.readouterr().err


def test_only_admins_purge_export_or_erase(partnership):
    before = (len(records(partnership)), len(people.audit_log(partnership, role="admin")))
    for role in ("coordinator", "police", "councillor"):
        with pytest.raises(AccessDenied, match=f"the {role} role cannot purge records; ask an"):
            rights.purge(partnership, role=role, older_than="1d", today=TODAY)
        with pytest.raises(AccessDenied, match="cannot answer a subject access request"):
            rights.subject_access(partnership, role=role, ref="C1", agency="Outreach")
        with pytest.raises(AccessDenied, match="cannot erase a person's records; ask an admin"):
            rights.erase_person(partnership, role=role, ref="C1", agency="Outreach")
        with pytest.raises(AccessDenied, match="cannot answer a subject access request"):
            partnership.person_records(["p_x"], role=role)
    with pytest.raises(AccessDenied, match="no role given"):
        rights.purge(partnership, role=None, today=TODAY)  # type: ignore[arg-type]
    after = (len(records(partnership)), len(people.audit_log(partnership, role="admin")))
    assert after == before


def test_a_retention_period_is_said_in_words():
    from geo.privacy.rights import period_words

    assert [period_words(p) for p in ("24m", "1y", "730d", "1m")] == [
        "24 months",
        "1 year",
        "730 days",
        "1 month",
    ]
