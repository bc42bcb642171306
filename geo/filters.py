"""The filters every page shares, as one frozen value passed to geo/, and its URL form.

A view can be shared by its link: the filters go in the query string as plain words and dates
(``?period=week&to=2026-11-22``), never anything about a person. What a role may filter by is
decided here: police and councillors see small numbers hidden, so they get whole, fixed
periods and no agency, kind or time-of-day cuts; two cuts that differ by one agency or one
night would give a hidden count away by subtraction (see :mod:`geo.privacy.figures`).

Examples
--------
>>> f = Filters(period="range", start=date(2026, 11, 1), end=date(2026, 11, 23))
>>> f.to_query()
{'period': 'range', 'to': '2026-11-23', 'from': '2026-11-01'}
>>> Filters.from_query({"period": "month", "agency": ["Harbour Light", "Council"]})
Filters(period='month', end=None, start=None, agencies=('Council', 'Harbour Light'), kinds=(), time_of_day='any')
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal, get_args

from geo.errors import AccessDenied
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.schema import DEMAND_KINDS

Period = Literal["night", "week", "month", "range"]
PERIODS: Final[tuple[str, ...]] = get_args(Period)
TimeOfDay = Literal["any", "night", "day"]
TIMES_OF_DAY: Final[tuple[str, ...]] = get_args(TimeOfDay)

#: What each period is called on a page.
PERIOD_WORDS: Final[dict[str, str]] = {
    "night": "Last night",
    "week": "Week",
    "month": "30 nights",
    "range": "Chosen dates",
}
#: Roles that may cut figures by agency, kind, time of day or a chosen range of dates.
FREE_FILTER_ROLES: Final[tuple[str, ...]] = ("coordinator",)
#: The periods each role may choose (police and councillors: fixed whole periods).
_ROLE_PERIODS: Final[dict[str, tuple[str, ...]]] = {
    "coordinator": PERIODS,
    "police": ("week", "month"),
    "councillor": ("week", "month"),
}
#: The longest range a link may ask for, in nights.
MAX_RANGE_NIGHTS: Final = 366


@dataclass(frozen=True)
class Filters:
    """What a page shows: a period ending on a night, and (coordinators only) cuts.

    ``end`` is the last night (``None``: the latest night in the store); ``start`` is used by
    ``period="range"`` only. Empty ``agencies`` or ``kinds`` means all of them.
    """

    period: Period = "week"
    end: date | None = None
    start: date | None = None
    agencies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    time_of_day: TimeOfDay = "any"

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"period {self.period!r} is not one of {', '.join(PERIODS)}")
        if self.time_of_day not in TIMES_OF_DAY:
            raise ValueError(
                f"time of day {self.time_of_day!r} is not one of {', '.join(TIMES_OF_DAY)}"
            )
        unknown = sorted(set(self.kinds) - set(DEMAND_KINDS))
        if unknown:
            raise ValueError(f"kinds {unknown} are not among {', '.join(DEMAND_KINDS)}")
        if self.period == "range":
            if self.start is None or self.end is None:
                raise ValueError("a range needs a first and a last night (from and to)")
            if self.start > self.end:
                raise ValueError(f"the range starts ({self.start}) after it ends ({self.end})")
            if (self.end - self.start).days + 1 > MAX_RANGE_NIGHTS:
                raise ValueError(f"a range is at most {MAX_RANGE_NIGHTS} nights")
        # one order for the same choice, so equal filters are equal cache keys
        object.__setattr__(self, "agencies", tuple(sorted(set(self.agencies))))
        object.__setattr__(self, "kinds", tuple(sorted(set(self.kinds))))

    @property
    def is_cut(self) -> bool:
        """Whether the figures are cut by agency, kind or time of day."""
        return bool(self.agencies or self.kinds or self.time_of_day != "any")

    def for_role(self, role: Role) -> Filters:
        """These filters as ``role`` may use them; raises ``AccessDenied`` otherwise.

        Police and councillors may choose whole weeks or 30-night months ending on a night,
        and nothing else: no ranges, no single nights, no cuts.
        """
        role = check_role(role)
        check_can_see_figures(role)
        if self.period not in _ROLE_PERIODS[role]:
            allowed = ", ".join(PERIOD_WORDS[p].lower() for p in _ROLE_PERIODS[role])
            raise AccessDenied(
                f"the {role} role sees whole periods only ({allowed}), not"
                f" {PERIOD_WORDS[self.period].lower()}: a shorter or chosen period could give"
                " away a count that is meant to be hidden"
            )
        if self.is_cut and role not in FREE_FILTER_ROLES:
            raise AccessDenied(
                f"the {role} role sees figures for every agency and kind together: a cut by"
                " agency, kind or time of day could give away a hidden count by subtraction"
            )
        return self

    def to_query(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters, leaving out what is at its default."""
        query: dict[str, str | list[str]] = {"period": self.period}
        if self.end is not None:
            query["to"] = self.end.isoformat()
        if self.period == "range" and self.start is not None:
            query["from"] = self.start.isoformat()
        if self.agencies:
            query["agency"] = list(self.agencies)
        if self.kinds:
            query["kind"] = list(self.kinds)
        if self.time_of_day != "any":
            query["time"] = self.time_of_day
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> Filters:
        """Filters from URL query parameters; a value that makes no sense raises ``ValueError``
        naming it (a page then falls back to the defaults and says so)."""
        period = _one(query, "period") or "week"
        return cls(
            period=period,  # type: ignore[arg-type]  # checked in __post_init__
            end=_date(query, "to"),
            start=_date(query, "from") if period == "range" else None,
            agencies=tuple(_many(query, "agency")),
            kinds=tuple(_many(query, "kind")),
            time_of_day=_one(query, "time") or "any",  # type: ignore[arg-type]
        )

    def with_(self, **changes: object) -> Filters:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def periods_for(role: Role) -> tuple[str, ...]:
    """The periods ``role`` may choose, in the order a page offers them."""
    role = check_role(role)
    check_can_see_figures(role)
    return _ROLE_PERIODS[role]


def _one(query: Mapping[str, str | list[str]], name: str) -> str | None:
    value = query.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _many(query: Mapping[str, str | list[str]], name: str) -> list[str]:
    value = query.get(name)
    values = value if isinstance(value, list) else [value] if value else []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _date(query: Mapping[str, str | list[str]], name: str) -> date | None:
    text = _one(query, name)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a date like 2026-11-22") from None
