"""The real app in Debian's Chromium: first start builds the demo, the map draws offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def app_url(streamlit_server, tmp_path_factory):
    """The app started on an empty store of its own, as a newcomer's first start."""
    store = tmp_path_factory.mktemp("app-store") / "atlas.sqlite"
    previous = os.environ.get("OUTREACH_ATLAS_STORE")
    os.environ["OUTREACH_ATLAS_STORE"] = str(store)
    try:
        yield streamlit_server(ROOT / "streamlit_app.py")
    finally:
        if previous is None:
            os.environ.pop("OUTREACH_ATLAS_STORE", None)
        else:
            os.environ["OUTREACH_ATLAS_STORE"] = previous


def test_first_page_shows_the_demo_borough_map_offline(app_url, browser_page, tmp_path):
    browser_page.open(app_url)
    page = browser_page.page
    page.get_by_text("synthetic demo borough").first.wait_for(timeout=120_000)
    frame = browser_page.map_frame()
    wards = frame.locator("path.leaflet-interactive")
    wards.nth(19).wait_for()
    assert wards.count() >= 20  # 20 wards, plus service markers
    frame.locator(".marker-cluster").first.wait_for()
    legend = frame.locator(".atlas-legend").inner_text()
    assert legend.startswith("People counted, last 28 nights")
    assert page.get_by_text("Synthetic demo data").first.is_visible()
    browser_page.screenshot(tmp_path / "first_page.png")
    assert browser_page.offline_problems() == []
