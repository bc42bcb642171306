"""The embedded store: atomic imports, no double storing, several processes at once, roles."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import AccessDenied, StoreError
from geo.store import Batch, open_store
from tests.makers import canonical_records

ROOT = Path(__file__).resolve().parents[1]


def _batch(n: int = 0) -> Batch:
    return Batch.new(
        kind="records", source=f"test-{n}.csv", sha256="0" * 64, accounting={"read": n}
    )


def test_a_new_store_is_one_file_with_a_private_key(tmp_path):
    store = open_store(tmp_path / "sub" / "atlas.sqlite")
    assert (tmp_path / "sub" / "atlas.sqlite").is_file()
    key = store.secret_key()
    key_file = tmp_path / "sub" / "atlas.key"
    assert key_file.is_file() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert open_store(tmp_path / "sub" / "atlas.sqlite").secret_key() == key
    assert store.counts() == {"areas": 0, "records": 0, "services": 0, "police": 0, "imports": 0}


def test_rows_are_stored_once_and_every_write_bumps_the_version(store_at):
    store = store_at()
    v0 = store.version()
    assert store.add("records", canonical_records(5), batch=_batch(5)) == 5
    v1 = store.version()
    assert v1 > v0
    assert store.add("records", canonical_records(8), batch=_batch(8)) == 3  # r0..r4 known
    assert store.version() > v1
    records = store.records(role="coordinator")
    assert sorted(records["record_id"]) == sorted(f"r{i}" for i in range(8))
    assert records["observed_at"].dt.tz is not None
    assert records.loc[records["record_id"] == "r0", "observed_at"].iloc[0] == pd.Timestamp(
        "2026-11-04 23:40", tz="Europe/London"
    )
    assert store.imports()["accounting"].map(lambda a: a["stored"]).tolist() == [3, 5]


def test_records_leave_the_store_only_through_a_role(store_at):
    store = store_at()
    store.add("records", canonical_records(3), batch=_batch(3))
    police = store.records(role="police")
    assert "nrpf" not in police.columns and "person_ref" not in police.columns
    # snapped to the centre of a 100 m square
    assert ((police["easting"] - 50) % 100 == 0).all()
    assert (police["location_precision_m"] >= 100).all()
    for role in ("councillor", "admin"):
        with pytest.raises(AccessDenied, match=f"the {role} role does not see records"):
            store.records(role=role)
    with pytest.raises(AccessDenied, match="unknown role 'mayor'"):
        store.records(role="mayor")


def test_replacing_wards_places_stored_points_again(store_at):
    store = store_at()
    store.add("records", canonical_records(50), batch=_batch(50))
    # two wards split at lon -0.14; the points span -0.15..-0.13
    wards = gpd.GeoDataFrame(
        {
            "area_code": ["W2", "W1"],
            "area_name": ["East", "West"],
            "area_type": "ward",
            "parent_code": None,
            "population": [1000.0, None],
        },
        geometry=[box(-0.14, 50.8, -0.1, 50.9), box(-0.2, 50.8, -0.14, 50.9)],
        crs="EPSG:4326",
    )
    store.replace_areas(wards, layer="ward", batch=_batch())
    records = store.records(role="coordinator")
    expected = records["lon"].map(lambda x: "W2" if x > -0.14 else "W1")
    assert records["area_code"].tolist() == expected.tolist()
    back = store.areas(layer="ward")
    assert back["area_code"].tolist() == ["W1", "W2"] and back.crs == "EPSG:4326"
    assert back.geometry.iloc[0].equals(box(-0.2, 50.8, -0.14, 50.9))


def test_areas_are_read_once_a_version_and_each_reader_gets_its_own(store_at, monkeypatch):
    store = store_at()

    def wards(*names: str) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"area_code": ["W1", "W2"], "area_name": list(names), "area_type": "ward",
             "parent_code": None, "population": [1000.0, None]},
            geometry=[box(0, 50, 1, 51), box(1, 50, 2, 51)],
            crs="EPSG:4326",
        )  # fmt: skip

    store.replace_areas(wards("West", "East"), layer="ward", batch=_batch())
    first = store.areas(layer="ward")
    import geo.store.frames

    shapes_made = []
    original = geo.store.frames.shapely.from_wkb
    monkeypatch.setattr(
        geo.store.frames.shapely, "from_wkb", lambda wkb: shapes_made.append(1) or original(wkb)
    )
    # a reader that changes its frame changes its own: the next reads are as stored
    first.loc[0, "area_name"] = "changed"
    first.geometry.array[1] = box(5, 5, 6, 6)
    again = store.areas(layer="ward")
    assert again["area_name"].tolist() == ["West", "East"] and shapes_made == []
    assert again.geometry.iloc[1].equals(box(1, 50, 2, 51))
    pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(store_at().areas()))
    # a write is a new version: read again, with what was written
    store.replace_areas(wards("North", "South"), layer="ward", batch=_batch(1))
    assert store.areas(layer="ward")["area_name"].tolist() == ["North", "South"]
    assert shapes_made == [1]
    assert store.areas(layer="lsoa").empty  # another layer is read for itself


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="written by a newer Outreach Atlas"):
        open_store(path)


_WRITER = textwrap.dedent(
    """
    import sys
    from geo.store import Batch, open_store
    from tests.makers import canonical_records
    path, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(path)
    for i in range(0, n, 10):  # many small imports per process, to interleave
        frame = canonical_records(10, prefix=f"{prefix}-{i}-")
        store.add("records", frame, batch=Batch.new(kind="records", source=prefix, sha256="x"))
    """
)

_READER = textwrap.dedent(
    """
    import json, sqlite3, sys, time
    path, seconds = sys.argv[1], float(sys.argv[2])
    end, seen = time.time() + seconds, []
    while time.time() < end:
        db = sqlite3.connect(path, timeout=60)
        db.execute("BEGIN")
        rows = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        logged = sum(json.loads(a)["stored"] for (a,) in db.execute(
            "SELECT accounting FROM imports"))
        db.execute("COMMIT"); db.close()
        seen.append((rows, logged))
    print(json.dumps(seen))
    """
)


def test_several_processes_importing_at_once_lose_nothing_and_reads_are_never_short(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(path)
    env = {"PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), f"p{i}", "200"], cwd=ROOT, env=env
        )
        for i in range(4)
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(path), "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    out, _ = reader.communicate(timeout=120)
    snapshots = json.loads(out)
    assert snapshots, "the reader took no snapshot"
    # every snapshot is whole: rows stored equal what the finished imports logged
    assert all(rows == logged for rows, logged in snapshots)
    store = open_store(path)
    assert store.counts()["records"] == 800
    assert len(store.records(role="coordinator")) == 800
    assert store.counts()["imports"] == 80


_KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from geo.store import sqlite as store_module
    from geo.store import Batch, open_store
    from tests.makers import canonical_records
    store = open_store(sys.argv[1])
    def die(*args, **kwargs):  # rows are inserted, the transaction is not yet committed
        os.kill(os.getpid(), signal.SIGKILL)
    store_module.SQLiteStore._log = die
    store_module._BULK_FROM = 0  # set by the test: rebuild the key index or not
    store.add("records", canonical_records(5000, prefix="late"),
              batch=Batch.new(kind="records", source="late", sha256="x"))
    """
)


@pytest.mark.parametrize("bulk", [False, True], ids=["row by row", "index rebuilt"])
def test_an_import_killed_half_way_leaves_the_store_as_it_was(tmp_path, bulk):
    path = tmp_path / "s.sqlite"
    store = open_store(path)
    store.add("records", canonical_records(7), batch=_batch(7))
    before = (store.counts(), store.version(), store.records(role="coordinator"))
    killed = _KILLED.replace("BULK_FROM = 0", f"BULK_FROM = {10 if bulk else 10**9}")
    result = subprocess.run(
        [sys.executable, "-c", killed, str(path)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == -9  # it really died mid-import
    after = open_store(path)
    assert after.counts() == before[0]
    assert after.version() == before[1]
    pd.testing.assert_frame_equal(after.records(role="coordinator"), before[2])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert ("records_record_id",) in db.execute("SELECT name FROM sqlite_master").fetchall()


def test_records_can_be_read_a_few_columns_at_a_time_as_each_role_may_see_them(store_at):
    store = store_at()
    store.add("records", canonical_records(30), batch=_batch(30))
    summary = ["area_code", "night", "people", "person_ref", "agency", "kind"]
    for role in ("coordinator", "police"):
        whole = store.records(role=role)
        for columns in (summary, ["lon", "record_id"], ["observed_at", "nrpf", "easting"]):
            part = store.records(role=role, columns=columns)
            # the same values as every column, less the columns the role may not see
            pd.testing.assert_frame_equal(part, whole.loc[:, [c for c in columns if c in whole]])
    assert "person_ref" not in store.records(role="police", columns=summary).columns
    with pytest.raises(AccessDenied, match="the councillor role does not see records"):
        store.records(role="councillor", columns=["night"])
    with pytest.raises(ValueError, match=r"columns 'ward' are not record columns; choose from"):
        store.records(role="coordinator", columns=["night", "ward"])


def test_records_come_back_in_the_order_they_were_stored(store_at):
    store = store_at()
    store.add("records", canonical_records(12), batch=_batch(12))
    store.add("records", canonical_records(3, prefix="a"), batch=_batch(3))
    ids = store.records(role="coordinator")["record_id"].tolist()
    assert ids == [f"r{i}" for i in range(12)] + ["a0", "a1", "a2"]


def test_a_store_from_an_earlier_version_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"earlier Outreach Atlas \(schema 1.*move the file"):
        open_store(path)


def test_a_large_import_stores_each_key_once(tmp_path, monkeypatch):
    """Large imports rebuild the key index instead of updating it; nothing is stored twice."""
    from geo.store import sqlite as store_module

    monkeypatch.setattr(store_module, "_BULK_FROM", 10)
    store = open_store(tmp_path / "s.sqlite")
    assert store.add("records", canonical_records(10), batch=_batch(10)) == 10
    # r0..r9 are stored already; r12 comes twice in this batch
    frame = canonical_records(25)
    frame = pd.concat([frame, frame.iloc[[12]]], ignore_index=True)
    assert store.add("records", frame, batch=_batch(26)) == 15
    assert store.counts()["records"] == 25
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        indexes = {row[1] for row in db.execute("PRAGMA index_list(records)") if row[2]}
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO records (record_id) VALUES ('r3')")
    assert indexes == {"records_record_id"}


def test_text_the_same_in_every_row_is_stored_exactly(store_at):
    store = store_at()
    odd = ["St Anne's '); DROP TABLE records; --", "tab\there", "é ☃", "back\\slash\nline"]
    if store_at.backend == "sqlite":
        odd.append("nul\x00byte")  # PostgreSQL text cannot hold NUL: refused, see below
    for i, agency in enumerate(odd):
        store.add(
            "records",
            canonical_records(3, prefix=f"x{i}-").assign(agency=agency, people=7, lat=50.5),
            batch=_batch(3),
        )
    records = store.records(role="coordinator")
    assert records["agency"].tolist() == [a for a in odd for _ in range(3)]
    assert (records["people"] == 7).all() and (records["lat"] == 50.5).all()


def test_the_secret_key_is_made_once_and_kept(store_at):
    store = store_at()
    key = store.secret_key()
    assert len(key) == 64 and store_at().secret_key() == key  # hex of 32 random bytes
    assert store_at("other").secret_key() != key
    assert store.counts() == {"areas": 0, "records": 0, "services": 0, "police": 0, "imports": 0}


def test_the_column_cache_always_matches_the_store(tmp_path, monkeypatch) -> None:
    """Reads through the cache (built on read, or extended by an import) equal plain reads."""
    import shutil

    from geo.demo import load_demo
    from geo.store import sqlite as store_module

    monkeypatch.setattr(store_module, "CACHE_FROM_ROWS", 10)
    store = open_store(tmp_path / "atlas.sqlite")
    load_demo(store, directory=Path(__file__).resolve().parents[1] / "data" / "demo")
    cache = tmp_path / "atlas.cache" / "records"
    # the imports extended the cache version by version: only the current one is kept
    (kept,) = [p.name for p in cache.iterdir() if not p.name.startswith(".")]
    assert kept.startswith(f"v{store.version()}-")
    through_cache = store._read("records")
    shutil.rmtree(tmp_path / "atlas.cache")
    plain = store._read("records")  # from SQLite, and writes the cache again
    pd.testing.assert_frame_equal(through_cache, plain)
    pd.testing.assert_frame_equal(store._read("records"), plain)
    # a write makes a new version: the old cache is never read again
    before = store.version()
    store.add("records", canonical_records(3, prefix="late"), batch=_batch(99))
    assert store.version() == before + 1
    assert len(store._read("records")) == len(plain) + 3


def test_a_store_begun_again_beside_an_old_cache_never_reads_it(tmp_path, monkeypatch) -> None:
    from geo.store import sqlite as store_module

    monkeypatch.setattr(store_module, "CACHE_FROM_ROWS", 2)
    first = open_store(tmp_path / "atlas.sqlite")
    first.add("records", canonical_records(3, prefix="OLD"), batch=_batch(1))
    assert first._read("records")["record_id"].tolist() == ["OLD0", "OLD1", "OLD2"]
    for suffix in ("", "-wal", "-shm"):  # the store is deleted; its cache folder is not
        (tmp_path / f"atlas.sqlite{suffix}").unlink(missing_ok=True)
    again = open_store(tmp_path / "atlas.sqlite")
    again.add("records", canonical_records(3, prefix="NEW"), batch=_batch(2))
    assert again.version() == first.version()  # the same version number again...
    assert again._read("records")["record_id"].tolist() == ["NEW0", "NEW1", "NEW2"]  # ...not data


def test_rows_of_the_wrong_type_are_refused_naming_the_column(store_at) -> None:
    store = store_at()
    naive = canonical_records(3)
    naive["observed_at"] = naive["observed_at"].dt.tz_localize(None)
    with pytest.raises(
        StoreError, match=r"cannot store records: column 'observed_at' holds datetime64.*, not"
    ):
        store.add("records", naive, batch=_batch(3))
    with pytest.raises(StoreError, match="cannot store records: columns missing: lon, lat$"):
        store.add("records", canonical_records(3).drop(columns=["lon", "lat"]), batch=_batch(3))
    assert store.counts()["records"] == store.counts()["imports"] == 0


def test_threads_reading_while_another_imports_each_see_whole_imports(
    tmp_path, monkeypatch
) -> None:
    """Streamlit sessions are threads of one process sharing a store and its column cache."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from geo.store import sqlite as store_module

    monkeypatch.setattr(store_module, "CACHE_FROM_ROWS", 10)  # every read goes by the cache
    store = open_store(tmp_path / "s.sqlite")
    store.add("records", canonical_records(40), batch=_batch(40))
    batches = [canonical_records(20, prefix=f"t{i}-", seed=i) for i in range(6)]

    def write() -> None:
        for frame in batches:
            store.add("records", frame, batch=_batch(20))

    with ThreadPoolExecutor(max_workers=8) as pool:
        writing = pool.submit(write)
        seen = list(pool.map(lambda _: store.records(role="coordinator"), range(60)))
        writing.result()
    shutil.rmtree(tmp_path / "s.cache")
    plain = store.records(role="coordinator")  # one thread, from SQLite
    assert len(plain) == 40 + 20 * len(batches)
    for frame in seen:  # each read is the store as it stood after some import: no more, no less
        assert len(frame) in {40 + 20 * k for k in range(len(batches) + 1)}
        pd.testing.assert_frame_equal(frame, plain.iloc[: len(frame)])


def test_the_cache_key_changes_on_every_write_and_differs_between_stores(store_at):
    first = store_at("a")
    second = store_at("b")
    before = first.cache_key()
    first.add("records", canonical_records(3), batch=_batch())
    after = first.cache_key()
    assert after != before and after.split("-")[0] == str(first.version())
    second.add("records", canonical_records(3), batch=_batch())
    assert second.version() == first.version() and second.cache_key() != first.cache_key()
