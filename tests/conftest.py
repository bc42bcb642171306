"""Fixtures shared by every test: where the real files of ../shared/data are, when present."""

from __future__ import annotations

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
