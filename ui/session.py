"""Who is using this session: the role every page passes to geo/.

Fails closed: a page with no role, or an unknown one, shows an error and nothing else, never a
default. Until sign-in arrives the role comes from the sidebar picker in streamlit_app.py.
"""

from __future__ import annotations

import getpass

import streamlit as st

from geo.errors import AccessDenied
from geo.privacy import Role, check_role


def role() -> Role:
    """The session's role; stops the page with an error when it is missing or unknown."""
    try:
        return check_role(st.session_state.get("role"))
    except AccessDenied as err:
        st.error(f"{err}. Choose a role in the sidebar.")
        st.stop()
        raise  # st.stop() ends the script run; this line is never reached


def user() -> str:
    """Who is making a change, as the store records it: until sign-in arrives, the account the
    app runs under and the role picked in the sidebar ("outreach (coordinator)")."""
    return f"{getpass.getuser()} ({role()})"
