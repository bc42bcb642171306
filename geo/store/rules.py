"""What both backends decide alike around their SQL: the checks and refusals of a register's
write (with their words), the objects it keeps, its audit row's details, which records a
purge or an erasure deletes, and what a copy writes back as it was.

The embedded store (:mod:`geo.store.sqlite_registers`, :mod:`geo.store.sqlite_retention`,
:mod:`geo.store.sqlite_copying`) and the shared one (the ``postgis_`` modules beside them)
keep here everything but their SQL and their transactions, so that the two say and keep the
same things: a rule changed here changes on both.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

import pandas as pd

from geo.errors import StoreError
from geo.schema import ACTIVATION_COLUMNS, LINK_ACTIONS, LINK_DECISION_COLUMNS, LinkAction
from geo.store.audit import Event
from geo.store.base import Activation, CopiedLog, LinkDecision
from geo.store.registers import (
    CLOSURE_COLUMNS,
    SETTING_COLUMNS,
    SHARING_COLUMNS,
    USER_COLUMNS,
    Agreement,
    Closure,
    Setting,
    User,
    normalise_council,
    now,
)

#: The condition a council's deletion adds (its one parameter the council's code): the records
#: of the wards whose council it is, as stored when the deletion runs.
OWN_WARDS: Final = (
    "area_code IN (SELECT area_code FROM areas WHERE layer = 'ward' AND parent_code = {})"
)
#: What a deletion counts, by table, in this order.
DELETED_TABLES: Final[tuple[str, ...]] = ("records", "link_decisions", "safeguarding_closures")
#: Closed safeguarding items named after a record or a person (see geo.analysis.safeguarding).
RECORD_KEY: Final = "record-"
PERSON_KEY: Final = "person-"

#: The import log's columns, in the table's order.
IMPORT_COLUMNS: Final = (
    "batch_id",
    "kind",
    "source",
    "sha256",
    "agency",
    "imported_at",
    "accounting",
)
#: The audit log's columns a copy writes (``seq`` is the new store's own).
AUDIT_WRITTEN: Final = ("at", "user", "role", "action", "detail")


# -- link decisions ------------------------------------------------------------------------
def link_decision(
    *, record_a: str, record_b: str, action: LinkAction, by: str, reason: str | None
) -> LinkDecision:
    """A decision about two records' link, stamped now; a ``StoreError`` says what is wrong."""
    if action not in LINK_ACTIONS:
        raise StoreError(f"a link decision is one of {', '.join(LINK_ACTIONS)}; got {action!r}")
    if not str(by or "").strip():
        raise StoreError("say who decided (a name): a link decision is kept with who made it")
    if str(record_a) == str(record_b):
        raise StoreError(f"record {record_a!r} was given twice; give two different records")
    return LinkDecision(
        record_a=str(record_a),
        record_b=str(record_b),
        action=action,
        decided_by=str(by).strip(),
        decided_at=now(),
        reason=str(reason).strip() or None if reason is not None else None,
    )


def link_event(decision: LinkDecision) -> Event:
    """The audit row of ``decision``."""
    records = [decision.record_a, decision.record_b]
    return Event(f"records {decision.action}ed", {"records": records, "by": decision.decided_by})


def check_records_stored(ids: Sequence[str], found: Collection[str]) -> None:
    """Refuse a link decision naming a record id that is not among ``found`` (those stored)."""
    for record in ids:
        if record not in found:
            raise StoreError(
                f"no record {record!r} in the store; record ids are listed by 'python -m geo links'"
            )


def link_row(decision: LinkDecision) -> tuple[object, ...]:
    """``decision``'s cells in the order of :data:`geo.schema.LINK_DECISION_COLUMNS`."""
    return tuple(getattr(decision, name) for name in LINK_DECISION_COLUMNS)


# -- SWEP activations and closed safeguarding items ----------------------------------------
def activation_event(activation: Activation) -> Event:
    """The audit row of ``activation``: its nights."""
    nights = {"first_night": activation.first_night, "last_night": activation.last_night}
    return Event("cold-weather activation recorded", nights)


def activation_row(activation: Activation) -> tuple[object, ...]:
    """``activation``'s cells in the order of :data:`geo.schema.ACTIVATION_COLUMNS`."""
    return tuple(getattr(activation, name) for name in ACTIVATION_COLUMNS)


def closure_event(closure: Closure) -> Event:
    """The audit row of ``closure``."""
    return Event("safeguarding item closed", {"key": closure.key, "by": closure.closed_by})


# -- users ---------------------------------------------------------------------------------
def user_row(user: User) -> tuple[object, ...]:
    """``user``'s cells in the order of :data:`geo.store.registers.USER_COLUMNS`."""
    return tuple(getattr(user, name) for name in USER_COLUMNS)


def check_unbind(council: str | None, *, unbind: bool) -> None:
    """Refuse to bind a user to a council and unbind them in one write."""
    if unbind and council is not None:
        raise StoreError(
            f"give a council ({council}, --council) or take the user's council away"
            " (--no-council), not both"
        )


def takes_an_admin_away(before: Sequence[object] | None, *, role: str | None) -> bool:
    """Whether a user whose stored row began with the role ``before[0]`` (None: not a user
    yet) taking ``role`` (None: removed) leaves one admin fewer, so that the write must check
    that another is left (:func:`check_an_admin_left`)."""
    return before is not None and before[0] == "admin" and role != "admin"


def check_an_admin_left(leaving: str, *, other_admins: int) -> None:
    """Refuse to take away the last admin (nobody could manage users)."""
    if not other_admins:
        raise StoreError(
            f"{leaving} is the last admin: add another admin first, so someone can still manage"
            " users"
        )


def user_event(user: User, *, before: Sequence[object] | None, kept: Sequence[object]) -> Event:
    """The audit row of putting ``user``: ``before`` is their role, agency and council as they
    were (None: a new user), ``kept`` their stored row (:data:`USER_COLUMNS`) afterwards."""
    stored = stored_user(kept)
    detail = {"email": user.email, "role": user.role, "agency": stored.agency}
    detail |= {"council": stored.council} if stored.council is not None else {}
    if before is not None:
        role_before, agency_before, council_before = before
        detail |= {"role_before": role_before, "agency_before": agency_before}
        detail |= {"council_before": council_before} if stored.council != council_before else {}
    return Event("user added" if before is None else "user changed", detail)


def stored_user(row: Sequence[object]) -> User:
    """A user as stored (a row of :data:`USER_COLUMNS`)."""
    return User(**dict(zip(USER_COLUMNS, row, strict=True)))


def check_still_a_user(address: str, role_before: object | None) -> None:
    """Refuse to remove a user someone else removed meanwhile (``role_before`` is None)."""
    if role_before is None:
        raise StoreError(f"{address} was removed meanwhile")


def removal_event(address: str, role_before: object) -> Event:
    """The audit row of removing the user ``address``, who had ``role_before``."""
    return Event("user removed", {"email": address, "role_before": role_before})


# -- data-sharing agreements ---------------------------------------------------------------
def agreed_event(agreement: Agreement) -> Event:
    """The audit row of recording ``agreement``."""
    detail = {
        "from_council": agreement.from_council,
        "to_council": agreement.to_council,
        "reason": agreement.reason,
    }
    return Event("sharing agreed", detail)


def check_not_in_force(agreement: Agreement, *, in_force: bool) -> None:
    """Refuse a second agreement between two councils while one is ``in_force``."""
    if in_force:
        raise StoreError(
            f"{agreement.from_council} shares its records with {agreement.to_council} already;"
            " end that agreement first to record a new one"
        )


@dataclass(frozen=True)
class Ending:
    """The end of the agreement in force from ``pair[0]`` to ``pair[1]``: by whom and when
    (UTC ISO 8601). Make one with :meth:`new`, which checks the councils and the name."""

    pair: tuple[str, str]
    by: str
    at: str

    @classmethod
    def new(cls, from_council: str, to_council: str, *, by: str) -> Ending:
        """An ending stamped now; a ``StoreError`` says what is wrong or missing."""
        pair = (normalise_council(from_council), normalise_council(to_council))
        if not str(by or "").strip():
            raise StoreError("say who ended it (a name): an agreement is ended with who")
        return cls(pair, str(by).strip(), now())

    def event(self) -> Event:
        """The audit row of this ending."""
        return Event("sharing ended", {"from_council": self.pair[0], "to_council": self.pair[1]})

    def check_found(self, found: object | None) -> None:
        """Refuse to end an agreement that is not in force (``found`` is None)."""
        if found is None:
            raise StoreError(
                f"{self.pair[0]} has no agreement in force sharing with {self.pair[1]}"
            )


# -- settings ------------------------------------------------------------------------------
def setting_row(setting: Setting) -> tuple[object, ...]:
    """``setting``'s cells as stored (:data:`SETTING_COLUMNS`; the value as JSON text)."""
    return (
        setting.name,
        json.dumps(setting.value),
        setting.changed_by,
        setting.changed_at,
        setting.reason,
    )


def stored_setting(row: Sequence[Any]) -> Setting:
    """A setting as stored (a row of :data:`SETTING_COLUMNS`, the value as JSON text)."""
    name, value, by, at, reason = row
    return Setting(name, json.loads(value), by, at, reason)


def setting_event(setting: Setting, *, before: str | None) -> Event:
    """The audit row of changing ``setting``, whose stored value was ``before`` (JSON text;
    None: it had none)."""
    detail = {"name": setting.name, "value": setting.value, "reason": setting.reason}
    detail["before"] = None if before is None else json.loads(before)
    return Event("setting changed", detail)


# -- purges and erasures -------------------------------------------------------------------
@dataclass(frozen=True)
class Deletion:
    """A purge or an erasure as the audit log says it, and the person references ``refs`` an
    erasure takes (a purge's cut is its ``kept_from_night``). The link decisions naming the
    records deleted and the closed items gone with them (:data:`RECORD_KEY`,
    :data:`PERSON_KEY`) follow the records."""

    action: str
    detail: Mapping[str, object]
    refs: tuple[str, ...] = ()
    #: Only the records of this council's wards (None: wherever they are): see
    #: :meth:`by_council` and :data:`OWN_WARDS`.
    council: str | None = None

    @classmethod
    def purge(cls, before: date) -> Deletion:
        """The records of the nights before ``before`` (the first night kept)."""
        if isinstance(before, datetime) or not isinstance(before, date):
            raise StoreError(
                f"give the first night to keep as a date, e.g. 2024-11-28; got {before!r}"
            )
        return cls("records purged", {"kept_from_night": before.isoformat()})

    @classmethod
    def erasure(cls, person_refs: Sequence[str], *, detail: Mapping[str, object]) -> Deletion:
        """The records of ``person_refs`` (keyed hashes), erased at a person's request."""
        refs = sorted({str(ref) for ref in person_refs if ref is not None and str(ref)})
        if not refs:
            raise StoreError("give at least one person reference (its keyed hash) to erase")
        return cls("person erased", detail, refs=tuple(refs))

    def by_council(self, council: str | None) -> Deletion:
        """This deletion as a user bound to ``council`` makes it: the records of their own
        council's wards only, never another council's, even one sharing its records with them,
        nor those outside every ward; the audit row names the council. Unchanged for a user
        bound to none (``None``). The backends add :data:`OWN_WARDS` to what they delete, so
        the wards are read in the deletion's own transaction."""
        if council is None:
            return self
        return replace(self, detail={**self.detail, "council": council}, council=council)

    def event(self, counts: Mapping[str, int]) -> Event:
        """The audit row of this deletion, with what it deleted by table."""
        return Event(self.action, {**self.detail, "deleted": counts})


# -- copying a whole store -----------------------------------------------------------------
def restored_rows(log: CopiedLog) -> dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]]:
    """What :meth:`geo.store.base.Store.restore_log` writes, by table in the order written:
    the columns, and the rows as they were (missing values as None)."""
    imports = log.imports.iloc[::-1].assign(
        accounting=log.imports["accounting"]
        .iloc[::-1]
        .map(lambda kept: json.dumps(kept, default=str))
    )
    settings = [setting_row(setting) for setting in log.settings.values()]
    return {
        "imports": (IMPORT_COLUMNS, _cells(imports, IMPORT_COLUMNS)),
        "link_decisions": (
            LINK_DECISION_COLUMNS,
            _cells(log.link_decisions, LINK_DECISION_COLUMNS),
        ),
        "activations": (ACTIVATION_COLUMNS, _cells(log.activations, ACTIVATION_COLUMNS)),
        "safeguarding_closures": (CLOSURE_COLUMNS, _cells(log.closures, CLOSURE_COLUMNS)),
        "users": (USER_COLUMNS, _cells(log.users, USER_COLUMNS)),
        "sharing": (SHARING_COLUMNS, _cells(log.sharing, SHARING_COLUMNS)),
        "settings": (SETTING_COLUMNS, settings),
        "audit": (AUDIT_WRITTEN, _cells(log.audit, AUDIT_WRITTEN)),
    }


def _cells(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    """``frame``'s ``columns`` as rows, in order (missing values as None)."""
    cells = frame.loc[:, list(columns)].astype(object)
    return list(cells.where(cells.notna(), None).itertuples(index=False, name=None))
