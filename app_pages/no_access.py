"""Signed in, but not (or no longer) given a role: whom to ask, and nothing else."""

from __future__ import annotations

import streamlit as st

from ui.text import plain

st.title("No access yet")
email = st.user.get("email") or "this account"
st.write(
    f"You are signed in as **{plain(email)}**, but Outreach Atlas has not been opened to you."
    " Ask the person who set up Outreach Atlas for your partnership (its admin) to add you with"
    " the role your work needs: coordinator, police or councillor."
)
if st.button("Sign out", key="no_access_sign_out", icon=":material/logout:"):
    st.logout()
    st.stop()
