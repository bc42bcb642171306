"""The app signing in through a real OpenID Connect provider on 127.0.0.1, for browser tests.

``oidc-provider-mock`` (PyPI) is a real provider: discovery, an authorisation page with one
button per user, tokens. :func:`signed_app` starts it and the app (``streamlit run
streamlit_app.py`` with an ``[auth]`` section pointing at it) on free ports, on a given store,
and stops both after; :func:`sign_in` signs a user in through the provider's page.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0

#: Skips a module's tests, saying why, where the provider is not installed.
needs_provider = pytest.mark.skipif(
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


@contextlib.contextmanager
def signed_app(store_path: Path, folder: Path, emails: Iterable[str]) -> Iterator[str]:
    """The app's address, signing in ``emails`` through a provider; both stopped after."""
    idp_port, app_port = _free_port(), _free_port()
    idp_log, app_log = folder / "idp.log", folder / "app.log"
    users = [arg for email in emails for arg in ("--user", email)]
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
    env = {**os.environ, "OUTREACH_ATLAS_STORE": str(store_path), "PYTHONPATH": str(ROOT)}
    with idp_log.open("wb") as idp_out, app_log.open("wb") as app_out:
        idp = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock",
             "--port", str(idp_port), *users],
            stdout=idp_out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        app = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                "--server.address", HOST, "--server.port", str(app_port),
                "--server.headless", "true", "--server.fileWatcherType", "none",
                "--server.enableStaticServing", "true", "--secrets.files", str(secrets),
            ],
            cwd=ROOT, env=env, stdout=app_out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait(f"http://{HOST}:{idp_port}/.well-known/openid-configuration", idp, idp_log)
            _wait(f"http://{HOST}:{app_port}/_stcore/health", app, app_log)
            yield f"http://{HOST}:{app_port}"
        finally:
            for process in (app, idp):
                process.terminate()
                process.wait(timeout=20)


def sign_in(page, url: str, email: str) -> None:  # noqa: ANN001 - a Playwright page
    """Sign ``email`` in through the provider's page, and wait to be back in the app."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=email).click()  # the provider's page: one button per user
    page.wait_for_url(f"{url}/**", timeout=60_000)


def menu(page) -> list[str]:  # noqa: ANN001
    """The page titles in the sidebar menu (after each one's icon)."""
    nav = page.locator("[data-testid='stSidebarNav'] a")
    nav.first.wait_for(timeout=60_000)
    return [text.strip().splitlines()[-1] for text in nav.all_inner_texts()]
