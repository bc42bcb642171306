"""Outreach Atlas, run on every page view: sets up the page, who is using it, and the
navigation of the pages their role may open.

Start it with ``streamlit run streamlit_app.py`` (which checks where it may listen first). Until
a real store is begun (on the Import page) it shows the synthetic demo borough, built in a store
of its own on first start, and says so. Who is using it comes from the identity provider and the
users table, or is the one local user (:mod:`ui.signin`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(
    page_title="Outreach Atlas",
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),  # local: no icon CDN
    layout="wide",
)

# The first start of a fresh install compiles the geospatial stack for a few seconds: say so.
starting = st.empty()
starting.caption("Starting Outreach Atlas...")

from geo.errors import AtlasError  # noqa: E402  (set_page_config must come first)
from geo.privacy import ROLES  # noqa: E402
from geo.store.audit import Actor, set_actor  # noqa: E402
from ui import data, session, signin  # noqa: E402
from ui.pages import ACCESS_PAGE, SIGN_IN_PAGE, pages_for  # noqa: E402
from ui.text import plain  # noqa: E402

starting.empty()
# until the user is known, what the app writes (the demo built on first start) is the app's
set_actor(Actor(signin.APP_ACTOR))

try:
    current = data.store()
    built = data.ensure_demo(current)
except AtlasError as err:
    st.error(f"The store cannot be opened: {err}")
    st.stop()

if built:
    st.info(
        "No store was found, so the **synthetic demo borough** was built and loaded. "
        "It is made-up data: no real people or places. To use your own files, start a real "
        "store on the Import page: the demo is kept apart in a store of its own."
    )
elif data.wards(current.location, data.keys(current)[0]).empty:
    st.info(
        "This store is empty. Import your ward boundaries first (on the Import page, or"
        " `python -m geo import wards FILE`), then your postcode directory and records."
    )

try:
    auth = signin.auth_settings()
except AtlasError as err:
    st.error(f"Sign-in is not set up right, so nobody is let in: {plain(err)}.")
    st.stop()
demo = data.is_demo(current)
if auth is None and not signin.local_request():
    st.error(
        "This Outreach Atlas has no sign-in, so it only answers on the computer it runs on."
        " To use it from elsewhere, ask whoever runs it to configure sign-in (SECURITY.md)."
    )
    st.stop()
if auth is None:
    access = signin.local_access(demo=demo)
elif not st.user.is_logged_in:
    st.navigation([st.Page(SIGN_IN_PAGE, title="Sign in", icon=":material/login:")]).run()
    st.stop()
elif signin.session_expired():  # the sign-in page says why and signs them out
    st.session_state["expired"] = True
    st.navigation([st.Page(SIGN_IN_PAGE, title="Sign in", icon=":material/login:")]).run()
    st.stop()
else:
    access = signin.resolve(current)
    if access is None:  # signed in, but the users table does not know them: whom to ask
        signin.note_once(current, "access refused", {"email": st.user.get("email")})
        st.navigation([st.Page(ACCESS_PAGE, title="No access yet", icon=":material/block:")]).run()
        st.stop()
signin.act_as(access)

with st.sidebar:
    if auth is None:
        st.caption(
            "**Local mode**: no sign-in; one user on this computer"
            + (", looking through each role's eyes on the demo." if demo else ", as coordinator.")
            + " To let others in, configure sign-in (SECURITY.md)."
        )
    if auth is None and demo:
        st.selectbox(
            "View as",
            ROLES,
            key="role",
            help="On the synthetic demo borough only, see what each role gets. With real data,"
            " each person's role comes from the users table when they sign in.",
        )
    elif auth is not None:
        agency = f", {plain(access.agency)}" if access.agency else ""
        st.caption(f"Signed in as **{plain(access.email)}** ({access.role}{agency})")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            current.record_event("sign out", {})
            st.logout()
            st.stop()
    if demo:
        st.warning(data.DEMO_LABEL, icon=":material/science:")
if auth is not None:
    signin.note_once(current, "sign in", {"provider": st.user.get("iss")})

# Only the pages this role may open are registered: the others cannot be reached at all.
pages = [
    st.Page(page.path, title=page.title, icon=page.icon, default=i == 0)
    for i, page in enumerate(pages_for(session.role()))
]
chosen = st.navigation(pages)
try:  # before the page: nothing is shown that the audit log has not heard of
    session.log_view(current, chosen.title)
except AtlasError as err:
    st.error(f"The audit log cannot be written, so the page is not shown: {plain(err)}")
    st.stop()
chosen.run()
