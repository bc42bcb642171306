"""The sidebar filters: widgets seeded from the page's link, read into one :class:`Filters`.

The link (``st.query_params``) holds the filters as plain words and dates, so a view can be
shared; it never holds anything about a person. What a role may choose comes from
:mod:`geo.filters`: police and councillors get whole weeks or 30-night months and no cuts.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.errors import AccessDenied
from geo.filters import PERIOD_WORDS, TIMES_OF_DAY, Filters, periods_for
from geo.privacy import Role
from geo.schema import DEMAND_KINDS

_KIND_WORDS = {
    "street_count": "Street counts",
    "outreach_contact": "Outreach contacts",
    "referral": "Referrals",
}
_TIME_WORDS = {"any": "Any time", "night": "Night (7pm to 7am)", "day": "Day"}


#: Widget keys of the filters. Streamlit drops a widget's state when another page is shown,
#: so the values live under :data:`_KEPT` too and are put back into the widgets on each run.
_KEYS = {
    "period": "filter_period",
    "end": "filter_to",
    "start": "filter_from",
    "agencies": "filter_agency",
    "kinds": "filter_kind",
    "time_of_day": "filter_time",
}
_KEPT = "_filter_values"


def sidebar(role: Role, *, agencies: tuple[str, ...] = ()) -> Filters:
    """Draw the filters for ``role`` in the sidebar and return them; keep the link in step.

    ``agencies`` are the agencies a coordinator may pick from (others see all together).
    """
    periods = periods_for(role)
    kept = _kept(role)
    if kept.get("period") not in periods:  # the role changed
        kept["period"] = Filters().period
    for field, key in _KEYS.items():
        st.session_state[key] = kept.get(field, _DEFAULTS[field])
    free = "range" in periods
    with st.sidebar:
        st.subheader("Show")
        period = st.selectbox(
            "Period",
            periods,
            format_func=PERIOD_WORDS.__getitem__,
            key=_KEYS["period"],
            on_change=_remember,
        )
        end = st.date_input(
            "Ending on the night of",
            key=_KEYS["end"],
            help="Leave empty for the latest night in the store.",
            format="DD/MM/YYYY",
            on_change=_remember,
        )
        start = None
        if period == "range":
            start = st.date_input(
                "From the night of", key=_KEYS["start"], format="DD/MM/YYYY", on_change=_remember
            )
        chosen_agencies: list[str] = []
        kinds: list[str] = []
        time_of_day = "any"
        if free:
            st.session_state[_KEYS["agencies"]] = [
                a for a in st.session_state[_KEYS["agencies"]] if a in agencies
            ]
            chosen_agencies = st.multiselect(
                "Agencies",
                agencies,
                key=_KEYS["agencies"],
                placeholder="All agencies",
                on_change=_remember,
            )
            kinds = st.multiselect(
                "Kinds of record",
                DEMAND_KINDS,
                format_func=_KIND_WORDS.__getitem__,
                key=_KEYS["kinds"],
                placeholder="All kinds",
                on_change=_remember,
            )
            time_of_day = st.radio(
                "Time of day",
                TIMES_OF_DAY,
                format_func=_TIME_WORDS.__getitem__,
                key=_KEYS["time_of_day"],
                on_change=_remember,
            )
    try:
        filters = Filters(
            period=period,
            end=end if isinstance(end, date) else None,
            start=start if isinstance(start, date) else None,
            agencies=tuple(chosen_agencies),
            kinds=tuple(kinds),
            time_of_day=time_of_day,  # type: ignore[arg-type]
        ).for_role(role)
    except (ValueError, AccessDenied) as err:
        st.sidebar.warning(f"{err}. Showing the latest week instead.")
        filters = Filters()
    st.query_params.from_dict(filters.to_query())
    return filters


_DEFAULTS: dict[str, object] = {
    "period": "week",
    "end": None,
    "start": None,
    "agencies": [],
    "kinds": [],
    "time_of_day": "any",
}


def _remember() -> None:
    """Keep the widgets' values (a widget callback: runs before the page reruns)."""
    st.session_state[_KEPT] = {
        field: st.session_state.get(key, _DEFAULTS[field]) for field, key in _KEYS.items()
    }


def _kept(role: Role) -> dict[str, object]:
    """The session's filter values; on its first run, those of the link (if they make sense)."""
    if _KEPT in st.session_state:
        return st.session_state[_KEPT]
    values = dict(_DEFAULTS)
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    if query:
        try:
            linked = Filters.from_query(query).for_role(role)
        except (ValueError, AccessDenied) as err:
            st.sidebar.warning(f"The link's filters were not used: {err}.")
        else:
            values.update(
                period=linked.period,
                end=linked.end,
                start=linked.start,
                agencies=list(linked.agencies),
                kinds=list(linked.kinds),
                time_of_day=linked.time_of_day,
            )
    st.session_state[_KEPT] = values
    return values
