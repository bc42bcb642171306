"""The sighting form on a phone (375 x 812, touch) in Debian's Chromium: a coordinator types
a grid reference, sets the people, records the sighting, and finds it on the Records map."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.browser.conftest import MAP_IFRAME, RecordedPage
from tests.browser.test_app_in_browser import app_url  # noqa: F401  (the app on the demo store)

#: An iPhone-sized screen.
PHONE = {"width": 375, "height": 812}
#: The demo's "Station underpass" site (E 519957, N 105438) to the nearest 10 m, in Station ward.
GRID_REF = "TQ 1995 0543"
AGENCY = "Phone test outreach"
#: The Records map's count of sightings and contacts in its last 28 nights.
SIGHTINGS_METRIC = "Sightings and contacts"


@pytest.fixture
def phone(chromium_browser) -> Iterator[RecordedPage]:
    """A fresh phone-sized, touch-screen context, recording requests and errors."""
    context = chromium_browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(60_000)
    try:
        yield RecordedPage(context.new_page())
    finally:
        context.close()


def _settle(phone: RecordedPage) -> None:
    """Wait until the page has loaded all it asked for (a rerun may redraw a map)."""
    phone.wait_until_quiet()


def _open_page(phone: RecordedPage, title: str) -> None:
    """Open a page from the sidebar menu, which a phone keeps folded away, and fold it again.

    Waits for the page being left to finish loading first: leaving while a map is still
    loading its scripts aborts those requests, which would count as failed.
    """
    page = phone.page
    _settle(phone)
    page.locator("[data-testid='stExpandSidebarButton']").click()
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    page.locator("[data-testid='stSidebarCollapseButton'] button").click()
    page.locator("[data-testid='stSidebarNav']").wait_for(state="hidden")


def _metric(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _shoot(phone: RecordedPage, folder: Path, name: str) -> None:
    """Screenshots down the whole page: Streamlit scrolls inside its main box, not the window."""
    page = phone.page
    main = page.locator("[data-testid='stMain']")
    last = main.evaluate("el => el.scrollHeight - el.clientHeight")
    for i, top in enumerate([*range(0, last, PHONE["height"] - 100), last]):
        main.evaluate("(el, top) => el.scrollTo(0, top)", top)
        page.wait_for_timeout(150)
        phone.screenshot(folder / f"{name}-{i + 1}.png")
    main.evaluate("el => el.scrollTo(0, 0)")


def _type_into(page, label: str, **segments: str) -> None:
    """Type into the segments ("day", "hour"...) of a date or time box, as on a keypad."""
    for segment, digits in segments.items():
        page.get_by_role("spinbutton", name=f"{segment}, {label}").click()
        page.keyboard.type(digits)


def _wait_for_map(page) -> None:
    frame = page.locator(MAP_IFRAME).first.content_frame
    frame.locator(".leaflet-container").wait_for()


def test_a_sighting_recorded_on_a_phone_shows_on_the_records_map(
    app_url,  # noqa: F811
    phone,
    tmp_path,
):
    page = phone.page
    phone.open(app_url)
    page.get_by_role("heading", name="Overview").wait_for(timeout=180_000)  # the demo is built
    assert page.evaluate("window.innerWidth") == PHONE["width"]

    # The coordinator (the first role) opens the Records map: the count and the latest night.
    _open_page(phone, "Records map")
    before = int(_metric(page, SIGHTINGS_METRIC).replace(",", ""))
    latest = datetime.strptime(_metric(page, "Latest night"), "%d %b %Y")

    _open_page(phone, "Record a sighting")
    _wait_for_map(page)
    _shoot(phone, tmp_path, "phone-sighting-empty")
    page.get_by_text("Grid reference or lat, long").click()
    where = page.get_by_label("OS grid reference, or latitude, longitude")
    where.fill(GRID_REF)
    where.press("Enter")
    page.get_by_text(re.compile(r"The red point: Station ward")).wait_for()
    _settle(phone)  # the map redrawn around the point

    page.get_by_label("What the place is called").fill("doorway on Station Road (phone test)")
    _type_into(page, "Date", day=f"{latest:%d}", month=f"{latest:%m}", year=f"{latest:%Y}")
    _type_into(page, "Time", hour="23", minute="15")
    people = page.get_by_label("People", exact=True)
    people.fill("2")
    people.press("Tab")
    agency = page.get_by_role("combobox", name="Agency")
    agency.click()
    agency.fill(AGENCY)
    agency.press("Enter")
    _shoot(phone, tmp_path, "phone-sighting-filled")

    submit = page.get_by_role("button", name="Record the sighting")
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    submit.click()
    stored = page.get_by_text(re.compile(r"^Stored: 2 people at doorway on Station Road"))
    stored.wait_for()
    _settle(phone)
    night = f"{latest.day} {latest:%b %Y}"
    assert stored.inner_text() == (
        f"Stored: 2 people at doorway on Station Road (phone test), Station ward, night of {night}."
    )
    _shoot(phone, tmp_path, "phone-sighting-stored")

    # The same sighting again is a duplicate, and the page says so.
    submit.click()
    page.get_by_text(re.compile("^Not stored again: this sighting")).wait_for()
    _settle(phone)

    _open_page(phone, "Records map")
    page.locator("[data-testid='stMetric']").first.wait_for()
    assert int(_metric(page, SIGHTINGS_METRIC).replace(",", "")) == before + 1
    assert _metric(page, "Latest night") == f"{latest:%d %b %Y}"
    _wait_for_map(page)
    _settle(phone)
    _shoot(phone, tmp_path, "phone-records-map")
    assert page.locator("[data-testid='stException']").count() == 0
    assert phone.offline_problems() == []
