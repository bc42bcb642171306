"""Outreach Atlas: what ``streamlit run streamlit_app.py`` starts.

Before the server listens, this checks where it may: with no identity provider configured the
app is one local user with the coordinator role, so it listens on this computer only
(:func:`ui.signin.check_listening`), and otherwise stops with a message saying how to configure
sign-in. The app itself, run on every page view, is ``app_main.py``.
"""

from __future__ import annotations

import sys

import streamlit as st
from streamlit import config

from ui.signin import check_listening

_refused = check_listening(config.get_option("server.address"))
if _refused:
    print(f"error: {_refused}", file=sys.stderr)  # noqa: T201 - before any server: no UI yet
    sys.exit(2)

app = st.App("app_main.py")
