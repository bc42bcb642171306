"""Who is using this session: the role every page passes to geo/, and what the audit log
hears of what they look at.

The role is set on every rerun by ``app_main.py`` from the signed-in user's row in the users
table (or the local user: :mod:`ui.signin`), before any page runs. Fails closed: a page with no
role, or an unknown one, shows an error and nothing else, never a default.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AccessDenied
from geo.filters import Filters
from geo.privacy import Role, check_role
from geo.store import Store
from geo.store.audit import current_actor

#: How much of each filter value, and how many values, a page view keeps.
_MOST_CHARS = 80
_MOST_VALUES = 20


def role() -> Role:
    """The session's role; stops the page with an error when it is missing or unknown."""
    try:
        return check_role(st.session_state.get("role"))
    except AccessDenied as err:
        st.error(f"{err}. Sign in again, or ask an admin for a role.")
        st.stop()
        raise  # st.stop() ends the script run; this line is never reached


def user() -> str:
    """Who is making a change, as the store keeps it beside the change: the signed-in user's
    email (or the local user) and role ("ana@council.example (coordinator)")."""
    return f"{current_actor().user} ({role()})"


def log_view(store: Store, page: str) -> None:
    """Add a page view to the audit log with the filters in the address, once per page and
    filters: other reruns (a widget moved) are not views.

    Only the filters' own fields are kept, each cut short: whatever else someone types into
    the address is not written into a log that can never be cleaned.
    """
    query = {name: st.query_params.get_all(name) for name in st.query_params}
    try:
        filters = {
            name: [str(v)[:_MOST_CHARS] for v in values][:_MOST_VALUES]
            for name, values in sorted(Filters.from_query(query).to_query().items())
            for values in [[values] if isinstance(values, str) else values]
        }
    except ValueError:  # filters that make no sense: the page falls back and says so
        filters = {"unreadable": ["yes"]}
    seen = (page, tuple((name, tuple(values)) for name, values in filters.items()))
    if st.session_state.get("_last_view") == seen:
        return
    st.session_state["_last_view"] = seen
    store.record_event("page view", {"page": page, "filters": filters})
