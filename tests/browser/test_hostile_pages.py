"""Markup in any text field never runs (issue 15): records, boundaries, services and file names
carrying script payloads are imported, and every page is opened as every role in Debian's
Chromium, signed in through a real provider; no payload runs, on the page or in a map, and no
file a page hands out holds a cell a spreadsheet would run as a formula.

Every payload, if it ran, would set ``window.top.__pwned``: an ``<img onerror>``, a
``<script>``, an ``<svg onload>`` after a closing quote and bracket, and a ``javascript:`` link.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from geo.importing import import_records, import_services
from tests.browser.signed_app import menu, needs_provider, sign_in, signed_app
from tests.shapes import STATION_ROAD, store_with_wards
from ui.pages import pages_for

pytestmark = needs_provider

RAN = "window.top.__pwned=1"
IMG = f'<img src=x onerror="{RAN}">'
SCRIPT = f"<script>{RAN}</script>"
SVG = f'"><svg onload="{RAN}">'
LINK = f'<a href="javascript:{RAN}">link</a>'
FORMULA = '=HYPERLINK("http://example.invalid","click")'
ROLES = ("coordinator", "police", "councillor", "admin")


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _email(role: str) -> str:
    return f"{role}@partnership.example"


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    store = store_with_wards(folder, names={"E05000001": f"West {IMG}", "E05000002": f"East {SVG}"})
    lon, lat = STATION_ROAD
    header = ["Date", "Latitude", "Longitude", "People", "Client ref", "Location", "Language",
              "Interpreter", "Outcome", "Notes"]  # fmt: skip
    cells = [f"doorway {IMG}", f"Polish {SVG}", "Yes", SCRIPT, FORMULA]
    rows = [[f"{d:02d}/11/2026 23:00", lat, lon, 2, f"C{d % 3}", *cells] for d in range(1, 21)]
    records = _csv(folder / "records.csv", [header, *rows])
    report = import_records(store, records, agency=f"Outreach {SCRIPT}", source=f"{IMG}.csv")
    assert report.stored == 20, report.rejected_by_reason  # every payload is stored as text
    services = _csv(
        folder / "services.csv",
        [
            ["name", "type", "opening_hours", "languages", "latitude", "longitude"],
            [f"Day centre {LINK}", "day_centre", IMG, SVG, lat, lon],
        ],
    )
    import_services(store, services, source=f"{SVG}.csv")
    for role in ROLES:
        store.put_user(_email(role), role=role)
    with signed_app(store.path, folder, [_email(r) for r in ROLES]) as url:
        yield url, folder


def _ran(page) -> list[str]:
    found = []
    for frame in page.frames:
        try:
            if frame.evaluate("() => window.__pwned === 1 || window.top.__pwned === 1"):
                found.append(frame.url)
        except Exception:  # noqa: BLE001 - a frame gone while we looked: nothing ran in it
            continue
    return found


def _formula_cells(path: Path) -> list[str]:
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    elif path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        cells = [
            str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
        ]
    else:
        return []
    return [cell for cell in cells if cell[:1] in {"=", "+", "-", "@"} and not _number(cell)]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_no_payload_runs_on_any_page_or_in_any_file(hostile_app, chromium_browser, role, tmp_path):
    url, _ = hostile_app
    context = chromium_browser.new_context(accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        sign_in(page, url, _email(role))
        titles = [spec.title for spec in pages_for(role)]
        if len(titles) > 1:
            assert menu(page) == titles
        for title in titles:
            if len(titles) > 1:
                page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).click()
            page.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
            page.wait_for_timeout(2_500)  # maps and tables draw after the heading
            for map_frame in page.frames[1:]:
                ward = map_frame.locator("path.leaflet-interactive")
                if ward.count():
                    ward.first.hover(force=True)  # opens a tooltip: its HTML is inserted now
            page.wait_for_timeout(500)
            assert _ran(page) == [], (role, title)
            for button in page.locator("[data-testid='stDownloadButton'] button").all():
                with page.expect_download(timeout=120_000) as taken:
                    button.click()
                saved = tmp_path / taken.value.suggested_filename
                taken.value.save_as(saved)
                assert _formula_cells(saved) == [], (role, title, saved.name)
            assert page.locator("[data-testid='stException']").count() == 0, (role, title)
        assert dialogs == []
        assert "<img" not in page.title()
    finally:
        context.close()
