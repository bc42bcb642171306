"""The real app in Debian's Chromium: first start builds the demo; every page, as every role,
draws with nothing fetched from outside the app and no console error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ui.pages import pages_for

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("coordinator", "police", "councillor", "admin")
#: Pages that draw a map, and the map legend's first words.
MAPS = {
    "app_pages/ward_map.py": "People counted",
    "app_pages/map.py": "People counted",
    "app_pages/hotspots.py": "Map key",
}


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


def test_first_page_shows_the_demo_borough_overview_offline(app_url, browser_page, tmp_path):
    browser_page.open(app_url)
    page = browser_page.page
    page.get_by_text("synthetic demo borough").first.wait_for(timeout=120_000)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_text("What changed").wait_for()
    assert page.get_by_text("Synthetic demo data").first.is_visible()
    browser_page.screenshot(tmp_path / "first_page.png")
    assert browser_page.offline_problems() == []


def _choose_role(page, role: str) -> None:
    picker = page.get_by_role("combobox", name="View as")
    picker.click()
    page.get_by_role("option", name=role, exact=True).click()
    page.wait_for_function(
        "role => document.querySelector(\"input[aria-label='View as']\").value === role", arg=role
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_draws_for_every_role(app_url, browser_page, tmp_path, role):
    page = browser_page.page
    browser_page.open(app_url)
    page.get_by_role("combobox", name="View as").wait_for(timeout=120_000)
    _choose_role(page, role)
    pages = pages_for(role)
    for spec in pages:
        if len(pages) > 1:  # with one page Streamlit shows no menu: it is already open
            browser_page.wait_until_quiet()  # leaving a map that still loads aborts its scripts
            page.locator("[data-testid='stSidebarNav'] a").filter(has_text=spec.title).click()
        page.get_by_role("heading", name=spec.title, exact=True).wait_for(timeout=60_000)
        if spec.path in MAPS:
            frame = browser_page.map_frame()
            frame.locator("path.leaflet-interactive").nth(19).wait_for()  # the 20 demo wards
            assert frame.locator(".atlas-legend").inner_text().startswith(MAPS[spec.path])
        browser_page.wait_until_quiet()
        name = f"{role}-{Path(spec.path).stem}.png"
        browser_page.screenshot(tmp_path / name)
        assert page.locator("[data-testid='stException']").count() == 0, name
    assert browser_page.offline_problems() == []


def test_a_file_taken_from_a_page_is_in_the_audit_log(app_url, browser_page):
    """The ward table's CSV, taken in a real browser, is logged as a download by the local user
    when it is taken (the demo store keeps the log, since it is the store being shown)."""
    from geo.privacy.users import audit_log
    from geo.store import default_store_path, demo_store_path, open_store

    page = browser_page.page
    browser_page.open(app_url)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Ward map").click()
    page.get_by_role("heading", name="Ward map", exact=True).wait_for(timeout=60_000)
    store = open_store(demo_store_path(default_store_path().resolve()))
    before = audit_log(store, role="admin")
    with page.expect_download(timeout=60_000) as taken:
        page.get_by_role("button", name="Table (CSV)").click()
    assert taken.value.suggested_filename == "ward-figures.csv"
    log = audit_log(store, role="admin").iloc[len(before) :]
    downloads = log.loc[log["action"] == "download"]
    assert downloads["detail"].tolist() == ['{"file": "ward-figures.csv"}']
    assert downloads["user"].tolist() == ["local user"]
