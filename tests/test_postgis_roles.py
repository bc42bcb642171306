"""Defence in depth on PostGIS (issue 16 section 1): the database's own roles, the aggregate
view with small counts hidden by the server, and row-level security on the records.

By hand: West ward (E05000001) and East ward (E05000002), nights dated by their evening and
weeks by their Monday (2 Nov 2026 is a Monday):

- West, week of 2 Nov: 6 street counts of 1 person each, the last on Sunday 8 Nov
  -> 6 records, 6 people, both shown;
- West, week of 9 Nov: 2 street counts of 1 and 4 people -> 2 records hidden (NULL), 5 people
  shown;
- East, week of 2 Nov: 3 street counts of 1 person and 2 visits -> visits are not demand:
  3 records and 3 people, both hidden;
- East, week of 9 Nov: 5 visits only -> no row at all;
- outside every ward: 5 street counts -> no row.

So ``ward_counts`` holds three rows: (East, 2 Nov, NULL, NULL), (West, 2 Nov, 6, 6) and
(West, 9 Nov, NULL, 5); the records table holds 8 + 10 + 5 = 23 rows, of 11 + 3 + 5 = 19
people.

Roles belong to the whole cluster, so the logins the tests make are made once and kept; the
tests that need a cluster where no role exists yet start one of their own.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from psycopg import conninfo, sql

from geo.errors import StoreError
from geo.importing import import_areas
from geo.store import Batch, Store, open_store
from tests.makers import canonical_records
from tests.shapes import CLOCK_TOWER, STATION_ROAD, ward_file

WEST, EAST = "E05000001", "E05000002"

RECORDS = [  # ward code, night, kind, people, how many
    (WEST, "2026-11-02", "street_count", 1, 3),
    (WEST, "2026-11-05", "street_count", 1, 2),
    (WEST, "2026-11-08", "street_count", 1, 1),  # a Sunday: still the week of 2 Nov
    (WEST, "2026-11-09", "street_count", 1, 1),
    (WEST, "2026-11-10", "street_count", 4, 1),
    (EAST, "2026-11-03", "street_count", 1, 3),
    (EAST, "2026-11-03", "visit", 0, 2),
    (EAST, "2026-11-11", "visit", 0, 5),
    (None, "2026-11-04", "street_count", 1, 5),
]
VIEW = [
    ("East", date(2026, 11, 2), None, None),
    ("West", date(2026, 11, 2), 6, 6),
    ("West", date(2026, 11, 9), None, 5),
]
#: Tables no role of the database may read but the app's own login.
NEVER = ("secret", "users", "audit", "settings", "meta")


def _records(rows: list[tuple[str | None, str, str, int, int]], *, prefix: str) -> pd.DataFrame:
    """Canonical records, ``how many`` of each (ward, night, kind, people), placed in their
    ward (or far outside both)."""
    spread = [row[:4] for row in rows for _ in range(row[4])]
    wards, nights, kinds, people = (list(column) for column in zip(*spread, strict=True))
    places = {WEST: STATION_ROAD, EAST: CLOCK_TOWER, None: (-1.5, 52.0)}
    lon, lat = zip(*(places[ward] for ward in wards), strict=True)
    night = pd.to_datetime(pd.Series(nights))
    return canonical_records(len(spread), prefix=prefix).assign(
        area_code=wards,
        night=night,
        observed_at=(night + pd.Timedelta(hours=23)).dt.tz_localize("Europe/London"),
        kind=kinds,
        people=people,
        lon=lon,
        lat=lat,
    )


def _batch(n: int) -> Batch:
    return Batch.new(kind="records", source=f"t{n}.csv", sha256="0" * 64)


def _store(url: str, folder: Path) -> Store:
    """A store at ``url`` with West and East wards and the records above."""
    store = open_store(url)
    import_areas(store, ward_file(folder))
    store.add("records", _records(RECORDS, prefix="r"), batch=_batch(23))
    store.put_user("admin@example.org", role="admin")
    return store


def _login(url: str, name: str, *groups: str) -> str:
    """A login ``name`` in the cluster of ``url`` (made once: roles are cluster-wide), a member
    of ``groups``; the connection string that signs in as it."""
    with psycopg.connect(url, autocommit=True) as db:
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            db.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        for group in groups:
            db.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name))
            )
    return conninfo.make_conninfo(url, user=name)


def _view(db: psycopg.Connection) -> list[tuple]:
    return db.execute(
        "SELECT ward_name, week_starting, records, people FROM ward_counts"
        " ORDER BY ward_name, week_starting"
    ).fetchall()


def _refused(db: psycopg.Connection, table: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"permission denied .*{table}"):
        db.execute(f"SELECT * FROM {table}")


@pytest.fixture()
def fresh_cluster(postgis_cluster):
    """A cluster of its own where no role exists yet (skips as ``postgis_cluster`` does)."""
    from tests import postgis

    with postgis.running_cluster() as cluster:
        yield cluster


@pytest.mark.parametrize("role", ["councillor", "police"])
def test_councillors_and_police_read_only_the_view_with_small_counts_hidden(
    postgis_url, tmp_path, role
):
    _store(postgis_url, tmp_path)
    login = _login(postgis_url, f"atlas_test_{role}", f"atlas_{role}")
    with psycopg.connect(login, autocommit=True) as db:
        for table in ("records", "services", "police", "areas", *NEVER):
            _refused(db, table)
        assert _view(db) == VIEW


def test_a_coordinator_reads_the_records_but_never_the_key_users_or_audit(postgis_url, tmp_path):
    _store(postgis_url, tmp_path)
    login = _login(postgis_url, "atlas_test_coordinator", "atlas_coordinator")
    with psycopg.connect(login, autocommit=True) as db:
        assert db.execute("SELECT COUNT(*), SUM(people) FROM records").fetchone() == (23, 19)
        assert _view(db) == VIEW
        for table in NEVER:
            _refused(db, table)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="records"):
            db.execute("DELETE FROM records")  # changes go through the app, which audits them


def test_an_admin_reads_users_and_the_audit_log_but_no_records(postgis_url, tmp_path):
    _store(postgis_url, tmp_path)
    login = _login(postgis_url, "atlas_test_admin", "atlas_admin")
    with psycopg.connect(login, autocommit=True) as db:
        assert db.execute("SELECT email, role FROM users").fetchall() == [
            ("admin@example.org", "admin")
        ]
        actions = [a for (a,) in db.execute("SELECT action FROM audit ORDER BY seq")]
        assert actions[:2] == ["import", "import"]  # the wards, then the records
        for table in ("records", "ward_counts", "secret", "meta"):
            _refused(db, table)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="users"):
            db.execute("INSERT INTO users VALUES ('me@example.org', 'admin', NULL, 'me', 'now')")


def test_row_level_security_is_forced_and_a_bare_grant_reads_no_records(postgis_url, tmp_path):
    _store(postgis_url, tmp_path)
    login = _login(postgis_url, "atlas_test_bare")  # in no group: a DBA's mistaken grant below
    with psycopg.connect(postgis_url, autocommit=True) as db:
        db.execute("GRANT SELECT ON records TO atlas_test_bare")
        flags = db.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'records'"
        ).fetchone()
    assert flags == (True, True)
    with psycopg.connect(login, autocommit=True) as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone() == (0,)


def test_the_store_owner_who_is_no_superuser_keeps_every_row(
    postgis_cluster, postgis_url, tmp_path
):
    open_store(postgis_url)  # the group roles exist (as a DBA would make them)
    _login(postgis_url, "atlas_test_owner")  # no CREATEROLE, no superuser
    name = "owned_" + postgis_url.rsplit("/", 1)[1]
    with psycopg.connect(postgis_cluster.url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name} TEMPLATE atlas_template OWNER atlas_test_owner")
    url = postgis_cluster.url(name).replace("postgres@", "atlas_test_owner@")
    store = open_store(url)  # the owner makes the schema
    store.add("records", _records(RECORDS, prefix="r"), batch=_batch(23))  # an INSERT
    import_areas(store, ward_file(tmp_path))  # the records placed again: an UPDATE
    assert len(store.records(role="coordinator")) == 23  # forced RLS, but the owner's policy
    with psycopg.connect(url, autocommit=True) as db:
        assert db.execute(
            "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False, False)
        assert _view(db) == VIEW  # the view reads as its owner: every row counted


def test_a_reader_function_never_sees_the_rows_behind_a_count(postgis_url, tmp_path):
    _store(postgis_url, tmp_path)
    login = _login(postgis_url, "atlas_test_councillor", "atlas_councillor")
    seen: list[str] = []
    with psycopg.connect(login, autocommit=True) as db:
        db.add_notice_handler(lambda notice: seen.append(notice.message_primary))
        # a cheap "immutable" function the planner would gladly run on every record
        db.execute(
            "CREATE FUNCTION pg_temp.peek(code text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE"
            " COST 0.0001 AS $$ BEGIN RAISE NOTICE 'saw %', code; RETURN true; END $$"
        )
        rows = db.execute("SELECT ward_code FROM ward_counts WHERE pg_temp.peek(ward_code)")
        assert len(rows.fetchall()) == 3
    assert sorted(seen) == [f"saw {WEST}", f"saw {WEST}", f"saw {EAST}"]  # one per row shown


def test_roles_made_beforehand_are_kept_and_two_databases_in_a_cluster_both_migrate(
    fresh_cluster, tmp_path
):
    with psycopg.connect(fresh_cluster.url(), autocommit=True) as db:
        db.execute("CREATE ROLE atlas_police NOLOGIN")
        (before,) = db.execute("SELECT oid FROM pg_roles WHERE rolname = 'atlas_police'").fetchone()
    officer = _login(fresh_cluster.url(), "officer", "atlas_police")  # before any database
    urls = [fresh_cluster.new_database() for _ in range(2)]
    for n, url in enumerate(urls):
        store = open_store(url)
        west = [(WEST, "2026-11-02", "street_count", 1, 5 + n)]
        store.add("records", _records(west, prefix=f"d{n}-"), batch=_batch(5 + n))
    with psycopg.connect(fresh_cluster.url(), autocommit=True) as db:
        roles = db.execute(
            "SELECT rolname, oid, rolcanlogin FROM pg_roles WHERE rolname LIKE 'atlas\\_%'"
            " ORDER BY rolname"
        ).fetchall()
    assert [name for name, _, _ in roles] == [
        "atlas_admin",
        "atlas_coordinator",
        "atlas_councillor",
        "atlas_police",
    ]
    assert dict((name, oid) for name, oid, _ in roles)["atlas_police"] == before
    assert not any(can_login for _, _, can_login in roles)
    for n, url in enumerate(urls):  # the grants are each database's own
        with psycopg.connect(conninfo.make_conninfo(url, user="officer"), autocommit=True) as db:
            assert db.execute("SELECT records, people FROM ward_counts").fetchall() == [
                (5 + n, 5 + n)
            ]
            _refused(db, "records")
    assert conninfo.conninfo_to_dict(officer)["user"] == "officer"


def test_a_role_made_beforehand_as_a_superuser_is_refused_and_nothing_is_applied(fresh_cluster):
    with psycopg.connect(fresh_cluster.url(), autocommit=True) as db:
        db.execute("CREATE ROLE atlas_councillor NOLOGIN SUPERUSER")
    url = fresh_cluster.new_database()
    with pytest.raises(StoreError, match="atlas_councillor exists already as a superuser"):
        open_store(url)
    with psycopg.connect(url) as db:  # the first step went back with the second
        assert db.execute("SELECT to_regclass('records')").fetchone() == (None,)
    with psycopg.connect(fresh_cluster.url(), autocommit=True) as db:
        db.execute("ALTER ROLE atlas_councillor NOSUPERUSER")
    assert open_store(url).counts()["records"] == 0
