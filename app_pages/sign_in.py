"""Sign in: the only page before someone has signed in with their organisation's account."""

from __future__ import annotations

import streamlit as st

from ui import data, signin
from ui.text import plain

st.title("Outreach Atlas")
st.write(
    "Outreach Atlas holds information about people sleeping rough, some of them children or"
    " victims of trafficking. Sign in with your organisation's account to continue."
)
if st.session_state.get("expired") and st.user.is_logged_in:
    st.info(
        f"You were signed in for more than {signin.max_session_hours():g} hours: sign in again.",
        icon=":material/schedule:",
    )
    if st.button("Sign in again", type="primary", key="sign_in_again", icon=":material/login:"):
        data.store().record_event("sign-in expired", {"email": st.user.get("email")})
        st.session_state.pop("expired", None)
        st.logout()
    st.stop()
auth = signin.auth_settings() or {}
for name in signin.providers(auth):
    label = "Sign in" if name is None else f"Sign in with {plain(name)}"
    if st.button(
        label, type="primary", key=f"sign_in_{name or 'default'}", icon=":material/login:"
    ):
        if name is None:
            st.login()
        else:
            st.login(name)
