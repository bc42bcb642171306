"""Referral follow-up, as each role may see it: figures per ward and period, and the queue.

Like the ward figures, the counts are worked out from exact records and the role's view is
applied afterwards (:func:`geo.privacy.figures.view_referrals`): coordinators see the counts,
police and councillors see small numbers hidden, in whole aligned periods. The queue lists
referrals one by one, with where they were made: coordinators only.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.referrals import (
    FOLLOW_UP_HOURS,
    FOLLOW_UP_READS,
    FOLLOW_UP_WALK_M,
    ReferralFigures,
    follow_ups,
    judged_at,
    referral_figures,
)
from geo.analysis.sites import describe_places
from geo.analysis.ward_figures import DEFAULT_PERIODS, Period
from geo.errors import AccessDenied, AnalysisError
from geo.filters import Filters
from geo.nights import night_number, night_numbers
from geo.privacy.figures import view_referrals
from geo.privacy.roles import Role, check_role
from geo.questions import named_places
from geo.questions.reading import figure_records
from geo.store import Store

#: Roles that see the queue: referrals one by one, with where each was made.
QUEUE_ROLES: Final[tuple[Role, ...]] = ("coordinator",)
#: Nights of referrals the queue looks back over by default (four weeks).
QUEUE_NIGHTS: Final = 28
#: The queue's columns, in order.
QUEUE_COLUMNS: Final[tuple[str, ...]] = (
    "referred_at",
    "hours_waiting",
    "window_passed",
    "place_name",
    "ward_name",
    "agency",
    "record_id",
    "area_code",
    "lon",
    "lat",
)


def referral_follow_up(
    store: Store,
    *,
    role: Role,
    layer: str = "ward",
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    walk_m: float = FOLLOW_UP_WALK_M,
    within_hours: float = FOLLOW_UP_HOURS,
    threshold: int | None = None,
    filters: Filters | None = None,
) -> ReferralFigures:
    """Referrals, followed up, found, not located, not followed up and pending, per area of
    ``layer`` and period, as ``role`` may see them (see :mod:`geo.analysis.referrals`).

    ``filters`` (the pages' shared filters) give the period and its last night; a
    coordinator's cuts by agency, kind or time of day are not applied: a referral is followed
    up by any agency.
    """
    asked = figure_records(
        store, role=role, reads=FOLLOW_UP_READS, layer=layer, period=period, start=start,
        end=end, filters=filters,
    )  # fmt: skip
    exact = referral_figures(
        asked.records,
        asked.areas,
        walk_m=walk_m,
        within_hours=within_hours,
        periods=periods,
        placed=asked.placed,
        **asked.period_options,
    )
    return view_referrals(exact, role=asked.role, threshold=threshold)


def referral_queue(
    store: Store,
    *,
    role: Role,
    walk_m: float = FOLLOW_UP_WALK_M,
    within_hours: float = FOLLOW_UP_HOURS,
    nights: int = QUEUE_NIGHTS,
    end: date | None = None,
) -> pd.DataFrame:
    """Referrals of the last ``nights`` nights to ``end`` not followed up, oldest first.

    Each row (:data:`QUEUE_COLUMNS`): when it was made, the hours it has waited by the moment
    follow-ups are judged at (:func:`geo.analysis.referrals.judged_at`), whether its window
    has passed (False: an agency can still follow it up in time), the place as the referral
    calls it (else "a place in Station ward") and its ward, the agency that recorded it, its
    record id and its point. Coordinators only: the queue lists people one by one.
    """
    role = check_role(role)
    if role not in QUEUE_ROLES:
        raise AccessDenied(
            f"the {role} role does not see the referral queue: it lists each referral and"
            " where it was made; the follow-up figures are for you, the queue is a"
            " coordinator's"
        )
    if isinstance(nights, bool) or not isinstance(nights, int) or nights < 1:
        raise AnalysisError(f"nights must be a whole number, at least 1; got {nights!r}")
    columns = [*FOLLOW_UP_READS, "agency", "location_text", "lon", "lat"]
    records = store.records(role=role, columns=columns)
    done = follow_ups(records, walk_m=walk_m, within_hours=within_hours, end=end)
    last = night_number(end, name="end")
    night = night_numbers(done)
    if last is None:
        last = int(night.max()) if len(night) else 0
    waiting = ~done["followed_up"].to_numpy() & (night > last - nights) & (night <= last)
    rows = records.index.get_indexer(done.index[waiting])
    said = describe_places(records, rows=rows, places=np.arange(len(rows)))
    moment = judged_at(records, end=end)
    referred_at = done["referred_at"].loc[waiting].reset_index(drop=True)
    waited = (moment - referred_at) if moment is not None else referred_at - pd.NaT
    queue = pd.DataFrame(
        {
            "referred_at": referred_at,
            "hours_waiting": (waited / pd.Timedelta(hours=1)).round(1),
            "window_passed": ~done["pending"].to_numpy()[waiting],
            "place_name": said["place_name"].to_numpy(object),
            "agency": records["agency"].iloc[rows].to_numpy(object),
            "record_id": records["record_id"].iloc[rows].to_numpy(object),
            "area_code": records["area_code"].iloc[rows].to_numpy(object),
            "lon": records["lon"].to_numpy(float)[rows],
            "lat": records["lat"].to_numpy(float)[rows],
        }
    )
    named = named_places(queue, wards=store.areas(layer="ward"), role=role)
    return (
        named.sort_values("referred_at", kind="stable")
        .loc[:, list(QUEUE_COLUMNS)]
        .reset_index(drop=True)
    )
