"""Recording completeness, as each role may see it.

Coordinators see each agency's rows and the partnership's. Police and councillors see only
the partnership's rows: an agency's own shares say which agency records little, which is for
the partnership's coordinators to take up with it.

Shares are not counts, but a share of a handful of records says something about each of them
(one record of three with no reference). So for police and councillors a period's records from
1 to the threshold (default 4) read ``"<5"``, as every small count does, and its shares are
shown only when it has at least :data:`MIN_SHARE_RECORDS` records (hidden: None). No other row
or total is shown beside the partnership's, so nothing hidden can be worked out from the rest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Final

import pandas as pd

from geo.analysis.completeness import (
    COMPLETENESS_READS,
    GAP_COLUMNS,
    Completeness,
    completeness,
)
from geo.analysis.ward_figures import DEFAULT_PERIODS, Period
from geo.filters import Filters
from geo.privacy.figures import checked_threshold, small_label
from geo.privacy.roles import Role
from geo.questions.reading import figure_records, kept_for_periods
from geo.store import Store

#: Roles that see each agency's rows.
AGENCY_ROLES: Final[tuple[Role, ...]] = ("coordinator",)
#: Records a period needs before police and councillors see its shares.
MIN_SHARE_RECORDS: Final = 10


def recording_completeness(
    store: Store,
    *,
    role: Role,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    threshold: int | None = None,
    filters: Filters | None = None,
) -> Completeness:
    """Records and the share with each gap, per agency and period and for the partnership, as
    ``role`` may see them (see :mod:`geo.analysis.completeness`).

    ``filters`` (the pages' shared filters) give the period and its last night; a
    coordinator's cuts by agency, kind or time of day are not applied. Police and councillors
    get an empty ``agencies`` frame and whole aligned periods.
    """
    asked = figure_records(
        store, role=role, reads=COMPLETENESS_READS, period=period, start=start, end=end,
        filters=filters,
    )  # fmt: skip

    def work() -> Completeness:
        exact = completeness(asked.records, periods=periods, **asked.period_options)
        if asked.role in AGENCY_ROLES:
            return replace(exact, role=asked.role)
        return replace(
            exact,
            agencies=exact.agencies.iloc[0:0],
            partnership=_hidden(exact.partnership, threshold=checked_threshold(threshold)),
            role=asked.role,
        )

    return kept_for_periods(
        store, asked, "recording completeness", (threshold,), work, periods=periods
    )


def _hidden(partnership: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Small records counts as ``"<5"``; shares of fewer than :data:`MIN_SHARE_RECORDS` (or
    of records up to the threshold) hidden as None."""
    out = partnership.copy()
    records = out["records"].to_numpy()
    small = (records >= 1) & (records <= threshold)
    too_few = records < max(MIN_SHARE_RECORDS, threshold + 1)
    for name in GAP_COLUMNS:
        out[name] = out[name].astype(object).where(~too_few, None)
    out["records"] = out["records"].astype(object).where(~small, small_label(threshold))
    return out
