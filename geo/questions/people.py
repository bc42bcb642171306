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
from geo.privacy.roles import Role
from geo.questions.reading import figure_records
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
    asked = figure_records(
        store, role=role, reads=FLOW_READS, layer=layer, period=period, start=start, end=end,
        filters=filters,
    )  # fmt: skip
    exact = flow(
        asked.records, asked.areas, periods=periods, placed=asked.placed,
        lookback_months=lookback_months, **asked.period_options,
    )  # fmt: skip
    return view_flow(exact, role=asked.role, threshold=threshold)
