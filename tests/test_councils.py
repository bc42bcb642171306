"""A partnership of councils (issue 16 section 2): each council reads its own records, and
another's only under a data-sharing agreement an admin recorded; enforced in geo/ on both
backends and by row-level security on PostGIS.

By hand: West ward (E05000001) belongs to council A (E06000001), East ward (E05000002) to
council B (E06000002), as the wards' file says (its LAD24CD column). Street counts, one person
each, in the week of Monday 2 Nov 2026 (nights 2-8 Nov):

- West (A): a0, a1, a2 on the nights of 2, 3 and 4 Nov at Station Road -> 3 people;
- East (B): b0, b1 on the nights of 2 and 3 Nov at the clock tower -> 2 people;
- outside every ward: x0 on the night of Sunday 8 Nov -> no council; only a reader bound to
  none sees it. It is the latest night, so the week of 2 Nov is whole (police and councillors
  get whole weeks only).

So a user bound to A reads a0-a2, one bound to B reads b0-b1, and anyone unbound all six. With
B sharing with A, A's users read a0-a2 and b0-b1 (B's still only theirs); once ended, a0-a2.

The partnership view (week ending 8 Nov, one period): A 3 sightings and 3 people, B 2 and 2;
the partnership's total 5, and x0 counted outside. A councillor sees each as "<5"; a
coordinator bound to A sees them so too (other councils' small counts), an unbound
coordinator sees 3 and 2.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from psycopg import conninfo, sql

from geo.cli import main
from geo.errors import AccessDenied, StoreError
from geo.importing import import_areas
from geo.privacy import users as people
from geo.questions import area_summary
from geo.questions.partnership import partnership
from geo.store import Batch, Store, open_store
from geo.store.audit import Actor, acting_as
from tests.makers import placed_records
from tests.shapes import CLOCK_TOWER, EAST_WARD, STATION_ROAD, WEST_WARD

A, B = "E06000001", "E06000002"
WEST, EAST = "E05000001", "E05000002"
ROWS = [  # record id, ward, night, place
    ("a0", WEST, "2026-11-02", STATION_ROAD),
    ("a1", WEST, "2026-11-03", STATION_ROAD),
    ("a2", WEST, "2026-11-04", STATION_ROAD),
    ("b0", EAST, "2026-11-02", CLOCK_TOWER),
    ("b1", EAST, "2026-11-03", CLOCK_TOWER),
    ("x0", None, "2026-11-08", (-1.5, 52.0)),
]
ALL = [row[0] for row in ROWS]


def _wards(folder: Path) -> Path:
    """West and East wards as an ONS file, each with its council's code."""
    frame = gpd.GeoDataFrame(
        {"WD24CD": [WEST, EAST], "WD24NM": ["West", "East"], "LAD24CD": [A, B]},
        geometry=[WEST_WARD, EAST_WARD],
        crs="EPSG:4326",
    )
    path = folder / "wards.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def _filled(store: Store, folder: Path) -> Store:
    import_areas(store, _wards(folder))
    batch = Batch.new(kind="records", source="t.csv", sha256="0" * 64)
    store.add("records", placed_records(ROWS), batch=batch)
    return store


def _ids(store: Store, council: str | None, **options: object) -> list[str]:
    with acting_as(Actor("someone@council.example", "coordinator", council)):
        return store.records(role="coordinator", **options)["record_id"].tolist()


@pytest.fixture()
def store(store_at, tmp_path) -> Store:
    return _filled(store_at(), tmp_path)


def test_wards_carry_their_council(store):
    assert store.ward_councils().to_dict() == {WEST: A, EAST: B}


def test_a_user_bound_to_a_council_reads_only_its_wards_records(store):
    assert _ids(store, None) == ALL
    assert _ids(store, A) == ["a0", "a1", "a2"]
    assert _ids(store, B) == ["b0", "b1"]
    assert _ids(store, A, columns=["record_id", "people"]) == ["a0", "a1", "a2"]
    with acting_as(Actor("pc@police.example", "police", B)):
        police = store.records(role="police", columns=["record_id", "easting"])
        assert police["record_id"].tolist() == ["b0", "b1"]
        figures = store.records_for_figures(role="councillor", columns=["record_id"])
        assert figures["record_id"].tolist() == ["b0", "b1"]
    # a reader with no council may narrow to one; a bound one may not widen or switch
    assert store.records(role="coordinator", council=B)["record_id"].tolist() == ["b0", "b1"]
    refused = pytest.raises(AccessDenied, match=f"bound to council {A} and cannot read .*{B}")
    with acting_as(Actor("ana@a.example", "coordinator", A)), refused:
        store.records(role="coordinator", council=B)


def test_sharing_lets_a_council_read_another_until_it_is_ended(store):
    store.share(B, A, by="admin", reason="DSA 2026-07")
    assert _ids(store, A) == ["a0", "a1", "a2", "b0", "b1"]
    assert _ids(store, B) == ["b0", "b1"]  # one way only
    with pytest.raises(StoreError, match=f"{B} shares its records with {A} already"):
        store.share(B, A, by="admin", reason="again")
    ended = store.end_share(B, A, by="admin")
    assert ended.ended_by == "admin" and ended.ended_at is not None
    assert _ids(store, A) == ["a0", "a1", "a2"]
    with pytest.raises(StoreError, match=f"{B} has no agreement in force sharing with {A}"):
        store.end_share(B, A, by="admin")
    kept = store.sharing()
    assert kept[["from_council", "to_council", "reason", "ended_by"]].values.tolist() == [
        [B, A, "DSA 2026-07", "admin"]
    ]
    audit = store._audit_rows()
    shared = audit.loc[audit["action"].str.startswith("sharing")]
    assert shared["action"].tolist() == ["sharing agreed", "sharing ended"]
    assert json.loads(shared["detail"].iloc[0]) == {
        "from_council": B,
        "to_council": A,
        "reason": "DSA 2026-07",
    }


def test_a_bound_admin_exports_what_their_council_reads_and_deletes_only_its_own(store):
    """p0 is a0's (West, A), p3 b0's (East, B), p5 x0's (outside every ward). B shares with
    A: A's admin exports b0 too (A reads it) but erases and purges only A's records. The
    erasure takes a0 alone; the purge before 5 Nov takes a1 and a2 (3 and 4 Nov) and leaves
    B's b0 and b1 of the same nights."""
    store.share(B, A, by="admin", reason="DSA 2026-07")
    refs = ["p0", "p3", "p5"]
    with acting_as(Actor("admin@a.example", "admin", A)):
        assert store.person_records(refs, role="admin")["record_id"].tolist() == ["a0", "b0"]
        assert store.erase_records(["p3", "p5"], detail={}, dry_run=True)["records"] == 0
        assert store.erase_records(refs, detail={"agency": "t"})["records"] == 1
        erased = people.audit_log(store, role="admin").iloc[-1]
        assert store.purge_records(date(2026, 11, 5))["records"] == 2
        purged = people.audit_log(store, role="admin").iloc[-1]
    assert _ids(store, None) == ["b0", "b1", "x0"]
    for row, action in ((erased, "person erased"), (purged, "records purged")):
        assert row["action"] == action
        assert json.loads(row["detail"])["council"] == A
    assert store.person_records(refs, role="admin")["record_id"].tolist() == ["b0", "x0"]


def test_an_admin_bound_to_a_council_manages_its_side_only(store):
    """An admin bound to A could otherwise let A (or themselves) read B's records: unbind a
    user, bind one to B, record B's records as shared with A. Each is refused, naming who can;
    what stays within A is allowed, and a new user they add is bound to A."""
    store.put_user("bo@b.example", role="coordinator", council=B)
    store.put_user("free@x.example", role="coordinator")
    refused = pytest.raises(AccessDenied, match=f"bound to council {A}: you may bind users")
    with acting_as(Actor("admin@a.example", "admin", A)):
        assert people.add_user(store, "new@a.example", role="admin", new_role="police").council == A
        with refused:
            people.add_user(store, "new@a.example", role="admin", new_role="police", unbind=True)
        with refused:
            people.add_user(store, "new@a.example", role="admin", new_role="police", council=B)
        for other, where in (("bo@b.example", f"council {B}"), ("free@x.example", "no council")):
            with pytest.raises(AccessDenied, match=f"bound to {where}; only an admin bound to no"):
                people.add_user(store, other, role="admin", new_role="councillor")
            with pytest.raises(AccessDenied, match=f"bound to {where}; only an admin bound to no"):
                people.remove_user(store, other, role="admin")
        with pytest.raises(AccessDenied, match=f"may share {A}'s own records only"):
            people.share(store, B, A, role="admin", reason="DSA 1")
        people.share(store, A, B, role="admin", reason="DSA 2")
        with pytest.raises(AccessDenied, match="settings hold for every council"):
            people.change_setting(store, people.POLICE_NATIONALITY, True, role="admin", reason="x")
        assert people.users(store, role="admin")["email"].tolist() == ["new@a.example"]
        assert people.remove_user(store, "new@a.example", role="admin")
    assert store.councils_read_by(A) == [A] and store.councils_read_by(B) == [B, A]
    assert len(people.users(store, role="admin")) == 2  # bound to none: every user
    assert [people.access_for(store, e).council for e in ("bo@b.example", "free@x.example")] == [
        B, None,
    ]  # fmt: skip
    store.share(B, A, by="admin", reason="DSA 3")  # an admin bound to none may
    with acting_as(Actor("admin@b.example", "admin", B)):
        people.end_share(store, B, A, role="admin")  # B is party to it
    with (
        acting_as(Actor("admin@c.example", "admin", "E06000009")),
        pytest.raises(AccessDenied, match="end only agreements E06000009 is party to"),
    ):
        people.end_share(store, A, B, role="admin")


def test_only_an_admin_shares_and_only_with_a_reason(store):
    with pytest.raises(AccessDenied, match="coordinator role cannot manage"):
        people.share(store, B, A, role="coordinator", reason="DSA 1")
    with pytest.raises(StoreError, match="give a reason: a sharing agreement is kept"):
        people.share(store, B, A, role="admin", reason=" ")
    with pytest.raises(StoreError, match="give two different councils"):
        people.share(store, A, A, role="admin", reason="DSA 1")
    with acting_as(Actor("ana@a.example", "admin")):
        people.share(store, B, A, role="admin", reason="DSA 1")
    assert store.sharing()["by"].tolist() == ["ana@a.example"]


def test_a_users_council_is_kept_audited_and_read_on_every_sign_in(store):
    store.put_user("ana@a.example", role="coordinator", council=A)
    store.put_user("ana@a.example", role="councillor")  # a new role keeps the council
    assert store.users()[["email", "role", "council"]].values.tolist() == [
        ["ana@a.example", "councillor", A]
    ]
    access = people.access_for(store, "ana@a.example")
    assert (access.role, access.council) == ("councillor", A)
    details = [json.loads(d) for d in store._audit_rows()["detail"].iloc[-2:]]
    assert details[0]["council"] == A and "council_before" not in details[1]
    both = f"give a council \\({B}, --council\\) or take the user's council away"
    with pytest.raises(StoreError, match=both):
        store.put_user("ana@a.example", role="councillor", council=B, unbind=True)
    assert store.put_user("ana@a.example", role="councillor", unbind=True).council is None
    assert people.access_for(store, "ana@a.example").council is None
    unbound = json.loads(store._audit_rows()["detail"].iloc[-1])
    assert unbound["council_before"] == A and "council" not in unbound


def test_a_bound_users_ward_figures_count_only_their_councils_wards(store):
    with acting_as(Actor("ana@a.example", "coordinator", A)):
        found = area_summary(store, role="coordinator", period="week", periods=1)
    assert found.areas[["area_code", "people"]].values.tolist() == [[WEST, 3]]


def test_the_partnership_view_puts_councils_side_by_side(store):
    exact = partnership(store, role="coordinator", periods=1)
    assert exact.areas[["area_code", "sightings", "people"]].values.tolist() == [
        [A, 3, 3],
        [B, 2, 2],
    ]
    assert exact.outside["people"].tolist() == [1]
    for actor in (Actor("c@a.example", "councillor", A), Actor("d@a.example", "coordinator", A)):
        with acting_as(actor):
            hidden = partnership(store, role=actor.role, periods=1)
        assert hidden.areas["people"].tolist() == ["<5", "<5"]


def test_a_bound_reader_gets_no_partnership_total_to_subtract_their_own_from(store):
    """A coordinator bound to A knows A's exact 3 people from A's ward pages (below). Had the
    partnership's total (5, or "<5" hidden by the same rule as any total) or the count outside
    every ward been shown next to B's hidden cell, 5 - 3 would give B's 2: neither is shown."""
    with acting_as(Actor("d@a.example", "coordinator", A)):
        own = area_summary(store, role="coordinator", period="week", periods=1)
        found = partnership(store, role="coordinator", periods=1)
    assert own.areas.loc[own.areas["area_code"] == WEST, "people"].tolist() == [3]
    assert found.areas["people"].tolist() == ["<5", "<5"]
    assert found.totals.empty and found.outside.empty
    unbound = partnership(store, role="councillor", periods=1)  # knows no council's figures
    assert len(unbound.totals) == 1 and len(unbound.outside) == 1


def test_sqlite_stores_made_before_councils_gain_the_column(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    open_store(path).put_user("ana@a.example", role="admin")
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE users DROP COLUMN council")
    store = open_store(path)
    assert store.users()["council"].tolist() == [None]
    assert store.put_user("bo@b.example", role="coordinator", council=B).council == B


def test_the_command_line_binds_users_and_records_agreements(tmp_path, capsys):
    at = str(_filled(open_store(tmp_path / "cli.sqlite"), tmp_path).location)
    assert main(["users", "add", "ana@a.example", "--role", "coordinator", "--council", A,
                 "--store", at]) == 0  # fmt: skip
    assert f"bound to council {A}" in capsys.readouterr().out
    assert main(["users", "add", "bo@b.example", "--role", "police", "--council", B,
                 "--store", at]) == 0  # fmt: skip
    assert main(["users", "add", "bo@b.example", "--role", "police", "--no-council",
                 "--store", at]) == 0  # fmt: skip
    assert capsys.readouterr().out.splitlines()[-1] == "bo@b.example may sign in as police"
    assert main(["sharing", "add", B, A, "--reason", "DSA 9", "--store", at]) == 0
    assert f"council {A}'s users may now read council {B}'s records" in capsys.readouterr().out
    assert main(["sharing", "list", "--store", at, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["reason"] for row in listed["rows"]] == ["DSA 9"]
    assert main(["sharing", "end", B, A, "--store", at]) == 0
    assert main(["sharing", "end", B, A, "--store", at]) == 2
    assert "error: " in capsys.readouterr().err
    assert main(["partnership", "--role", "councillor", "--periods", "1", "--json",
                 "--store", at]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(row["area_code"], row["people"]) for row in rows] == [(A, "<5"), (B, "<5")]


# -- row-level security on PostGIS -----------------------------------------------------------
def test_the_command_line_answers_as_one_councils_user_with_council(tmp_path, capsys):
    """As a user bound to A: West alone (3), whose last night is 4 Nov, so the week is the
    seven nights to 4 Nov; in the partnership, A's own 3 is hidden as "<5" as B's is."""
    at = str(_filled(open_store(tmp_path / "cli.sqlite"), tmp_path).location)

    def rows(*command: str) -> list[tuple[str, object, str]]:
        assert main([*command, "--periods", "1", "--json", "--store", at]) == 0
        found = json.loads(capsys.readouterr().out)
        found = found["rows"] if isinstance(found, dict) else found
        return [(row["area_code"], row["people"], row["period_end"]) for row in found]

    assert rows("summary", "--period", "week") == [(WEST, 3, "2026-11-08"), (EAST, 2, "2026-11-08")]
    assert rows("summary", "--period", "week", "--council", A) == [(WEST, 3, "2026-11-04")]
    assert rows("partnership", "--council", A) == [(A, "<5", "2026-11-08"), (B, "<5", "2026-11-08")]
    assert main(["summary", "--council", "E06000009", "--store", at]) == 2
    assert f"holds no wards of that council; its councils are {A}, {B}" in capsys.readouterr().err


def _login(url: str, name: str, *groups: str) -> str:
    with psycopg.connect(url, autocommit=True) as db:
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            db.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        for group in groups:
            db.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name))
            )
    return conninfo.make_conninfo(url, user=name)


def _direct(login: str) -> list[str]:
    with psycopg.connect(login, autocommit=True) as db:
        return [r for (r,) in db.execute("SELECT record_id FROM records ORDER BY record_id")]


def test_a_councils_own_database_login_reads_only_its_rows(postgis_url, tmp_path):
    store = _filled(open_store(postgis_url), tmp_path)
    mapped = _login(postgis_url, "atlas_test_council_a", "atlas_coordinator")
    unmapped = _login(postgis_url, "atlas_test_council_none", "atlas_coordinator")
    with psycopg.connect(postgis_url, autocommit=True) as db:
        db.execute("INSERT INTO council_logins VALUES ('atlas_test_council_a', %s)", (A,))
    assert _direct(mapped) == ["a0", "a1", "a2"]
    assert _direct(unmapped) == sorted(ALL)  # no council: a single-council deployment
    store.share(B, A, by="admin", reason="DSA 2026-07")
    assert _direct(mapped) == ["a0", "a1", "a2", "b0", "b1"]
    store.end_share(B, A, by="admin")
    assert _direct(mapped) == ["a0", "a1", "a2"]
    with psycopg.connect(mapped, autocommit=True) as db:
        for table in ("sharing", "council_logins"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=table):
                db.execute(f"SELECT * FROM {table}")


def test_the_apps_own_login_is_narrowed_by_the_council_it_sets(postgis_cluster, tmp_path):
    url = postgis_cluster.new_database()
    open_store(url)  # the group roles exist
    _login(url, "atlas_test_owner2")  # no superuser: row-level security binds it
    name = "owned2_" + url.rsplit("/", 1)[1]
    with psycopg.connect(postgis_cluster.url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name} TEMPLATE atlas_template OWNER atlas_test_owner2")
    owned = postgis_cluster.url(name).replace("postgres@", "atlas_test_owner2@")
    store = _filled(open_store(owned), tmp_path)
    with psycopg.connect(owned) as db:
        assert db.execute("SELECT count(*) FROM records").fetchone() == (6,)
        db.execute("SELECT set_config('atlas.council', %s, true)", (B,))
        assert db.execute("SELECT count(*) FROM records").fetchone() == (2,)
    assert _ids(store, B) == ["b0", "b1"]


# -- the admins' page -------------------------------------------------------------------------
def test_an_admin_binds_a_user_and_records_and_ends_an_agreement_on_the_page(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from geo.store import STORE_ENV
    from tests.signing import signed_in

    store = _filled(open_store(tmp_path / "page.sqlite"), tmp_path)
    monkeypatch.setenv(STORE_ENV, store.location)
    app = str(Path(__file__).resolve().parents[1] / "app_main.py")
    at = signed_in(AppTest.from_file(app, default_timeout=120), store, "admin").run()
    at.switch_page("app_pages/users.py").run()
    at.text_input(key="user_email").input("ana@a.example")
    choices = at.selectbox(key="user_council").options
    assert choices == ["As before", "No council (every council's records)", A, B]
    at.selectbox(key="user_council").select(A)
    next(b for b in at.button if b.label == "Save").click().run()
    assert people.access_for(store, "ana@a.example").council == A
    at.text_input(key="user_email").input("ana@a.example")
    at.selectbox(key="user_council").set_value("(no council)")
    next(b for b in at.button if b.label == "Save").click().run()
    assert people.access_for(store, "ana@a.example").council is None
    at.selectbox(key="share_from").select(B)
    at.selectbox(key="share_to").select(A)
    next(b for b in at.button if b.label == "Record the agreement").click().run()
    assert any("give a reason" in e.value for e in at.error)
    at.text_input(key="share_reason").input("DSA 2026-07")
    next(b for b in at.button if b.label == "Record the agreement").click().run()
    assert not at.exception, at.exception
    assert store.councils_read_by(A) == [A, B]
    next(b for b in at.button if b.label == "End the agreement").click().run()
    assert store.councils_read_by(A) == [A]


def test_an_admin_bound_to_a_council_is_offered_its_side_only_on_the_page(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from geo.store import STORE_ENV
    from tests.signing import signed_in

    store = _filled(open_store(tmp_path / "page.sqlite"), tmp_path)
    monkeypatch.setenv(STORE_ENV, store.location)
    app = str(Path(__file__).resolve().parents[1] / "app_main.py")
    at = signed_in(AppTest.from_file(app, default_timeout=120), store, "admin")
    store.put_user("admin@a.example", role="admin", council=A)
    at = signed_in(at, store, None, email="admin@a.example").run()
    at.switch_page("app_pages/users.py").run()
    assert at.selectbox(key="user_council").options == [A]
    assert at.selectbox(key="share_from").options == [A, B]  # B's: to end what B agreed
    assert not [b for b in at.button if b.label in ("Turn on", "Turn off")]
    at.text_input(key="user_email").input("new@a.example")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert people.access_for(store, "new@a.example").council == A


def test_the_app_never_serves_one_councils_figures_to_anothers_user(tmp_path, monkeypatch):
    """Two coordinators, bound to A and to B, open the ward map in one app process (whose
    caches every session shares): each sees only their own ward's people (West 3, East 2)."""
    from streamlit.testing.v1 import AppTest

    from geo.store import STORE_ENV
    from tests.signing import signed_in

    store = _filled(open_store(tmp_path / "page.sqlite"), tmp_path)
    monkeypatch.setenv(STORE_ENV, store.location)
    app = str(Path(__file__).resolve().parents[1] / "app_main.py")
    users = ((A, "ana@a.example"), (B, "bo@b.example"))
    for council, email in users:  # both first: a write moves the version, emptying caches
        people.add_user(store, email, role="admin", new_role="coordinator", council=council)
    seen = {}
    for council, email in users:
        at = signed_in(AppTest.from_file(app, default_timeout=120), store, None, email=email)
        at.run().switch_page("app_pages/ward_map.py").run()
        assert not at.exception, at.exception
        table = next(frame.value for frame in at.dataframe if "Ward" in frame.value.columns)
        seen[council] = dict(zip(table["Ward"], table["People counted"], strict=True))
    assert seen == {A: {"West": "3"}, B: {"East": "2"}}
