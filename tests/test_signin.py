"""Who is using the app (issue 15), through AppTest: the role comes from the users table for a
signed-in user, never from the session; unknown users see whom to ask; old sign-ins are made
again; with no identity provider the app is one local coordinator, listening on 127.0.0.1 only.
The real sign-in through a real provider in a real browser is tests/browser/test_sign_in.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import STORE_ENV
from tests.shapes import store_with_wards
from tests.signing import AUTH, email_for, signed_in
from ui import signin
from ui.pages import pages_for

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A real store with wards (no demo), which the app opens."""
    store = store_with_wards(tmp_path)
    monkeypatch.setenv(STORE_ENV, store.location)
    return store


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def _view_as(at: AppTest) -> list[object]:
    return [box for box in at.sidebar.selectbox if box.label == "View as"]


def test_the_role_comes_from_the_users_table_not_the_session(store):
    at = signed_in(_app(), store, "councillor")
    at.session_state["role"] = "coordinator"  # as if someone forged it: overwritten each rerun
    at.run()
    assert not at.exception
    assert at.session_state["role"] == "councillor"
    assert at.title[0].value == "Overview"
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page("app_pages/map.py")  # a coordinator's page is not registered
    shown = " ".join(c.value for c in at.sidebar.caption)
    assert "Signed in as **councillor@partnership\\.example** (councillor)" in shown
    assert not _view_as(at)  # the role is not chosen by whoever opens the page


def test_an_unknown_user_sees_whom_to_ask_and_nothing_else(store):
    store.put_user("ana@council.example", role="admin")
    at = signed_in(_app(), store, None, email="stranger@elsewhere.example").run()
    assert not at.exception
    assert at.title[0].value == "No access yet"
    text = " ".join(m.value for m in at.markdown)
    assert "has not been opened to you" in text and "ana@council" not in text  # no admin named
    refused = store._audit_rows().query("action == 'access refused'")
    assert len(refused) == 1 and "stranger@elsewhere.example" in refused["detail"].iloc[0]
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page("app_pages/overview.py")


def test_removing_someone_takes_effect_at_their_next_rerun(store):
    at = signed_in(_app(), store, "police").run()
    assert at.title[0].value == "Overview"
    store.remove_user(email_for("police"))
    at.run()
    assert at.title[0].value == "No access yet"


def test_a_sign_in_older_than_the_limit_is_made_again(store, monkeypatch):
    monkeypatch.setenv(signin.SESSION_HOURS_ENV, "12")
    old = time.time() - 13 * 3600
    at = signed_in(_app(), store, "coordinator", signed_in_at=old).run()
    assert not at.exception
    assert not at.title or at.title[0].value != "Overview"  # signed out: no page of figures
    assert at.session_state["expired"] is True
    fresh = signed_in(_app(), store, "coordinator", signed_in_at=time.time() - 11 * 3600).run()
    assert fresh.title[0].value == "Overview"


def test_without_sign_in_a_real_store_is_one_local_coordinator(store):
    at = _app()
    at.session_state["role"] = "councillor"  # no "View as" with real data: ignored
    at.run()
    assert not at.exception
    assert at.session_state["role"] == "coordinator"
    assert "Local mode" in " ".join(c.value for c in at.sidebar.caption)
    assert not _view_as(at)


def test_sign_ins_and_page_views_are_audited_once_each(store):
    at = signed_in(_app(), store, "coordinator").run()
    at.run()  # a rerun on the same page and filters is not another view
    at.switch_page(pages_for("coordinator")[1].path).run()
    log = store._audit_rows()
    mine = log.loc[log["user"] == email_for("coordinator")]
    assert mine["action"].tolist() == ["sign in", "page view", "page view"]
    views = [json.loads(d) for d in mine.loc[mine["action"] == "page view", "detail"]]
    assert [v["page"] for v in views] == ["Overview", "Ward map"]
    assert set(mine["role"]) == {"coordinator"}


@pytest.mark.parametrize(
    ("address", "auth", "refused"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("0.0.0.0", None, True),
        ("", None, True),  # unset: Streamlit would listen on every address
        ("0.0.0.0", AUTH, False),
    ],
)
def test_without_sign_in_the_app_listens_on_this_computer_only(address, auth, refused, monkeypatch):
    monkeypatch.setattr(signin, "auth_settings", lambda: auth)
    said = signin.check_listening(address)
    assert (said is not None) == refused
    if refused:
        assert "without sign-in" in said and "python -m geo users add" in said


def test_starting_on_another_address_without_sign_in_is_refused_before_listening(tmp_path):
    result = subprocess.run(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
            "--server.address", "0.0.0.0", "--server.port", "8599",
            "--server.headless", "true", "--secrets.files", str(tmp_path / "none.toml"),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), STORE_ENV: str(tmp_path / "s.sqlite")},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "will not listen on 0.0.0.0 without sign-in" in result.stderr
    assert not (tmp_path / "s.sqlite").exists()  # stopped before anything was opened


def test_providers_are_found_flat_or_named():
    assert signin.providers(AUTH) == [None]
    named = {"redirect_uri": "x", "cookie_secret": "y", "council": AUTH, "police": AUTH}
    assert signin.providers(named) == ["council", "police"]
    assert signin.providers({"redirect_uri": "x"}) == []


def test_the_session_age_setting_is_read_and_bad_values_fall_back(monkeypatch):
    monkeypatch.setenv(signin.SESSION_HOURS_ENV, "8")
    assert signin.max_session_hours() == 8
    for bad in ("soon", "-1", "0"):
        monkeypatch.setenv(signin.SESSION_HOURS_ENV, bad)
        assert signin.max_session_hours() == signin.DEFAULT_SESSION_HOURS


@pytest.mark.parametrize(
    ("ip", "headers", "local"),
    [
        (None, {}, True),  # this computer, directly
        (None, {"X-Forwarded-For": "192.0.2.7"}, False),  # a proxy on this computer
        (None, {"Forwarded": "for=192.0.2.7"}, False),
        ("192.0.2.7", {}, False),  # another computer
    ],
)
def test_without_sign_in_only_views_from_this_computer_are_answered(
    ip, headers, local, monkeypatch
):
    from types import SimpleNamespace

    fake = SimpleNamespace(context=SimpleNamespace(ip_address=ip, headers=headers))
    monkeypatch.setattr(signin, "st", fake)
    assert signin.local_request() is local


def test_half_set_up_sign_in_lets_nobody_in(store):
    at = _app()
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback"}
    at.run()
    assert any("Sign-in is not set up right" in e.value for e in at.error)
    assert not at.title  # no page, not even local mode


def test_an_email_the_provider_has_not_verified_is_not_known(store):
    at = signed_in(_app(), store, "admin")
    at.user = {**dict(at.user), "email_verified": False}
    at.run()
    assert at.title[0].value == "No access yet"
