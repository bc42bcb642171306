"""The Overview: headline figures, wards rising fast, the trend and what changed, in words.

Hand-made summaries with numbers checked by hand first (including figures a councillor is
shown as "<5" or "*"), then the demo borough for each role, read the same way the page reads
it: the overview's figures must be the ward figures' own, and a councillor's sentences must
give away no small count and name no ward by its code.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.analysis.overview import (
    HIDDEN_NOTE,
    WardChange,
    overview_of,
    plain_count,
    plain_date,
    what_changed,
)
from geo.analysis.ward_figures import AreaSummary
from geo.demo import load_demo
from geo.errors import AccessDenied, AnalysisError
from geo.filters import Filters
from geo.questions import area_summary, overview
from geo.store import open_store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
#: Periods asked of the demo: enough for a trend, few enough to keep suppression quick.
PERIODS = 4
WEEK_TO = "the week to 22 Nov 2026"
LAST = date(2026, 11, 22)


# -- hand-made summaries ---------------------------------------------------------------------
def make_summary(
    totals: dict[str, list[object]],
    wards: dict[str, tuple[str, list[object], object]] | None = None,
    *,
    nights: int = 7,
    role: str | None = None,
) -> AreaSummary:
    """A summary of ``len(people)`` periods of ``nights`` nights ending on 22 Nov 2026.

    ``totals``: column -> the borough's figure per period, oldest first (people, sightings,
    distinct_people and contacts; a missing one is 0). ``wards``: code -> (name, people per
    period, the last period's emerging flag: True, False or None where hidden). Ranks follow
    the order wards are given in.
    """
    n = len(totals["people"])
    ends = [LAST - pd.Timedelta(days=nights * (n - 1 - i)) for i in range(n)]
    ends = [pd.Timestamp(end).date() for end in ends]
    starts = [pd.Timestamp(end - pd.Timedelta(days=nights - 1)).date() for end in ends]
    borough = pd.DataFrame(
        {
            "period_start": starts,
            "period_end": ends,
            "nights": nights,
            **{
                name: pd.Series(totals.get(name, [0] * n), dtype=object)
                for name in ("sightings", "people", "distinct_people", "contacts")
            },
        }
    )
    rows = []
    rank = 0
    for code, (name, people, flag) in (wards or {}).items():
        for i in range(n):
            last = i == n - 1
            emerging = flag if last else False
            if emerging is True:
                rank += 1
            rows.append(
                {
                    "area_code": code,
                    "area_name": name,
                    "period_start": starts[i],
                    "people": people[i],
                    "previous_people": people[i - 1] if i else np.nan,
                    "emerging": emerging,
                    "emerging_rank": rank if emerging is True else None,
                }
            )
    columns = ["area_code", "area_name", "period_start", "people", "previous_people"]
    areas = pd.DataFrame(rows, columns=[*columns, "emerging", "emerging_rank"])
    areas["emerging_rank"] = areas["emerging_rank"].astype("Int64")
    empty = pd.DataFrame()
    return AreaSummary(
        areas=areas,
        totals=borough,
        outside=empty,
        contacts=empty,
        languages=empty,
        history=empty,
        role=role,
        threshold=None if role in (None, "coordinator") else 4,
    )


BOROUGH = {
    "people": [127, 137],  # a rise of 10
    "sightings": [161, 158],  # a fall of 3
    "distinct_people": [6, "<5"],  # hidden as small this week
    "contacts": [59, 59],  # no change
}


def test_headlines_compare_the_last_week_with_the_one_before() -> None:
    view = overview_of(make_summary(BOROUGH))
    figures = [(h.name, h.label, h.this, h.previous, h.change) for h in view.headlines]
    assert figures == [
        ("people", "People counted", 137, 127, 10),
        ("sightings", "Sightings", 158, 161, -3),
        ("distinct_people", "Different people", "<5", 6, None),
        ("contacts", "Contacts", 59, 59, 0),
    ]
    assert (view.period, view.period_start, view.period_end, view.nights) == (
        "week",
        date(2026, 11, 16),
        LAST,
        7,
    )
    assert (view.label, view.previous_label) == (WEEK_TO, "the week before")
    assert what_changed(view)[:4] == [
        f"People counted: 137 in {WEEK_TO}, up 10 from 127 the week before.",
        f"Sightings: 158 in {WEEK_TO}, down 3 from 161 the week before.",
        f"Different people: fewer than 5 in {WEEK_TO}; 6 the week before.",
        f"Contacts: 59 in {WEEK_TO}, the same as the week before.",
    ]


def test_a_figure_hidden_to_protect_another_is_never_said() -> None:
    totals = {"people": ["<5", 20], "sightings": [161, "*"], "contacts": ["*", 7]}
    view = overview_of(make_summary(totals, role="councillor"))
    assert view.headline("sightings").this == "*"
    assert view.headline("people").change is None  # "<5" before: no change to give
    sentences = what_changed(view)
    assert f"People counted: 20 in {WEEK_TO}; fewer than 5 the week before." in sentences
    assert f"Contacts: 7 in {WEEK_TO}." in sentences  # the hidden week before is not said
    assert not any(s.startswith("Sightings") for s in sentences)
    assert sentences[-1] == HIDDEN_NOTE
    assert not any("*" in s or "hidden" in s for s in sentences)


def test_a_ward_rising_fast_is_named_with_its_people() -> None:
    # Riverside 3 -> 17: up 14 (at least 5) and (17 + 5) / (3 + 5) = 2.75 (at least 1.5)
    wards = {
        "E05000001": ("Riverside", [3, 17], True),
        "E05000002": ("Market", [28, 25], False),
        "E05000003": ("Station", [10, 12], False),
        "E05000004": ("Harbour", [0, 0], False),
    }
    view = overview_of(make_summary(BOROUGH, wards))
    assert view.emerging == (WardChange("Riverside", "E05000001", 17, 3, 14),)
    assert view.largest_rise == WardChange("Station", "E05000003", 12, 10, 2)
    assert view.largest_fall == WardChange("Market", "E05000002", 25, 28, -3)
    sentences = what_changed(view)
    assert sentences[4:] == [
        "Riverside is rising fast: 17 people, up from 3.",
        "The largest rise elsewhere was in Station: 12 people, up 2 from 10.",
        "The largest fall was in Market: 25 people, down 3 from 28.",
    ]
    assert not any("E05" in s for s in sentences)
    assert "at least 5 since the week before" in view.emerging_rule
    assert "at least 50%" in view.emerging_rule


def test_wards_rising_fast_come_fastest_first() -> None:
    wards = {
        "E05000001": ("Riverside", [20, 40], True),
        "E05000002": ("Jubilee", [0, 9], True),
    }
    view = overview_of(make_summary(BOROUGH, wards))
    assert [w.ward_name for w in view.emerging] == ["Riverside", "Jubilee"]
    assert "Jubilee is rising fast: 9 people, up from 0." in what_changed(view)


def test_no_ward_rising_fast_is_said_and_hidden_changes_are_owned_up_to() -> None:
    wards = {"E05000001": ("Riverside", [40, 41], False)}
    assert "No ward is rising fast this week." in what_changed(
        overview_of(make_summary(BOROUGH, wards))
    )
    # a councillor cannot see whether Harbour ("<5" before) is rising fast
    wards["E05000002"] = ("Harbour", ["<5", 17], None)
    view = overview_of(make_summary(BOROUGH, wards, role="councillor"))
    assert view.emerging == () and view.emerging_hidden == 1
    assert (
        "No ward is rising fast this week, of those whose numbers are large enough to compare."
        in what_changed(view)
    )
    assert view.largest_rise == WardChange("Riverside", "E05000001", 41, 40, 1)


def test_one_person_is_one_person() -> None:
    wards = {"E05000001": ("Harbour", [0, 1], False)}
    assert "The largest rise was in Harbour: 1 person, up 1 from 0." in what_changed(
        overview_of(make_summary(BOROUGH, wards))
    )


@pytest.mark.parametrize(
    ("nights", "period", "first", "short"),
    [
        (
            1,
            None,
            "People counted: 137 on the night of 22 Nov 2026, up 10 from 127 the night before.",
            "No ward is rising fast on the night of 22 Nov 2026.",
        ),
        (
            30,
            None,
            "People counted: 137 in the 30 nights to 22 Nov 2026, up 10 from 127 the 30 nights"
            " before.",
            "No ward is rising fast in these 30 nights.",
        ),
        (
            30,
            "month",
            "People counted: 137 in the 30 nights to 22 Nov 2026, up 10 from 127 the 30 nights"
            " before.",
            "No ward is rising fast in these 30 nights.",
        ),
        (
            10,
            None,
            "People counted: 137 in these 10 nights to 22 Nov 2026, up 10 from 127 the 10 nights"
            " before.",
            "No ward is rising fast in these 10 nights.",
        ),
        (
            7,
            "range",
            "People counted: 137 in these 7 nights to 22 Nov 2026, up 10 from 127 the 7 nights"
            " before.",
            "No ward is rising fast in these 7 nights.",
        ),
    ],
)
def test_periods_are_said_as_people_say_them(
    nights: int, period: str | None, first: str, short: str
) -> None:
    view = overview_of(make_summary(BOROUGH, nights=nights), period=period)
    sentences = what_changed(view)
    assert sentences[0] == first
    assert short in sentences


def test_the_trend_is_numeric_only_where_shown() -> None:
    totals = {"people": [96, "*", "<5", 137], "sightings": [111, "*", 6, 158]}
    trend = overview_of(make_summary(totals, role="councillor")).trend
    assert list(trend.columns) == ["period_start", "period_end", "people"]
    assert trend["period_end"].tolist() == [
        date(2026, 11, 1),
        date(2026, 11, 8),
        date(2026, 11, 15),
        LAST,
    ]
    assert trend["people"].dtype == float
    people = trend["people"].tolist()
    assert people[0] == 96 and people[3] == 137
    assert math.isnan(people[1]) and math.isnan(people[2])


def test_periods_before_the_first_record_are_not_counts() -> None:
    # the first two weeks are before any record: their zeros are not in the trend, and the
    # week after them has no "week before" to compare with
    totals = {"people": [0, 0, 12, 20], "sightings": [0, 0, 15, 22]}
    view = overview_of(make_summary(totals))
    assert view.trend["people"].tolist() == [12.0, 20.0]
    assert view.headline("people").previous == 12
    first = overview_of(make_summary({"people": [0, 20], "sightings": [0, 22]}))
    assert first.headline("people").previous is None  # the wards' previous is not known
    assert first.headline("sightings").previous is None
    assert what_changed(first)[0] == f"People counted: 20 in {WEEK_TO}."


def test_one_period_takes_the_people_before_from_the_wards() -> None:
    # a range (or periods=1) has no totals row before it; the wards' previous people do
    wards = {"E05000001": ("Market", [10, 11], False), "E05000002": ("Riverside", [2, 9], True)}
    summary = make_summary({"people": [12, 20], "sightings": [15, 22]}, wards)
    last = summary.totals["period_start"].iat[-1]
    one = AreaSummary(
        areas=summary.areas.loc[summary.areas["period_start"] == last],
        totals=summary.totals.iloc[1:],
        outside=summary.outside,
        contacts=summary.contacts,
        languages=summary.languages,
        history=summary.history,
    )
    view = overview_of(one, period="range")
    assert view.headline("people").previous == 12  # 10 + 2
    assert view.headline("people").change == 8
    assert view.headline("sightings").previous is None
    assert what_changed(view)[1] == "Sightings: 22 in these 7 nights to 22 Nov 2026."


def test_the_summary_is_not_changed() -> None:
    summary = make_summary(BOROUGH, {"E05000001": ("Riverside", [3, 17], True)})
    areas, totals = summary.areas.copy(), summary.totals.copy()
    what_changed(overview_of(summary))
    pd.testing.assert_frame_equal(summary.areas, areas)
    pd.testing.assert_frame_equal(summary.totals, totals)


def test_bad_input_is_refused_with_the_fix() -> None:
    summary = make_summary(BOROUGH)
    with pytest.raises(AnalysisError, match="period must be one of night, week, month, range"):
        overview_of(summary, period="fortnight")  # type: ignore[arg-type]
    empty = AreaSummary(summary.areas, summary.totals.iloc[0:0], *[pd.DataFrame()] * 4)
    with pytest.raises(AnalysisError, match="no periods to give an overview of"):
        overview_of(empty)
    bare = AreaSummary(
        summary.areas, summary.totals.drop(columns="contacts"), *[pd.DataFrame()] * 4
    )
    with pytest.raises(AnalysisError, match="totals lack contacts; build the summary with"):
        overview_of(bare)


def test_dates_and_counts_in_words() -> None:
    assert plain_date(date(2026, 3, 4)) == "4 Mar 2026"
    assert [plain_count(v) for v in (0, 12_345, "<5", "<3")] == [
        "0",
        "12,345",
        "fewer than 5",
        "fewer than 3",
    ]


# -- the demo borough, as each role sees it --------------------------------------------------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("demo") / "atlas.sqlite")
    load_demo(store, directory=DEMO)
    return store


def shown(value: object) -> object:
    """A summary cell as the overview gives it: hidden text kept, numbers as whole ints."""
    return value if isinstance(value, str) else int(value)


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor"])
@pytest.mark.parametrize("period", ["week", "month", "night"])
def test_demo_figures_are_the_ward_figures_own(demo_store, role: str, period: str) -> None:
    view = overview(demo_store, role=role, period=period, periods=PERIODS)
    summary = area_summary(demo_store, role=role, period=period, periods=PERIODS)
    totals = summary.totals
    for headline in view.headlines:
        assert headline.this == shown(totals[headline.name].iat[-1])
        assert headline.previous == shown(totals[headline.name].iat[-2])
        if isinstance(headline.this, int) and isinstance(headline.previous, int):
            assert headline.change == headline.this - headline.previous
        else:
            assert headline.change is None
    assert view.period_end == totals["period_end"].iat[-1]
    # the trend is the totals' people from the first period with records on
    kept = len(view.trend)
    assert view.trend["period_start"].tolist() == totals["period_start"].tolist()[-kept:]
    dropped = totals.iloc[: len(totals) - kept]
    assert (dropped["people"] == 0).all() and (dropped["sightings"] == 0).all()
    for said, cell in zip(view.trend["people"], totals["people"].iloc[-kept:], strict=True):
        assert said == cell if not isinstance(cell, str) else math.isnan(said)
    # wards rising fast are the summary's, by name
    last = summary.areas.loc[summary.areas["period_start"] == totals["period_start"].iat[-1]]
    flagged = last.loc[last["emerging"].astype(object).eq(True).to_numpy()]
    assert sorted(w.ward_name for w in view.emerging) == sorted(flagged["area_name"])
    sentences = what_changed(view)
    for ward in view.emerging:
        assert (
            f"{ward.ward_name} is rising fast: {ward.people} people, up from {ward.previous}."
            in sentences
        )


@pytest.mark.parametrize("role", ["coordinator", "councillor"])
def test_demo_overview_reads_the_pages_filters(demo_store, role: str) -> None:
    chosen = Filters(period="week", end=date(2026, 11, 15))
    view = overview(demo_store, role=role, periods=PERIODS, filters=chosen)
    summary = area_summary(demo_store, role=role, periods=PERIODS, filters=chosen)
    assert view.period == "week" and view.period_end == summary.totals["period_end"].iat[-1]
    assert view.headline("people").this == shown(summary.totals["people"].iat[-1])
    assert what_changed(view) == what_changed(overview_of(summary, period="week"))


def test_demo_has_a_ward_rising_fast_over_30_nights(demo_store) -> None:
    # the demo's Riverside grows fast in November; the check above then covers the sentence
    view = overview(demo_store, role="coordinator", period="month", periods=PERIODS)
    assert [w.ward_name for w in view.emerging] == ["Riverside"]
    assert "Riverside is rising fast" in " ".join(what_changed(view))


DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
NIGHTS = re.compile(r"\b\d+ nights\b")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
CHANGE = re.compile(r": (\d[\d,]*)\b.*?, (?:up|down) (\d[\d,]*) from (\d[\d,]*)")


def counts_said(sentence: str) -> list[int]:
    """Every count a sentence gives, leaving out dates, period lengths and changes; a change
    is checked to be the difference of the two counts beside it (so it hides nothing)."""
    text = NIGHTS.sub("", DATE.sub("", sentence))
    change = CHANGE.search(text)
    if change:
        this, step, before = (int(g.replace(",", "")) for g in change.groups())
        assert step == abs(this - before), sentence
        text = text[: change.start(2)] + text[change.end(2) :]
    said = NUMBER.findall(text)
    assert all("." not in n for n in said), f"a raw float in {sentence!r}"
    return [int(n.replace(",", "")) for n in said]


@pytest.mark.parametrize(
    ("period", "end"),
    [("week", None), ("month", None), ("night", None), ("night", date(2026, 11, 8))],
)
def test_demo_councillor_sentences_give_no_small_count_and_no_ward_code(
    demo_store, period: str, end: date | None
) -> None:
    view = overview(demo_store, role="councillor", period=period, end=end, periods=PERIODS)
    sentences = what_changed(view)
    codes = demo_store.areas(layer="ward")["area_code"].astype(str)
    text = " ".join(sentences)
    assert not [code for code in codes if code in text]
    assert not re.search(r"\bE0\d", text)
    for sentence in sentences:
        assert not [n for n in counts_said(sentence) if 1 <= n <= 4], sentence
    hidden = [h.label for h in view.headlines if h.this == "*"]
    assert (HIDDEN_NOTE in sentences) == bool(hidden)
    assert not [s for s in sentences if any(s.startswith(label) for label in hidden)]


def test_demo_councillor_night_hides_borough_figures_and_says_so(demo_store) -> None:
    # the demo's night of 8 Nov hides sightings, different people and contacts borough-wide
    # (to protect small counts in wards); the check above then covers the note
    view = overview(
        demo_store, role="councillor", period="night", end=date(2026, 11, 8), periods=PERIODS
    )
    assert view.headline("sightings").this == "*"
    assert what_changed(view)[-1] == HIDDEN_NOTE


def test_overview_fails_closed_on_roles(demo_store) -> None:
    with pytest.raises(AccessDenied, match="sees no figures"):
        overview(demo_store, role="admin")
    with pytest.raises(AccessDenied, match="no role given"):
        overview(demo_store, role=None)  # type: ignore[arg-type]
    with pytest.raises(AccessDenied, match="not ranges"):
        overview(
            demo_store,
            role="councillor",
            period="range",
            start=date(2026, 11, 10),
            end=date(2026, 11, 19),
        )


def test_the_small_count_check_can_fail() -> None:
    # dates, period lengths and changes are not counts; every other number is
    said = "People counted: 137 in the 30 nights to 3 Nov 2026, up 10 from 127 the 30 nights"
    assert counts_said(said + " before.") == [137, 127]
    assert counts_said("The largest rise was in Harbour: 1 person, up 1 from 0.") == [1, 0]
    with pytest.raises(AssertionError):
        counts_said("Market: 25 people, down 2 from 28.")  # a change that is not 28 - 25
