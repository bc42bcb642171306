"""Shared interpreters: languages that two or more agencies needed in one area and period.

Per area and period (a week by default), each language where at least two agencies needed an
interpreter, with each agency's contacts in it. Those agencies could share one interpreter. And
per language, the area-periods where that happens, so a language that keeps coming back can be
planned for.

Which records: contacts (:data:`geo.schema.CONTACT_KINDS`: an agency spoke to or referred
someone) with ``interpreter_needed`` set and a language recorded, with a night, in an area.
A street count's sighting says nothing about talking to anyone. Languages are matched
ignoring case and surrounding spaces ("polish" and "Polish " are Polish) and shown as the
records most often spell them. A blank agency is :data:`NO_AGENCY` and counts as one agency.
Records are put in periods by their night, in the ward figures' periods
(:func:`geo.analysis.ward_figures.period_blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    PERIODS,
    Period,
    period_blocks,
    period_labels,
)
from geo.analysis.ward_view import shown
from geo.errors import AnalysisError
from geo.locate.areas import area_positions
from geo.nights import NO_NIGHT, block_of, night_numbers
from geo.schema import CONTACT_KINDS, DISPLAY_CRS

if TYPE_CHECKING:
    from geo.privacy.roles import Role

#: What :func:`shared_interpreters` reads of each record (and ``area_code`` or ``lon``/``lat``).
INTERPRETER_READS: Final[tuple[str, ...]] = (
    "kind",
    "agency",
    "night",
    "language",
    "interpreter_needed",
)
#: What a blank agency is called.
NO_AGENCY: Final = "agency not recorded"
#: Agencies that must need the same language in one area and period for it to be shared.
MIN_AGENCIES: Final = 2

_PERIOD_COLUMNS: Final = ("period", "period_start", "period_end")
_SHARED_COLUMNS: Final = ("area_code", "area_name", *_PERIOD_COLUMNS, "language", "agencies")
_CONTACT_COLUMNS: Final = ("area_code", "area_name", *_PERIOD_COLUMNS, "language", "agency")


@dataclass(frozen=True)
class SharedInterpreters:
    """Languages two or more agencies needed an interpreter for in one area and period.

    - ``shared``: one row per area, period and language: ``area_code``, ``area_name``,
      ``period``, ``period_start``, ``period_end``, ``language``, ``agencies`` (their names,
      joined by ", ", alphabetical) and ``total`` (their contacts).
    - ``contacts``: the same, one row per agency: ``agency`` and its ``contacts``.
    - ``recurring``: one row per language, most area-periods first: ``language``,
      ``area_periods`` (how many), ``where`` (the areas and periods in words).

    ``role`` and ``threshold`` say whose view it is once
    :func:`geo.questions.interpreters.interpreter_sharing` has applied a role (None: exact).
    """

    shared: pd.DataFrame
    contacts: pd.DataFrame
    recurring: pd.DataFrame
    period: str
    role: Role | None = None
    threshold: int | None = None


def shared_interpreters(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    aligned: bool = False,
) -> SharedInterpreters:
    """Languages that at least two agencies needed an interpreter for, per area and period.

    ``records`` need :data:`INTERPRETER_READS` and, unless ``placed`` (their ``area_code``
    refers to ``areas``), ``lon``/``lat``. ``period``, ``start``, ``end``, ``periods`` and
    ``aligned`` are :func:`geo.analysis.ward_figures.summarise`'s.

    Examples
    --------
    >>> ward = gpd.GeoDataFrame({"area_code": ["E1"], "area_name": ["Central"]},
    ...     geometry=[None])
    >>> seen = pd.DataFrame({"kind": "outreach_contact", "agency": ["A", "B", "B"],
    ...     "night": pd.to_datetime(["2026-11-09", "2026-11-10", "2026-11-11"]),
    ...     "language": "Polish", "interpreter_needed": 1, "area_code": "E1"})
    >>> found = shared_interpreters(seen, ward, periods=1, placed=True)
    >>> found.shared[["area_name", "language", "agencies", "total"]].to_dict("records")
    [{'area_name': 'Central', 'language': 'Polish', 'agencies': 'A, B', 'total': 3}]
    """
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if period == "range" and (start is None or end is None):
        raise AnalysisError("a 'range' period needs both a first and a last night (--from, --to)")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AnalysisError(f"periods must be a whole number, at least 1; got {periods!r}")
    needed = [*INTERPRETER_READS, *(["area_code"] if placed else ["lon", "lat"])]
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise AnalysisError(
            f"records has no column {', '.join(missing)}; shared interpreters need it"
        )
    if not placed and areas.crs is not None and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)
    return _shared(
        records,
        areas,
        period=period,
        start=start,
        end=end,
        periods=periods,
        placed=placed,
        aligned=aligned,
    )


def who_could_share(
    found: SharedInterpreters, *, language: str, area_name: str, period: str | date
) -> list[str]:
    """The agencies that could share an interpreter for ``language`` in ``area_name`` in
    ``period`` (a period label such as ``"2026-11-09/2026-11-15"``, or any night in it).

    Language and area name are matched ignoring case and surrounding spaces; "Central" also
    matches "Central ward". An empty list: no two agencies needed that language there then.
    """
    if not isinstance(language, str) or not language.strip():
        raise AnalysisError("say which language, e.g. language='Polish'")
    if not isinstance(area_name, str) or not area_name.strip():
        raise AnalysisError("say which area, e.g. area_name='Central'")
    if not isinstance(period, str | date):
        raise AnalysisError(f"period must be a period label or a date; got {period!r}")
    rows = found.shared
    if rows.empty:
        return []
    wanted = _key(pd.Series([area_name])).iloc[0].removesuffix(" ward")
    named = _key(rows["area_name"]).str.removesuffix(" ward").eq(wanted)
    spoken = _key(rows["language"]).eq(_key(pd.Series([language])).iloc[0])
    if isinstance(period, str):
        when = rows["period"].astype(str).eq(period.strip())
    else:
        when = (rows["period_start"] <= period) & (rows["period_end"] >= period)
    agencies = rows.loc[named & spoken & when, "agencies"]
    return sorted({a for text in agencies for a in str(text).split(", ")})


def headline(found: SharedInterpreters) -> list[str]:
    """One line per language that recurs, most area-periods first."""
    if found.recurring.empty:
        return ["no language was needed by two agencies in one area and period"]
    return [
        f"{language}: {n} time{'' if n == 1 else 's'} ({where})"
        for language, n, where in zip(
            found.recurring["language"],
            found.recurring["area_periods"],
            found.recurring["where"],
            strict=True,
        )
    ]


# -- helpers ---------------------------------------------------------------------------------


def _key(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.casefold()


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype(object)
    missing = text.isna().to_numpy()
    return missing | text.where(~missing, "").astype(str).str.strip().eq("").to_numpy()


def _shared(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    placed: bool,
    aligned: bool,
) -> SharedInterpreters:
    nights = night_numbers(records)
    # periods end on the latest night of any record, as every figure's do
    first, last, length, n_periods = period_blocks(
        nights, period=period, start=start, end=end, periods=periods, aligned=aligned
    )
    need = pd.to_numeric(records["interpreter_needed"], errors="coerce").fillna(0).to_numpy()
    wanted = (
        records["kind"].isin(CONTACT_KINDS).to_numpy()
        & (need != 0)
        & ~_blank(records["language"])
        & (nights != NO_NIGHT)
        & (nights >= first)
        & (nights <= last)
    )
    rows = records.loc[wanted]
    codes = pd.Index(areas["area_code"].astype(str))
    area = area_positions(rows, codes, geometries=areas.geometry, placed=placed)
    inside = area >= 0
    rows = rows.loc[inside]
    spoken = rows["language"].astype(str).str.strip()
    agency = rows["agency"].astype(object).where(~_blank(rows["agency"]), NO_AGENCY)
    table = pd.DataFrame(
        {
            "_area": area[inside],
            "_block": block_of(nights[wanted][inside], end=last, length=length),
            "_key": spoken.str.casefold().to_numpy(object),
            "language": spoken.to_numpy(object),
            "agency": agency.astype(str).str.strip().to_numpy(object),
        }
    )
    labels = period_labels(last=last, length=length, first=first, n_blocks=n_periods)
    cells = ["_area", "_block", "_key"]
    counts = table.groupby([*cells, "agency"], sort=False).size().rename("contacts").reset_index()
    agencies = counts.groupby(cells, sort=False)["agency"].transform("size")
    counts = counts.loc[agencies.to_numpy() >= MIN_AGENCIES]
    # each language as the records most often spell it
    spelling = (
        table.groupby(["_key", "language"], sort=True)
        .size()
        .sort_values(ascending=False, kind="stable")
        .reset_index()
        .drop_duplicates("_key")
        .set_index("_key")["language"]
    )
    counts = counts.assign(
        language=spelling.reindex(counts["_key"]).to_numpy(object),
        area_code=codes.to_numpy(object)[counts["_area"].to_numpy()],
        area_name=areas["area_name"].astype(str).to_numpy(object)[counts["_area"].to_numpy()],
    ).merge(labels, on="_block")
    contacts = counts.sort_values(
        ["period_start", "area_name", "language", "agency"], kind="stable"
    ).reset_index(drop=True)
    shared = (
        contacts.groupby([*cells], sort=False)
        .agg(
            **{c: (c, "first") for c in _SHARED_COLUMNS if c != "agencies"},
            agencies=("agency", ", ".join),
            total=("contacts", "sum"),
        )
        .reset_index(drop=True)
        .loc[:, [*_SHARED_COLUMNS, "total"]]
    )
    return SharedInterpreters(
        shared=shared,
        contacts=contacts.loc[:, [*_CONTACT_COLUMNS, "contacts"]],
        recurring=_recurring(shared, period),
        period=period,
    )


def _recurring(shared: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per language, the area-periods it was shared in, in words."""
    if shared.empty:
        return pd.DataFrame({"language": [], "area_periods": [], "where": []})
    words = (
        shared["area_name"].astype(str)
        + ", "
        + shared["period_start"].map(lambda start: _period_words(start, period))
    )
    grouped = shared.assign(_where=words).groupby("language", sort=True)
    out = pd.DataFrame(
        {
            "area_periods": grouped.size(),
            "where": grouped["_where"].agg("; ".join),
        }
    ).reset_index()
    return out.sort_values(
        ["area_periods", "language"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _period_words(start: date, period: str) -> str:
    day = f"{start.day} {start:%B %Y}"
    return f"night of {day}" if period == "night" else f"{period} from {day}"


def interpreters_table(found: SharedInterpreters) -> pd.DataFrame:
    """The latest period's languages needed by two or more agencies in one ward, as a page
    shows them: ward, language, the contacts (as the role may see them, hidden ones in words:
    "fewer than 5", "hidden") and, last since the names are long, the agencies."""
    rows = found.shared
    if rows.empty:
        return pd.DataFrame(columns=["Ward", "Language", "Contacts", "Agencies"])
    rows = rows.loc[rows["period_start"] == rows["period_start"].max()]
    return pd.DataFrame(
        {
            "Ward": rows["area_name"].astype(str).to_numpy(object),
            "Language": rows["language"].astype(str).to_numpy(object),
            "Contacts": rows["total"].map(shown).to_numpy(object),
            "Agencies": rows["agencies"].astype(str).to_numpy(object),
        }
    )
