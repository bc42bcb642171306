"""What people decide, kept beside the data: closed safeguarding items, users and their roles,
settings, and data-sharing agreements between councils. Each is made here, checked and
stamped, before a backend keeps it.

Closures are append-only (an item closed twice has two rows; the latest counts). Users and
settings are replaced in place; every change is in the audit log (:mod:`geo.store.audit`),
written in the same transaction, so their history is never lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from geo.errors import StoreError
from geo.privacy.roles import ROLES
from geo.store.audit import current_actor

#: The columns of :meth:`geo.store.Store.closures`.
CLOSURE_COLUMNS: Final[tuple[str, ...]] = ("key", "closed_by", "closed_at", "reason")
#: The columns of :meth:`geo.store.Store.users`.
USER_COLUMNS: Final[tuple[str, ...]] = (
    "email",
    "role",
    "agency",
    "added_by",
    "added_at",
    "council",
)
#: The columns of :meth:`geo.store.Store.sharing`: ``from_council`` shares its records with
#: ``to_council`` from ``at`` until ``ended_at`` (None: in force).
SHARING_COLUMNS: Final[tuple[str, ...]] = (
    "from_council",
    "to_council",
    "by",
    "reason",
    "at",
    "ended_at",
    "ended_by",
)
#: The columns of a stored setting.
SETTING_COLUMNS: Final[tuple[str, ...]] = ("name", "value", "changed_by", "changed_at", "reason")

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: A council's code as boundary files carry it (ONS: ``E06000043``); letters, digits, - and _.
_COUNCIL: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Closure:
    """One closed safeguarding item: its key, who closed it, when (UTC ISO 8601) and why."""

    key: str
    closed_by: str
    closed_at: str
    reason: str

    @classmethod
    def new(cls, *, key: str, by: str, reason: str) -> Closure:
        """A closure stamped now; a ``StoreError`` says what is missing."""
        texts = {"key": key, "who closed it (a name)": by, "a reason": reason}
        for what, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise StoreError(f"give {what}: a closed item is kept with who closed it and why")
        return cls(key.strip(), by.strip(), _now(), reason.strip())


@dataclass(frozen=True)
class User:
    """Someone who may sign in: their email (as the identity provider gives it, lower case),
    role, the agency they belong to, who first added them when (later changes are in the
    audit log), and the council they are bound to (None: not bound, every council's records,
    as in a single-council deployment)."""

    email: str
    role: str
    agency: str | None
    added_by: str
    added_at: str
    council: str | None = None

    @classmethod
    def new(
        cls, email: str, *, role: str, agency: str | None = None, council: str | None = None
    ) -> User:
        """A user added now by the current actor; a ``StoreError`` says what is wrong."""
        address = normalise_email(email)
        if role not in ROLES:
            raise StoreError(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
        agency = str(agency).strip() or None if agency is not None else None
        council = None if council is None else normalise_council(council)
        return cls(address, role, agency, current_actor().user, _now(), council)


@dataclass(frozen=True)
class Setting:
    """A setting's value (JSON-ready), who changed it last, when, and why."""

    name: str
    value: object
    changed_by: str
    changed_at: str
    reason: str | None

    @classmethod
    def new(cls, name: str, value: object, *, reason: str | None) -> Setting:
        """A setting changed now by the current actor."""
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            raise StoreError(f"{name!r} is not a setting name (lower case words joined by _)")
        try:
            json.dumps(value)
        except TypeError as err:
            raise StoreError(f"setting {name}: {value!r} cannot be kept ({err})") from err
        reason = str(reason).strip() or None if reason is not None else None
        return cls(name, value, current_actor().user, _now(), reason)


@dataclass(frozen=True)
class Agreement:
    """A data-sharing agreement: ``from_council``'s records may be read by ``to_council``'s
    users, agreed by ``by`` at ``at`` (UTC ISO 8601) for ``reason``; ``ended_at`` and
    ``ended_by`` once it has been ended (agreements are ended, never removed)."""

    from_council: str
    to_council: str
    by: str
    reason: str
    at: str
    ended_at: str | None = None
    ended_by: str | None = None

    @classmethod
    def new(cls, from_council: str, to_council: str, *, by: str, reason: str) -> Agreement:
        """An agreement made now; a ``StoreError`` says what is wrong or missing."""
        giver, taker = normalise_council(from_council), normalise_council(to_council)
        if giver == taker:
            raise StoreError(
                f"a council reads its own records already; give two different councils, not"
                f" {giver} twice"
            )
        for what, value in {"who agreed it (a name)": by, "a reason": reason}.items():
            if not isinstance(value, str) or not value.strip():
                raise StoreError(
                    f"give {what}: a sharing agreement is kept with who made it and why (the"
                    " data-sharing agreement's reference)"
                )
        return cls(giver, taker, by.strip(), reason.strip(), _now())


def normalise_council(code: object) -> str:
    """A council's code, stripped (kept as its wards' file writes it); a ``StoreError`` if it
    is not one."""
    text = str(code or "").strip()
    if not _COUNCIL.fullmatch(text):
        raise StoreError(
            f"{code!r} is not a council code; give the code its wards' boundary file carries as"
            " their parent (e.g. E06000043)"
        )
    return text


def now() -> str:
    """The time now, as registers stamp it (UTC ISO 8601, to the second)."""
    return _now()


def normalise_email(email: object) -> str:
    """``email`` stripped and in lower case; a ``StoreError`` if it is not an email address."""
    address = str(email or "").strip().lower()
    if not _EMAIL.fullmatch(address):
        raise StoreError(f"{email!r} is not an email address (a user is known by their email)")
    return address
