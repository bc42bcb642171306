"""Exports for meetings: the patrol sheet and documents as marked PDFs, a ward map as a PNG with
no tiles, and a table as an Excel workbook with an About sheet.

PDFs are read back with pypdf (requirements-dev.txt; skipped from a plain install).
"""

from __future__ import annotations

import io
import socket
import struct
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from geo.analysis.patrol import plan_patrol
from geo.crs import to_lonlat
from geo.io.exports import (
    Document,
    Image,
    Section,
    Stamp,
    find_format,
    patrol_pdf,
    pdf_document,
    render_pdf,
    table_xlsx,
    to_bytes,
    ward_map_png,
    write,
)
from geo.io.exports.pdf import EMPTY_TABLE, PNG_SIGNATURE
from geo.io.exports.shades import HIDDEN_COLOUR, SMALL_COLOUR, ZERO_COLOUR, shade
from tests.shapes import EAST_WARD_BNG, WEST_WARD_BNG

X0, Y0 = 530_000.0, 104_000.0
START_LONLAT = tuple(float(v[0]) for v in to_lonlat([X0], [Y0]))
MADE_AT = datetime(2026, 11, 23, 21, 5)
SCRIPT = "<script>alert(1)</script>"
STOPS = 30
#: Pages of the 30-stop sheet in DejaVu Sans (installed by .ci/run): the masthead and five
#: stops, then five or six stops a page, then the notes.
STOP_PAGES = 6


def read_pdf(pdf: bytes):
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read_pdf(pdf).pages]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


# --------------------------------------------------------------------------- the patrol sheet


def long_candidates(n: int = STOPS) -> pd.DataFrame:
    """``n`` places on a 6-wide grid 250 m apart, named as the other rooms name them; the
    fourth is called ``<script>``."""
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "site_id": [f"S{k}" for k in i],
            "demand": "site",
            "easting": X0 + 250.0 * (i % 6),
            "northing": Y0 + 250.0 * (i // 6) + 300,
            "people": 1 + i % 4,
            "nights_seen": 2 + i % 9,
            "last_seen": pd.Timestamp("2026-11-20"),
            "days_since_visit": np.where(i % 3 == 0, np.nan, i % 7),
            "n_agencies": i % 2,
            "place_name": [f"doorway {k} on Station Road" for k in i],
            "ward_name": np.where(i % 2 == 0, "Station", "Market"),
            "languages": "Polish, Romanian",
            "flags": "nrpf, under_18",
            "notes": "Name: John Smith",
        }
    )
    frame.loc[3, "place_name"] = SCRIPT
    return frame


@pytest.fixture(scope="module")
def long_patrol():
    return plan_patrol(long_candidates(), start_lonlat=START_LONLAT, stops=STOPS)


@pytest.fixture(scope="module")
def long_sheet(long_patrol) -> bytes:
    return patrol_pdf(long_patrol, made_by="Sam <b>Patel</b>", made_at=MADE_AT)


@pytest.fixture(scope="module")
def sheet_texts(long_sheet) -> list[str]:
    return page_texts(long_sheet)


def test_the_patrol_sheet_is_a4_with_its_pages_marked_and_numbered(long_sheet, sheet_texts) -> None:
    reader = read_pdf(long_sheet)
    texts = sheet_texts
    assert len(texts) == STOP_PAGES
    for number, text in enumerate(texts, start=1):
        # the marking at the top and at the bottom of every page
        assert text.count("OFFICIAL-SENSITIVE") == 2, number
        assert f"Page {number} of {STOP_PAGES}" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata.title == "Outreach patrol"
    assert reader.metadata.author == "Sam <b>Patel</b>"


def test_every_stop_is_one_whole_numbered_block_with_its_tick_boxes(
    sheet_texts, long_patrol
) -> None:
    texts = sheet_texts
    names = list(long_patrol.stops["place_name"])
    wards = list(long_patrol.stops["ward_name"])
    whole = "\n".join(texts)
    at = -1
    for name, ward in zip(names, wards, strict=True):
        label = f"{name}, {ward} ward"
        assert whole.count(label) == 1
        assert whole.index(label) > at  # in walking order
        at = whole.index(label)
    per_page = [sum(f"{name}, " in text for name in names) for text in texts]
    assert sum(per_page) == STOPS and all(per_page[:-1])
    for text, stops in zip(texts, per_page, strict=True):
        # a block is never split: each stop's boxes are on its own page
        assert text.count("Checked") == text.count("Found someone") == stops
        assert text.count("Referred") == stops
    assert "\nNotes\n" in texts[-1]


def test_the_sheet_says_what_is_known_and_needed_and_nothing_about_people(sheet_texts) -> None:
    whole = "\n".join(sheet_texts)
    first = whole.split("doorway 0 on Station Road, Station ward")[1].split("Referred")[0]
    # candidate 0: 1 person, 2 nights, never visited (NaN), no agency
    assert "People seen: 1" in first and "Nights seen: 2" in first
    assert "Last seen: 20 Nov 2026" in first and "Last visit: none on record" in first
    assert "Agencies: none (uncovered)" in first
    assert "Languages needed: Polish, Romanian" in first and "Flags seen: nrpf, under 18" in first
    assert "Made 23 Nov 2026 at 21:05 by Sam <b>Patel</b>" in whole
    assert "John Smith" not in whole


def test_a_place_called_script_is_printed_not_run(long_sheet, sheet_texts) -> None:
    whole = "\n".join(sheet_texts)
    assert f"{SCRIPT}, Market ward" in whole
    root = read_pdf(long_sheet).trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in root.get("/Names", {})


def test_without_the_columns_the_sheet_leaves_them_out() -> None:
    bare = long_candidates(3).drop(
        columns=["place_name", "ward_name", "languages", "flags", "nights_seen", "last_seen"]
    )
    pdf = patrol_pdf(plan_patrol(bare, start_lonlat=None, stops=3), made_by="")
    (text,) = page_texts(pdf)
    assert text.count("\nsite S") == 3 and "by not given" in text
    assert "at the first stop (the most urgent place)" in text
    for absent in ("Languages needed", "Flags seen", "Nights seen", "Last seen"):
        assert absent not in text


def test_the_registry_writes_a_patrol_as_pdf_with_its_stamp(tmp_path) -> None:
    path = tmp_path / "patrol.pdf"
    stamp = Stamp(made_by="Night team", made_at=MADE_AT, marking="OFFICIAL")
    patrol = plan_patrol(long_candidates(4), start_lonlat=START_LONLAT, stops=4)
    assert write(patrol, path, stamp=stamp) == 4
    texts = page_texts(path.read_bytes())
    assert "by Night team" in texts[0]
    assert all(text.count("OFFICIAL") == 2 for text in texts)  # the marking given, not the default
    assert find_format(path="p.PDF", content="patrol").media_type == "application/pdf"


# --------------------------------------------------------------------------- documents


def figures_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Ward": ["Station", SCRIPT, "Market"],
            "People": [12, "<5", "*"],
            "Rate per 10k": [20.553576322280076, np.nan, 1.0],
            "Last seen": pd.to_datetime(["2026-11-20", "2026-11-21T21:05", None], format="ISO8601"),
        }
    )


def test_a_document_holds_paragraphs_tables_and_images() -> None:
    png = ward_map_png(four_wards(), four_figures(), width_px=800, height_px=600, dpi=100)
    pdf = pdf_document(
        "Tasking brief",
        [
            ("This period against the last", figures_table()),
            ("What changed", ("People seen rose by 3.", "A new place on Station Road.")),
            Section("Map", (Image(png, alt="Ward map", caption="People counted per ward"),)),
            ("Gaps", figures_table().iloc[:0]),
        ],
        made_by="PC Jones",
        made_at=MADE_AT,
        subtitle="Week to 22 Nov 2026",
    )
    reader = read_pdf(pdf)
    (text,) = page_texts(pdf)
    assert text.count("OFFICIAL-SENSITIVE") == 2 and "Page 1 of 1" in text
    assert "Tasking brief\nWeek to 22 Nov 2026\nMade 23 Nov 2026 at 21:05 by PC Jones" in text
    assert "Ward People Rate per 10k Last seen" in text
    assert "Station 12 20.55 20 Nov 2026" in text  # rounded and dated for people
    assert f"{SCRIPT} <5 21 Nov 2026 21:05" in text and "Market * 1.0" in text
    assert "People seen rose by 3." in text and "People counted per ward" in text
    assert EMPTY_TABLE in text
    (image,) = reader.pages[0].images
    assert image.image.size == (800, 600)


def test_a_document_refuses_what_it_cannot_print() -> None:
    with pytest.raises(ValueError, match="Image png must be the bytes of a PNG file"):
        pdf_document("Brief", [("Map", b"GIF89a...")], made_by="me")
    with pytest.raises(TypeError, match=r"section 'Map': a part must be text, a DataFrame"):
        pdf_document("Brief", [("Map", 3)], made_by="me")
    with pytest.raises(TypeError, match="section 1: give a Section or a"):
        pdf_document("Brief", ["just text"], made_by="me")


def test_the_registry_writes_a_document_as_pdf() -> None:
    document = Document("Tasking brief", [("Needs", figures_table())], subtitle="Week")
    pdf = to_bytes(document, name="pdf", stamp=Stamp(made_by="Analyst", made_at=MADE_AT))
    assert pdf.startswith(b"%PDF-")
    (text,) = page_texts(pdf)
    assert "by Analyst" in text and "Needs" in text


def test_pdfs_fetch_nothing_but_data_uris(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    connections: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: connections.append(a))
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    html = (
        '<html lang="en"><head><link rel="stylesheet" href="{css}"></head><body>'
        '<img src="http://example.invalid/map.png"><p>text</p></body></html>'
    )
    with pytest.raises(ValueError, match=r"refers to .*http://example\.invalid/map\.png"):
        render_pdf(html.format(css="https://example.invalid/a.css"))
    with pytest.raises(ValueError, match=r"refers to file:///.*secret\.css"):
        render_pdf(html.format(css=secret.as_uri()).replace("http://example.invalid/", "data:,"))
    assert connections == []
    # a data: URI is the way in
    png = ward_map_png(four_wards(), four_figures(), width_px=400, height_px=300, dpi=100)
    page = render_pdf(f'<html lang="en"><body><img src="data:image/png;base64,{b64(png)}">')
    assert len(read_pdf(page).pages[0].images) == 1


def b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


# --------------------------------------------------------------------------- the ward map


def four_wards() -> gpd.GeoDataFrame:
    """Four 1 km squares: West and East, and two north of them; in lon/lat, as stored."""
    north_west = shapely.affinity.translate(WEST_WARD_BNG, yoff=1000)
    north_east = shapely.affinity.translate(EAST_WARD_BNG, yoff=1000)
    return gpd.GeoDataFrame(
        {
            "area_code": ["E05000001", "E05000002", "E05000003", "E05000004"],
            "area_name": ["West", "East", "North West", "St Mary's & $x$"],
        },
        geometry=[WEST_WARD_BNG, EAST_WARD_BNG, north_west, north_east],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")


def four_figures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["E05000001", "E05000002", "E05000003", "E05000004"] * 2,
            "period": ["this"] * 4 + ["before"] * 4,
            "period_start": pd.to_datetime(["2026-11-16"] * 4 + ["2026-11-09"] * 4),
            "period_end": pd.to_datetime(["2026-11-22"] * 4 + ["2026-11-15"] * 4),
            "nights": 7,
            "people": ["<5", "*", 7, 12, 0, 0, 0, 0],
        }
    )


def colours(png: bytes) -> dict[str, int]:
    """How many pixels of each colour the image holds, as ``#rrggbb``."""
    pil = pytest.importorskip("PIL.Image")
    pixels = np.asarray(pil.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    found, counts = np.unique(pixels @ [65536, 256, 1], return_counts=True)
    return {f"#{rgb:06x}": int(n) for rgb, n in zip(found, counts, strict=True)}


def test_the_ward_map_is_a_png_of_the_size_asked() -> None:
    wards, figures = four_wards(), four_figures()
    before = (wards.copy(), figures.copy())
    png = ward_map_png(wards, figures, width_px=1000, height_px=700, dpi=100)
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == (1000, 700)
    assert png_size(ward_map_png(wards, figures)) == (1600, 1200)
    pd.testing.assert_frame_equal(wards, before[0])  # inputs are left alone
    pd.testing.assert_frame_equal(figures, before[1])


def test_hidden_counts_are_never_drawn_as_zero() -> None:
    # the latest period: "<5", "*", 7, 12 and no zero at all
    drawn = colours(ward_map_png(four_wards(), four_figures(), width_px=800, height_px=600))
    assert drawn.get(SMALL_COLOUR, 0) > 1000 and drawn.get(HIDDEN_COLOUR, 0) > 1000
    assert ZERO_COLOUR not in drawn
    # the week before: every ward 0, drawn in the zero class
    earlier = ward_map_png(four_wards(), four_figures(), period="before", width_px=800)
    assert colours(earlier).get(ZERO_COLOUR, 0) > 10_000
    legend = [label for _, _, label in shade(pd.Series(["<5", "*", 7, 12])).legend]
    assert legend == ["5–7", "8+", "fewer than 5", "hidden"]


def test_the_ward_map_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"no CRS: set it with \.set_crs"):
        ward_map_png(four_wards().set_crs(None, allow_override=True), four_figures())
    with pytest.raises(ValueError, match=r"figures has no 'sightings' column"):
        ward_map_png(four_wards(), four_figures(), value_column="sightings")
    with pytest.raises(ValueError, match=r"period 'later' is not in figures"):
        ward_map_png(four_wards(), four_figures(), period="later")
    bad = four_figures().assign(people=["12.5"] * 8)
    with pytest.raises(ValueError, match=r"value '12\.5' is not a count"):
        ward_map_png(four_wards(), bad)


# --------------------------------------------------------------------------- Excel


def test_a_table_as_xlsx_has_its_figures_safe_and_an_about_sheet() -> None:
    table = pd.DataFrame(
        {
            "ward": ["Station", '=HYPERLINK("http://x","y")', "@SUM(A1)"],
            "people": [12, "<5", "*"],
            "rate_per_10k": [20.553576322280076, np.nan, 1.0],
            "trend": ["-0.5", "+1", "-x"],
            "night": pd.to_datetime(["2026-11-20", "2026-11-21", None]),
        }
    )
    data = table_xlsx(
        table,
        about="People counted per ward, week to 22 Nov 2026",
        made_by="=Sam",
        made_at=MADE_AT,
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Figures", "About"]
    rows = list(book["Figures"].iter_rows(values_only=True))
    assert rows[0] == ("ward", "people", "rate_per_10k", "trend", "night")
    assert rows[1] == ("Station", 12, 20.6, "-0.5", "2026-11-20T00:00:00")
    assert rows[2] == ('\'=HYPERLINK("http://x","y")', "<5", None, "+1", "2026-11-21T00:00:00")
    assert rows[3] == ("'@SUM(A1)", "*", 1, "'-x", None)
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Marking"] == "OFFICIAL-SENSITIVE"
    assert about["What the figures are"] == "People counted per ward, week to 22 Nov 2026"
    assert about["Made"] == "23 Nov 2026 at 21:05" and about["Made by"] == "'=Sam"
    assert about["Rows"] == 3 and "Neither is 0" in about["Hidden counts"]
    assert book["Figures"].oddHeader.center.text == "OFFICIAL-SENSITIVE"


def test_the_registry_writes_a_table_as_xlsx(tmp_path) -> None:
    path = tmp_path / "wards.xlsx"
    table = pd.DataFrame({"area_code": ["E05000001"], "people": [3]})
    assert write(table, path, stamp=Stamp(made_by="Coordinator", about="People")) == 1
    book = load_workbook(path)
    assert list(book["Figures"].values) == [("area_code", "people"), ("E05000001", 3)]
    assert dict(book["About"].values)["Made by"] == "Coordinator"
    data = to_bytes(table, name="xlsx")
    assert data.startswith(b"PK") and dict(load_workbook(io.BytesIO(data))["About"].values)[
        "Made by"
    ] == ("not given")
