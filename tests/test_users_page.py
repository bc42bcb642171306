"""The admins' page, Users and audit, through AppTest: users added and removed, the police
nationality setting (refused without a reason), a subject access request, and the audit log.

The store: the wards of tests/shapes.py and three contacts by Outreach, two of client C1 and
one of C2, all at Station Road in November 2026.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.importing import import_records
from geo.privacy import users as people
from geo.store import STORE_ENV
from tests.shapes import STATION_ROAD, store_with_wards
from tests.signing import email_for, signed_in

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
PAGE = "app_pages/users.py"


@pytest.fixture
def store(tmp_path, monkeypatch):
    store = store_with_wards(tmp_path)
    at = f"{STATION_ROAD[1]},{STATION_ROAD[0]}"
    lines = ["Date,Latitude,Longitude,People,Client ref"]
    lines += [f"0{d}/11/2026 22:00,{at},1,{ref}" for d, ref in ((2, "C1"), (3, "C1"), (4, "C2"))]
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_records(store, tmp_path / "o.csv", agency="Outreach")
    monkeypatch.setenv(STORE_ENV, store.location)
    return store


def _page(store, role: str = "admin") -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=120), store, role).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_an_admin_adds_and_removes_a_user(store):
    at = _page(store)
    at.text_input(key="user_email").input("Cllr.Khan@Council.Example")
    at.selectbox(key="user_role").select("councillor")
    next(b for b in at.button if b.label == "Save").click().run()
    assert people.access_for(store, "cllr.khan@council.example").role == "councillor"
    at.selectbox(key="remove_email").select("cllr.khan@council.example")
    at.checkbox(key="remove_sure").check()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert people.access_for(store, "cllr.khan@council.example") is None
    log = people.audit_log(store, role="admin")
    changes = log.loc[log["action"].str.startswith("user"), ["user", "action"]].values.tolist()
    assert changes[-2:] == [
        [email_for("admin"), "user added"],
        [email_for("admin"), "user removed"],
    ]


def test_police_nationality_needs_a_reason_on_the_page(store):
    at = _page(store)
    turn_on = next(b for b in at.button if b.label == "Turn on")
    turn_on.click().run()
    assert any("give a reason" in e.value for e in at.error)
    assert not people.police_see_nationality(store)
    at.text_input(key=f"reason_{people.POLICE_NATIONALITY}").input("DPIA 2026-14")
    next(b for b in at.button if b.label == "Turn on").click().run()
    assert people.police_see_nationality(store)
    assert store.settings()[people.POLICE_NATIONALITY].changed_by == email_for("admin")


def test_a_subject_access_request_finds_one_persons_records(store):
    at = _page(store)
    at.text_input(key="rights_ref").input("C1")
    next(b for b in at.button if b.label == "Find their records").click().run()
    assert not at.error
    assert any("2 records held for this person" in m.value for m in at.markdown)
    log = people.audit_log(store, role="admin")
    assert "subject access export" in set(log["action"])
    assert not log["detail"].str.contains("C1").any()  # never the reference in clear


def test_other_roles_cannot_open_the_page(store):
    at = signed_in(AppTest.from_file(APP, default_timeout=120), store, "coordinator")
    at.run()
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page(PAGE)
    alone = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    alone.session_state["role"] = "coordinator"
    alone.run()
    assert any("cannot manage users" in i.value for i in alone.info)
