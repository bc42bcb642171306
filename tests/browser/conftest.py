"""Fixtures for real-browser tests: Streamlit servers started per app script, and a recorded page.

Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright over CDP; Playwright's own
browser download is never used (it fails offline). Without Chromium the tests here are skipped,
unless ``OUTREACH_REQUIRE_BROWSER=1`` (CI), which makes them fail instead.

Use::

    def test_page(streamlit_server, browser_page):
        url = streamlit_server(ROOT / "streamlit_app.py")   # started once per session
        browser_page.open(url)
        frame = browser_page.map_frame()                     # the st_folium iframe, map drawn
        ...
        assert browser_page.offline_problems() == []

Set ``OUTREACH_SCREENSHOTS=<folder>`` to keep the screenshots tests take.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urlparse

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER_ENV = "OUTREACH_REQUIRE_BROWSER"
SCREENSHOTS_ENV = "OUTREACH_SCREENSHOTS"
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
LOCAL_HOST = "127.0.0.1"
SERVER_START_TIMEOUT_S = 90.0
SERVER_STOP_TIMEOUT_S = 15.0


def _missing_browser_parts() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(
            f"{CHROMIUM} is absent (apt-get install chromium; never `playwright install`)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is absent (pip install -r requirements-dev.txt)")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    """Skip (or, with OUTREACH_REQUIRE_BROWSER=1, fail) every test here without a browser."""
    missing = _missing_browser_parts()
    if not missing:
        return
    reason = "browser tests need a real Chromium: " + "; ".join(missing)
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV}=1)", pytrace=False)
    pytest.skip(reason)


# --- Streamlit servers ------------------------------------------------------------------------


@dataclass
class _Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    log_file: IO[bytes]

    def log_tail(self, lines: int = 40) -> str:
        self.log_file.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGINT, as Ctrl+C does (SIGTERM did not always stop `streamlit run`), then kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        self.log_file.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


def _stage(script: Path, stage_root: Path) -> Path:
    """The path to run so that ``/app/static/`` serves the repository's ``static/``.

    Streamlit serves the ``static`` folder beside the *main script* (``Path(script).parent``,
    symlinks not resolved). A script at the repository root runs in place; any other (a test
    app in tests/browser/) runs through a symlink in a temporary folder that also holds a
    ``static`` symlink to the repository's. The working directory is always the repository
    root, so ``.streamlit/config.toml`` applies either way.
    """
    if (script.parent / "static").resolve() == STATIC.resolve():
        return script
    stage = stage_root / f"{script.stem}-{len(list(stage_root.iterdir()))}"
    stage.mkdir()
    (stage / script.name).symlink_to(script)
    (stage / "static").symlink_to(STATIC, target_is_directory=True)
    return stage / script.name


def _healthy(base_url: str) -> bool:
    # No proxies: a proxy set in the environment must never see (or break) local requests.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _start(script: Path, stage_root: Path, log_dir: Path) -> _Server:
    target = _stage(script, stage_root)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    last_error = ""
    for _ in range(3):  # another process may take the free port before Streamlit does
        port = _free_port()
        log_path = log_dir / f"{script.stem}-{port}.log"
        log_file = log_path.open("wb")
        command = [
            sys.executable, "-m", "streamlit", "run", str(target),
            "--server.address", LOCAL_HOST,
            "--server.port", str(port),
            "--server.headless", "true",
            "--server.enableStaticServing", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        server = _Server(process, f"http://{LOCAL_HOST}:{port}", log_path, log_file)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _healthy(server.base_url):
                return server
            time.sleep(0.25)
        last_error = server.log_tail()
        server.stop()
        if "is not available" not in last_error:  # not a port clash: retrying won't help
            break
    raise RuntimeError(
        f"streamlit run {target} did not become healthy; its log ends:\n{last_error}"
    )


@pytest.fixture(scope="session")
def streamlit_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str | Path], str]]:
    """A factory: ``streamlit_server(script_path) -> base_url`` (``http://127.0.0.1:<port>``).

    Each script is started once per session, on a free port of 127.0.0.1, with static serving
    on, and stopped with SIGINT at the end of the session.
    """
    stage_root = tmp_path_factory.mktemp("streamlit-apps")
    log_dir = tmp_path_factory.mktemp("streamlit-logs")
    servers: dict[Path, _Server] = {}

    def start(script_path: str | Path) -> str:
        script = Path(script_path).resolve()
        if not script.is_file():
            raise FileNotFoundError(f"no Streamlit script at {script}")
        if script not in servers:
            servers[script] = _start(script, stage_root, log_dir)
        server = servers[script]
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the Streamlit server for {script} has exited; its log ends:\n{server.log_tail()}"
            )
        return server.base_url

    yield start
    for server in servers.values():
        server.stop()


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once per session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about"}:
        return True
    return parsed.hostname == LOCAL_HOST


def _abandoned_tile(failure: str) -> bool:
    """A base map tile Leaflet stopped loading itself (the view moved on to another zoom while
    it loaded): not a failure of the app. A tile the app could not serve is an error status."""
    return "/app/static/basemap/" in failure and failure.endswith("(net::ERR_ABORTED)")


@dataclass
class RecordedPage:
    """A Playwright page in a fresh context, with everything it asked for and complained about.

    Frames (the st_folium iframe included) are recorded too.
    """

    page: Page
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    #: Requests the app answered with an error status (a missing tile, a missing script).
    error_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    #: Requests asked for and not yet answered (maps load scripts in iframes).
    pending: set[object] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", lambda request: self.pending.discard(request))
        self.page.on(
            "requestfailed",
            lambda request: self.failed_requests.append(f"{request.url} ({request.failure})"),
        )
        self.page.on(
            "response",
            lambda response: (
                self.error_responses.append(f"{response.url} ({response.status})")
                if response.status >= 400
                else None
            ),
        )
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(f"{message.text} @ {message.location}")
                if message.type == "error"
                else None
            ),
        )
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("websocket", lambda socket_: self.websockets.append(socket_.url))

    def open(self, url: str) -> None:
        """Load a Streamlit page and wait until the app has rendered."""
        self.page.goto(url)
        self.page.locator("[data-testid='stApp']").wait_for()
        self.page.locator("[data-testid='stMain']").wait_for()

    def wait_until_quiet(self, *, quiet_ms: int = 500, timeout_ms: int = 30_000) -> None:
        """Wait until no request has been pending for ``quiet_ms``.

        ``wait_for_load_state("networkidle")`` returns at once in a single-page app (its own
        load finished long ago), and leaving a page while a map still loads its scripts aborts
        them, which would count as failed requests.
        """
        quiet = waited = 0
        while quiet < quiet_ms:
            if waited > timeout_ms:
                raise AssertionError(f"requests still pending after {timeout_ms} ms")
            self.page.wait_for_timeout(100)
            waited += 100
            quiet = quiet + 100 if not self.pending else 0

    def map_frame(self, index: int = 0, *, timeout_ms: float = 30_000) -> Frame:
        """The ``index``-th st_folium iframe, once Leaflet has drawn its map in it."""
        iframe = self.page.locator(MAP_IFRAME).nth(index)
        iframe.wait_for(state="attached", timeout=timeout_ms)
        handle = iframe.element_handle(timeout=timeout_ms)
        frame = handle.content_frame()
        if frame is None:
            raise AssertionError(f"the map iframe {MAP_IFRAME!r} has no content frame")
        frame.locator(".leaflet-container").wait_for(timeout=timeout_ms)
        return frame

    def offline_problems(self) -> list[str]:
        """Every sign the page was not self-contained or not healthy; empty when all is well."""
        problems = [f"request left {LOCAL_HOST}: {u}" for u in self.requests if not _is_local(u)]
        problems += [
            f"websocket left {LOCAL_HOST}: {u}" for u in self.websockets if not _is_local(u)
        ]
        problems += [f"failed request: {f}" for f in self.failed_requests if not _abandoned_tile(f)]
        problems += [f"error response: {r}" for r in self.error_responses]
        problems += [f"console error: {e}" for e in self.console_errors]
        problems += [f"page error: {e}" for e in self.page_errors]
        return problems

    def screenshot(self, path: Path) -> Path:
        """Save a full-page screenshot to ``path`` (and to $OUTREACH_SCREENSHOTS if set)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        keep = os.environ.get(SCREENSHOTS_ENV)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / path.name).write_bytes(path.read_bytes())
        return path


@pytest.fixture
def browser_page(chromium_browser: Browser) -> Iterator[RecordedPage]:
    """A fresh browser context and page (1280x900), recording requests and errors."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield RecordedPage(page)
    finally:
        context.close()
