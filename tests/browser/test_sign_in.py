"""Sign-in through a real OpenID Connect provider on 127.0.0.1, in Debian's Chromium.

``oidc-provider-mock`` (PyPI) is a real provider: discovery, authorisation page, tokens. The
app is started with an ``[auth]`` section pointing at it and three users in its users table:
a coordinator, a police officer and a councillor. Each signs in through the provider's page and
gets only their own pages; a fourth account the table does not know sees whom to ask; a user
removed from the table loses access at their next click.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from geo.demo import load_demo
from geo.store import open_store
from ui.pages import pages_for

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
USERS = {
    "cora@council.example": "coordinator",
    "pat@police.example": "police",
    "cllr.khan@council.example": "councillor",
}
STRANGER = "someone@elsewhere.example"
START_TIMEOUT_S = 90.0

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("oidc_provider_mock") is None,
    reason="the sign-in tests need oidc-provider-mock: pip install -r requirements-dev.txt",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: exited; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer; log:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory):
    """A provider and the app (signing in through it) on free ports of 127.0.0.1."""
    folder = tmp_path_factory.mktemp("sign-in")
    store = open_store(folder / "atlas.sqlite")
    load_demo(store, directory=folder / "demo")
    for email, role in USERS.items():
        store.put_user(email, role=role)
    idp_port, app_port = _free_port(), _free_port()
    idp_log, app_log = folder / "idp.log", folder / "app.log"
    logs = [idp_log.open("wb"), app_log.open("wb")]
    users = [arg for email in [*USERS, STRANGER] for arg in ("--user", email)]
    idp = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--port", str(idp_port),
         *users],
        stdout=logs[0], stderr=subprocess.STDOUT,
    )  # fmt: skip
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://{HOST}:{app_port}/oauth2callback"\n'
        'cookie_secret = "a-test-only-cookie-secret-of-some-length"\n'
        'client_id = "outreach-atlas"\n'
        'client_secret = "test-only"\n'
        f'server_metadata_url = "http://{HOST}:{idp_port}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "OUTREACH_ATLAS_STORE": str(store.path), "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
            "--server.address", HOST, "--server.port", str(app_port),
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--secrets.files", str(secrets),
        ],
        cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(f"http://{HOST}:{idp_port}/.well-known/openid-configuration", idp, idp_log)
        _wait(f"http://{HOST}:{app_port}/_stcore/health", app, app_log)
        yield f"http://{HOST}:{app_port}", store
    finally:
        for process in (app, idp):
            process.terminate()
            process.wait(timeout=20)
        for log in logs:
            log.close()


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=email).click()  # the provider's page: one button per user
    page.wait_for_url(f"{url}/**", timeout=60_000)


def _menu(page) -> list[str]:
    nav = page.locator("[data-testid='stSidebarNav'] a")
    nav.first.wait_for(timeout=60_000)
    return [text.strip().splitlines()[-1] for text in nav.all_inner_texts()]  # after the icon


@pytest.mark.parametrize(("email", "role"), list(USERS.items()))
def test_each_user_signs_in_and_gets_their_own_pages(signed_app, chromium_browser, email, role):
    url, store = signed_app
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, url, email)
        assert _menu(page) == [spec.title for spec in pages_for(role)]
        sidebar = page.locator("[data-testid='stSidebar']")
        assert f"Signed in as {email} ({role})" in sidebar.inner_text()
        log = store._audit_rows()
        signed = [json.loads(d) for d in log.loc[log["user"] == email, "detail"]]
        assert "sign in" in set(log.loc[log["user"] == email, "action"])
        assert signed  # page views and the sign-in, under their own name
    finally:
        context.close()


def test_someone_not_in_the_table_sees_whom_to_ask(signed_app, chromium_browser):
    url, _ = signed_app
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, url, STRANGER)
        page.get_by_role("heading", name="No access yet").wait_for(timeout=60_000)
        page.get_by_text("has not been opened to you").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert "cora@council.example" not in page.inner_text("body")  # no admin, no names
    finally:
        context.close()


def test_a_removed_user_loses_access_at_their_next_click(signed_app, chromium_browser):
    url, store = signed_app
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, url, "pat@police.example")
        _menu(page)
        store.remove_user("pat@police.example")
        page.locator("[data-testid='stSidebarNav'] a", has_text="Ward map").click()
        page.get_by_role("heading", name="No access yet").wait_for(timeout=60_000)
    finally:
        store.put_user("pat@police.example", role="police")
        context.close()
