"""The tasking brief: plain tables for police and partners, read for the role."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo.analysis import brief as analysis_brief
from geo.analysis.brief import ASB, MARKING, _overlaps, asb_table
from geo.errors import AccessDenied
from geo.filters import Filters
from geo.io.exports import Image
from geo.questions import coverage_gaps, sites, tasking_brief

WARDS = pd.DataFrame({"area_code": ["W1", "W2"], "area_name": ["Station", "Market"]})


def incidents(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "month", "crime_type"])


def test_asb_compares_the_latest_month_with_the_one_before_by_ward_name():
    rows = [("W1", "2026-10", ASB)] * 3 + [("W1", "2026-09", ASB)] * 5
    rows += [("W2", "2026-10", ASB)] * 4 + [("W2", "2026-10", "Burglary")] * 9
    table = asb_table(incidents(rows), WARDS)
    assert table.to_dict("list") == {
        "Ward": ["Market", "Station"],  # most incidents first
        "Latest month (2026-10)": ["4", "3"],
        "Month before (2026-09)": ["0", "5"],
        "Change": ["+4", "-2"],
    }


def test_asb_with_nothing_reported_is_an_empty_table():
    table = asb_table(incidents([("W1", "2026-10", "Burglary")]), WARDS)
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
    assert headings[0] == "This period against the last" and len(headings) == 12
    assert brief.ward_map is not None  # drawn for the PDF, from the ward figures police see
    assert len(brief.ward_map.figures) == len(demo_store.areas(layer="ward"))
    assert brief.ward_map.title.startswith("People counted, week to")
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


def test_the_page_gets_no_picture_and_the_pdf_draws_the_ward_map(demo_store, monkeypatch):
    drawn = []
    draw = analysis_brief.ward_map_png

    def counted(*args, **kwargs):
        drawn.append(1)
        return draw(*args, **kwargs)

    monkeypatch.setattr(analysis_brief, "ward_map_png", counted)
    brief = tasking_brief(demo_store, role="police")
    assert not any(isinstance(part, Image) for _, part in brief.sections())
    assert drawn == []  # reading the brief draws nothing: the page's rerun never waits for it
    parts = dict(brief.sections(with_map=True))
    picture = parts["People counted by ward"]
    assert isinstance(picture, Image) and picture.png.startswith(b"\x89PNG")
    assert list(parts)[2] == "People counted by ward"  # after "What changed", as before
    assert analysis_brief.brief_pdf(brief, made_by="Sgt Example").startswith(b"%PDF")
    assert len(drawn) == 2


@pytest.mark.parametrize("role", ["police", "coordinator"])
@pytest.mark.parametrize(
    ("period", "end"), [("week", None), ("week", date(2026, 11, 8)), ("month", None)]
)
def test_the_brief_shows_what_coverage_and_sites_find(demo_store, role, period, end):
    # the brief asks coverage about fewer places and records; its tables must be the ones
    # built from coverage_gaps and sites in full, as the brief was built before
    made = datetime(2026, 11, 24, 9, 0)
    brief = tasking_brief(demo_store, role=role, filters=Filters(period=period, end=end))
    last = brief_end(brief)
    found = coverage_gaps(demo_store, role=role, end=last)
    full = analysis_brief.build_brief(
        overview_for(demo_store, role=role, period=period, end=end),
        needs=brief.needs.rename(columns={"Need": "need", "People": "shown"}),
        demand=found.demand,
        sites=sites(demo_store, role=role, end=last),
        agencies=found.agencies,
        gaps=found.gaps,
        overlaps=found.overlaps,
        asb=asb_table(demo_store.police_incidents(), demo_store.areas(layer="ward")),
        role=role,
        made_at=made,
        tension=brief.tension,  # the partnership signals are tested on their own, below
        safeguarding=brief.safeguarding,
    )
    assert len(found.gaps) and len(found.overlaps)  # both tables have rows to compare
    for (heading, mine), (_, theirs) in zip(brief.sections(), full.sections(), strict=True):
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, obj=heading)
        else:
            assert mine == theirs


def test_the_brief_asks_coverage_less_and_gets_the_same_frames(demo_store):
    from geo.analysis.brief import TOP
    from geo.analysis.sites import persistent_sites
    from geo.questions import DEMAND_NIGHTS, _recent_demand
    from geo.questions.brief import _brief_coverage

    wards = demo_store.areas(layer="ward")
    for role in ("police", "coordinator"):
        records = demo_store.records(role=role)
        for last in (date(2026, 11, 22), date(2026, 11, 8)):
            full = coverage_gaps(demo_store, role=role, end=last)
            hot = full.demand.loc[full.demand["demand"].eq("hotspot")]
            # read by itself, and with the records, sites and recent demand the brief has
            # read already
            site = persistent_sites(records, end=last)
            recent = _recent_demand(records, end=last, demand_nights=DEMAND_NIGHTS)
            for given in ({}, {"records": records, "site": site}, {"site": site, "recent": recent}):
                mine = _brief_coverage(demo_store, role=role, wards=wards, end=last, **given)
                pd.testing.assert_frame_equal(mine.demand, hot)
                pd.testing.assert_frame_equal(mine.gaps, full.gaps.head(TOP), obj="gaps")
                pd.testing.assert_frame_equal(mine.overlaps, full.overlaps, obj="overlaps")
                # the same table; the brief leaves the shapes out (it shows only the areas)
                pd.testing.assert_frame_equal(
                    pd.DataFrame(mine.agencies.drop(columns="geometry")),
                    pd.DataFrame(full.agencies.drop(columns="geometry")),
                    obj="agencies",
                )
                assert mine.agencies.geometry.is_empty.all()


def brief_end(brief) -> date:
    """The last night of the brief's period, read back from its title."""
    return datetime.strptime(brief.title.rsplit(" to ", 1)[1], "%d %b %Y").date()


def overview_for(store, *, role, period, end):
    from geo.analysis.overview import overview_of
    from geo.questions import area_summary

    summary = area_summary(store, role=role, filters=Filters(period=period, end=end))
    return overview_of(summary, period=period)


def test_the_command_line_prints_the_brief_as_text_and_json(demo_store, capsys):
    import json

    from geo.cli import main

    assert main(["brief", "--store", demo_store.location, "--role", "police"]) == 0
    text = capsys.readouterr().out
    assert "Hot patches" in text and "People counted by ward" not in text
    assert main(["brief", "--store", demo_store.location, "--role", "police", "--json"]) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    assert [s["heading"] for s in sections][:2] == ["This period against the last", "What changed"]


def _overlaps_by_groupby(overlaps: pd.DataFrame) -> pd.DataFrame:
    """The overlaps table as a pandas groupby makes it (the brief's way before 2026-12-07)."""
    named = overlaps.assign(
        place=overlaps["place_name"].astype(str),
        ward=overlaps["ward_name"].fillna("outside every ward").astype(str),
        agencies=overlaps["covered_by"].astype(str),
    )
    grouped = (
        named.groupby(["place", "ward", "agencies"], sort=False)
        .agg(people=("people", "sum"), places=("people", "size"), n=("n_agencies", "max"))
        .reset_index()
        .sort_values(["n", "people"], ascending=False, kind="stable")
        .head(analysis_brief.TOP)
    )
    return pd.DataFrame(
        {
            "Place": grouped["place"],
            "Ward": grouped["ward"],
            "Agencies": grouped["agencies"],
            "Places": grouped["places"].map(analysis_brief._whole),
            "People": grouped["people"].map(analysis_brief._whole),
        }
    ).reset_index(drop=True)


@pytest.mark.parametrize("rows", [0, 1, 7, 300])
def test_overlaps_table_equals_a_groupby_on_random_places(rows):
    rng = np.random.default_rng(rows)
    overlaps = pd.DataFrame(
        {
            "place_name": rng.choice(["the arches", "doorway", "bus shelter", None], rows),
            "ward_name": rng.choice(["Station", "Market", None], rows),
            "covered_by": rng.choice(["Council; Police", "Council; Police; Shelter"], rows),
            "people": np.where(rng.random(rows) < 0.1, np.nan, rng.integers(0, 6, rows)),
            "n_agencies": rng.integers(2, 4, rows),
        },
        index=rng.permutation(rows) * 7,
    ).astype({"place_name": object, "ward_name": object, "covered_by": object})
    pd.testing.assert_frame_equal(_overlaps(overlaps), _overlaps_by_groupby(overlaps))


def test_the_brief_reads_the_records_and_finds_the_sites_once(demo_store, monkeypatch):
    from geo.questions import brief, kept

    calls = {"records": 0, "sites": 0}
    records, find = type(demo_store).records, brief.persistent_sites

    def counted_records(self, **kwargs):
        calls["records"] += 1
        return records(self, **kwargs)

    def counted_sites(*args, **kwargs):
        calls["sites"] += 1
        return find(*args, **kwargs)

    monkeypatch.setattr(type(demo_store), "records", counted_records)
    monkeypatch.setattr(brief, "persistent_sites", counted_sites)
    kept._kept.clear()  # the demo store is shared: another test may have asked this brief
    tasking_brief(demo_store, role="coordinator")
    assert calls == {"records": 1, "sites": 1}
    tasking_brief(demo_store, role="coordinator")  # the places are kept for the version
    assert calls == {"records": 1, "sites": 1}


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_the_brief_carries_the_tension_watch_and_the_safeguarding_count(demo_store, role):
    from geo.analysis.brief import TENSION_HEADING
    from geo.questions.signals import brief_signals

    brief = tasking_brief(demo_store, role=role, made_at=datetime(2026, 11, 24, 9, 0))
    sections = dict(brief.sections())
    assert "not a prediction" in TENSION_HEADING and "never an input" in TENSION_HEADING
    watch, waiting = brief_signals(demo_store, role=role, period="week", end=brief_end(brief))
    pd.testing.assert_frame_equal(sections[TENSION_HEADING], watch)
    counted = sections["Waiting for a safeguarding referral (under 18, trafficking concern)"]
    pd.testing.assert_frame_equal(counted, waiting)
    assert counted["Ward"].iloc[-1] == "All wards"  # the demo has trafficking concerns waiting
    if role == "police":  # counts only, small ones hidden: never the queue
        assert set(counted.columns) == {"Ward", "Waiting"}
        assert not set(counted["Waiting"]) & {"1", "2", "3", "4"}


def test_work_done_alongside_the_brief_acts_for_the_same_user_and_council():
    """The brief works its signals out on another thread: the acting user (and so the council
    whose records they may read) must travel with it, or a bound user's signals would read
    every council's records. A bare submit runs as nobody."""
    from concurrent.futures import ThreadPoolExecutor

    from geo.questions.brief import _alongside
    from geo.store.audit import Actor, acting_as, current_actor

    with acting_as(Actor("ana@a.example", "police", "E06000001")), ThreadPoolExecutor(1) as pool:
        assert _alongside(pool, lambda: current_actor().council).result() == "E06000001"
        assert pool.submit(lambda: current_actor().council).result() is None
