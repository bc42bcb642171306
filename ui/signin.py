"""Who is using the app: signed in through the organisation's identity provider, or, with none
configured, one local user on this computer.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` (see ``secrets.example.toml``),
everyone signs in with ``st.login`` (OpenID Connect: Entra ID, ADFS, Keycloak; several named
providers for partners from other organisations). Their role and agency come from the app's own
users table, read afresh on every rerun (:func:`geo.privacy.users.access_for`): removing
someone takes effect at their next click. A signed-in person the table does not know sees only
whom to ask. A sign-in older than :func:`max_session_hours` must be made again.

With no identity provider the app is one local user with the coordinator role, listening on
127.0.0.1 only (:func:`check_listening` refuses anything else before the server starts), and
every page says so. On the synthetic demo borough alone, that local user may look through each
role's eyes ("View as"): the demo holds no real person, and it is how a partnership tries the
app before it is set up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import streamlit as st
from streamlit import config

from geo.errors import AtlasError
from geo.privacy import ROLES
from geo.privacy.users import Access, access_for
from geo.store import Store
from geo.store.audit import Actor, set_actor

#: Addresses the app may listen on without sign-in: this computer only.
LOCAL_ADDRESSES: Final = frozenset({"127.0.0.1", "localhost", "::1"})
#: Hours a sign-in lasts before it must be made again (``OUTREACH_ATLAS_SESSION_HOURS``).
SESSION_HOURS_ENV: Final = "OUTREACH_ATLAS_SESSION_HOURS"
DEFAULT_SESSION_HOURS: Final = 12.0
#: The one user of an app with no identity provider.
LOCAL_USER: Final = "local user"
#: Who the audit log names for what the app writes before anyone is known (the demo's build).
APP_ACTOR: Final = "the app, before sign-in"
_NEEDED: Final = ("client_id", "client_secret", "server_metadata_url")
#: Headers a reverse proxy adds: their presence means the view did not come from this computer.
_PROXY_HEADERS: Final = frozenset(
    {"x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host", "x-forwarded-proto"}
)


class SignInSetupError(AtlasError):
    """Sign-in is half set up: a secrets file that cannot be read, or an ``[auth]`` section
    with no complete provider. The app stops rather than fall back to no sign-in."""


def auth_settings() -> Mapping[str, object] | None:
    """The ``[auth]`` section of the secrets; None if there are no secrets or no ``[auth]``.

    Raises
    ------
    SignInSetupError
        A secrets file exists but cannot be read, or ``[auth]`` names no complete provider:
        falling back to no sign-in would let anyone who reaches the app in as a coordinator.
    """
    files = [Path(f) for f in config.get_option("secrets.files") or []]
    try:
        loaded = st.secrets.load_if_toml_exists()
        auth = st.secrets.get("auth") if loaded else None
    except Exception as err:  # noqa: BLE001 - Streamlit's parse errors have no common type
        raise SignInSetupError(f"the secrets file cannot be read ({err})") from err
    if not loaded and any(f.is_file() for f in files):
        found = ", ".join(str(f) for f in files if f.is_file())
        raise SignInSetupError(f"the secrets file cannot be read ({found}): check its TOML")
    if auth is None:
        return None
    if not isinstance(auth, Mapping) or not providers(auth):
        raise SignInSetupError(
            "[auth] in the secrets names no complete provider: give client_id, client_secret"
            " and server_metadata_url (see .streamlit/secrets.example.toml)"
        )
    return auth


def local_request() -> bool:
    """Whether this page view comes from this computer directly, not through a proxy.

    Without sign-in the app answers only such views: a proxy on the same computer would
    otherwise pass anyone on the network in as the local coordinator."""
    headers = {name.lower() for name in st.context.headers}
    remote = st.context.ip_address  # None from this computer (and no address at all in tests)
    return not isinstance(remote, str) and not headers & _PROXY_HEADERS


def providers(auth: Mapping[str, object]) -> list[str | None]:
    """The named providers (``[auth.NAME]``), or ``[None]`` for one flat ``[auth]`` section."""
    named = [
        name
        for name, value in auth.items()
        if isinstance(value, Mapping) and all(key in value for key in _NEEDED)
    ]
    if named:
        return named
    return [None] if all(key in auth for key in _NEEDED) else []


def check_listening(address: str | None) -> str | None:
    """Why the app must not start listening on ``address``, or None if it may.

    Without sign-in the app is one local user with the coordinator role: it may listen on this
    computer only. ``address`` is Streamlit's ``server.address`` (None or "": every address).
    """
    try:
        configured = auth_settings() is not None
    except SignInSetupError as err:
        return f"sign-in is not set up right: {err}"
    if configured or (address or "") in LOCAL_ADDRESSES:
        return None
    where = address or "every address (server.address is not set)"
    return (
        f"Outreach Atlas will not listen on {where} without sign-in: anyone who could reach it"
        " would be a coordinator and see every record. Either keep server.address ="
        ' "127.0.0.1" (.streamlit/config.toml) and use it on this computer, or configure an'
        " identity provider in .streamlit/secrets.toml ([auth]; see secrets.example.toml and"
        " SECURITY.md) and add users with 'python -m geo users add EMAIL --role ROLE'."
    )


def max_session_hours() -> float:
    """How long a sign-in lasts, in hours (default 12)."""
    try:
        hours = float(os.environ.get(SESSION_HOURS_ENV) or DEFAULT_SESSION_HOURS)
    except ValueError:
        return DEFAULT_SESSION_HOURS
    return hours if hours > 0 else DEFAULT_SESSION_HOURS


def signed_in_at() -> float | None:
    """When the identity provider signed this user in (the token's ``iat``), if it said."""
    for claim in ("iat", "auth_time"):
        value = st.user.get(claim)
        if isinstance(value, (int, float)):
            return float(value)
    return None


def session_expired() -> bool:
    """Whether this sign-in is older than :func:`max_session_hours` (or undated: refused)."""
    at = signed_in_at()
    return at is None or time.time() - at > max_session_hours() * 3600


def local_access(*, demo: bool) -> Access:
    """The local user: a coordinator, or on the demo borough whichever role is being viewed."""
    role = st.session_state.get("role") if demo else None
    return Access(LOCAL_USER, role if role in ROLES else "coordinator", None)


def resolve(store: Store) -> Access | None:
    """This rerun's user, from the identity provider and the users table (None: not known).

    An email the provider says it has not verified (``email_verified`` false) is not known:
    anyone can type an unverified address into some providers' profiles."""
    email = st.user.get("email")
    if not email or st.user.get("email_verified") is False:
        return None
    return access_for(store, email)


def act_as(access: Access) -> None:
    """Make ``access`` the role every page passes to geo/ and the actor the store audits,
    bound to their council (from the users table, on every rerun: never from the browser), so
    every read of records is narrowed to it."""
    st.session_state["role"] = access.role
    set_actor(Actor(access.email, access.role, access.council))


def note_once(store: Store, action: str, detail: Mapping[str, object]) -> None:
    """Add ``action`` to the audit log once per browser session (a sign-in, a refusal)."""
    seen = st.session_state.setdefault("_noted", set())
    if action not in seen:
        store.record_event(action, detail)
        seen.add(action)
