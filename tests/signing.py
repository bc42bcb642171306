"""Signing a test user in, for AppTest: an ``[auth]`` section in the test's secrets (nothing is
ever fetched from it: ``st.login`` is not called), ``st.user`` seeded as the identity provider
would leave it, and the user's role in the store's users table, as an admin would put it."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from geo.store import Store, default_store_path, open_store

#: A provider that is configured but never reached (port 9 is discard).
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-not-a-secret",
    "client_id": "outreach-atlas",
    "client_secret": "test-only-not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def email_for(role: str) -> str:
    return f"{role}@partnership.example"


def signed_in(
    at: AppTest,
    store: Store | None,
    role: str | None,
    *,
    email: str | None = None,
    signed_in_at: float | None = None,
) -> AppTest:
    """``at`` with a signed-in user whose ``role`` (unless None) is put in the users table of
    ``store`` (None: the store the app opens, from ``OUTREACH_ATLAS_STORE``)."""
    email = email or email_for(role or "nobody")
    if role is not None:
        (store or open_store(default_store_path())).put_user(email, role=role)
    at.secrets["auth"] = AUTH
    at.user = {
        "is_logged_in": True,
        "email": email,
        "iss": "http://127.0.0.1:9",
        "iat": time.time() if signed_in_at is None else signed_in_at,
    }
    return at
