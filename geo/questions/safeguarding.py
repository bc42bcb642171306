"""The safeguarding queue, as each role may see it (see :mod:`geo.analysis.safeguarding`).

Coordinators see the queue itself (people and places, oldest first) and may close an item with
a reason. Police and councillors see only how many items wait per ward and period, small
numbers hidden (:func:`geo.privacy.figures.view_queue`): an item is a child or a possible
victim of trafficking, so even police see no one of them here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import pandas as pd

from geo.analysis.safeguarding import (
    REFERRAL_OUTCOMES,
    SAFEGUARDING_READS,
    QueueFigures,
    queue_figures,
    safeguarding_queue,
)
from geo.analysis.ward_figures import DEFAULT_PERIODS, Period
from geo.errors import AccessDenied, AnalysisError
from geo.filters import Filters
from geo.privacy.figures import view_queue
from geo.privacy.roles import Role, check_role
from geo.questions.kept import per_version
from geo.questions.reading import figure_records, kept_for_periods
from geo.schema import TIMEZONE
from geo.store import Store
from geo.store.registers import Closure

#: Roles that see and close the queue itself.
QUEUE_ROLES: Final[tuple[Role, ...]] = ("coordinator",)
#: What a queue item's ward reads when its place is in no stored ward.
OUTSIDE: Final = "outside the wards"


def queue(
    store: Store,
    *,
    role: Role,
    today: date | None = None,
    outcomes: Sequence[str] = REFERRAL_OUTCOMES,
) -> pd.DataFrame:
    """The waiting items, oldest first, with ward names (``first_ward``, ``last_seen_ward``)
    in place of codes. Coordinators only; ``today`` defaults to today in the UK."""
    _check_queue_role(role, "see the safeguarding queue")
    found = _exact_queue(store, today=today, outcomes=outcomes)
    names = _ward_names(store)
    out = found.copy()
    for code, ward in (
        ("first_area_code", "first_ward"),
        ("last_seen_area_code", "last_seen_ward"),
    ):
        out[ward] = out.pop(code).map(names).fillna(OUTSIDE).astype(object)
    return out


def queue_counts(
    store: Store,
    *,
    role: Role,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    threshold: int | None = None,
    today: date | None = None,
    outcomes: Sequence[str] = REFERRAL_OUTCOMES,
    filters: Filters | None = None,
) -> QueueFigures:
    """Items waiting per ward and period (of their oldest waiting sighting), as ``role`` may
    see them: small numbers hidden for police and councillors. ``filters`` (the pages' shared
    filters) give the period and its last night in place of ``period``, ``start`` and ``end``."""
    version = store.cache_key()  # before the read: what the queue is kept under
    asked = figure_records(
        store, role=role, reads=SAFEGUARDING_READS, period=period, start=start, end=end,
        filters=filters,
    )  # fmt: skip
    day, words = _today(today), tuple(outcomes)
    waiting = per_version(  # every item waiting today: the same whatever the period
        store,
        "safeguarding queue for figures",
        (asked.role, day, words),
        lambda: safeguarding_queue(
            asked.records, today=day, outcomes=words, closures=store.closures()
        ),
        version=version,
    )

    def work() -> QueueFigures:
        exact = queue_figures(
            asked.records, waiting, areas=asked.areas, periods=periods, **asked.period_options
        )
        return view_queue(exact, role=asked.role, threshold=threshold)

    asked_with = (day, words, threshold)  # the queue's own question, and how it is shown
    return kept_for_periods(store, asked, "safeguarding counts", asked_with, work, periods=periods)


def close_item(store: Store, key: str, *, role: Role, by: str, reason: str) -> Closure:
    """Close the waiting item ``key`` (a key of :func:`queue`) with ``reason``, kept with who
    (``by``) and when. Coordinators only; an ``AnalysisError`` if no such item waits."""
    _check_queue_role(role, "close safeguarding items")
    if not isinstance(key, str) or not key.strip():
        raise AnalysisError("give the key of the item to close, as the queue lists it")
    waiting = _exact_queue(store, today=None, outcomes=REFERRAL_OUTCOMES)
    if key.strip() not in set(waiting["key"]):
        raise AnalysisError(
            f"no item {key.strip()!r} waits in the safeguarding queue; the keys are listed by"
            " 'python -m geo safeguarding'"
        )
    return store.add_closure(key=key, by=by, reason=reason)


# -- helpers ---------------------------------------------------------------------------------


def _check_queue_role(role: Role, doing: str) -> None:
    if check_role(role) not in QUEUE_ROLES:
        raise AccessDenied(
            f"only a coordinator can {doing}; the {role} role sees how many items wait per"
            " ward and period"
        )


def _today(today: date | None) -> date:
    return pd.Timestamp.now(tz=TIMEZONE).date() if today is None else today


def _exact_queue(store: Store, *, today: date | None, outcomes: Sequence[str]) -> pd.DataFrame:
    day, words = _today(today), tuple(outcomes)

    def work() -> pd.DataFrame:
        records = store.records(role="coordinator", columns=SAFEGUARDING_READS)
        return safeguarding_queue(records, today=day, outcomes=words, closures=store.closures())

    return per_version(store, "safeguarding queue", (day, words), work)


def _ward_names(store: Store) -> pd.Series:
    wards = store.areas(layer="ward")
    if wards.empty:
        return pd.Series(dtype=object)
    return pd.Series(
        wards["area_name"].astype(str).to_numpy(), index=wards["area_code"].astype(str)
    )
