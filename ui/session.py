"""Who is using this session: the role every page passes to geo/, and what the audit log
hears of what they look at.

The role is set on every rerun by ``app_main.py`` from the signed-in user's row in the users
table (or the local user: :mod:`ui.signin`), before any page runs. Fails closed: a page with no
role, or an unknown one, shows an error and nothing else, never a default.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AccessDenied
from geo.privacy import Role, check_role
from geo.store import Store
from geo.store.audit import current_actor


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
    """Add a page view to the audit log with the filters in the address (never personal
    data), once per page and filters: other reruns (a widget moved) are not views."""
    filters = {name: st.query_params.get_all(name) for name in sorted(st.query_params)}
    seen = (page, tuple((name, tuple(values)) for name, values in filters.items()))
    if st.session_state.get("_last_view") == seen:
        return
    st.session_state["_last_view"] = seen
    store.record_event("page view", {"page": page, "filters": filters})
