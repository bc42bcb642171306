"""The map page in a real Chromium: drawn entirely from 127.0.0.1, and record text never runs.

Starts ``streamlit run tests/browser/map_app.py`` (see conftest.py) and checks what a user
would see: ward polygons, clusters, circle markers, heat, legend and layer control, with no
request leaving the machine, no failed request and no console error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.maps import POINT_COLOUR

pytestmark = pytest.mark.browser

MAP_APP = Path(__file__).with_name("map_app.py")
# Must match map_app.py: the services' colour and the text of the two payloads.
SERVICE_COLOUR = "#2a9d8f"
SCRIPT_PAYLOAD = "<script>window.__atlas_xss = 1</script>"
IMG_PAYLOAD = '<img src="x" onerror="window.__atlas_xss = 2">'
N_WARDS = 9
N_SERVICES = 2
#: Ward polygons: interactive SVG paths that are not circle markers (sightings or services).
WARD_PATHS = (
    ".leaflet-overlay-pane path.leaflet-interactive"
    f':not([fill="{POINT_COLOUR}"]):not([fill="{SERVICE_COLOUR}"])'
)


def test_map_renders_offline_with_every_layer(streamlit_server, browser_page, tmp_path):
    browser_page.open(streamlit_server(MAP_APP))
    frame = browser_page.map_frame()

    wards = frame.locator(WARD_PATHS)
    wards.nth(N_WARDS - 1).wait_for()
    assert wards.count() == N_WARDS
    assert frame.locator(f'path[fill="{SERVICE_COLOUR}"]').count() == N_SERVICES
    frame.locator(".marker-cluster").first.wait_for()
    assert frame.locator(".marker-cluster").count() >= 1

    legend = frame.locator(".atlas-legend")
    assert legend.inner_text().splitlines() == [
        "People seen", "0–6", "7–13", "14–19", "20–26", "27–33", "No data or not shown",
    ]  # fmt: skip
    assert "Boundaries: ONS / OS, OGL" in frame.locator(".leaflet-control-attribution").inner_text()

    # The heat layer starts hidden; switching it on draws its canvas.
    layer_names = frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [name.strip() for name in layer_names] == ["Wards", "Heat", "Sightings", "Services"]
    frame.locator(".leaflet-control-layers-overlays label", has_text="Heat").locator(
        "input"
    ).check()
    frame.locator("canvas.leaflet-heatmap-layer").wait_for()

    browser_page.screenshot(tmp_path / "offline_map.png")
    assert browser_page.offline_problems() == []


def test_record_text_in_tooltips_and_popups_is_shown_not_run(
    streamlit_server, browser_page, tmp_path
):
    browser_page.open(streamlit_server(MAP_APP))
    frame = browser_page.map_frame()
    polygons = frame.locator(WARD_PATHS)
    polygons.nth(N_WARDS - 1).wait_for()

    # Hover each ward until the one named with a <script> payload shows its tooltip.
    tooltips = []
    for i in range(N_WARDS):
        polygons.nth(i).hover()
        tooltip = frame.locator(".leaflet-tooltip")
        tooltip.wait_for()
        tooltips.append(tooltip.inner_text())
        if SCRIPT_PAYLOAD in tooltips[-1]:
            break
    assert any(SCRIPT_PAYLOAD in text for text in tooltips), tooltips
    assert frame.locator(".leaflet-tooltip script").count() == 0

    # Click the service whose name is an <img onerror> payload: its popup shows the text.
    popups = []
    for i in range(N_SERVICES):
        frame.locator(f'path[fill="{SERVICE_COLOUR}"]').nth(i).click()
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for()
        popups.append(popup.inner_text())
    assert any(IMG_PAYLOAD in text for text in popups), popups
    assert frame.locator(".leaflet-popup-content img").count() == 0

    frame.wait_for_timeout(400)  # let the popup finish fading in before the screenshot
    browser_page.screenshot(tmp_path / "offline_map_popup.png")
    assert frame.evaluate("() => window.__atlas_xss") is None
    assert browser_page.page.evaluate("() => window.__atlas_xss") is None
    assert browser_page.offline_problems() == []


def test_branca_colormap_loads_local_d3(streamlit_server, browser_page):
    """streamlit-folium adds d3 v3 and v4 for colormaps; both must come from static/vendor."""
    browser_page.open(streamlit_server(MAP_APP) + "/?colormap=1")
    frame = browser_page.map_frame()
    frame.locator(".legend svg, svg.legend, #legend").first.wait_for(state="attached")
    assert frame.evaluate("() => typeof d3") == "object"
    d3_requests = [url for url in browser_page.requests if "/d3" in url]
    assert sorted(d3_requests) == [
        f"{streamlit_server(MAP_APP)}/app/static/vendor/d3-v3/d3.min.js",
        f"{streamlit_server(MAP_APP)}/app/static/vendor/d3-v4/d3.min.js",
    ]
    assert browser_page.offline_problems() == []
