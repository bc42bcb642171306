"""Fixtures shared by every test: where the real files of ../shared/data are, when present; the
demo borough's store; and the app on a demo store of its own, for page tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real ONS, police.uk and Code-Point Open files; skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (clone ../shared beside the repo)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The synthetic demo borough in a store of its own, built once per run; read it only."""
    from geo.demo import load_demo
    from geo.store import open_store

    store = open_store(tmp_path_factory.mktemp("demo-store") / "atlas.sqlite")
    load_demo(store, directory=ROOT / "data" / "demo")
    return store


@pytest.fixture(scope="module")
def app_store(tmp_path_factory):
    """The demo borough's store, which the app builds on its first run (once per module) beside
    a real store path that is never begun; ``OUTREACH_ATLAS_STORE`` names that path meanwhile."""
    from streamlit.testing.v1 import AppTest

    from geo.store import STORE_ENV, demo_store_path

    path = tmp_path_factory.mktemp("app") / "atlas.sqlite"
    before = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(path)
    try:
        AppTest.from_file(str(ROOT / "app_main.py"), default_timeout=180).run()
        yield demo_store_path(path)
    finally:
        if before is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = before


@pytest.fixture(scope="session")
def postgis_cluster():
    """A throwaway PostgreSQL cluster with PostGIS (:mod:`tests.postgis`), one per run.

    Skips, naming what is missing, where the server or the extension is not installed; with
    ``OUTREACH_REQUIRE_POSTGIS=1`` (as CI sets) that is a failure instead."""
    from tests import postgis

    lacking = postgis.missing()
    if lacking:
        if os.environ.get(postgis.REQUIRE_ENV) == "1":
            pytest.fail(f"{postgis.REQUIRE_ENV}=1 but this machine lacks {lacking}")
        pytest.skip(f"PostGIS tests need {lacking}, which is missing here")
    with postgis.running_cluster() as cluster:
        yield cluster


@pytest.fixture()
def postgis_url(postgis_cluster) -> str:
    """The URL of a fresh database with PostGIS, for this test alone."""
    return postgis_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgis"])
def store_at(request, tmp_path):
    """Stores of one backend (each test runs on both): ``store_at()`` opens the test's store,
    a fresh one the first time; ``store_at("b")`` another store beside it."""
    from geo.store import open_store

    urls: dict[str, str] = {}

    def make(name: str = "s"):
        if request.param == "sqlite":
            return open_store(tmp_path / f"{name}.sqlite")
        if name not in urls:
            urls[name] = request.getfixturevalue("postgis_cluster").new_database()
        return open_store(urls[name])

    make.backend = request.param
    return make
