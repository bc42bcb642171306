"""The Overview: the last period against the one before, the borough's trend, what changed.

Everything here is read from an :class:`~geo.analysis.ward_figures.AreaSummary` as a role
sees it (see :mod:`geo.privacy.figures`), so one piece of code serves coordinators, police and
councillors alike, and a figure a role may not see stays hidden here too:

- A **figure** is a whole number, or the text the role was given instead of one: ``"<5"``, a
  small count, said "fewer than 5"; or ``"*"``, a count hidden so that a small one elsewhere
  cannot be worked out, which no sentence mentions. ``None``: there is no such figure (no
  period before the first).
- **Change** is this period's figure minus the previous one's, given only when both are shown
  as numbers.
- The **headline** figures are the borough's (the summary's ``totals``) in the last period of
  the summary against the period before it; the **trend** is the borough's people counted in
  every period of the summary.
- **Emerging** wards ("rising fast") are those the summary flags in the last period; see
  :mod:`geo.analysis.ward_figures` for the rule, and :data:`EMERGING_RULE` for it in words.
- Sentences use whole numbers, dates as "22 Nov 2026", ward names (never a code), and periods
  as people say them: "the night of 22 Nov 2026", "the week to 22 Nov 2026", "the 30 nights to
  22 Nov 2026" (a month here is 30 nights, so every period compares like with like), and for a
  chosen range "these 10 nights".
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.ward_figures import (
    EMERGING_FLOOR,
    EMERGING_SCORE,
    PERIOD_NIGHTS,
    PERIODS,
    AreaSummary,
    Period,
)
from geo.errors import AnalysisError
from geo.privacy.figures import SECONDARY

#: A figure as a role sees it: a whole number, ``"<5"``/``"*"`` in its place, or ``None``.
Figure = int | str | None

#: The headline figures, in the order shown: (column, label, what it counts, in plain words).
HEADLINES: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "people",
        "People counted",
        "People seen sleeping rough, counted night by night: someone seen on three nights"
        " counts three times, and two teams seeing the same person count them once.",
    ),
    (
        "sightings",
        "Sightings",
        "Records of someone seen: street counts, outreach contacts and referrals.",
    ),
    (
        "distinct_people",
        "Different people",
        "Different people, told apart by the reference agencies give them (anonymous, never a"
        " name), added up ward by ward.",
    ),
    ("contacts", "Contacts", "Outreach contacts and referrals."),
)

_TOTAL_COLUMNS: Final = ("period_start", "period_end", "nights", *(h[0] for h in HEADLINES))
_AREA_COLUMNS: Final = (
    *("area_code", "area_name", "period_start", "people", "previous_people"),
    *("emerging", "emerging_rank"),
)

#: Said last when a headline figure is hidden (``"*"``) and so has no sentence.
HIDDEN_NOTE: Final = (
    "Some figures are not shown, so that small numbers in a ward cannot be worked out from them."
)

_MONTHS: Final = (
    *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
    *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)
#: The kind of period a summary holds, from the nights in its last one (a month is 30 nights).
_NIGHT_PERIODS: Final[dict[int, str]] = {nights: name for name, nights in PERIOD_NIGHTS.items()}


@dataclass(frozen=True)
class Headline:
    """One headline figure of the last period against the previous one.

    Attributes
    ----------
    name
        The summary column (``"people"``, ``"sightings"``, ``"distinct_people"``,
        ``"contacts"``).
    label
        What it is called on the page ("People counted").
    this, previous
        The figure in the last period and in the one before (see :data:`Figure`).
    change
        ``this - previous`` when both are numbers, else ``None``.
    help
        What the figure counts, in plain words (for a tooltip).
    """

    name: str
    label: str
    this: Figure
    previous: Figure
    change: int | None
    help: str


@dataclass(frozen=True)
class WardChange:
    """A ward's people counted in the last period against the period before.

    ``area_code`` is for joining to a map; say ``ward_name``.
    """

    ward_name: str
    area_code: str
    people: int
    previous: int
    change: int


@dataclass(frozen=True, eq=False)
class Overview:
    """The Overview page's content as plain data.

    Attributes
    ----------
    period
        ``"night"``, ``"week"``, ``"month"`` (30 nights) or ``"range"``.
    period_start, period_end, nights
        The last period of the summary: its first and last night, and how many nights.
    label, previous_label
        The last period and the one before, in words: "the week to 22 Nov 2026", "the week
        before".
    headlines
        People counted, sightings, different people and contacts (see :data:`HEADLINES`).
    emerging
        Wards rising fast in the last period, fastest first.
    emerging_rule
        When a ward counts as rising fast, in plain words.
    emerging_hidden
        How many wards' change this role may not see (small numbers there or before), so
        that "no ward is rising fast" can be said with that caveat.
    largest_rise, largest_fall
        Among the other wards whose change the role sees, the largest rise and fall in people
        counted (ties: the first by name); ``None`` where no ward rose (fell).
    trend
        The borough's people counted per period, oldest first: ``period_start``,
        ``period_end``, ``people`` (float; NaN where the role sees no number). Periods before
        the first record (whose zeros are not counts) are left out.
    role, threshold
        As in the summary: the role the figures are for, and the largest count hidden.
    """

    period: Period
    period_start: date
    period_end: date
    nights: int
    label: str
    previous_label: str
    headlines: tuple[Headline, ...]
    emerging: tuple[WardChange, ...]
    emerging_rule: str
    emerging_hidden: int
    largest_rise: WardChange | None
    largest_fall: WardChange | None
    trend: pd.DataFrame
    role: str | None = None
    threshold: int | None = None

    def headline(self, name: str) -> Headline:
        """The headline figure named ``name`` (``"people"``, ``"sightings"``...)."""
        for item in self.headlines:
            if item.name == name:
                return item
        known = ", ".join(item.name for item in self.headlines)
        raise KeyError(f"no headline named {name!r}; the headlines are {known}")


def plain_date(day: date) -> str:
    """A date as people write it, whatever the computer's language.

    >>> plain_date(date(2026, 11, 22))
    '22 Nov 2026'
    """
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def plain_count(value: Figure) -> str:
    """A figure in words: a whole number with thousands separated, "fewer than 5" for ``"<5"``,
    "hidden" for ``"*"`` and "not known" for ``None``.

    >>> [plain_count(v) for v in (1234, "<5", "*", None)]
    ['1,234', 'fewer than 5', 'hidden', 'not known']
    """
    if value is None:
        return "not known"
    if isinstance(value, str):
        if value.startswith("<"):
            return f"fewer than {value[1:]}"
        return "hidden"
    return f"{value:,}"


def overview_of(summary: AreaSummary, *, period: Period | None = None) -> Overview:
    """The Overview of ``summary``'s last period, as the summary's role sees it.

    ``period`` is the kind of period the summary was asked for; without it, it is read from
    the number of nights in the last period (1: night, 7: week, 30: month, else a range).

    When the summary holds one period only (a range, or ``periods=1``), the previous figures
    are not in its totals: people before come from the wards' ``previous_people`` where every
    one of them is a number, and the other headline figures have no previous value.

    Examples
    --------
    Two wards over two weeks; the borough went from 12 to 20 people and Riverside (2 -> 9)
    rose fast: up 7 (at least 5) and (9 + 5) / (2 + 5) = 2 (at least 1.5).

    >>> weeks = [date(2026, 11, 9), date(2026, 11, 16)]
    >>> areas = pd.DataFrame({
    ...     "area_code": ["E1", "E2", "E1", "E2"], "area_name": ["Market", "Riverside"] * 2,
    ...     "period_start": weeks[:1] * 2 + weeks[1:] * 2, "nights": 7,
    ...     "people": [10, 2, 11, 9], "previous_people": [np.nan, np.nan, 10.0, 2.0],
    ...     "change": [np.nan, np.nan, 1.0, 7.0], "emerging": [False, False, False, True],
    ...     "emerging_rank": pd.array([None, None, None, 1], dtype="Int64")})
    >>> totals = pd.DataFrame({"period_start": weeks, "period_end": [date(2026, 11, 15),
    ...     date(2026, 11, 22)], "nights": 7, "people": [12, 20], "sightings": [15, 22],
    ...     "distinct_people": [6, 9], "contacts": [4, 4]})
    >>> empty = pd.DataFrame()
    >>> view = overview_of(AreaSummary(areas, totals, empty, empty, empty, empty))
    >>> people = view.headline("people")
    >>> people.label, people.this, people.previous, people.change
    ('People counted', 20, 12, 8)
    >>> for sentence in what_changed(view):
    ...     print(sentence)
    People counted: 20 in the week to 22 Nov 2026, up 8 from 12 the week before.
    Sightings: 22 in the week to 22 Nov 2026, up 7 from 15 the week before.
    Different people: 9 in the week to 22 Nov 2026, up 3 from 6 the week before.
    Contacts: 4 in the week to 22 Nov 2026, the same as the week before.
    Riverside is rising fast: 9 people, up from 2.
    The largest rise elsewhere was in Market: 11 people, up 1 from 10.
    """
    _check(summary, period=period)
    totals = summary.totals.sort_values("period_start", kind="stable").reset_index(drop=True)
    totals = totals.iloc[_first_recorded(totals) :]
    last = totals.iloc[-1]
    nights = int(last["nights"])
    kind = period if period is not None else _NIGHT_PERIODS.get(nights, "range")
    label, previous_label = _period_words(kind, nights=nights, end=last["period_end"])
    areas = summary.areas
    wards = _ward_changes(areas.loc[(areas["period_start"] == last["period_start"]).to_numpy()])
    emerging = wards.loc[wards["emerging"]].sort_values(["rank", "ward_name"], kind="stable")
    others = wards.loc[~wards["emerging"]].sort_values("ward_name", kind="stable")
    rises = others.loc[others["change"] > 0].sort_values("change", ascending=False, kind="stable")
    falls = others.loc[others["change"] < 0].sort_values("change", kind="stable")
    flags = areas.loc[(areas["period_start"] == last["period_start"]).to_numpy(), "emerging"]
    return Overview(
        period=kind,
        period_start=last["period_start"],
        period_end=last["period_end"],
        nights=nights,
        label=label,
        previous_label=previous_label,
        headlines=_headlines(totals, areas=areas, last=last["period_start"]),
        emerging=_changes(emerging),
        emerging_rule=_emerging_rule(previous_label),
        emerging_hidden=int(flags.astype(object).isna().sum()),
        largest_rise=next(iter(_changes(rises.head(1))), None),
        largest_fall=next(iter(_changes(falls.head(1))), None),
        trend=_trend(totals),
        role=summary.role,
        threshold=summary.threshold,
    )


def what_changed(overview: Overview) -> list[str]:
    """What changed, in sentences a councillor understands.

    One sentence per headline figure, one per ward rising fast (or one saying none is), and
    the largest rise and fall among the other wards. A figure hidden as ``"*"`` is left out
    (its whole sentence, or the comparison it would be part of), and :data:`HIDDEN_NOTE` says
    why at the end; ``"<5"`` is said "fewer than 5".
    """
    sentences = [
        sentence
        for item in overview.headlines
        if (sentence := _headline_sentence(item, overview)) is not None
    ]
    for ward in overview.emerging:
        sentences.append(
            f"{ward.ward_name} is rising fast: {_people(ward.people)}, up from {ward.previous:,}."
        )
    if not overview.emerging:
        when = _short_words(overview)
        if overview.emerging_hidden:
            sentences.append(
                f"No ward is rising fast {when}, of those whose numbers are large enough to"
                " compare."
            )
        else:
            sentences.append(f"No ward is rising fast {when}.")
    elsewhere = " elsewhere" if overview.emerging else ""
    rise, fall = overview.largest_rise, overview.largest_fall
    if rise is not None:
        sentences.append(
            f"The largest rise{elsewhere} was in {rise.ward_name}: {_people(rise.people)},"
            f" up {rise.change:,} from {rise.previous:,}."
        )
    if fall is not None:
        sentences.append(
            f"The largest fall was in {fall.ward_name}: {_people(fall.people)},"
            f" down {-fall.change:,} from {fall.previous:,}."
        )
    if any(item.this == SECONDARY for item in overview.headlines):
        sentences.append(HIDDEN_NOTE)
    return sentences


# -- helpers ---------------------------------------------------------------------------------
def _check(summary: AreaSummary, *, period: Period | None) -> None:
    if period is not None and period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if summary.totals.empty:
        raise AnalysisError(
            "the summary has no periods to give an overview of; ask area_summary for at least"
            " one period"
        )
    for frame, columns in (("totals", _TOTAL_COLUMNS), ("areas", _AREA_COLUMNS)):
        missing = [name for name in columns if name not in getattr(summary, frame).columns]
        if missing:
            raise AnalysisError(
                f"the summary's {frame} lack {', '.join(missing)}; build the summary with"
                " geo.questions.area_summary"
            )


def _period_words(period: str, *, nights: int, end: date) -> tuple[str, str]:
    """The last period and the one before, in words."""
    when = plain_date(end)
    if period == "night" and nights == 1:
        return f"the night of {when}", "the night before"
    if period == "week" and nights == 7:
        return f"the week to {when}", "the week before"
    if period == "range":
        return f"these {nights} nights to {when}", f"the {nights} nights before"
    return f"the {nights} nights to {when}", f"the {nights} nights before"


def _when(overview: Overview) -> str:
    """The last period with its preposition: "on the night of ...", "in the week to ..."."""
    on = "on" if overview.label.startswith("the night of") else "in"
    return f"{on} {overview.label}"


def _short_words(overview: Overview) -> str:
    """The last period, briefly: "this week", "in these 30 nights", "on the night of ..."."""
    if overview.label.startswith("the night of"):
        return _when(overview)
    if overview.label.startswith("the week to"):
        return "this week"
    return f"in these {overview.nights} nights"


def _figure(value: object) -> Figure:
    """A cell as a figure: whole numbers rounded, hidden text kept, missing as ``None``."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA:
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isnan(number) else int(round(number))
    raise AnalysisError(f"a figure must be a number or hidden text; got {value!r}")


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count:,} people"


def _first_recorded(totals: pd.DataFrame) -> int:
    """The first period in which the borough has any sighting or person (shown or hidden).

    Periods before the first record hold zeros that are not counts (nothing was recorded
    yet), so they are neither in the trend nor a previous period. With no record at all, every
    period is kept.
    """
    empty = totals["sightings"].map(_figure).eq(0) & totals["people"].map(_figure).eq(0)
    recorded = np.flatnonzero(~empty.to_numpy(bool))
    return int(recorded[0]) if len(recorded) else 0


def _is_number(value: Figure) -> bool:
    return isinstance(value, int)


def _headlines(totals: pd.DataFrame, *, areas: pd.DataFrame, last: date) -> tuple[Headline, ...]:
    found = []
    for name, label, help_text in HEADLINES:
        this = _figure(totals[name].iat[-1])
        if len(totals) > 1:
            previous = _figure(totals[name].iat[-2])
        elif name == "people":
            previous = _people_before(areas.loc[(areas["period_start"] == last).to_numpy()])
        else:
            previous = None
        change = this - previous if _is_number(this) and _is_number(previous) else None
        found.append(Headline(name, label, this, previous, change, help_text))
    return tuple(found)


def _people_before(now: pd.DataFrame) -> int | None:
    """People counted in the period before, added up from the wards, where every ward's is a
    number (a summary of one period has no totals row for it)."""
    if "previous_people" not in now.columns or now.empty:
        return None
    values = now["previous_people"].map(_figure)
    return int(values.sum()) if values.map(_is_number).all() else None


def _ward_changes(now: pd.DataFrame) -> pd.DataFrame:
    """The last period's wards whose people, now and before, the role sees as numbers:
    ``ward_name``, ``area_code``, ``people``, ``previous``, ``change``, ``emerging``, ``rank``.
    """
    people = now["people"].map(_figure)
    previous = now["previous_people"].map(_figure)
    shown = (people.map(_is_number) & previous.map(_is_number)).to_numpy(bool)
    names = now["area_name"].astype(object)
    named = names.map(lambda name: isinstance(name, str) and bool(name.strip()))
    emerging = now["emerging"].astype(object).eq(True)
    rank = pd.to_numeric(now["emerging_rank"].astype(object), errors="coerce")
    table = pd.DataFrame(
        {
            "ward_name": names.where(named, "an unnamed ward").to_numpy(object),
            "area_code": now["area_code"].astype(str).to_numpy(object),
            "people": people.to_numpy(object),
            "previous": previous.to_numpy(object),
            "emerging": emerging.to_numpy(bool),
            "rank": rank.to_numpy(float),
        }
    ).loc[shown]
    table["people"] = table["people"].astype(np.int64)
    table["previous"] = table["previous"].astype(np.int64)
    table["change"] = table["people"] - table["previous"]
    return table.reset_index(drop=True)


def _changes(wards: pd.DataFrame) -> tuple[WardChange, ...]:
    return tuple(
        WardChange(str(name), str(code), int(people), int(previous), int(change))
        for name, code, people, previous, change in zip(
            wards["ward_name"],
            wards["area_code"],
            wards["people"],
            wards["previous"],
            wards["change"],
            strict=True,
        )
    )


def _emerging_rule(previous_label: str) -> str:
    rise = round(100 * (EMERGING_SCORE - 1))
    return (
        f"A ward is rising fast when the people counted there rose by at least"
        f" {EMERGING_FLOOR} since {previous_label}, and by at least {rise}% once"
        f" {EMERGING_FLOOR} is added to both counts, so that a rise from 1 to 3 is not"
        " flagged while a rise from 16 to 85 is."
    )


def _trend(totals: pd.DataFrame) -> pd.DataFrame:
    people = [_figure(v) for v in totals["people"]]
    return pd.DataFrame(
        {
            "period_start": totals["period_start"].to_numpy(object),
            "period_end": totals["period_end"].to_numpy(object),
            "people": [float(v) if isinstance(v, int) else np.nan for v in people],
        }
    )


def _headline_sentence(item: Headline, overview: Overview) -> str | None:
    if item.this is None or item.this == SECONDARY:
        return None
    start = f"{item.label}: {plain_count(item.this)} {_when(overview)}"
    before = overview.previous_label
    if item.change is not None:
        if item.change > 0:
            return f"{start}, up {item.change:,} from {plain_count(item.previous)} {before}."
        if item.change < 0:
            return f"{start}, down {-item.change:,} from {plain_count(item.previous)} {before}."
        return f"{start}, the same as {before}."
    if isinstance(item.previous, int) or (
        isinstance(item.previous, str) and item.previous != SECONDARY
    ):
        return f"{start}; {plain_count(item.previous)} {before}."
    return f"{start}."


__all__ = [
    "HEADLINES",
    "HIDDEN_NOTE",
    "Figure",
    "Headline",
    "Overview",
    "overview_of",
    "plain_count",
    "plain_date",
    "WardChange",
    "what_changed",
]
