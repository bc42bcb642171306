"""What a question of figures per area and period reads, read one way for every role.

People over time and referral follow-up (and whatever counts per area and period next) ask the
same things before they count: the role may see figures; the pages' filters give the period and
its last night; police and councillors get whole aligned periods and no ranges; the layer is a
stored one; and the records come from ``store.records_for_figures`` with just the columns the
count needs, plus ``area_code`` for wards or ``lon``/``lat`` to place them in another layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.analysis.ward_figures import Period
from geo.filters import Filters
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.questions import check_period_for, stored_layer
from geo.store import Store


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

    @property
    def aligned(self) -> bool:
        """Whole periods on fixed boundaries: for every role whose small numbers are hidden."""
        return self.role != "coordinator"


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
    areas = stored_layer(store, layer)
    placed = layer == "ward"
    columns = list(dict.fromkeys([*reads, *(["area_code"] if placed else ["lon", "lat"])]))
    records = store.records_for_figures(role=role, columns=columns)
    return FigureRecords(role, records, areas, placed, period, start, end)
