"""The ward figures, flow and hotspots of a Dask dataframe of records, exactly as in one process.

Every function here takes records already cut to what the role's figures read (the one reader
of records by role is :mod:`geo.questions`) and returns the exact figures; the role's view is
applied afterwards by the caller, as in one process. Parts are worked out on the workers and
added up there in a tree of sums (:func:`_added`): only the added-up parts reach this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from geo.analysis import hotspots
from geo.analysis.flow import Flow, check_flow, combine_flow_parts, finish_flow, flow_parts
from geo.analysis.street_count import MERGE_M, Unlinked
from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    TREND_PERIODS,
    AreaSummary,
    Period,
    SummaryParts,
    check_summary,
    combine_summary_parts,
    finish_summary,
    period_blocks,
    summary_parts,
    summary_plan,
)
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, day_date, night_numbers

if TYPE_CHECKING:
    import dask.dataframe as dd
    import geopandas as gpd
    from distributed import Client

#: Parts added together in one task of the tree of sums.
FAN_IN: Final = 8
#: Records per partition cut from a store's records (whole nights, so about this many).
ROWS_PER_PARTITION: Final = 500_000


# -- inputs ----------------------------------------------------------------------------------


def night_partitions(
    records: pd.DataFrame, *, partitions: int, client: Client | None = None
) -> dd.DataFrame:
    """``records`` as a Dask dataframe of about ``partitions`` partitions of whole nights.

    Records keep their order within a night (the street-count rule gives a merged group's
    people to its first record with the most people, so the order decides the ward). With
    ``client``, the partitions are sent to its workers once (scattered) and the dataframe is
    built on them, so every later pass reads them where they are instead of shipping the
    records again in each graph.
    """
    import dask.dataframe as dd

    if partitions < 1:
        raise AnalysisError(f"partitions must be at least 1; got {partitions}")
    pieces = _night_pieces(records, partitions)
    with _as_given():
        if client is None:
            return dd.from_map(_same, pieces, meta=records.iloc[:0], enforce_metadata=False)
        held = client.scatter(pieces)
        return dd.from_delayed(held, meta=records.iloc[:0], verify_meta=False)


def _night_pieces(records: pd.DataFrame, partitions: int) -> list[pd.DataFrame]:
    nights = night_numbers(records)
    order = np.argsort(nights, kind="stable")
    ordered = nights[order]
    cuts = [len(records) * i // partitions for i in range(1, partitions)]
    # each cut moves back to the first record of its night
    starts = np.searchsorted(ordered, ordered[cuts], side="left") if len(records) else []
    bounds = sorted({0, *(int(s) for s in starts), len(records)})
    pieces = [records.iloc[order[a:b]] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return pieces or [records.iloc[:0]]


def parquet_partitions(folder: str | Path, *, columns: Sequence[str] | None = None) -> dd.DataFrame:
    """One partition per Parquet file of ``folder`` (``*.parquet``, in name order), read by
    the workers themselves: only the file names travel to them.

    The ward figures need every night's records in one file (files by month of night, as
    ``python -m geo export-parquet`` writes them); they refuse files that share one. Each file
    is one partition, whatever its size (``dask.dataframe.read_parquet`` would join small
    files into one partition and split large ones by row group).
    """
    import dask.dataframe as dd

    path = Path(folder)
    if not path.is_dir():
        raise AnalysisError(f"--parquet {folder}: no such folder; give a folder of .parquet files")
    files = sorted(str(p) for p in path.glob("*.parquet"))
    if not files:
        raise AnalysisError(
            f"--parquet {folder}: no .parquet files in it; write them with"
            " python -m geo export-parquet"
        )
    wanted = None if columns is None else list(columns)
    # the columns' types from the smallest file: this process reads no more than that
    meta = pd.read_parquet(min(files, key=os.path.getsize), columns=wanted).iloc[:0]
    with _as_given():
        return dd.from_map(_read_parquet, files, columns=wanted, meta=meta, enforce_metadata=False)


def on_cluster(records: dd.DataFrame, *, client: Client) -> dd.DataFrame:
    """``records`` loaded into the memory of ``client``'s workers once (read there from
    Parquet, or already scattered), for analyses that pass over them more than once."""
    with _as_given():
        return client.persist(records)


def _as_given() -> Any:
    """Dask leaves the columns' types as pandas gives them (by default it turns text into
    Arrow strings, which the analyses' missing-value checks read differently)."""
    import dask

    return dask.config.set({"dataframe.convert-string": False})


def _same(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _read_parquet(file: str, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(file, columns=columns)


# -- nights ----------------------------------------------------------------------------------


def night_range(records: dd.DataFrame, *, client: Client) -> np.ndarray:
    """The least and greatest night number of any record (``NO_NIGHT`` for one without), as
    one process's ``night_numbers(records)`` would give them: empty when there are none."""
    found = _compute(client, [_delayed(_night_bounds)(part) for part in records.to_delayed()])
    known = [f for f in found if f.size]
    if not known:
        return np.empty(0, dtype=np.int64)
    both = np.stack(known)
    return np.array([both[:, 0].min(), both[:, 1].max()], dtype=np.int64)


def latest_night_on_dask(records: dd.DataFrame, *, client: Client) -> date | None:
    """The latest night of any record, None when no record has one."""
    found = night_range(records, client=client)
    if not found.size or found[1] == NO_NIGHT:
        return None
    return day_date(int(found[1]))


def _night_bounds(frame: pd.DataFrame) -> np.ndarray:
    nights = night_numbers(frame)
    return np.array([nights.min(), nights.max()]) if len(nights) else np.empty(0, np.int64)


# -- the three analyses ------------------------------------------------------------------------


def summarise_on_dask(
    records: dd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    client: Client,
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    merge_m: float = MERGE_M,
    trend_periods: int = TREND_PERIODS,
    aligned: bool = False,
    unlinked: Unlinked | None = None,
) -> AreaSummary:
    """:func:`geo.analysis.ward_figures.summarise` of records in partitions of whole nights."""
    areas = check_summary(
        areas, period=period, start=start, end=end, periods=periods, placed=placed,
        merge_m=merge_m, trend_periods=trend_periods, aligned=aligned,
    )  # fmt: skip
    plan = summary_plan(
        night_range(records, client=client), period=period, start=start, end=end,
        periods=periods, trend_periods=trend_periods, aligned=aligned,
    )  # fmt: skip
    shared = client.scatter(areas, broadcast=True)
    pairs = None if unlinked is None else list(unlinked)
    parts = [
        _delayed(_summary_share)(part, shared, plan, placed=placed, merge_m=merge_m, unlinked=pairs)
        for part in records.to_delayed()
    ]
    total, _ = _compute(client, _added(parts, _combine_shares))
    return finish_summary(total, areas, plan, trend_periods=trend_periods)


def flow_on_dask(
    records: dd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    client: Client,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    lookback_months: int | None = None,
    aligned: bool = False,
) -> Flow:
    """:func:`geo.analysis.flow.flow` of records shuffled so each person is in one partition."""
    check_flow(period=period, periods=periods, lookback_months=lookback_months)
    blocks = period_blocks(
        night_range(records, client=client), period=period, start=start, end=end,
        periods=periods, aligned=aligned,
    )  # fmt: skip
    with _as_given():
        by_person = records.shuffle(on="person_ref", npartitions=max(records.npartitions, 1))
    shared = client.scatter(areas, broadcast=True)
    parts = [
        _delayed(flow_parts)(part, shared, blocks, placed=placed, lookback_months=lookback_months)
        for part in by_person.to_delayed()
    ]
    counts = _compute(client, _added(parts, combine_flow_parts))
    return finish_flow(counts, areas, blocks, lookback_months=lookback_months)


def hotspots_on_dask(
    records: dd.DataFrame,
    *,
    client: Client,
    cell_m: float = 100.0,
    start: date | None = None,
    end: date | None = None,
    alpha: float = 0.05,
) -> gpd.GeoDataFrame:
    """:func:`geo.analysis.hotspots.hotspots` of partitioned records: the grid from every
    partition's bounds, the counts per cell added up, then Gi* once on the whole grid."""
    ask = hotspots.hotspot_ask(cell_m=cell_m, start=start, end=end, alpha=alpha)
    shares = records.to_delayed()
    found = _compute(client, [_delayed(hotspots.demand_bounds)(part, ask) for part in shares])
    bounds = np.stack(found)
    with np.errstate(all="ignore"):
        corners = np.array([*np.nanmin(bounds[:, :2], axis=0), *np.nanmax(bounds[:, 2:], axis=0)])
    grid = hotspots.hotspot_grid(corners, ask)
    if grid is None:
        return hotspots.finish_hotspots(np.empty(0), None, ask)
    parts = [_delayed(hotspots.grid_parts)(part, ask, grid) for part in shares]
    counts = _compute(client, _added(parts, _sum))
    return hotspots.finish_hotspots(counts, grid, ask)


# -- helpers ---------------------------------------------------------------------------------
Share = tuple[SummaryParts, np.ndarray]


def _summary_share(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame, plan: Any, **options: Any
) -> Share:
    """A partition's parts and the nights it holds (to check no night is in two)."""
    nights = night_numbers(frame)
    parts = summary_parts(frame, areas, plan, nights=nights, **options)
    return parts, np.unique(nights)


def _combine_shares(shares: list[Share]) -> Share:
    nights = np.concatenate([n for _, n in shares])
    held, times = np.unique(nights, return_counts=True)
    if (times > 1).any():
        night = held[times > 1][0]
        when = "no night" if night == NO_NIGHT else day_date(int(night)).isoformat()
        raise AnalysisError(
            f"the records of the night of {when} are in more than one partition; the"
            " street-count rule needs each night's records together: write Parquet files by"
            " month of night (python -m geo export-parquet)"
        )
    return combine_summary_parts([p for p, _ in shares]), held


def _sum(parts: list[np.ndarray]) -> np.ndarray:
    return sum(parts[1:], parts[0])


def _added(parts: list[Any], combine: Callable[[list[Any]], Any]) -> Any:
    """A tree of ``combine`` over delayed ``parts``, ``FAN_IN`` at a time, down to one."""
    if not parts:
        raise AnalysisError("no partitions to add up")
    while True:  # at least once, so a lone partition is checked the same way
        parts = [_delayed(combine)(parts[i : i + FAN_IN]) for i in range(0, len(parts), FAN_IN)]
        if len(parts) == 1:
            return parts[0]


def _delayed(function: Callable[..., Any]) -> Any:
    from dask import delayed

    return delayed(function, pure=True)


def _compute(client: Client, work: Any) -> Any:
    return client.compute(work, sync=True)
