"""Ward figures in plain words: the ward map's table and a ward's profile, as a role sees them.

Works on an :class:`~geo.analysis.ward_figures.AreaSummary` as
:func:`geo.questions.area_summary` returns it for a role, so hidden figures stay hidden: a
count shown as ``"<5"`` reads "fewer than 5", one shown as ``"*"`` reads "hidden", and neither
is ever drawn or summed as 0. Ward names, never codes alone; whole numbers, never raw floats.

Examples
--------
>>> [shown(v) for v in (12, 0, "<5", "*", None, 20.55)]
['12', '0', 'fewer than 5', 'hidden', 'not shown', '21']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.overview import plain_count, plain_date
from geo.analysis.ward_figures import (
    EMERGING_FLOOR,
    EMERGING_SCORE,
    NATIONALITY_COLUMNS,
    AreaSummary,
)

#: The ward table's columns: summary column -> heading in plain words.
TABLE_COLUMNS: Final[dict[str, str]] = {
    "area_name": "Ward",
    "people": "People counted",
    "sightings": "Sightings",
    "distinct_people": "Different people",
    "contacts": "Contacts",
    "previous_people": "People, period before",
    "change": "Change",
    "emerging": "Rising fast",
}
#: Needs in a ward's profile: summary column -> plain words.
NEEDS: Final[dict[str, str]] = {
    "interpreter_needed": "Needed an interpreter",
    "nrpf": "No recourse to public funds",
    "trafficking_concern": "Trafficking concern",
    "under_18": "Under 18",
    **{column: f"Nationality: {group}" for group, column in NATIONALITY_COLUMNS.items()},
}


def shown(value: object) -> str:
    """A figure as a page shows it: whole numbers, hidden ones in words."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "not shown"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, str):
        return plain_count(value)
    return plain_count(round(float(value)))  # type: ignore[arg-type]


def numeric(values: pd.Series) -> pd.Series:
    """Figures as numbers where shown, NaN where hidden (for colouring, never for adding up)."""
    return pd.to_numeric(values.where(~values.map(lambda v: isinstance(v, str))), errors="coerce")


def last_period(summary: AreaSummary) -> pd.DataFrame:
    """The rows of the summary's last period, one per ward, in ward-name order."""
    areas = summary.areas
    if areas.empty:
        return areas
    last = areas["period_start"].max()
    return areas.loc[areas["period_start"] == last].sort_values("area_name").reset_index(drop=True)


def ward_table(summary: AreaSummary) -> pd.DataFrame:
    """The last period's figures per ward, headed and written as a page shows them."""
    rows = last_period(summary)
    table = pd.DataFrame(index=rows.index)
    for column, heading in TABLE_COLUMNS.items():
        if column not in rows.columns:
            continue
        values = rows[column]
        if column == "area_name":
            table[heading] = values.astype(str)
        elif column == "change":
            table[heading] = values.map(_signed)
        else:
            table[heading] = values.map(shown)
    return table


def period_words(summary: AreaSummary) -> str:
    """The last period in words: "the week of 16 to 22 Nov 2026"."""
    rows = last_period(summary)
    if rows.empty:
        return "no period"
    start = pd.Timestamp(rows["period_start"].iloc[0])
    end = pd.Timestamp(rows["period_end"].iloc[0])
    if start == end:
        return f"the night of {plain_date(end.date())}"
    return f"{plain_date(start.date()).rsplit(' ', 1)[0]} to {plain_date(end.date())}"


@dataclass(frozen=True)
class WardProfile:
    """What a ward's profile shows: its figures over time, its needs, languages and services."""

    code: str
    name: str
    trend: pd.DataFrame  # period_start, people (numbers where shown)
    needs: pd.DataFrame  # need, shown
    languages: pd.DataFrame  # language, shown
    services: pd.DataFrame  # name, type, opening hours
    emerging: str  # the emerging rule applied to this ward, in words


def ward_profile(summary: AreaSummary, code: str, services: pd.DataFrame) -> WardProfile:
    """The profile of ward ``code``; ``services`` are the store's services (any role)."""
    rows = summary.areas.loc[summary.areas["area_code"] == code].sort_values("period_start")
    if rows.empty:
        raise KeyError(f"no ward {code!r} in these figures")
    last = rows.iloc[-1]
    name = str(last["area_name"])
    trend = pd.DataFrame(
        {"period_start": pd.to_datetime(rows["period_start"]), "people": numeric(rows["people"])}
    ).reset_index(drop=True)
    needs = pd.DataFrame(
        [(words, shown(last[column])) for column, words in NEEDS.items() if column in last.index],
        columns=["need", "shown"],
    )
    spoken = summary.languages
    spoken = spoken.loc[(spoken["area_code"] == code) & (spoken["period"] == last["period"])]
    languages = pd.DataFrame(
        {"language": spoken["language"].astype(str), "shown": spoken["sightings"].map(shown)}
    ).reset_index(drop=True)
    here = services.loc[services["area_code"] == code] if len(services) else services
    nearby = pd.DataFrame(
        {
            "name": here.get("name", pd.Series(dtype=object)),
            "type": here.get("service_type", pd.Series(dtype=object)),
            "opening hours": here.get("opening_hours", pd.Series(dtype=object)),
        }
    ).reset_index(drop=True)
    return WardProfile(code, name, trend, needs, languages, nearby, _emerging_words(last, name))


def _signed(value: object) -> str:
    if isinstance(value, str) or value is None or pd.isna(value):  # type: ignore[arg-type]
        return "not shown"
    number = round(float(value))  # type: ignore[arg-type]
    return f"+{number:,}" if number > 0 else f"{number:,}"


def _emerging_words(row: pd.Series, name: str) -> str:
    rule = (
        f"A ward is rising fast when people counted rose by at least {EMERGING_FLOOR} and"
        f" (people + {EMERGING_FLOOR}) / (before + {EMERGING_FLOOR}) is at least"
        f" {EMERGING_SCORE:g}: fast change, more than a high level, is what comes before"
        " tension."
    )
    flag = row.get("emerging")
    if isinstance(flag, str) or flag is None or pd.isna(flag):
        return f"Whether {name} is rising fast is not shown, to keep small numbers hidden. {rule}"
    if bool(flag):
        return (
            f"{name} is rising fast: {shown(row['people'])} people counted, up from"
            f" {shown(row['previous_people'])}. {rule}"
        )
    return f"{name} is not rising fast. {rule}"
