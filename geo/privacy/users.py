"""Who may sign in, with which role, agency and council; the data-sharing agreements between
councils, the settings only admins change; the audit log only admins read.

The app's own users table decides a signed-in person's role, read afresh on every rerun
(:func:`access_for`), so removing someone takes effect at once. Nothing a browser sends (the
identity provider's claims included) ever names a role. Admins manage users on the Users page;
the command line manages them too (``python -m geo users add EMAIL --role admin``), which is
how the first admin is made: whoever can run commands on the server already holds the store.

In a partnership of councils, a user bound to a council reads only the records of their
council's wards and of councils sharing with it (:meth:`geo.store.Store.records`): the council
comes from the users table on every rerun, as the role does, and travels with the actor
(:class:`geo.store.audit.Actor`). Only admins record or end an agreement, each audited with who
and why. An admin bound to a council manages only their council's side: users bound to it
(the only ones they see; new users are bound to it), agreements sharing its own records, and
none of the settings, which hold for every council; an admin bound to none manages everything.

Settings are off until an admin turns them on. :data:`POLICE_NATIONALITY` lets police see
nationality groups and no recourse to public funds (NRPF), which they do not by default: in
2017 a partnership's nationality data reached immigration enforcement and outreach lost the
trust of the people it helps. Turning it on needs a reason (the data protection impact
assessment's reference); every change of a setting is audited with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from geo.analysis.ward_figures import NATIONALITY_COLUMNS
from geo.errors import AccessDenied, StoreError
from geo.privacy.roles import Role, check_role
from geo.store import Store
from geo.store.audit import current_actor
from geo.store.registers import Agreement, Setting, User, normalise_council, normalise_email

__all__ = [
    "POLICE_NATIONALITY",
    "Access",
    "access_for",
    "add_user",
    "agreements",
    "audit_log",
    "change_setting",
    "check_can_manage",
    "end_share",
    "police_see_nationality",
    "remove_user",
    "share",
    "users",
    "withheld",
]

#: Police see nationality groups and NRPF (default: off; on only with a recorded reason).
POLICE_NATIONALITY: Final = "police_see_nationality"
#: Figure columns about immigration status: nationality groups and no recourse to public funds.
IMMIGRATION_COLUMNS: Final[tuple[str, ...]] = (*NATIONALITY_COLUMNS.values(), "nrpf")
#: Every setting, with its default and what it means.
SETTINGS: Final[dict[str, tuple[object, str]]] = {
    POLICE_NATIONALITY: (
        False,
        "police see nationality groups and no recourse to public funds (NRPF)",
    ),
}


@dataclass(frozen=True)
class Access:
    """What a signed-in person may do: their role, the agency they belong to, and the
    council they are bound to (None: not bound)."""

    email: str
    role: Role
    agency: str | None
    council: str | None = None


def check_can_manage(role: Role) -> None:
    """Raise ``AccessDenied`` unless ``role`` manages users, settings and the audit log."""
    if check_role(role) != "admin":
        raise AccessDenied(f"the {role} role cannot manage users or settings; ask an admin")


def access_for(store: Store, email: object) -> Access | None:
    """The role, agency and council of the person signed in as ``email``, or None if the
    users table does not know them (then they see only whom to ask). Read afresh: never cache
    it."""
    try:
        address = normalise_email(email)
    except StoreError:  # no address from the provider: unknown, not an error
        return None
    table = store.users()
    row = table.loc[table["email"] == address]
    if row.empty:
        return None
    role, agency, council = (row[name].iloc[0] for name in ("role", "agency", "council"))
    return Access(
        address,
        check_role(role),
        None if pd.isna(agency) else str(agency),
        None if pd.isna(council) else str(council),
    )


def users(store: Store, *, role: Role) -> pd.DataFrame:
    """Everyone who may sign in, for an admin; for an admin bound to a council, the users
    bound to it (those they manage)."""
    check_can_manage(role)
    table = store.users()
    own = current_actor().council
    if own is None:
        return table
    return table.loc[table["council"].eq(own).to_numpy()].reset_index(drop=True)


def add_user(
    store: Store,
    email: str,
    *,
    role: Role,
    new_role: str,
    agency: str | None = None,
    council: str | None = None,
    unbind: bool = False,
) -> User:
    """Add a user with ``new_role`` (or change theirs), as ``role`` (an admin); ``council``
    binds them to a council (its code, the parent code of its wards), ``unbind`` takes
    theirs away."""
    check_can_manage(role)
    own = current_actor().council
    if own is not None:
        council = _in_own_council(store, email, own=own, council=council, unbind=unbind)
    return store.put_user(email, role=new_role, agency=agency, council=council, unbind=unbind)


def remove_user(store: Store, email: str, *, role: Role) -> bool:
    """Remove a user, as ``role`` (an admin); False if there was none. The store refuses to
    remove or demote the last admin: nobody could manage users after."""
    check_can_manage(role)
    own = current_actor().council
    if own is not None:
        _in_own_council(store, email, own=own)
    return store.remove_user(email)


def _in_own_council(
    store: Store,
    email: str,
    *,
    own: str,
    council: str | None = None,
    unbind: bool = False,
) -> str:
    """The council an admin bound to ``own`` gives the user ``email``: their own, always.

    They may not unbind anyone nor bind anyone to another council, and may not change or
    remove a user bound to another council or to none (who reads more than their council
    does): otherwise they could let their council's users, or themselves, read more.
    """
    if unbind or (council is not None and normalise_council(council) != own):
        raise AccessDenied(
            f"you are bound to council {own}: you may bind users to {own} only; an admin bound"
            " to no council binds them elsewhere or takes their council away"
        )
    existing = access_for(store, email)
    if existing is not None and existing.council != own:
        where = f"council {existing.council}" if existing.council else "no council"
        raise AccessDenied(
            f"{existing.email} is bound to {where}; only an admin bound to no council changes"
            " or removes them"
        )
    return own


def agreements(store: Store, *, role: Role) -> pd.DataFrame:
    """Every data-sharing agreement between councils, in force or ended, for an admin."""
    check_can_manage(role)
    return store.sharing()


def share(
    store: Store, from_council: str, to_council: str, *, role: Role, reason: str
) -> Agreement:
    """Let ``to_council``'s users read ``from_council``'s records, as ``role`` (an admin),
    with ``reason`` (the data-sharing agreement's reference); audited."""
    check_can_manage(role)  # the agreement itself checks the councils and the reason
    own = current_actor().council
    if own is not None and normalise_council(from_council) != own:
        raise AccessDenied(
            f"you are bound to council {own}: you may share {own}'s own records only (the"
            f" council whose records they are records the agreement), not {from_council}'s"
        )
    return store.share(from_council, to_council, by=current_actor().user, reason=reason)


def end_share(store: Store, from_council: str, to_council: str, *, role: Role) -> Agreement:
    """End the agreement letting ``to_council`` read ``from_council``'s records, as ``role``
    (an admin); audited. Takes effect on the next read."""
    check_can_manage(role)
    own = current_actor().council
    if own is not None and own not in {
        normalise_council(from_council),
        normalise_council(to_council),
    }:
        raise AccessDenied(
            f"you are bound to council {own}: you may end only agreements {own} is party to"
        )
    return store.end_share(from_council, to_council, by=current_actor().user)


def setting(store: Store, name: str) -> object:
    """A setting's value: as changed by an admin, else its default."""
    if name not in SETTINGS:
        raise KeyError(f"no setting {name!r}; settings are {', '.join(SETTINGS)}")
    kept = store.settings().get(name)
    return SETTINGS[name][0] if kept is None else kept.value


def police_see_nationality(store: Store) -> bool:
    """Whether police see nationality groups and NRPF (off unless an admin turned it on)."""
    return bool(setting(store, POLICE_NATIONALITY))


def change_setting(
    store: Store, name: str, value: object, *, role: Role, reason: str | None
) -> Setting:
    """Change a setting, as ``role`` (an admin), with ``reason``; turning on what widens who
    sees personal data needs a reason (the data protection impact assessment's reference)."""
    check_can_manage(role)
    if current_actor().council is not None:
        raise AccessDenied(
            f"you are bound to council {current_actor().council}, and settings hold for every"
            " council: an admin bound to no council changes them"
        )
    if name not in SETTINGS:
        raise AccessDenied(f"no setting {name!r}; settings are {', '.join(SETTINGS)}")
    if value and not str(reason or "").strip():
        raise AccessDenied(
            f"give a reason to turn on '{SETTINGS[name][1]}': the data protection impact"
            " assessment's reference, kept with the change"
        )
    return store.change_setting(name, value, reason=reason)


def withheld(store: Store, role: Role) -> tuple[str, ...]:
    """Figure columns ``role`` does not get at all: for police, nationality groups and NRPF
    unless an admin turned :data:`POLICE_NATIONALITY` on."""
    if role == "police" and not police_see_nationality(store):
        return IMMIGRATION_COLUMNS
    return ()


def audit_log(store: Store, *, role: Role) -> pd.DataFrame:
    """The audit log, oldest first, for an admin. Nobody edits it through the app."""
    check_can_manage(role)
    return store._audit_rows()
