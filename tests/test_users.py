"""Users, roles, settings and the audit log (issue 15): the store's side and the command line.

By hand: a store begins with no users; ``users add`` makes the first admin (the command line
acts as an admin: whoever runs it holds the store file). Every write adds exactly one audit
row in its own transaction, naming the actor: an import that fails adds none.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import AccessDenied, StoreError
from geo.privacy import users as people
from geo.store import Batch, open_store
from geo.store.audit import Actor, acting_as, current_actor
from tests.makers import canonical_records

ROOT = Path(__file__).resolve().parents[1]
ANA = Actor("ana.silva@council.example", "admin")


@pytest.fixture()
def store(tmp_path):
    """An embedded store (for the tests that open its file themselves)."""
    return open_store(tmp_path / "atlas.sqlite")


@pytest.fixture()
def either(store_at):
    """A store of each kind: embedded, then PostGIS."""
    return store_at()


def _actions(store) -> list[str]:
    return people.audit_log(store, role="admin")["action"].tolist()


def test_a_user_is_known_by_their_email_read_afresh_each_time(either):
    store = either
    with acting_as(ANA):
        people.add_user(store, " Ana.Silva@Council.Example ", role="admin", new_role="admin")
        people.add_user(
            store, "pc.jones@police.example", role="admin", new_role="police", agency="Sussex"
        )
    found = people.access_for(store, "ANA.SILVA@council.example")
    assert (found.email, found.role, found.agency) == ("ana.silva@council.example", "admin", None)
    assert people.access_for(store, "pc.jones@police.example").agency == "Sussex"
    assert people.access_for(store, "stranger@example.org") is None
    assert people.access_for(store, None) is None  # no email from the provider: unknown
    with acting_as(ANA):
        assert people.remove_user(store, "pc.jones@police.example", role="admin")
    assert people.access_for(store, "pc.jones@police.example") is None  # at once
    table = people.users(store, role="admin")
    assert table[["email", "role", "added_by"]].values.tolist() == [
        ["ana.silva@council.example", "admin", "ana.silva@council.example"]
    ]


def test_only_admins_manage_and_the_last_admin_stays(either):
    store = either
    for role in ("coordinator", "police", "councillor"):
        with pytest.raises(AccessDenied, match=f"the {role} role cannot manage users"):
            people.add_user(store, "x@y.example", role=role, new_role="admin")
        with pytest.raises(AccessDenied, match="ask an admin"):
            people.audit_log(store, role=role)
    people.add_user(store, "ana@council.example", role="admin", new_role="admin", agency="Council")
    for take_away in (
        lambda: people.remove_user(store, "ana@council.example", role="admin"),
        lambda: people.add_user(store, "ana@council.example", role="admin", new_role="police"),
    ):
        with pytest.raises(StoreError, match="ana@council.example is the last admin"):
            take_away()
    assert people.access_for(store, "ana@council.example").role == "admin"
    # a second admin: then the first may go; a new role keeps the agency when none is given
    people.add_user(store, "bo@council.example", role="admin", new_role="admin")
    changed = people.add_user(store, "ana@council.example", role="admin", new_role="coordinator")
    assert (changed.role, changed.agency) == ("coordinator", "Council")
    version = store.version()
    assert not people.remove_user(store, "nobody@council.example", role="admin")
    assert store.version() == version  # nothing removed, nothing written
    with pytest.raises(StoreError, match="'chief' is not a role"):
        store.put_user("a@b.example", role="chief")
    with pytest.raises(StoreError, match="'not an address' is not an email address"):
        store.put_user("not an address", role="police")


def test_police_see_no_nationality_until_an_admin_gives_a_reason(either):
    store = either
    assert people.police_see_nationality(store) is False
    with pytest.raises(AccessDenied, match="give a reason to turn on"):
        people.change_setting(store, people.POLICE_NATIONALITY, True, role="admin", reason=" ")
    with pytest.raises(AccessDenied, match="cannot manage users or settings"):
        people.change_setting(store, people.POLICE_NATIONALITY, True, role="police", reason="x")
    assert people.police_see_nationality(store) is False
    with acting_as(ANA):
        people.change_setting(
            store, people.POLICE_NATIONALITY, True, role="admin", reason="DPIA 2026-14"
        )
        people.change_setting(store, people.POLICE_NATIONALITY, False, role="admin", reason=None)
    assert people.police_see_nationality(store) is False
    log = people.audit_log(store, role="admin")
    details = [json.loads(d) for d in log["detail"]]
    assert [(d["before"], d["value"], d["reason"]) for d in details] == [
        (None, True, "DPIA 2026-14"),
        (True, False, None),
    ]
    assert set(log["user"]) == {ANA.user} and set(log["role"]) == {"admin"}


def test_every_write_is_audited_in_its_own_transaction(either):
    store = either
    batch = Batch.new(kind="records", source="night.csv", sha256="0" * 64, accounting={})
    store.add("records", canonical_records(3), batch=batch)
    (row,) = people.audit_log(store, role="admin").to_dict("records")
    assert (row["action"], json.loads(row["detail"])["batch_id"]) == ("import", batch.batch_id)
    assert row["user"] == current_actor().user and row["user"].endswith("(command line)")
    # a write that fails leaves no audit row (and stores nothing)
    with pytest.raises(StoreError):
        store.add_link_decision(record_a="nope", record_b="nada", action="unlink", by="ana")
    assert _actions(store) == ["import"]
    ids = store.records(role="coordinator")["record_id"].tolist()
    coordinator = Actor("sam@outreach.example", "coordinator")
    with acting_as(coordinator):
        store.add_link_decision(record_a=ids[0], record_b=ids[1], action="unlink", by="sam")
        store.add_closure(key="person-x", by="sam", reason="referred by phone")
        store.record_event("export", {"page": "Ward map", "file": "ward-figures.csv"})
    log = people.audit_log(store, role="admin")
    assert log["action"].tolist() == [
        "import",
        "records unlinked",
        "safeguarding item closed",
        "export",
    ]
    assert log["seq"].is_monotonic_increasing
    assert log["user"].tolist()[1:] == [coordinator.user] * 3
    assert current_actor() != coordinator  # the actor is back as it was


def test_nobody_can_change_or_remove_an_audit_row(store):
    store.record_event("sign in", {"provider": "test"})
    with sqlite3.connect(store.path) as db:
        for statement in ("UPDATE audit SET user = 'someone else'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
                db.execute(statement)
    assert _actions(store) == ["sign in"]


def test_the_code_has_no_path_that_updates_or_deletes_audit_rows():
    changes = re.compile(r"(UPDATE|DELETE\s+FROM|REPLACE\s+INTO|DROP\s+TABLE)\s+audit\b", re.I)
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for folder in ("geo", "ui", "app_pages", "layers")
        for path in (ROOT / folder).rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if changes.search(line)
    ]
    assert found == [], found
    stores = [p for p in (ROOT / "geo" / "store").glob("*.py")]
    assert any("INSERT INTO audit" in p.read_text(encoding="utf-8") for p in stores)  # can fail


def test_the_command_line_makes_the_first_admin_and_reads_the_log(store, capsys, tmp_path):
    args = ["--store", str(store.path)]
    assert main(["users", "add", "Ana@Council.Example", "--role", "admin", *args]) == 0
    assert capsys.readouterr().out == "ana@council.example may sign in as admin\n"
    assert main(["users", "add", "pc@police.example", "--role", "police", "--agency", "Sussex",
                 *args]) == 0  # fmt: skip
    assert main(["users", "list", *args, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert [(r["email"], r["role"]) for r in listed["rows"]] == [
        ("ana@council.example", "admin"),
        ("pc@police.example", "police"),
    ]
    assert main(["users", "remove", "nobody@x.example", *args]) == 2
    assert "no user 'nobody@x.example'" in capsys.readouterr().err
    assert main(["settings", "police_see_nationality", "on", *args]) == 2
    assert "give a reason" in capsys.readouterr().err
    assert main(["settings", "police_see_nationality", "on", "--reason", "DPIA 7", *args]) == 0
    assert "police_see_nationality: on" in capsys.readouterr().out
    out = tmp_path / "audit.csv"
    assert main(["audit", "--out", str(out), *args]) == 0
    log = pd.read_csv(out)
    assert log["action"].tolist() == ["user added", "user added", "setting changed"]


def test_police_figures_hold_no_nationality_or_nrpf_until_allowed(tmp_path):
    """Four people at Station Road in the week from 26 October, one with no recourse to public
    funds, and a visit that found nobody on 9 November (so that week is whole for police)."""
    from geo.importing import import_records
    from geo.questions import area_summary, tasking_brief
    from tests.shapes import STATION_ROAD, store_with_wards

    store = store_with_wards(tmp_path)
    lines = ["Date,Latitude,Longitude,People,Nationality,NRPF"]
    at = f"{STATION_ROAD[1]},{STATION_ROAD[0]}"
    lines += [f"{d}/10/2026 22:00,{at},1,Polish,No" for d in (27, 28, 29)]
    lines += [f"30/10/2026 22:00,{at},1,Eritrean,Yes", f"09/11/2026 22:00,{at},0,,"]
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_records(store, tmp_path / "o.csv", agency="Outreach")
    immigration = set(people.IMMIGRATION_COLUMNS)
    coordinator = area_summary(store, role="coordinator", period="week")
    assert immigration <= set(coordinator.areas.columns)
    assert coordinator.totals["nrpf"].sum() == 1
    police = area_summary(store, role="police", period="week")
    assert not immigration & (set(police.areas.columns) | set(police.totals.columns))
    assert "people" in police.areas.columns  # the rest is there
    needs = tasking_brief(store, role="police").needs["Need"].tolist()
    assert not any("public funds" in need for need in needs) and needs
    people.change_setting(store, people.POLICE_NATIONALITY, True, role="admin", reason="DPIA 9")
    allowed = area_summary(store, role="police", period="week")
    assert immigration <= set(allowed.areas.columns)
    assert "<5" in allowed.totals["nrpf"].tolist()  # shown as police figures are: small hidden
    assert any("public funds" in n for n in tasking_brief(store, role="police").needs["Need"])


def test_an_audit_row_on_its_own_waits_briefly_behind_an_import(store, monkeypatch):
    """A page view while an import holds the store is refused after EVENT_WAIT_MS, not 120 s:
    the page then says it cannot be shown (nothing is shown unaudited)."""
    from geo.store import sqlite_registers

    monkeypatch.setattr(sqlite_registers, "EVENT_WAIT_MS", 200)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as an import does, for as long as it runs
    try:
        with pytest.raises(StoreError, match="locked"):
            store.record_event("page view", {"page": "Overview"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.record_event("page view", {"page": "Overview"})  # once it is done, it goes in
    assert _actions(store) == ["page view"]
