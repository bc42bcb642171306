"""The Overview's partnership signals (issue 14): who waits for a safeguarding referral, and who
could share an interpreter, in words, as each role may see them. Worked out by hand.

Waiting for a safeguarding referral: hand-made figures of two weeks, 9-15 and 16-22 Nov 2026
(only the last is shown), wards listed by code order Market, Old Town, Riverside, Station.

- coordinator: Riverside 7, Market 3, Old Town 12, Station 0, total 22: a table of the wards
  with anyone waiting, most first (Old Town 12, Riverside 7, Market 3), then All wards 22.
- councillor, a number shown: Riverside 9, Market "<5", Station "*", total "*": Riverside 9,
  then the hidden ones in ward order (Market "fewer than 5", Station "hidden"), All wards
  "hidden"; no sentence.
- councillor, no number shown: Market "<5", Riverside "*", total 10: one sentence naming both
  in words and the total, no table.
- nobody waiting in the last week (a 3 the week before is not shown): one sentence, no table.

Who could share: contacts needing an interpreter, wards Central and Station, weeks ending on
the latest night, Sun 22 Nov: 16-22 Nov and 9-15 Nov.

| agency                  | nights          | ward    | language |
|-------------------------|-----------------|---------|----------|
| Harbour Light, Southend | 16 to 22 Nov    | Central | Polish   |  7 contacts
| Bridge Trust            | 20 Nov          | Central | Polish   |  1
| Bridge Trust            | 22 Nov          | Station | Polish   |  1 (alone in Station)
| Harbour Light, Southend | 10 Nov          | Central | Tigrinya |  1 (the week before)
| Bridge Trust            | 11 Nov          | Central | tigrinya |  1

- Polish in Central, 16-22 Nov: Bridge Trust 1 and Harbour Light, Southend 7 (one agency,
  though its name holds a comma), total 8. A councillor sees Bridge Trust's 1 as "<5", and the
  7 hidden ("*") since 8 - 7 would give the 1 away (as in tests/test_interpreters.py).
- Polish in Station: one agency only, so nobody to share with; two or more did in Central.
- Tigrinya was shared in Central the week before, not in the latest week the page shows.

The demo borough on the page (AppTest, per role): in the week to 22 Nov Riverside has fewer
than 5 waiting (the only ward), so police and councillors get the one sentence; coordinators
the queue's sentence; the widget's first answer is Arabic in Station.
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis.interpreters import SharedInterpreters, shared_interpreters, who_could_share
from geo.analysis.safeguarding import QueueFigures
from geo.analysis.signals_view import (
    ACT_WHERE,
    queue_sentence,
    shared_languages,
    sharing_answer,
    sharing_period,
    waiting_caption,
    waiting_sentence,
    waiting_table,
)
from geo.errors import AnalysisError
from geo.filters import Filters
from geo.questions.interpreters import interpreter_sharing, view_interpreters
from geo.questions.safeguarding import queue, queue_counts
from geo.store import open_store
from tests.test_pages import open_page
from ui.text import plain

WEEKS = [
    ("2026-11-09/2026-11-15", date(2026, 11, 9)),
    ("2026-11-16/2026-11-22", date(2026, 11, 16)),
]
WARDS = {"E1": "Market", "E2": "Old Town", "E3": "Riverside", "E4": "Station"}


def figures(last: dict[str, object], total: object, *, role: str | None = None) -> QueueFigures:
    """Two weeks of waiting counts; the week before has 3 in Market and nothing else."""
    rows, totals = [], []
    for (label, start), counts, all_wards in ((WEEKS[0], {"E1": 3}, 3), (WEEKS[1], last, total)):
        period = {"period": label, "period_start": start, "period_end": start, "nights": 7}
        period["period_end"] = (pd.Timestamp(start) + pd.Timedelta(days=6)).date()
        for code, name in WARDS.items():
            rows.append({"area_code": code, "area_name": name, **period, "waiting": 0})
            rows[-1]["waiting"] = counts.get(code, 0)
        totals.append({**period, "waiting": all_wards})
    threshold = None if role in (None, "coordinator") else 4
    return QueueFigures(
        areas=pd.DataFrame(rows).astype({"waiting": object}),
        totals=pd.DataFrame(totals).astype({"waiting": object}),
        period="week",
        role=role,
        threshold=threshold,
    )


def test_a_coordinator_table_lists_wards_with_anyone_waiting_most_first() -> None:
    found = figures({"E3": 7, "E1": 3, "E2": 12}, 22, role="coordinator")
    table = waiting_table(found)
    assert table.to_dict("list") == {
        "Ward": ["Old Town", "Riverside", "Market", "All wards"],
        "Waiting": ["12", "7", "3", "22"],
    }
    assert waiting_sentence(found) is None
    caption = waiting_caption(found)
    assert "first seen from 16 Nov to 22 Nov 2026" in caption
    assert "under-18s or of a trafficking concern with no referral recorded yet" in caption
    assert "fewer than" not in caption  # coordinators see every count


def test_a_councillor_sees_hidden_counts_in_words_never_as_0() -> None:
    found = figures({"E3": 9, "E1": "<5", "E4": "*"}, "*", role="councillor")
    table = waiting_table(found)
    assert table.to_dict("list") == {
        "Ward": ["Riverside", "Market", "Station", "All wards"],
        "Waiting": ["9", "fewer than 5", "hidden", "hidden"],
    }
    assert waiting_sentence(found) is None
    assert "Counts from 1 to 4 are shown as 'fewer than 5'." in waiting_caption(found)


def test_when_no_ward_count_can_be_given_one_sentence_says_so() -> None:
    found = figures({"E1": "<5", "E3": "*"}, 10, role="councillor")
    assert waiting_sentence(found) == (
        "Fewer than 5 in Market and some (the number hidden) in Riverside (10 across all"
        " wards): numbers this small are not given exactly, so that no one can be picked out."
    )
    small_total = figures({"E3": "<5"}, "<5", role="police")
    assert waiting_sentence(small_total) == (
        "Fewer than 5 in Riverside (fewer than 5 across all wards): numbers this small are not"
        " given exactly, so that no one can be picked out."
    )
    hidden_total = figures({"E3": "<5", "E4": "*"}, "*", role="police")
    assert waiting_sentence(hidden_total) == (
        "Fewer than 5 in Riverside and some (the number hidden) in Station: numbers this small"
        " are not given exactly, so that no one can be picked out."
    )


def test_nobody_waiting_is_one_sentence_and_the_week_before_is_not_shown() -> None:
    found = figures({}, 0, role="councillor")
    assert waiting_table(found).empty
    assert waiting_sentence(found) == (
        "Nobody first seen from 16 Nov to 22 Nov 2026 is waiting for a safeguarding referral."
    )


def test_the_figures_are_not_changed() -> None:
    found = figures({"E3": 9, "E1": "<5"}, "*", role="councillor")
    areas, totals = found.areas.copy(), found.totals.copy()
    waiting_table(found), waiting_sentence(found), waiting_caption(found)
    pd.testing.assert_frame_equal(found.areas, areas)
    pd.testing.assert_frame_equal(found.totals, totals)


def test_a_coordinator_is_told_how_many_wait_and_where_to_act() -> None:
    two = pd.DataFrame({"key": ["person-B", "site-x"], "days_waiting": [12, 3]})
    assert queue_sentence(two) == (
        "2 people or places are waiting for a safeguarding referral (seen under 18 or with a"
        " trafficking concern, no referral recorded since), the longest for 12 days: refer"
        " them, or close them with a reason, on the Hotspots page, Safeguarding tab."
    )
    one = queue_sentence(two.iloc[1:].assign(days_waiting=1))
    assert one.startswith("1 person or place is waiting") and "the longest for 1 day:" in one
    assert queue_sentence(two.iloc[:0]).startswith("Nobody is waiting")
    assert ACT_WHERE in queue_sentence(two.iloc[:0])
    with pytest.raises(AnalysisError, match="no column days_waiting; pass the safeguarding"):
        queue_sentence(pd.DataFrame({"key": ["a"]}))


# -- who could share an interpreter -----------------------------------------------------------
HARBOUR = "Harbour Light, Southend"
CONTACTS = [
    *[(HARBOUR, f"2026-11-{day}", "C1", "Polish") for day in range(16, 23)],
    ("Bridge Trust", "2026-11-20", "C1", "Polish"),
    ("Bridge Trust", "2026-11-22", "S1", "Polish"),
    (HARBOUR, "2026-11-10", "C1", "Tigrinya"),
    ("Bridge Trust", "2026-11-11", "C1", "tigrinya"),
]


@pytest.fixture(scope="module")
def shared() -> SharedInterpreters:
    agency, night, code, language = zip(*CONTACTS, strict=True)
    records = pd.DataFrame(
        {
            "kind": "outreach_contact",
            "agency": agency,
            "night": pd.to_datetime(list(night)),
            "language": language,
            "interpreter_needed": 1,
            "area_code": code,
        }
    )
    wards = gpd.GeoDataFrame(
        {"area_code": ["C1", "S1"], "area_name": ["Central", "Station"]}, geometry=[None, None]
    )
    return shared_interpreters(records, wards, period="week", periods=2, placed=True)


def test_the_answer_names_the_agencies_and_their_contacts(shared) -> None:
    assert sharing_period(shared) == "16 Nov to 22 Nov 2026"
    assert shared_languages(shared) == ["Polish"]  # Tigrinya was the week before
    expected = (
        f"Bridge Trust (1 contact) and {HARBOUR} (7 contacts) needed an interpreter for Polish"
        " in Central ward from 16 Nov to 22 Nov 2026: they could share one."
    )
    assert sharing_answer(shared, language="Polish", ward="Central") == expected
    # matched ignoring case, spaces and a trailing "ward", as who_could_share matches, and
    # said as the ward is named and the records spell the language
    assert sharing_answer(shared, language=" polish", ward="central Ward ") == expected


def test_an_agency_whose_name_holds_a_comma_stays_one_agency(shared) -> None:
    # who_could_share splits the joined names on ", "; the answer reads the contacts whole
    label = WEEKS[1][0]
    split = who_could_share(shared, language="Polish", area_name="Central", period=label)
    assert split == ["Bridge Trust", "Harbour Light", "Southend"]
    assert f"and {HARBOUR} (7 contacts)" in sharing_answer(
        shared, language="Polish", ward="Central"
    )


def test_no_one_to_share_with_says_where_two_agencies_did(shared) -> None:
    assert sharing_answer(shared, language="Polish", ward="Station") == (
        "No two agencies needed an interpreter for Polish in Station ward from 16 Nov to"
        " 22 Nov 2026; two or more did in Central."
    )
    assert sharing_answer(shared, language="Tigrinya", ward="Central") == (
        "No two agencies needed an interpreter for Tigrinya in Central ward from 16 Nov to"
        " 22 Nov 2026."
    )


def test_a_councillor_gets_the_contacts_as_their_view_shows_them(shared) -> None:
    seen = view_interpreters(shared, role="councillor")
    assert sharing_answer(seen, language="Polish", ward="Central") == (
        f"Bridge Trust (fewer than 5 contacts) and {HARBOUR} (contacts hidden) needed an"
        " interpreter for Polish in Central ward from 16 Nov to 22 Nov 2026: they could share"
        " one."
    )


def test_nothing_shared_and_bad_questions(shared) -> None:
    none = SharedInterpreters(
        shared=shared.shared.iloc[:0], contacts=shared.contacts.iloc[:0],
        recurring=shared.recurring.iloc[:0], period="week",
    )  # fmt: skip
    assert sharing_period(none) == "" and shared_languages(none) == []
    assert sharing_answer(none, language="Polish", ward="Central").startswith(
        "No language was needed by two agencies in one ward"
    )
    with pytest.raises(AnalysisError, match="say which language"):
        sharing_answer(shared, language=" ", ward="Central")
    with pytest.raises(AnalysisError, match="say which ward"):
        sharing_answer(shared, language="Polish", ward=None)  # type: ignore[arg-type]


# -- the demo borough, on the page ------------------------------------------------------------
DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: \d{4})?\b")


def small_counts(text: str) -> list[str]:
    """Numbers from 1 to 4 a text gives, leaving out dates and the threshold's own words."""
    text = DATE.sub("", text.replace("fewer than 5", "").replace("1 to 4", ""))
    return re.findall(r"(?<![\d,])[1-4](?![\d,])", text)


def test_the_small_count_check_can_fail() -> None:
    assert small_counts("Riverside: 3 waiting from 16 Nov to 22 Nov 2026") == ["3"]
    assert small_counts("fewer than 5 in Riverside, 16 Nov to 22 Nov 2026") == []


def written(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_queue_counts_read_the_pages_filters(demo_store) -> None:
    by_filters = queue_counts(demo_store, role="councillor", filters=Filters(period="week"))
    asked = queue_counts(demo_store, role="councillor", period="week")
    pd.testing.assert_frame_equal(by_filters.areas, asked.areas)
    assert by_filters.period == "week"


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_police_and_councillors_see_the_waiting_count_in_words(app_store, role) -> None:
    store = open_store(app_store)
    counts = queue_counts(store, role=role, filters=Filters(), periods=1)
    at = open_page(role, "app_pages/overview.py")
    assert plain(waiting_caption(counts)) in [c.value for c in at.caption]
    # the demo's week to 22 Nov: Riverside alone, fewer than 5
    said = plain(waiting_sentence(counts))
    assert said in written(at)
    assert "Fewer than 5 in Riverside" in said.replace("\\", "")
    assert not small_counts(said.replace("\\", "")), said
    assert not [d for d in at.dataframe if d.value.columns.tolist() == ["Ward", "Waiting"]]
    answer = next(m for m in written(at) if "could share one" in m).replace("\\", "")
    assert "(fewer than 5 contacts)" in answer and not small_counts(answer), answer
    at.selectbox(key="share_ward").select("Riverside").run()
    answer = next(m for m in written(at) if "No two agencies" in m).replace("\\", "")
    assert answer.endswith("two or more did in Station.")


def test_a_coordinator_sees_the_queue_sentence_and_each_agency_s_contacts(app_store) -> None:
    store = open_store(app_store)
    at = open_page("coordinator", "app_pages/overview.py")
    said = plain(queue_sentence(queue(store, role="coordinator")))
    assert said in written(at)
    assert "Hotspots page, Safeguarding tab" in said.replace("\\", "")
    sharing = interpreter_sharing(store, role="coordinator", filters=Filters())
    languages = shared_languages(sharing)
    assert at.selectbox(key="share_language").options == languages
    first = plain(sharing_answer(sharing, language=languages[0], ward="Station"))
    assert at.selectbox(key="share_ward").value == "Station"  # where it was shared
    assert first in written(at)
    at.selectbox(key="share_language").select("Dari").run()
    at.selectbox(key="share_ward").select("Market").run()
    answer = next(m for m in written(at) if "for Dari in Market ward" in m).replace("\\", "")
    assert "Harbour Light homelessness charity (" in answer
    assert "St Anne's night shelter volunteers (" in answer
    assert re.search(r"\(\d+ contacts?\)", answer), answer


def test_the_demo_has_someone_waiting_in_riverside_this_week(app_store) -> None:
    # guards the page tests above: the demo must hold what they look for
    store = open_store(app_store)
    counts = queue_counts(store, role="coordinator", filters=Filters(), periods=1)
    assert waiting_table(counts)["Ward"].tolist() == ["Riverside", "All wards"]
