"""Ward figures: counts by area and period, people against sightings, change and emerging wards.

Definitions used in every figure (written down so that a councillor, an analyst and a test all
read the same thing):

- **Demand** is every record except visits: street counts, contacts and referrals.
- **Periods** are blocks of whole nights ending on the last night asked for: a ``night`` is one
  night, a ``week`` 7 nights, a ``month`` 30 nights (not a calendar month, so every period has
  the same length and a change compares like with like), a ``range`` the whole span from the
  first night to the last, compared with the same number of nights before it. The first block
  is cut short at the first night asked for; its ``nights`` column says so.
- **sightings**: demand records. **people**: people counted, summed over the nights of the
  period (someone seen on three nights counts three times), after the street-count rule.
  **distinct_people**: distinct pseudonymous references among the period's demand records
  (references are per agency unless the agency shares them, e.g. CHAIN numbers).
- **Street-count rule**: on one night, two records from *different* agencies are the same
  sighting when they carry the same person reference, or when they lie within ``merge_m``
  metres (default 50) and their sex and nationality group do not disagree (equal, or one of
  them unknown). Age bands are not compared: agencies band ages differently. A merged group
  counts the people of the agency that counted most there, so two teams passing the same
  doorway count its sleepers once. ``merged_people`` says how many were not double counted.
  Pairs a coordinator unlinked are always counted as two people (:mod:`geo.analysis.links`).
- **Change** is people against the previous period; **trend** the least-squares slope of
  people per period over the last ``trend_periods`` periods. A ward is **emerging** when
  people rose by at least ``emerging_floor`` and ``(people + floor) / (previous + floor)``,
  the ``emerging_score``, is at least 1.5: the floor keeps 1 -> 3 off the list, since the
  score of a rise from 16 to 85 (4.3) dwarfs that of 1 to 3 (1.3).
- **Rates** are people per 10,000 residents where the layer gives a population.

Who may see which of these is :mod:`geo.privacy`'s business; the functions here compute the
exact figures from the exact records, and :func:`geo.questions.area_summary` applies the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.street_count import MERGE_M, Unlinked
from geo.analysis.ward_counts import (
    NATIONALITY_COLUMNS,
    PERIOD_NIGHTS,
    PERIODS,
    Period,
    SummaryParts,
    SummaryPlan,
    combine_summary_parts,
    period_blocks,
    summary_parts,
    summary_plan,
)
from geo.errors import AnalysisError
from geo.nights import block_nights, day_date, night_numbers
from geo.privacy.roles import Role
from geo.schema import DISPLAY_CRS, RECORD_FLAGS

if TYPE_CHECKING:
    import geopandas as gpd


EMERGING_FLOOR: Final = 5
EMERGING_SCORE: Final = 1.5
TREND_PERIODS: Final = 4
DEFAULT_PERIODS: Final = 8

#: Record columns the figures are worked out from (plus lon/lat to place them in a new layer).
SUMMARY_COLUMNS: Final[tuple[str, ...]] = (
    "kind",
    "agency",
    "night",
    "people",
    "person_ref",
    "area_code",
    "easting",
    "northing",
    "sex",
    "nationality_group",
    "language",
    "interpreter_needed",
    *RECORD_FLAGS,
    "outcome",
)

COUNT_COLUMNS: Final[tuple[str, ...]] = (
    "sightings",
    "people",
    "distinct_people",
    "merged_people",
    "contacts",
    "interpreter_needed",
    *RECORD_FLAGS,
    *NATIONALITY_COLUMNS.values(),
)


@dataclass(frozen=True)
class AreaSummary:
    """The figures for one layer of areas over a run of periods.

    Attributes
    ----------
    areas
        One row per area and period, every area of the layer included (zeros where nothing
        was seen), ordered by period then area code.
    outside
        Per period, the sightings and people that fell outside every area (counted apart).
    contacts
        Contacts and referrals per area, period, agency and outcome (long form).
    languages
        Sightings that needed an interpreter per area, period and language (long form).
    history
        People per area in every period that change and trend were worked out from, the
        periods shown and those before them (``complete`` is False for a period that starts
        before the first record, whose zeros are not real); the privacy rules read it to decide
        which changes and trends can be shown without giving away a hidden count.
    role
        The role the figures were prepared for; ``None`` for exact, unsuppressed figures.
    threshold
        Counts from 1 to ``threshold`` are hidden for this role (``None``: nothing hidden).
    """

    areas: pd.DataFrame
    totals: pd.DataFrame
    outside: pd.DataFrame
    contacts: pd.DataFrame
    languages: pd.DataFrame
    history: pd.DataFrame
    trend_periods: int = TREND_PERIODS
    role: Role | None = None
    threshold: int | None = None


def summarise(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    merge_m: float = MERGE_M,
    trend_periods: int = TREND_PERIODS,
    emerging_floor: int = EMERGING_FLOOR,
    aligned: bool = False,
    unlinked: Unlinked | None = None,
    counted: np.ndarray | None = None,
    parts_of: Callable[..., SummaryParts] = summary_parts,
) -> AreaSummary:
    """Exact figures per area and period from exact records (no role applied).

    Parameters
    ----------
    records
        Records as the store keeps them (``Store.records(role="coordinator")``).
    areas
        The layer to count in (``area_code``, ``area_name``, optional ``population``,
        geometry in EPSG:4326, the CRS of the records' ``lon``/``lat``).
    period, start, end, periods
        Blocks of nights ending on ``end`` (default: the last night in the records) and going
        back to ``start`` (default: ``periods`` blocks).
    placed
        The records' ``area_code`` already refers to ``areas`` (the ward layer of the store),
        so points need not be placed again.
    merge_m
        Street-count rule distance; ``0`` turns the rule off.
    aligned
        Fixed blocks instead of blocks ending on ``end``: weeks run Monday to Sunday, every
        block starts a whole number of blocks after Monday 1 January 2024, and only blocks
        whose nights all have passed in the records are given. Two requests then never give
        overlapping blocks whose difference is one night's small count; roles whose small
        numbers are hidden get these (see :func:`area_summary`).
    unlinked
        Pairs of record ids a coordinator unlinked (``Store.unlinked_pairs()``): always
        counted as two people (see :func:`geo.analysis.street_count.counted_people`); the
        records then need ``record_id``.
    counted
        People each record contributes by the street-count rule, row for row with
        ``records``, as :func:`geo.analysis.street_count.street_counts` gives them with the
        same ``merge_m`` and ``unlinked``: a caller that keeps them need not work the rule
        out again for each period. Worked out here when not given.
    parts_of
        What counts the records of the plan's blocks, called as :func:`summary_parts` is; a
        caller that keeps blocks counted before gives its own (the app's, for whole aligned
        periods: :func:`geo.questions.blocks.kept_parts`).
    """
    if counted is not None and len(counted) != len(records):
        raise AnalysisError(
            f"counted has {len(counted):,} values for {len(records):,} records; give one per"
            " record (street_counts) or none"
        )
    areas = check_summary(
        areas,
        period=period,
        start=start,
        end=end,
        periods=periods,
        placed=placed,
        merge_m=merge_m,
        trend_periods=trend_periods,
        aligned=aligned,
    )
    nights = night_numbers(records)
    plan = summary_plan(
        nights, period=period, start=start, end=end, periods=periods,
        trend_periods=trend_periods, aligned=aligned,
    )  # fmt: skip
    parts = parts_of(
        records, areas, plan, placed=placed, merge_m=merge_m, unlinked=unlinked,
        counted=counted, nights=nights,
    )  # fmt: skip
    return finish_summary(
        parts, areas, plan, trend_periods=trend_periods, emerging_floor=emerging_floor
    )


# -- summarise() is check, plan (ward_counts), parts (ward_counts), then finish ---------------


def check_summary(
    areas: gpd.GeoDataFrame,
    *,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    placed: bool,
    merge_m: float,
    trend_periods: int,
    aligned: bool,
) -> gpd.GeoDataFrame:
    """Check :func:`summarise`'s options; the areas in the records' CRS."""
    _check(period=period, start=start, end=end, periods=periods, merge_m=merge_m)
    if trend_periods < 2:
        raise AnalysisError(f"trend_periods must be at least 2; got {trend_periods}")
    if aligned and period == "range":
        raise AnalysisError("a 'range' period cannot be aligned; use night, week or month")
    if areas.crs is None:
        raise AnalysisError("areas has no CRS; set it (areas.set_crs('EPSG:4326')) first")
    if not placed and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)
    return areas


def finish_summary(
    parts: SummaryParts,
    areas: gpd.GeoDataFrame,
    plan: SummaryPlan,
    *,
    trend_periods: int = TREND_PERIODS,
    emerging_floor: int = EMERGING_FLOOR,
) -> AreaSummary:
    """The figures from every record's parts: change, trend, emerging wards and totals."""
    codes = pd.Index(areas["area_code"].astype(str))
    n_blocks, n_periods, last, length = plan.n_blocks, plan.n_periods, plan.last, plan.length
    size = len(codes) * n_blocks
    counts = dict(parts.counts)
    distinct = np.bincount(parts.pairs["key"].to_numpy(np.int64), minlength=size)
    counts = {
        "sightings": counts.pop("sightings"),
        "people": counts.pop("people"),
        "distinct_people": distinct.astype(np.int64),
        **counts,
    }
    area, block = np.divmod(np.arange(size), n_blocks)
    table = pd.DataFrame({"_area": area, "_block": block, **counts})
    outside = pd.DataFrame(
        {
            "_block": np.arange(n_blocks),
            "sightings": parts.outside[0].astype(np.int64),
            "people": parts.outside[1].astype(np.int64),
        }
    )
    # a block that starts before the first night of any record, or ends after the last, holds
    # zeros that are not real: no change or trend is worked out from it
    block_first, block_last = block_nights(np.arange(n_blocks), end=last, length=length)
    complete = (block_first >= plan.data_first) & (block_last <= plan.data_last)
    table = _with_change(
        table,
        areas=areas,
        complete=complete,
        trend_periods=trend_periods,
        emerging_floor=emerging_floor,
    )
    labels = period_labels(last=last, length=length, first=plan.first, n_blocks=n_blocks)
    history = table.loc[:, ["area_code", "_block", "people"]].merge(labels, on="_block")
    history["complete"] = complete[history["_block"].to_numpy()]
    history = history.sort_values(["area_code", "period_start"]).reset_index(drop=True)
    shown = table["_block"] < n_periods
    table = table.loc[shown].merge(labels, on="_block")
    table = table.sort_values(["period_start", "area_code"], kind="stable")
    columns = [
        "area_code",
        "area_name",
        "period",
        "period_start",
        "period_end",
        "nights",
        *COUNT_COLUMNS,
        "population",
        "rate_per_10k",
        "previous_people",
        "change",
        "change_pct",
        "trend",
        "emerging",
        "emerging_score",
        "emerging_rank",
    ]
    outside = outside.merge(labels, on="_block")
    outside = outside.loc[outside["_block"] < n_periods].sort_values("period_start")
    areas_table = table.loc[:, columns].reset_index(drop=True)
    totals = (
        areas_table.groupby(["period", "period_start", "period_end", "nights"])[list(COUNT_COLUMNS)]
        .sum()
        .reset_index()
        .sort_values("period_start")
        .reset_index(drop=True)
    )
    return AreaSummary(
        areas=areas_table,
        totals=totals,
        outside=outside.loc[
            :, ["period", "period_start", "period_end", "sightings", "people"]
        ].reset_index(drop=True),
        contacts=_long(parts.contacts, ["agency", "outcome"], codes, labels),
        languages=_long(parts.languages, ["language"], codes, labels),
        history=history.loc[:, ["area_code", "period", "period_start", "people", "complete"]],
        trend_periods=trend_periods,
    )


# -- helpers ---------------------------------------------------------------------------------
def _check(
    *, period: str, start: date | None, end: date | None, periods: int, merge_m: float
) -> None:
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if period == "range" and (start is None or end is None):
        raise AnalysisError("a 'range' period needs both a first and a last night (--from, --to)")
    if periods < 1:
        raise AnalysisError(f"periods must be at least 1; got {periods}")
    if not merge_m >= 0:
        raise AnalysisError(f"merge_m must be 0 (off) or a distance in metres; got {merge_m!r}")


def _with_change(
    table: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame,
    complete: np.ndarray,
    trend_periods: int,
    emerging_floor: int,
) -> pd.DataFrame:
    table = table.sort_values(["_area", "_block"]).reset_index(drop=True)
    wide = table.pivot(index="_area", columns="_block", values="people")  # newest first
    people = wide.to_numpy(float, copy=True)
    people[:, ~complete] = np.nan
    previous = np.full_like(people, np.nan)
    previous[:, :-1] = people[:, 1:]
    # least-squares slope over the last trend_periods blocks, oldest to newest
    n_blocks = people.shape[1]
    trend = np.full_like(people, np.nan)
    steps = np.arange(trend_periods, dtype=float)
    steps -= steps.mean()
    for b in range(n_blocks - trend_periods + 1):
        window = people[:, b : b + trend_periods][:, ::-1]  # oldest first
        trend[:, b] = window @ steps / (steps @ steps)
    table["previous_people"] = previous.ravel()
    table["change"] = table["people"] - table["previous_people"]  # NaN without a previous
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change_pct"] = np.where(
            table["previous_people"] > 0,
            100 * table["change"] / table["previous_people"],
            np.nan,
        )
    table["trend"] = trend.ravel()
    score = (table["people"] + emerging_floor) / (table["previous_people"] + emerging_floor)
    table["emerging_score"] = score
    table["emerging"] = (table["change"] >= emerging_floor) & (score >= EMERGING_SCORE)
    rank = (
        table["emerging_score"]
        .where(table["emerging"])
        .groupby(table["_block"])
        .rank(ascending=False, method="min")
    )
    table["emerging_rank"] = rank.astype("Int64")
    info = areas.reset_index(drop=True)
    table["area_code"] = info["area_code"].astype(str).to_numpy()[table["_area"]]
    table["area_name"] = info["area_name"].to_numpy(object)[table["_area"]]
    population = (
        pd.to_numeric(info["population"], errors="coerce").to_numpy(float)
        if "population" in info
        else np.full(len(info), np.nan)
    )
    table["population"] = population[table["_area"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate_per_10k"] = np.where(
            table["population"] > 0, 10_000 * table["people"] / table["population"], np.nan
        )
    return table


def period_labels(*, last: int, length: int, first: int, n_blocks: int) -> pd.DataFrame:
    """Block number (``_block``), label, first and last night and nights of each period."""
    block = np.arange(n_blocks)
    whole, stop = block_nights(block, end=last, length=length)
    # blocks before the first night asked for are history (for change and trend), kept whole
    begin = np.where(stop >= first, np.maximum(whole, first), whole)
    start_dates = [day_date(d) for d in begin]
    stop_dates = [day_date(d) for d in stop]
    label = [
        s.isoformat() if length == 1 else f"{s.isoformat()}/{e.isoformat()}"
        for s, e in zip(start_dates, stop_dates, strict=True)
    ]
    return pd.DataFrame(
        {
            "_block": block,
            "period": label,
            "period_start": start_dates,
            "period_end": stop_dates,
            "nights": stop - begin + 1,
        }
    )


def _long(
    counts: pd.DataFrame, by: list[str], codes: pd.Index, labels: pd.DataFrame
) -> pd.DataFrame:
    name = counts.columns[-1]
    long = counts.loc[:, [*by, name]].reset_index(drop=True)
    # blocks are numbered as the labels' rows: each row's period is read off by its number
    long.insert(0, "period", labels["period"].array.take(counts["_block"].to_numpy()))
    long.insert(0, "area_code", codes.to_numpy()[counts["_area"].to_numpy()])
    return long.sort_values(["period", "area_code", *by]).reset_index(drop=True)


__all__ = [
    "PERIODS",
    "PERIOD_NIGHTS",
    "NATIONALITY_COLUMNS",
    "AreaSummary",
    "Period",
    "SummaryParts",
    "SummaryPlan",
    "check_summary",
    "combine_summary_parts",
    "finish_summary",
    "period_blocks",
    "period_labels",
    "summarise",
]
