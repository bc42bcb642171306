"""People over time, as each role may see them: flow, stock and returners.

Like the ward figures, the counts are worked out from exact records and the role's view is
applied afterwards (:func:`geo.privacy.figures.view_flow`): coordinators and police see the
counts, councillors see small numbers hidden. Police and councillors get whole aligned periods,
so two requests never overlap in a way that gives one night's small count away.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from geo.analysis.flow import FLOW_READS, Flow, flow
from geo.analysis.ward_figures import DEFAULT_PERIODS, Period
from geo.filters import Filters
from geo.privacy.figures import view_flow
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.questions import check_period_for, stored_layer
from geo.store import Store

#: Periods of flow asked for by default: as many as the ward figures give.
DEFAULT_FLOW_PERIODS: Final = DEFAULT_PERIODS


def people_flow(
    store: Store,
    *,
    role: Role,
    layer: str = "ward",
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_FLOW_PERIODS,
    lookback_months: int | None = None,
    threshold: int | None = None,
    filters: Filters | None = None,
) -> Flow:
    """New, stock and returning people per area of ``layer`` and period, for ``role``.

    ``filters`` (the pages' shared filters) give the period and its last night; a
    coordinator's cuts by agency, kind or time of day are not applied: whether someone is new
    depends on every agency's records (new to one agency may be known to another).
    """
    role = check_role(role)
    check_can_see_figures(role)
    if filters is not None:
        filters = filters.for_role(role)
        period, start, end = filters.period, filters.start, filters.end
    check_period_for(role, period)
    areas = stored_layer(store, layer)
    placed = layer == "ward"
    columns = [*FLOW_READS, *(["area_code"] if placed else ["lon", "lat"])]
    records = store.records_for_figures(role=role, columns=columns)
    exact = flow(
        records,
        areas,
        period=period,
        start=start,
        end=end,
        periods=periods,
        placed=placed,
        lookback_months=lookback_months,
        aligned=role != "coordinator",
    )
    return view_flow(exact, role=role, threshold=threshold)
