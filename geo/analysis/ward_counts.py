"""Ward figures in pieces that add up: a plan of the periods, then counts from any share of
whole nights of records, which :func:`combine_summary_parts` adds together.

:func:`geo.analysis.ward_figures.summarise` is plan, parts, then
:func:`~geo.analysis.ward_figures.finish_summary` on all the records at once; :mod:`geo.scale`
works out the parts on each partition of a Dask dataframe (each night's records in one
partition: the street-count rule joins one night's records), adds them up and finishes with
the same code, so both give the same figures. Every count per area and period is a sum, except
``distinct_people``: its (area and period, reference) pairs are kept and made distinct when the
parts are added.
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
    block_of,
    block_start,
    day_date,
    day_number,
    night_numbers,
    whole_blocks_end,
)
from geo.schema import CONTACT_KINDS, NATIONALITY_GROUPS, RECORD_FLAGS, is_demand

if TYPE_CHECKING:
    import geopandas as gpd

Period = Literal["night", "week", "month", "range"]
PERIODS: Final[tuple[str, ...]] = get_args(Period)

#: Nights in each kind of period (a range counts its own).
PERIOD_NIGHTS: Final[dict[str, int]] = {"night": 1, "week": 7, "month": 30}


#: Count columns of the area table, in order. Nationality columns are named after the groups.
NATIONALITY_COLUMNS: Final[dict[str, str]] = {
    group: "nationality_" + group.replace("/", "_").replace("-", "_")
    for group in NATIONALITY_GROUPS
}


@dataclass(frozen=True)
class SummaryPlan:
    """The blocks of nights a summary counts: ``n_periods`` shown, then ``history`` more
    before them for change and trend (block 0 the latest, ending on night ``last``), and
    the first and last night of any record (``data_first``, ``data_last``)."""

    first: int
    last: int
    length: int
    n_periods: int
    history: int
    data_first: int
    data_last: int

    @property
    def n_blocks(self) -> int:
        """Blocks counted: those shown and their history."""
        return self.n_periods + self.history


def summary_plan(
    nights: np.ndarray,
    *,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    trend_periods: int,
    aligned: bool,
) -> SummaryPlan:
    """The plan for records on ``nights`` (day numbers; only their least and greatest matter,
    so a partitioned run gives ``[min, max]`` of all its partitions, or nothing)."""
    data_last = int(nights.max()) if len(nights) else _today()
    first, last, length, n_periods = period_blocks(
        nights, period=period, start=start, end=end, periods=periods, aligned=aligned
    )
    data_first = int(nights.min()) if len(nights) else last
    history = max(trend_periods - 1, 1)
    return SummaryPlan(first, last, length, n_periods, history, data_first, data_last)


@dataclass(frozen=True)
class SummaryParts:
    """Counts from a share of the records that can be added to another share's, as long as
    each night's records are all in one share (the street-count rule joins one night's).

    ``counts`` has one array per count column but ``distinct_people``, indexed by
    ``area * n_blocks + block``; ``pairs`` the distinct (``key``, ``ref``) pairs of that index
    and a person reference, which give ``distinct_people`` once every share's are together;
    ``outside`` sightings and people outside every area per block (2 rows); ``contacts`` and
    ``languages`` counts per area, block and agency and outcome, or language.
    """

    counts: dict[str, np.ndarray]
    pairs: pd.DataFrame
    outside: np.ndarray
    contacts: pd.DataFrame
    languages: pd.DataFrame


def summary_parts(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    plan: SummaryPlan,
    *,
    placed: bool,
    merge_m: float = MERGE_M,
    unlinked: Unlinked | None = None,
    counted: np.ndarray | None = None,
    nights: np.ndarray | None = None,
) -> SummaryParts:
    """The counts of ``records`` (whole nights of them) in the blocks of ``plan``."""
    nights = night_numbers(records) if nights is None else nights
    last, length = plan.last, plan.length
    earliest = last - plan.n_blocks * length + 1
    block = block_of(nights, end=last, length=length)  # 0 = the latest period
    # shown blocks start no earlier than the first night asked for; blocks before it are
    # history for change and trend, and are kept whole
    keep = (
        (nights >= earliest)
        & (nights <= last)
        & ((nights >= plan.first) | (block >= plan.n_periods))
    )
    # only demand is counted: its rows are taken once, whatever the records hold besides
    rows = np.flatnonzero(keep)
    rows = rows[np.asarray(is_demand(records["kind"].iloc[rows]), dtype=bool)]
    demand = records.iloc[rows]
    demand = demand.assign(
        people=pd.to_numeric(demand["people"], errors="coerce").fillna(0).astype(np.int64),
        _block=block[rows].astype(np.int64),
        _night=nights[rows],
    )

    codes = pd.Index(areas["area_code"].astype(str))
    if placed:
        located = demand["area_code"].astype(object)
    else:
        index = area_index(codes=codes.to_numpy(), geometries=np.asarray(areas.geometry))
        located = pd.Series(index.assign(demand["lon"], demand["lat"]), index=demand.index)
    position = codes.get_indexer(located.where(located.notna(), None))
    demand = demand.assign(_area=position)  # -1: outside every area of the layer
    if counted is None:
        people = counted_people(
            demand, merge_m=merge_m, unlinked=unlinked, nights=demand["_night"].to_numpy()
        )
    else:  # the rule joins one night's records only: whole nights cut from all of them
        people = np.asarray(counted, dtype=np.int64)[rows]
    demand = demand.assign(_counted=people)
    counts, pairs = _count_parts(demand, n_areas=len(codes), n_blocks=plan.n_blocks)
    return SummaryParts(
        counts=counts,
        pairs=pairs,
        outside=_outside(demand, n_blocks=plan.n_blocks),
        contacts=_contacts(demand, plan.n_periods),
        languages=_languages(demand, plan.n_periods),
    )


def combine_summary_parts(parts: list[SummaryParts]) -> SummaryParts:
    """The parts of several shares of whole nights added up (exact: no night in two shares)."""
    if len(parts) == 1:
        return parts[0]
    pairs = pd.concat([p.pairs for p in parts], ignore_index=True).drop_duplicates()

    def added(name: str, by: list[str]) -> pd.DataFrame:
        frame = pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        value = frame.columns[-1]
        return frame.groupby(by, dropna=False, sort=False)[value].sum().reset_index()

    return SummaryParts(
        counts={k: sum(p.counts[k] for p in parts) for k in parts[0].counts},  # type: ignore[misc]
        pairs=pairs.reset_index(drop=True),
        outside=sum(p.outside for p in parts),  # type: ignore[arg-type]
        contacts=added("contacts", ["_area", "_block", "agency", "outcome"]),
        languages=added("languages", ["_area", "_block", "language"]),
    )


def block_plan(plan: SummaryPlan, from_block: int, blocks: int) -> SummaryPlan:
    """The plan of ``blocks`` of ``plan``'s blocks, from block ``from_block`` back, every one
    shown (so each block's contacts and languages are counted too): its parts are those
    blocks'."""
    last = plan.last - from_block * plan.length
    return SummaryPlan(
        first=last - blocks * plan.length + 1,
        last=last,
        length=plan.length,
        n_periods=blocks,
        history=0,
        data_first=plan.data_first,
        data_last=plan.data_last,
    )


def split_blocks(parts: SummaryParts, *, n_areas: int) -> list[SummaryParts]:
    """Parts counted for a plan whose blocks are all shown (:func:`block_plan`), one a block,
    each as if counted for a plan of that block alone; :func:`stack_blocks` undoes it."""
    n_blocks = parts.outside.shape[1]
    area, block = np.divmod(parts.pairs["key"].to_numpy(np.int64), n_blocks)

    def own(frame: pd.DataFrame, b: int) -> pd.DataFrame:
        """``frame``'s rows of block ``b``, numbered as block 0."""
        mine = frame.loc[frame["_block"].to_numpy() == b]
        mine = mine.assign(_block=np.zeros(len(mine), dtype=mine["_block"].dtype))
        return mine.reset_index(drop=True)

    return [
        SummaryParts(
            counts={k: v.reshape(n_areas, n_blocks)[:, b].copy() for k, v in parts.counts.items()},
            pairs=parts.pairs.loc[block == b].assign(key=area[block == b]).reset_index(drop=True),
            outside=parts.outside[:, b : b + 1].copy(),
            contacts=own(parts.contacts, b),
            languages=own(parts.languages, b),
        )
        for b in range(n_blocks)
    ]


def stack_blocks(blocks: list[SummaryParts], *, n_periods: int) -> SummaryParts:
    """One-block parts (block 0 of the list the latest) as the parts of a plan of these
    blocks, the first ``n_periods`` shown: the parts :func:`summary_parts` counts for it."""
    n_blocks = len(blocks)

    def shown_rows(name: str) -> pd.DataFrame:
        """The shown blocks' rows of table ``name``, numbered as blocks of the plan."""
        frames = [getattr(part, name).assign(_block=b) for b, part in enumerate(blocks[:n_periods])]
        found = [frame for frame in frames if len(frame)]
        stacked = pd.concat(found, ignore_index=True) if found else getattr(blocks[0], name)
        return stacked.astype({"_block": getattr(blocks[0], name)["_block"].dtype})

    return SummaryParts(
        counts={
            k: np.stack([part.counts[k] for part in blocks], axis=1).ravel()
            for k in blocks[0].counts
        },
        pairs=pd.concat(
            [
                part.pairs.assign(key=part.pairs["key"].to_numpy(np.int64) * n_blocks + b)
                for b, part in enumerate(blocks)
            ],
            ignore_index=True,
        ),
        outside=np.concatenate([part.outside for part in blocks], axis=1),
        contacts=shown_rows("contacts"),
        languages=shown_rows("languages"),
    )


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


def _period_nights(period: str, *, start: date | None, end: int) -> int:
    if period == "range":
        return end - day_number(start) + 1  # type: ignore[arg-type]
    return PERIOD_NIGHTS[period]


def _count_parts(
    demand: pd.DataFrame, *, n_areas: int, n_blocks: int
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Counts per (area, block) for every area and block, zeros included, and the distinct
    (area-block key, reference) pairs ``distinct_people`` is counted from.

    One integer key per record and ``np.bincount`` per column: a tenth of the time of a pandas
    groupby per column at a million records.
    """
    inside = demand["_area"].to_numpy() >= 0  # columns are read and cut, not the frame
    key = demand["_area"].to_numpy(np.int64) * n_blocks + demand["_block"].to_numpy(np.int64)
    key = key[inside]
    size = n_areas * n_blocks

    def total(values: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=size).round().astype(np.int64)

    def flag(column: str) -> np.ndarray:
        return demand[column].fillna(0).to_numpy(np.float64)[inside]

    people = demand["people"].to_numpy(np.float64)[inside]
    counts = {
        "sightings": total(),
        "people": total(demand["_counted"].to_numpy(np.float64)[inside]),
    }
    ref, uniques = pd.factorize(demand["person_ref"].iloc[np.flatnonzero(inside)])
    known = ref >= 0
    width = ref.max() + 1 if known.any() else 1
    found = sorted_unique(key[known] * width + ref[known])
    pair_key, pair_ref = np.divmod(found, width)
    pairs = pd.DataFrame(
        {"key": pair_key.astype(np.int64), "ref": np.asarray(uniques, dtype=object)[pair_ref]}
    )
    counts["merged_people"] = total(people) - counts["people"]
    contact = demand["kind"].isin(CONTACT_KINDS).to_numpy(np.float64)[inside]
    counts["contacts"] = total(contact)
    for column in ("interpreter_needed", *RECORD_FLAGS):
        counts[column] = total(flag(column))
    group = demand["nationality_group"].to_numpy(object)[inside]
    for name, column in NATIONALITY_COLUMNS.items():
        counts[column] = total((group == name).astype(np.float64))
    return counts, pairs


def _outside(demand: pd.DataFrame, *, n_blocks: int) -> np.ndarray:
    """Sightings (row 0) and people (row 1) outside every area, per block."""
    out = demand.loc[demand["_area"].to_numpy() < 0]
    block = out["_block"].to_numpy(np.int64)
    people = out["_counted"].to_numpy(np.float64)
    return np.stack(
        [
            np.bincount(block, minlength=n_blocks),
            np.bincount(block, weights=people, minlength=n_blocks).round().astype(np.int64),
        ]
    )


def _shown_counts(frame: pd.DataFrame, by: list[str], n_periods: int, *, name: str) -> pd.DataFrame:
    shown = (frame["_area"].to_numpy() >= 0) & (frame["_block"].to_numpy() < n_periods)
    counts = frame.loc[shown].groupby(["_area", "_block", *by], dropna=False, sort=False).size()
    return counts.rename(name).reset_index()


def _contacts(demand: pd.DataFrame, n_periods: int) -> pd.DataFrame:
    wanted = demand["kind"].isin(CONTACT_KINDS).to_numpy()
    contact = demand.loc[wanted, ["_area", "_block", "agency", "outcome"]]
    contact = contact.assign(outcome=contact["outcome"].fillna("not recorded"))
    return _shown_counts(contact, ["agency", "outcome"], n_periods, name="contacts")


def _languages(demand: pd.DataFrame, n_periods: int) -> pd.DataFrame:
    wanted = demand["interpreter_needed"].fillna(0).to_numpy(bool)
    need = demand.loc[wanted, ["_area", "_block", "language"]]
    need = need.assign(language=need["language"].fillna("not recorded"))
    return _shown_counts(need, ["language"], n_periods, name="sightings")
