"""Switching a layer on the Hotspots page in Debian's Chromium: the layer and its row of the map
key come and go inside the same map, which keeps its zoom and loads nothing again; and a map
switched to "click where the patrol starts" reports the click."""

from __future__ import annotations

import re

import pytest

from layers.analysis import HOT_COLOUR
from layers.overlays import SERVICE_COLOUR
from tests.browser.conftest import MAP_IFRAME, RecordedPage
from tests.browser.test_app_in_browser import app_url  # noqa: F401  (the app on the demo store)

pytestmark = pytest.mark.browser

PAGE = "Hotspots and patrols"


def _open_hotspots(browser_page: RecordedPage, app_url: str) -> None:  # noqa: F811
    page = browser_page.page
    browser_page.open(app_url)
    picker = page.get_by_role("combobox", name="View as")
    picker.wait_for(timeout=180_000)  # the first start builds the demo
    assert page.locator("input[aria-label='View as']").input_value() == "coordinator"
    browser_page.wait_until_quiet()
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=PAGE).click()
    page.get_by_role("heading", name=PAGE, exact=True).wait_for(timeout=60_000)


def _switch(browser_page: RecordedPage, title: str) -> None:
    browser_page.page.locator("[data-testid='stSidebar']").get_by_text(title, exact=True).click()


def test_a_layer_switched_on_comes_into_the_same_map(
    app_url,  # noqa: F811
    browser_page,
    tmp_path,
):
    _open_hotspots(browser_page, app_url)
    frame = browser_page.map_frame()
    key = frame.locator(".atlas-legend")
    key.wait_for()
    frame.locator(f'path[fill="{HOT_COLOUR}"]').first.wait_for()
    services = frame.locator(f'path[fill="{SERVICE_COLOUR}"]')
    services.first.wait_for()
    assert "Heat of people seen" not in key.inner_text()
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 0
    browser_page.wait_until_quiet()

    # Zoom in, and mark the map's page: a map drawn again would lose both.
    frame.evaluate("() => { window.__atlas_same_map = true; }")
    zoom = frame.evaluate("() => window.map.getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function("z => window.map.getZoom() === z + 1", arg=zoom)
    asked = len(browser_page.requests)

    _switch(browser_page, "Heat of people seen")
    frame.locator("canvas.leaflet-heatmap-layer").wait_for()
    frame.wait_for_function(
        "() => document.querySelector('.atlas-legend').innerText.includes('Heat of people seen')"
    )
    _switch(browser_page, "Services")
    services.first.wait_for(state="detached")
    frame.wait_for_function(
        "() => !document.querySelector('.atlas-legend').innerText.includes('Service')"
    )
    browser_page.wait_until_quiet()

    assert frame.evaluate("() => window.__atlas_same_map") is True
    assert frame.evaluate("() => window.map.getZoom()") == zoom + 1
    assert frame.locator(f'path[fill="{HOT_COLOUR}"]').count() > 0  # the other layers stay
    assert browser_page.page.locator(MAP_IFRAME).count() == 1
    again = [u for u in browser_page.requests[asked:] if re.search(r"/component/|/app/static/", u)]
    assert again == []  # neither the map's page nor a script was loaded again
    browser_page.screenshot(tmp_path / "hotspots-layer-switched.png")
    assert browser_page.page.locator("[data-testid='stException']").count() == 0
    assert browser_page.offline_problems() == []


def test_a_click_on_the_map_starts_the_patrol(
    app_url,  # noqa: F811
    browser_page,
):
    _open_hotspots(browser_page, app_url)
    page = browser_page.page
    browser_page.map_frame()
    browser_page.wait_until_quiet()
    page.get_by_text("A point clicked on the map", exact=True).click()
    page.get_by_text("Click the map where the patrol starts.").wait_for()
    browser_page.wait_until_quiet()  # the map is mounted again, reporting clicks now
    frame = browser_page.map_frame()
    frame.locator(".leaflet-container").click(position={"x": 40, "y": 300})
    page.get_by_text(re.compile("^Starting where you last clicked the map")).wait_for()
    browser_page.wait_until_quiet()
    assert page.locator("[data-testid='stException']").count() == 0
    assert browser_page.offline_problems() == []
