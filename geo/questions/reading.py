"""What a question of figures per area and period reads, read one way for every role.

People over time and referral follow-up (and whatever counts per area and period next) ask the
same things before they count: the role may see figures; the pages' filters give the period and
its last night; police and councillors get whole aligned periods and no ranges; the layer is a
stored one; and the records come from ``store.records_for_figures`` with just the columns the
count needs, plus ``area_code`` for wards or ``lon``/``lat`` to place them in another layer.

For police and councillors such a count depends on the store version and the whole periods
only, not on which night of the latest period the filters end on: :func:`kept_for_periods`
works it out once for them (see :func:`geo.questions.kept.per_version`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geo.analysis.ward_counts import period_blocks
from geo.analysis.ward_figures import Period
from geo.filters import Filters
from geo.nights import night_numbers
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.questions import check_period_for, stored_layer
from geo.questions.kept import per_version
from geo.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class FigureRecords:
    """The records a count reads, the areas it counts in, and the period it was asked for."""

    role: Role
    records: pd.DataFrame
    areas: gpd.GeoDataFrame
    placed: bool  # the records' area_code refers to ``areas`` (the stored wards)
    period: Period
    start: date | None
    end: date | None
    layer: str
    version: str  # the store's cache key, read before the records

    @property
    def aligned(self) -> bool:
        """Whole periods on fixed boundaries: for every role whose small numbers are hidden."""
        return self.role != "coordinator"

    @property
    def period_options(self) -> dict[str, object]:
        """The period asked for, as the counts take it: ``period``, ``start``, ``end`` and
        ``aligned``."""
        return {
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "aligned": self.aligned,
        }


def figure_records(
    store: Store,
    *,
    role: Role,
    reads: Sequence[str],
    layer: str = "ward",
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    filters: Filters | None = None,
) -> FigureRecords:
    """Check ``role`` and its period, then read the columns ``reads`` for figures per area of
    the stored ``layer``; ``filters`` (the pages' filters) replace ``period``, ``start`` and
    ``end``. A coordinator's cuts by agency, kind or time are not applied: the counts that read
    this way depend on every agency's records."""
    role = check_role(role)
    check_can_see_figures(role)
    if filters is not None:
        filters = filters.for_role(role)
        period, start, end = filters.period, filters.start, filters.end
    check_period_for(role, period)
    version = store.cache_key()  # before every read: what an answer from them is kept under
    areas = stored_layer(store, layer)
    placed = layer == "ward"
    columns = list(dict.fromkeys([*reads, *(["area_code"] if placed else ["lon", "lat"])]))
    records = store.records_for_figures(role=role, columns=columns)
    return FigureRecords(role, records, areas, placed, period, start, end, layer, version)


def kept_for_periods(
    store: Store,
    asked: FigureRecords,
    question: str,
    args: tuple[Hashable, ...],
    work: Callable[[], T],
    *,
    periods: int,
) -> T:
    """``work()``, the answer to ``question`` (with ``args``, everything else it depends on)
    from ``asked``'s records over ``periods`` periods; kept per store version and whole
    periods for the roles that get aligned ones, so every night of a week asks it once.

    Coordinators' periods end on the night asked for, so theirs is worked out each time.
    """
    if not asked.aligned:
        return work()
    blocks = period_blocks(
        night_numbers(asked.records), period=asked.period, start=asked.start, end=asked.end,
        periods=periods, aligned=True,
    )  # fmt: skip
    key = (asked.role, asked.layer, asked.period, blocks, *args)
    return per_version(store, question, key, work, version=asked.version)
