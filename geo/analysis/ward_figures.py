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

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal, get_args

import numpy as np
import pandas as pd

from geo.analysis.street_count import MERGE_M, Unlinked, counted_people
from geo.errors import AnalysisError
from geo.locate.areas import area_index, sorted_unique
from geo.nights import (
    block_nights,
    block_of,
    block_start,
    day_date,
    day_number,
    night_numbers,
    whole_blocks_end,
)
from geo.privacy.roles import Role
from geo.schema import (
    CONTACT_KINDS,
    DISPLAY_CRS,
    NATIONALITY_GROUPS,
    RECORD_FLAGS,
    is_demand,
)

if TYPE_CHECKING:
    import geopandas as gpd


Period = Literal["night", "week", "month", "range"]
PERIODS: Final[tuple[str, ...]] = get_args(Period)
#: Nights in each kind of period (a range counts its own).
PERIOD_NIGHTS: Final[dict[str, int]] = {"night": 1, "week": 7, "month": 30}

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

#: Count columns of the area table, in order. Nationality columns are named after the groups.
NATIONALITY_COLUMNS: Final[dict[str, str]] = {
    group: "nationality_" + group.replace("/", "_").replace("-", "_")
    for group in NATIONALITY_GROUPS
}
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
    """
    if counted is not None and len(counted) != len(records):
        raise AnalysisError(
            f"counted has {len(counted):,} values for {len(records):,} records; give one per"
            " record (street_counts) or none"
        )
    _check(period=period, start=start, end=end, periods=periods, merge_m=merge_m)
    if trend_periods < 2:
        raise AnalysisError(f"trend_periods must be at least 2; got {trend_periods}")
    if aligned and period == "range":
        raise AnalysisError("a 'range' period cannot be aligned; use night, week or month")
    if areas.crs is None:
        raise AnalysisError("areas has no CRS; set it (areas.set_crs('EPSG:4326')) first")
    if not placed and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)
    nights = night_numbers(records)
    data_last = int(nights.max()) if len(nights) else _today()
    first, last, length, n_periods = period_blocks(
        nights, period=period, start=start, end=end, periods=periods, aligned=aligned
    )
    history = max(trend_periods - 1, 1)
    earliest = last - (n_periods + history) * length + 1
    block = block_of(nights, end=last, length=length)  # 0 = the latest period
    # shown blocks start no earlier than the first night asked for; blocks before it are
    # history for change and trend, and are kept whole
    keep = (nights >= earliest) & (nights <= last) & ((nights >= first) | (block >= n_periods))
    frame = records.loc[keep].copy()
    frame["people"] = pd.to_numeric(frame["people"], errors="coerce").fillna(0).astype(np.int64)
    frame["_block"] = block[keep].astype(np.int64)
    frame["_night"] = nights[keep]

    codes = pd.Index(areas["area_code"].astype(str))
    if placed:
        located = frame["area_code"].astype(object)
    else:
        index = area_index(codes=codes.to_numpy(), geometries=np.asarray(areas.geometry))
        located = pd.Series(index.assign(frame["lon"], frame["lat"]), index=frame.index)
    position = codes.get_indexer(located.where(located.notna(), None))
    frame["_area"] = position  # -1: outside every area of the layer

    is_seen = np.asarray(is_demand(frame["kind"]), dtype=bool)
    demand = frame.loc[is_seen]
    if counted is None:
        people = counted_people(
            demand, merge_m=merge_m, unlinked=unlinked, nights=demand["_night"].to_numpy()
        )
    else:  # the rule joins one night's records only: whole nights cut from all of them
        people = np.asarray(counted, dtype=np.int64)[keep][is_seen]
    demand = demand.assign(_counted=people)

    n_blocks = n_periods + history
    table = _count_table(demand, n_areas=len(codes), n_blocks=n_blocks)
    outside = _outside(demand, n_blocks=n_blocks)
    # a block that starts before the first night of any record, or ends after the last, holds
    # zeros that are not real: no change or trend is worked out from it
    data_first = int(nights.min()) if len(nights) else last
    block_first, block_last = block_nights(np.arange(n_blocks), end=last, length=length)
    complete = (block_first >= data_first) & (block_last <= data_last)
    table = _with_change(
        table,
        areas=areas,
        complete=complete,
        trend_periods=trend_periods,
        emerging_floor=emerging_floor,
    )
    labels = period_labels(last=last, length=length, first=first, n_blocks=n_blocks)
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
        contacts=_contacts(demand, codes, labels, n_periods),
        languages=_languages(demand, codes, labels, n_periods),
        history=history.loc[:, ["area_code", "period", "period_start", "people", "complete"]],
        trend_periods=trend_periods,
    )


# -- helpers ---------------------------------------------------------------------------------
#: Aligned blocks start a whole number of blocks after this Monday (so weeks are ISO weeks).
_ALIGN: Final = day_number(date(2024, 1, 1))


def period_blocks(
    nights: np.ndarray,
    *,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    aligned: bool,
) -> tuple[int, int, int, int]:
    """The periods :func:`summarise` shows, for records on ``nights`` (day numbers): the first
    and last night shown, the nights in a period, and how many periods (block 0 the latest,
    as :func:`geo.nights.block_of` numbers them from the last night). Every figure by period
    (flow and stock too) uses these, so its periods are the ward figures' periods."""
    data_last = int(nights.max()) if len(nights) else _today()
    last = day_number(end) if end is not None else data_last
    length = _period_nights(period, start=start, end=last)
    if aligned:
        # the end of the last whole block that has passed by the last night in the records
        last = whole_blocks_end(min(last, data_last), length=length, anchor=_ALIGN)
    blocks = 1 if period == "range" else periods
    first = day_number(start) if start is not None else last - length * blocks + 1
    if aligned:
        first = block_start(first, length=length, anchor=_ALIGN)
    if first > last:
        raise AnalysisError(f"--from {day_date(first)} is after --to {day_date(last)}; swap them")
    return first, last, length, -(-(last - first + 1) // length)


def _today() -> int:
    return day_number(date.today())


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


def _period_nights(period: str, *, start: date | None, end: int) -> int:
    if period == "range":
        return end - day_number(start) + 1  # type: ignore[arg-type]
    return PERIOD_NIGHTS[period]


def _count_table(demand: pd.DataFrame, *, n_areas: int, n_blocks: int) -> pd.DataFrame:
    """Counts per (area, block) for every area and block, zeros included.

    One integer key per record and ``np.bincount`` per column: a tenth of the time of a pandas
    groupby per column at a million records.
    """
    inside = demand.loc[demand["_area"].to_numpy() >= 0]
    key = inside["_area"].to_numpy(np.int64) * n_blocks + inside["_block"].to_numpy(np.int64)
    size = n_areas * n_blocks

    def total(values: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=size).round().astype(np.int64)

    def flag(column: str) -> np.ndarray:
        return inside[column].fillna(0).to_numpy(np.float64)

    people = inside["people"].to_numpy(np.float64)
    counts = {
        "sightings": total(),
        "people": total(inside["_counted"].to_numpy(np.float64)),
    }
    ref, _ = pd.factorize(inside["person_ref"], use_na_sentinel=True)
    known = ref >= 0
    pairs = sorted_unique(key[known] * (ref.max() + 1 if known.any() else 1) + ref[known])
    distinct_key = pairs // (ref.max() + 1) if known.any() else pairs
    counts["distinct_people"] = np.bincount(distinct_key, minlength=size).astype(np.int64)
    counts["merged_people"] = total(people) - counts["people"]
    contact = inside["kind"].isin(CONTACT_KINDS).to_numpy(np.float64)
    counts["contacts"] = total(contact)
    for column in ("interpreter_needed", *RECORD_FLAGS):
        counts[column] = total(flag(column))
    group = inside["nationality_group"].to_numpy(object)
    for name, column in NATIONALITY_COLUMNS.items():
        counts[column] = total((group == name).astype(np.float64))
    area, block = np.divmod(np.arange(size), n_blocks)
    return pd.DataFrame({"_area": area, "_block": block, **counts})


def _outside(demand: pd.DataFrame, *, n_blocks: int) -> pd.DataFrame:
    out = demand.loc[demand["_area"] < 0]
    frame = pd.DataFrame(index=pd.RangeIndex(n_blocks, name="_block"))
    frame["sightings"] = out.groupby("_block").size()
    frame["people"] = out.groupby("_block")["_counted"].sum()
    return frame.fillna(0).astype(np.int64).reset_index()


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
    frame: pd.DataFrame,
    by: list[str],
    codes: pd.Index,
    labels: pd.DataFrame,
    n_periods: int,
    *,
    name: str,
) -> pd.DataFrame:
    shown = (frame["_area"].to_numpy() >= 0) & (frame["_block"].to_numpy() < n_periods)
    inside = frame.loc[shown]
    counts = inside.groupby(["_area", "_block", *by], dropna=False, sort=False).size()
    counts = counts.rename(name)
    counts = counts.reset_index()
    counts.insert(0, "area_code", codes.to_numpy()[counts.pop("_area")])
    counts = counts.merge(labels[["_block", "period"]], on="_block").drop(columns="_block")
    return (
        counts.loc[:, ["area_code", "period", *by, name]]
        .sort_values(["period", "area_code", *by])
        .reset_index(drop=True)
    )


def _contacts(
    demand: pd.DataFrame, codes: pd.Index, labels: pd.DataFrame, n_periods: int
) -> pd.DataFrame:
    wanted = demand["kind"].isin(CONTACT_KINDS).to_numpy()
    contact = demand.loc[wanted, ["_area", "_block", "agency", "outcome"]]
    contact = contact.assign(outcome=contact["outcome"].fillna("not recorded"))
    return _long(contact, ["agency", "outcome"], codes, labels, n_periods, name="contacts")


def _languages(
    demand: pd.DataFrame, codes: pd.Index, labels: pd.DataFrame, n_periods: int
) -> pd.DataFrame:
    wanted = demand["interpreter_needed"].fillna(0).to_numpy(bool)
    need = demand.loc[wanted, ["_area", "_block", "language"]]
    need = need.assign(language=need["language"].fillna("not recorded"))
    return _long(need, ["language"], codes, labels, n_periods, name="sightings")
