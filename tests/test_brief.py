"""The tasking brief: plain tables for police and partners, read for the role."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from geo.analysis.brief import ASB, MARKING, _asb, _overlaps
from geo.errors import AccessDenied
from geo.questions import tasking_brief

WARDS = pd.DataFrame({"area_code": ["W1", "W2"], "area_name": ["Station", "Market"]})


def incidents(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "month", "crime_type"])


def test_asb_compares_the_latest_month_with_the_one_before_by_ward_name():
    rows = [("W1", "2026-10", ASB)] * 3 + [("W1", "2026-09", ASB)] * 5
    rows += [("W2", "2026-10", ASB)] * 4 + [("W2", "2026-10", "Burglary")] * 9
    table = _asb(incidents(rows), WARDS)
    assert table.to_dict("list") == {
        "Ward": ["Market", "Station"],  # most incidents first
        "Latest month (2026-10)": ["4", "3"],
        "Month before (2026-09)": ["0", "5"],
        "Change": ["+4", "-2"],
    }


def test_asb_with_nothing_reported_is_an_empty_table():
    table = _asb(incidents([("W1", "2026-10", "Burglary")]), WARDS)
    assert table.empty and "Ward" in table.columns


def test_overlaps_of_one_place_name_are_one_row_with_the_places_counted():
    overlaps = pd.DataFrame(
        {
            "place_name": ["doorway on Station Road", "doorway on Station Road", "the arches"],
            "ward_name": ["Station", "Station", "Market"],
            "covered_by": ["Council; Police", "Council; Police", "Council; Police; Charity"],
            "people": [2.0, 1.0, 3.0],
            "n_agencies": [2, 2, 3],
        }
    )
    table = _overlaps(overlaps)
    assert table.to_dict("list") == {
        "Place": ["the arches", "doorway on Station Road"],
        "Ward": ["Market", "Station"],
        "Agencies": ["Council; Police; Charity", "Council; Police"],
        "Places": ["1", "2"],
        "People": ["3", "3"],
    }


def test_the_police_brief_holds_no_immigration_needs_and_names_places(demo_store):
    made = datetime(2026, 11, 24, 9, 0)
    brief = tasking_brief(demo_store, role="police", made_at=made)
    assert brief.marking == MARKING and brief.made_at == made
    assert brief.title.startswith("Tasking brief: the week to")
    assert brief.needs["Need"].tolist() == [
        "Needed an interpreter",
        "Trafficking concern",
        "Under 18",
    ]
    headings = [heading for heading, _ in brief.sections()]
    assert headings[0] == "This period against the last" and len(headings) == 11
    assert brief.ward_map is not None and brief.ward_map.startswith(b"\x89PNG")
    for _, part in brief.sections():
        if isinstance(part, pd.DataFrame):
            text = part.astype(str).to_string()
            assert "p_" not in text and "E05" not in text  # no references, no bare codes
    assert len(brief.coverage) == 4  # the demo's four agencies
    assert not brief.asb.empty


def test_the_coordinator_brief_has_every_need(demo_store):
    brief = tasking_brief(demo_store, role="coordinator")
    assert "No recourse to public funds" in brief.needs["Need"].tolist()


@pytest.mark.parametrize("role", ["councillor", "admin", None])
def test_others_get_no_brief(demo_store, role):
    with pytest.raises(AccessDenied):
        tasking_brief(demo_store, role=role)


def test_the_brief_follows_the_filters(demo_store):
    from geo.filters import Filters

    brief = tasking_brief(demo_store, role="police", filters=Filters(period="month"))
    assert brief.title.startswith("Tasking brief: the 30 nights to")
    assert date(2026, 1, 1) < brief.made_at.date()


def test_the_brief_pdf_is_marked_on_every_page_and_says_who_made_it(demo_store):
    pypdf = pytest.importorskip("pypdf")
    import io

    brief = tasking_brief(demo_store, role="police")
    from geo.analysis.brief import brief_pdf

    made = datetime(2026, 11, 24, 9, 30)
    pdf = pypdf.PdfReader(io.BytesIO(brief_pdf(brief, made_by="Sgt Example", made_at=made)))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 2
    assert all(MARKING in text for text in pages)
    everything = "\n".join(pages)
    assert "Sgt Example" in everything and "24 Nov 2026" in everything
    assert "A prompt for a conversation between partners" in everything
    assert "Anti-social behaviour reported to police.uk" in everything
    assert "No recourse" not in everything  # not part of the police brief


def test_the_command_line_writes_the_brief(demo_store, tmp_path, capsys):
    from geo.cli import main

    out = tmp_path / "brief.pdf"
    code = main(["brief", "--store", demo_store.location, "--role", "police", "--out", str(out)])
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "OFFICIAL-SENSITIVE" in capsys.readouterr().out
    code = main(["brief", "--store", demo_store.location, "--role", "councillor"])
    assert code == 2 and "does not get the tasking brief" in capsys.readouterr().err
