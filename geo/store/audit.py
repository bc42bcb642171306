"""Who is acting, for the audit log every store keeps.

Every write a store makes (an import, a link decision, a closed safeguarding item, a user or a
setting changed, records purged) adds a row to its audit log in the same transaction, naming
who did it: the actor set here. The app sets it on every rerun from the signed-in user
(:func:`set_actor`); the command line leaves it unset, and the actor is the operating-system
user at the command line. Reads that matter (page views with their filters, exports,
downloads, sign-ins) are added with :meth:`geo.store.Store.record_event`.

The log is append-only: the store offers no way to change or remove a row, and the embedded
store's own triggers refuse an UPDATE or DELETE on it.
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "AUDIT_COLUMNS",
    "Actor",
    "Event",
    "acting_as",
    "current_actor",
    "set_actor",
]

#: The columns of the audit log, oldest first by ``seq``.
AUDIT_COLUMNS: Final[tuple[str, ...]] = ("seq", "at", "user", "role", "action", "detail")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user's email (or a name), their role if they have one, and
    the council they are bound to, if any (its code: the ``parent_code`` of its wards).

    A bound actor reads only the records of their council's wards and of councils sharing
    with it (:meth:`geo.store.Store.records`), whatever question asks: the council travels
    with the actor, so no question can forget to pass it. ``None`` is not bound (a
    single-council deployment, the command line): every record, as before.
    """

    user: str
    role: str | None = None
    council: str | None = None


@dataclass(frozen=True)
class Event:
    """One row for the audit log: what was done (``action``, a short fixed phrase such as
    ``"import"`` or ``"user added"``) and its details (JSON-ready, never a record's contents)."""

    action: str
    detail: Mapping[str, object]

    def row(self) -> tuple[str, str, str | None, str, str]:
        """``(at, user, role, action, detail)`` for the store, stamped now, by the actor."""
        actor = current_actor()
        return (
            datetime.now(UTC).isoformat(timespec="seconds"),
            actor.user,
            actor.role,
            self.action,
            json.dumps(dict(self.detail), default=str, sort_keys=True),
        )


_ACTOR: ContextVar[Actor | None] = ContextVar("outreach_atlas_actor", default=None)


def current_actor() -> Actor:
    """The actor set for this thread of work, else the operating-system user, as the command
    line runs."""
    actor = _ACTOR.get()
    if actor is not None:
        return actor
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        name = "unknown"
    return Actor(user=f"{name} (command line)")


def set_actor(actor: Actor | None) -> None:
    """Set who is acting from now on in this thread of work (the app: on every rerun)."""
    _ACTOR.set(actor)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Act as ``actor`` inside the ``with`` block, then as before."""
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)
