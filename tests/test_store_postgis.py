"""The PostGIS store's own behaviour (the behaviour both stores share is tested on both in
tests/test_store.py, tests/test_users.py and tests/test_retention.py).

By hand: the demo borough's files imported into an embedded store and into a PostGIS store
give the same records, services, police incidents, wards, postcodes, gazetteer and ward
context, with the same dtypes and in the same order (only batch ids and times differ, being
stamped at import). Four processes each importing 200 records ten at a time store 800 records
in 80 imports, and a reader's snapshots always hold exactly the records the imports it sees
logged. An import stopped after its rows went in, but before it committed (an error raised, or
the process killed), leaves the counts, version and records as they were.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo.errors import StoreError
from geo.store import Batch, open_store, postgis_registers
from geo.store import postgis as postgis_module
from geo.store.postgis_sql import SCHEMA_VERSION, WRITE_LOCK
from tests.makers import canonical_records

ROOT = Path(__file__).resolve().parents[1]


def _batch(n: int = 0) -> Batch:
    return Batch.new(kind="records", source=f"t{n}.csv", sha256="0" * 64, accounting={"read": n})


def test_the_schema_is_versioned_and_the_points_and_areas_have_spatial_indexes(postgis_url):
    store = open_store(postgis_url)
    store.add("records", canonical_records(3), batch=_batch(3))
    with psycopg.connect(postgis_url) as db:
        steps = db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        gist = dict(
            db.execute(
                "SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist%'"
            ).fetchall()
        )
        srid, x, y, easting, northing = db.execute(
            "SELECT ST_SRID(geom), ST_X(geom), ST_Y(geom), easting, northing FROM records"
            " ORDER BY seq LIMIT 1"
        ).fetchone()
    assert steps == [(n,) for n in range(1, SCHEMA_VERSION + 1)]
    assert set(gist) == {"records", "services", "police", "areas"}
    assert "(geom)" in gist["records"] and "(geometry)" in gist["areas"]
    assert (srid, x, y) == (27700, easting, northing)  # the point made from easting/northing
    open_store(postgis_url)  # opening again applies nothing and keeps the data
    assert open_store(postgis_url).counts()["records"] == 3


def test_a_database_of_a_newer_schema_is_refused(postgis_url):
    open_store(postgis_url)
    with psycopg.connect(postgis_url) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match=r"written by a newer Outreach Atlas \(schema 99"):
        open_store(postgis_url)


def test_the_url_may_say_postgres_and_its_password_is_never_shown(postgis_url):
    alias = "postgres:" + postgis_url.split(":", 1)[1]
    store = open_store(alias.replace("postgres@", "postgres:s3cret@"))
    assert store.location.startswith("postgresql://postgres@127.0.0.1:")
    assert "s3cret" not in store.location and store.cache_folder is None
    with pytest.raises(StoreError, match="cannot reach the store postgresql://postgres@"):
        open_store(postgis_url.rsplit("/", 1)[0] + "/no_such_database")


def test_the_audit_log_refuses_any_change_in_the_database_itself(postgis_url):
    store = open_store(postgis_url)
    store.record_event("sign in", {"provider": "test"})
    for statement in ("UPDATE audit SET \"user\" = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
        with (
            psycopg.connect(postgis_url) as db,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            db.execute(statement)
    assert store._audit_rows()["action"].tolist() == ["sign in"]


def test_an_audit_row_on_its_own_waits_briefly_behind_a_write(postgis_url, monkeypatch):
    store = open_store(postgis_url)
    monkeypatch.setattr(postgis_registers, "EVENT_WAIT_MS", 200)
    with psycopg.connect(postgis_url) as holder:  # as an import does, for as long as it runs
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        with pytest.raises(StoreError, match=r"busy with another write \(waited 0.2 s\)"):
            store.record_event("page view", {"page": "Overview"})
    store.record_event("page view", {"page": "Overview"})  # once it is done, it goes in
    assert store._audit_rows()["action"].tolist() == ["page view"]


def test_an_import_failing_half_way_leaves_the_store_as_it_was(postgis_url, monkeypatch):
    store = open_store(postgis_url)
    store.add("records", canonical_records(7), batch=_batch(7))
    before = (store.counts(), store.cache_key(), store.records(role="coordinator"))

    def fail(*args: object, **kwargs: object) -> None:  # the rows are in, not yet committed
        raise StoreError("the disk is full")

    monkeypatch.setattr(postgis_module.PostGISStore, "_log", fail)
    with pytest.raises(StoreError, match="the disk is full"):
        store.add("records", canonical_records(50, prefix="late"), batch=_batch(50))
    assert (store.counts(), store.cache_key()) == before[:2]
    pd.testing.assert_frame_equal(store.records(role="coordinator"), before[2])
    assert store._audit_rows()["action"].tolist() == ["import"]


_KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from geo.store import postgis
    from geo.store import Batch, open_store
    from tests.makers import canonical_records
    store = open_store(sys.argv[1])
    def die(*args, **kwargs):  # rows are copied in, the transaction is not yet committed
        os.kill(os.getpid(), signal.SIGKILL)
    postgis.PostGISStore._log = die
    store.add("records", canonical_records(2000, prefix="late"),
              batch=Batch.new(kind="records", source="late", sha256="x"))
    """
)


def test_an_import_killed_half_way_leaves_the_store_as_it_was(postgis_url):
    store = open_store(postgis_url)
    store.add("records", canonical_records(7), batch=_batch(7))
    before = (store.counts(), store.version(), store.records(role="coordinator"))
    result = subprocess.run(
        [sys.executable, "-c", _KILLED, postgis_url],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == -9  # it really died mid-import
    after = open_store(postgis_url)
    assert (after.counts(), after.version()) == before[:2]
    pd.testing.assert_frame_equal(after.records(role="coordinator"), before[2])


_WRITER = textwrap.dedent(
    """
    import sys
    from geo.store import Batch, open_store
    from tests.makers import canonical_records
    url, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(url)
    for i in range(0, n, 10):  # many small imports per process, to interleave
        frame = canonical_records(10, prefix=f"{prefix}-{i}-")
        store.add("records", frame, batch=Batch.new(kind="records", source=prefix, sha256="x"))
        # the same rows again from another file: all known, none stored twice
        store.add("records", frame, batch=Batch.new(kind="records", source=prefix, sha256="y"))
    """
)

_READER = textwrap.dedent(
    """
    import json, sys, time
    import psycopg
    url, seconds = sys.argv[1], float(sys.argv[2])
    end, seen = time.time() + seconds, []
    while time.time() < end:
        with psycopg.connect(url) as db:
            db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            rows = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            logged = sum(json.loads(a)["stored"] for (a,) in db.execute(
                "SELECT accounting FROM imports"))
        seen.append((rows, logged))
    print(json.dumps(seen))
    """
)


def test_several_processes_importing_at_once_lose_nothing_and_reads_are_never_short(postgis_url):
    open_store(postgis_url)
    env = {"PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, postgis_url, f"p{i}", "200"], cwd=ROOT, env=env
        )
        for i in range(4)
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, postgis_url, "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    out, _ = reader.communicate(timeout=120)
    snapshots = json.loads(out)
    assert snapshots, "the reader took no snapshot"
    assert all(rows == logged for rows, logged in snapshots)
    store = open_store(postgis_url)
    assert store.counts()["records"] == 800 and store.counts()["imports"] == 160
    assert store.records(role="coordinator")["record_id"].is_unique
    assert store.version() == 160


def test_repeated_keys_in_one_import_are_stored_once_and_nul_text_is_refused(postgis_url):
    store = open_store(postgis_url)
    assert store.add("records", canonical_records(10), batch=_batch(10)) == 10
    frame = canonical_records(25)  # r0..r9 are stored already; r12 comes twice
    frame = pd.concat([frame, frame.iloc[[12]]], ignore_index=True)
    assert store.add("records", frame, batch=_batch(26)) == 15
    assert store.counts()["records"] == 25
    nul = canonical_records(3, prefix="n").assign(notes=[None, "a\x00b", "c"])
    with pytest.raises(StoreError, match=r"column 'notes' holds text with a NUL character \(row 2"):
        store.add("records", nul, batch=_batch(3))
    assert store.counts()["records"] == 25


def test_the_demo_borough_reads_back_the_same_from_both_stores(postgis_url, tmp_path):
    from geo.demo import write_demo
    from geo.importing import (
        import_areas,
        import_places,
        import_police,
        import_postcodes,
        import_records,
        import_services,
    )
    from geo.importing.context import import_context

    files = write_demo(tmp_path / "demo")
    stores = [open_store(tmp_path / "atlas.sqlite"), open_store(postgis_url)]
    # one key for both, so that record ids and person references hash alike
    (tmp_path / "atlas.key").write_bytes(stores[1].secret_key())
    for store in stores:
        import_areas(store, files.wards)
        import_postcodes(store, files.postcodes)
        import_places(store, files.places)
        for path, agency, kind in files.records:
            import_records(store, path, agency=agency, kind=kind)
        import_services(store, files.services)
        import_police(store, files.police)
        import_context(store, files.context)
    embedded, shared = stores
    assert embedded.counts() == shared.counts() and embedded.counts()["records"] > 100
    for table in ("records", "services", "police"):
        pd.testing.assert_frame_equal(
            embedded._read(table).drop(columns="batch_id"),
            shared._read(table).drop(columns="batch_id"),
        )
    pd.testing.assert_frame_equal(embedded.areas(), shared.areas())
    with sqlite3.connect(embedded.path) as db:
        some = [row[0] for row in db.execute("SELECT postcode FROM postcodes LIMIT 30")]
    some.append("XX9 9XX")  # in neither
    assert len(embedded.postcode_rows(some)) == 30
    pd.testing.assert_frame_equal(embedded.postcode_rows(some), shared.postcode_rows(some))
    for kind in ("places", "context"):
        pd.testing.assert_frame_equal(embedded.kept_table(kind), shared.kept_table(kind))
    assert embedded.lookups().keys() == shared.lookups().keys()
    imports = [store.imports() for store in stores]
    for frame in imports:  # each batch's id is stamped at import, in the accounting too
        frame["accounting"] = frame["accounting"].map(lambda a: {**a, "batch_id": None})
    columns = ["kind", "source", "sha256", "agency", "accounting"]
    pd.testing.assert_frame_equal(imports[0][columns], imports[1][columns])
