"""Flow, stock and returners: who is new to the streets, who stays, and who comes back.

The way CHAIN and the government's rough sleeping data framework count people over time. Of the
distinct people seen in a period (by person reference, in demand records: street counts,
contacts, referrals; never visits):

- **new**: never seen anywhere in the store before the period's first night ("flow"). With
  ``lookback_months``, only the months before that night count as "before" (the framework
  calls someone new when not seen in the previous 60 months);
- **stock**: also seen, anywhere, in the previous period (the same number of nights just before);
- **returner**: seen before, but not in the previous period.

``people`` is ``new + stock + returner``: each person has one class in a period, worked out
from everywhere they were seen, so a person seen in two wards is counted, with that class, in
each ward, and once in the total row. ``without_reference`` counts the sightings in the area and
period that carry no reference: they cannot be classed, and are reported rather than guessed.
The total row covers the areas of the layer: records outside every area are in neither.

References are as the store keeps them: keyed hashes scoped to an agency unless its file said
they come from a shared system (``--ref-namespace`` at import), so one agency's ids never match
another's unless they share a namespace.

Periods are the ward figures' (:func:`geo.analysis.ward_figures.period_blocks`): blocks of 1, 7
or 30 nights ending on the last night asked for, or whole aligned blocks for the roles whose
small numbers are hidden. Who may see which figures is :mod:`geo.privacy.figures`' business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    PERIODS,
    Period,
    period_blocks,
    period_labels,
)
from geo.errors import AnalysisError
from geo.locate.areas import area_positions
from geo.nights import NO_NIGHT, block_nights, block_of, day_date, day_number, night_numbers
from geo.schema import DISPLAY_CRS, is_demand

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.privacy.roles import Role

#: The classes of a person in a period, in the order the columns are given.
CLASSES: Final[tuple[str, ...]] = ("new", "stock", "returner")
#: Figures per area and period (and in the total row).
FLOW_COLUMNS: Final[tuple[str, ...]] = ("people", *CLASSES, "without_reference")
#: What the figures read of each record (``area_code`` when placed, else ``lon``/``lat``).
FLOW_READS: Final[tuple[str, ...]] = ("kind", "night", "person_ref")
#: The framework's "before" for new rough sleepers: not seen in the previous 60 months.
FRAMEWORK_LOOKBACK_MONTHS: Final = 60

_PERIOD_COLUMNS: Final = ("period", "period_start", "period_end", "nights")


@dataclass(frozen=True)
class Flow:
    """Flow figures per area and period (``areas``) and for all areas (``totals``).

    ``role`` and ``threshold`` say whose view it is once :func:`geo.privacy.figures.view_flow`
    has applied a role (None: exact figures).
    """

    areas: pd.DataFrame
    totals: pd.DataFrame
    lookback_months: int | None = None
    role: Role | None = None
    threshold: int | None = None


def flow(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    placed: bool = False,
    lookback_months: int | None = None,
    aligned: bool = False,
) -> Flow:
    """New, stock and returning people per area and period, from exact records.

    ``records`` need ``kind``, ``night``, ``person_ref`` and either ``area_code`` (``placed``:
    it refers to ``areas``) or ``lon``/``lat``; every record counts as history, whatever its
    night, so "before" reaches back to the store's first night (or ``lookback_months``).
    ``period``, ``start``, ``end``, ``periods`` and ``aligned`` are :func:`summarise`'s.

    Examples
    --------
    One ward, two 7-night weeks ending on 14 Nov 2026. "a" was seen in the week before, "b" in
    October only, "c" for the first time; one sighting carries no reference:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> ward = gpd.GeoDataFrame({"area_code": ["E1"], "area_name": ["Market"]},
    ...                         geometry=[box(-1, 50, 0, 51)], crs="EPSG:4326")
    >>> nights = ["2026-11-03", "2026-11-10", "2026-10-01", "2026-11-12", "2026-11-09",
    ...           "2026-11-11"]
    >>> seen = pd.DataFrame({"kind": "street_count", "night": pd.to_datetime(nights),
    ...     "person_ref": ["a", "a", "b", "b", "c", None], "area_code": "E1"})
    >>> out = flow(seen, ward, period="week", end=date(2026, 11, 14), periods=1, placed=True)
    >>> out.areas.loc[0, list(FLOW_COLUMNS)].tolist()
    [3, 1, 1, 1, 1]
    """
    check_flow(period=period, periods=periods, lookback_months=lookback_months)
    missing = [c for c in FLOW_READS if c not in records.columns]
    missing += [] if placed else [c for c in ("lon", "lat") if c not in records.columns]
    if placed and "area_code" not in records.columns:
        missing.append("area_code")
    if missing:
        raise AnalysisError(f"records has no column {', '.join(missing)}; flow needs it")
    if not placed and areas.crs is not None and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)

    nights = night_numbers(records)
    blocks = period_blocks(
        nights, period=period, start=start, end=end, periods=periods, aligned=aligned
    )
    counts = flow_parts(
        records, areas, blocks, placed=placed, lookback_months=lookback_months, nights=nights
    )
    return finish_flow(counts, areas, blocks, lookback_months=lookback_months)


# -- flow() is check, blocks (ward_figures.period_blocks), parts, then finish ------------------
#: Blocks of nights: first and last night shown, nights per period, periods (period_blocks).
Blocks = tuple[int, int, int, int]


def flow_parts(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    blocks: Blocks,
    *,
    placed: bool,
    lookback_months: int | None = None,
    nights: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Counts per class for ``records`` that hold every record of each person they hold (so a
    partitioned run splits records by reference): per ``area * n_periods + block`` (keys as
    in :data:`FLOW_COLUMNS` but ``people``) and per block (the same keys with ``total_``).
    Parts of records that share no person add up (:func:`combine_flow_parts`)."""
    nights = night_numbers(records) if nights is None else nights
    first, last, length, n_periods = blocks
    codes = pd.Index(areas["area_code"].astype(str))
    demand = np.asarray(is_demand(records["kind"]), dtype=bool) & (nights != NO_NIGHT)
    ref = _references(records["person_ref"])
    block = block_of(nights, end=last, length=length)
    shown = demand & (nights >= first) & (nights <= last)
    area = area_positions(records.loc[shown], codes, geometries=areas.geometry, placed=placed)

    # each period's first night shown (the first block may be cut short by ``start``)
    whole_first, _ = block_nights(np.arange(n_periods), end=last, length=length)
    begins = np.maximum(whole_first, first)
    classes = _classes(
        ref[demand],
        nights[demand],
        begins=begins,
        length=length,
        lookback=_lookback_firsts(begins, lookback_months),
    )

    in_area = area >= 0
    who, when = ref[shown][in_area], block[shown][in_area]
    where = area[in_area]
    named = who >= 0
    pairs = pd.DataFrame({"area": where[named], "ref": who[named], "block": when[named]})
    pairs = pairs.drop_duplicates()
    pair_class = classes[pairs["ref"].to_numpy(), pairs["block"].to_numpy()]
    n_cells = len(codes) * n_periods
    cell = pairs["area"].to_numpy() * n_periods + pairs["block"].to_numpy()
    counts = {
        name: np.bincount(cell[pair_class == k], minlength=n_cells)
        for k, name in enumerate(CLASSES)
    }
    unnamed = where[~named] * n_periods + when[~named]
    counts["without_reference"] = np.bincount(unnamed, minlength=n_cells)

    people = pd.DataFrame({"ref": who[named], "block": when[named]}).drop_duplicates()
    total_class = classes[people["ref"].to_numpy(), people["block"].to_numpy()]
    for k, name in enumerate(CLASSES):
        at = people["block"].to_numpy()[total_class == k]
        counts["total_" + name] = np.bincount(at, minlength=n_periods)
    counts["total_without_reference"] = np.bincount(when[~named], minlength=n_periods)
    return counts


def combine_flow_parts(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """:func:`flow_parts` of records that share no person, added up."""
    return {name: sum(part[name] for part in parts) for name in parts[0]}  # type: ignore[misc]


def finish_flow(
    counts: dict[str, np.ndarray],
    areas: gpd.GeoDataFrame,
    blocks: Blocks,
    *,
    lookback_months: int | None = None,
) -> Flow:
    """The flow tables from every record's counts (:func:`flow_parts`)."""
    first, last, length, n_periods = blocks
    codes = pd.Index(areas["area_code"].astype(str))
    labels = period_labels(last=last, length=length, first=first, n_blocks=n_periods)
    grid = pd.DataFrame(
        {
            "area_code": np.repeat(codes.to_numpy(object), n_periods),
            "area_name": np.repeat(areas["area_name"].astype(str).to_numpy(object), n_periods),
            "_block": np.tile(np.arange(n_periods), len(codes)),
        }
    )
    for name in (*CLASSES, "without_reference"):
        grid[name] = counts[name].astype(np.int64)
    grid.insert(3, "people", grid[list(CLASSES)].sum(axis=1).astype(np.int64))
    by_area = grid.merge(labels, on="_block").sort_values(
        ["period_start", "area_code"], kind="stable"
    )
    total = labels.copy()
    for name in (*CLASSES, "without_reference"):
        total[name] = counts["total_" + name].astype(np.int64)
    total.insert(len(_PERIOD_COLUMNS) + 1, "people", total[list(CLASSES)].sum(axis=1))
    columns = ["area_code", "area_name", *_PERIOD_COLUMNS, *FLOW_COLUMNS]
    return Flow(
        areas=by_area.loc[:, columns].reset_index(drop=True),
        totals=total.sort_values("period_start")
        .loc[:, [*_PERIOD_COLUMNS, *FLOW_COLUMNS]]
        .reset_index(drop=True),
        lookback_months=lookback_months,
    )


# -- helpers ---------------------------------------------------------------------------------


def check_flow(*, period: str, periods: int, lookback_months: int | None) -> None:
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AnalysisError(f"periods must be a whole number, at least 1; got {periods!r}")
    if lookback_months is not None and (
        isinstance(lookback_months, bool)
        or not isinstance(lookback_months, int)
        or lookback_months < 1
    ):
        raise AnalysisError(
            f"lookback must be a whole number of months, at least 1 (the framework uses"
            f" {FRAMEWORK_LOOKBACK_MONTHS}), or none for the whole store; got {lookback_months!r}"
        )


def _references(values: pd.Series) -> np.ndarray:
    """Each record's reference as a whole number (-1: none, blank included)."""
    text = values.astype("string")
    blank = text.str.strip().fillna("").eq("").to_numpy(dtype=bool)  # whole column at once
    codes, _ = pd.factorize(text.mask(blank))
    return codes.astype(np.int64)


def _lookback_firsts(begins: np.ndarray, months: int | None) -> np.ndarray | None:
    """The first night that counts as "before" each period (None: the whole store)."""
    if months is None:
        return None
    return np.array(
        [
            day_number((pd.Timestamp(day_date(int(b))) - pd.DateOffset(months=months)).date())
            for b in begins
        ],
        dtype=np.int64,
    )


def _classes(
    ref: np.ndarray,
    nights: np.ndarray,
    *,
    begins: np.ndarray,
    length: int,
    lookback: np.ndarray | None,
) -> np.ndarray:
    """Class (0 new, 1 stock, 2 returner) of every reference in every period, as a table
    ``[reference, period]``, from the nights each reference was seen (all of them).

    A reference's latest night before the period decides: in the ``length`` nights just
    before, stock; earlier and not before the lookback's first night, returner; else new.
    """
    n_refs = int(ref.max()) + 1 if len(ref) else 0
    named = ref >= 0
    ref, nights = ref[named], nights[named]
    order = np.lexsort((nights, ref))
    ref, nights = ref[order], nights[order]
    out = np.zeros((n_refs, len(begins)), dtype=np.int8)
    if not n_refs:
        return out
    span = int(nights.max() - nights.min()) + 2
    base = int(nights.min())
    key = ref * span + (nights - base)
    for period, begin in enumerate(begins.tolist()):
        # the latest sighting of each reference before ``begin``: the one just left of it
        offset = min(max(begin - base, 0), span - 1)
        at = np.searchsorted(key, np.arange(n_refs, dtype=np.int64) * span + offset) - 1
        seen = at >= 0
        seen[seen] = ref[at[seen]] == np.flatnonzero(seen)
        before = np.full(n_refs, NO_NIGHT, dtype=np.int64)
        before[seen] = nights[at[seen]]
        stock = seen & (before >= begin - length)
        if lookback is not None:
            seen &= before >= lookback[period]
        out[stock, period] = 1
        out[seen & ~stock, period] = 2
    return out
