"""The shared store's registers: link decisions, cold-weather activations, closed safeguarding
items, users, data-sharing agreements, settings and the audit log (a part of
:class:`geo.store.postgis.PostGISStore`).

The same semantics as the embedded store's (:mod:`geo.store.sqlite_registers`): each write is
one transaction under the write lock, moves the version on, and adds its audit row in the same
transaction; the check that keeps a last admin runs inside it. Rows come back in the order
added (an identity column), and names in code-point order (``COLLATE "C"``), as SQLite sorts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from geo.schema import ACTIVATION_COLUMNS, LINK_DECISION_COLUMNS, LinkAction
from geo.store import rules
from geo.store.audit import AUDIT_COLUMNS, Event
from geo.store.base import Activation, LinkDecision
from geo.store.registers import (
    CLOSURE_COLUMNS,
    SHARING_COLUMNS,
    USER_COLUMNS,
    Agreement,
    Closure,
    Setting,
    User,
    normalise_email,
)

if TYPE_CHECKING:
    import psycopg

#: How long an audit row on its own (a page view, a download) waits for another write, as
#: the embedded store's does.
EVENT_WAIT_MS = 10_000


def _listed(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class PostGISRegisters:
    """The registers' half of :class:`geo.store.postgis.PostGISStore`, written with its
    ``_transaction`` and ``_reading``."""

    def _rows(self, query: str, columns: tuple[str, ...]) -> pd.DataFrame:
        with self._reading() as db:
            rows = db.execute(query).fetchall()
        return pd.DataFrame.from_records(rows, columns=list(columns), nrows=len(rows))

    # -- link decisions --------------------------------------------------------------------
    def add_link_decision(
        self,
        *,
        record_a: str,
        record_b: str,
        action: LinkAction,
        by: str,
        reason: str | None = None,
    ) -> LinkDecision:
        decision = rules.link_decision(
            record_a=record_a, record_b=record_b, action=action, by=by, reason=reason
        )
        ids = [decision.record_a, decision.record_b]
        with self._transaction(event=rules.link_event(decision)) as db:
            query = "SELECT record_id FROM records WHERE record_id = ANY(%s)"
            rules.check_records_stored(ids, {row[0] for row in db.execute(query, (ids,))})
            db.execute(
                f"INSERT INTO link_decisions ({_listed(LINK_DECISION_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                rules.link_row(decision),
            )
        return decision

    def link_decisions(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {_listed(LINK_DECISION_COLUMNS)} FROM link_decisions ORDER BY seq",
            LINK_DECISION_COLUMNS,
        )

    # -- SWEP activations ------------------------------------------------------------------
    def add_activation(
        self, first: date, last: date, *, by: str, note: str | None = None
    ) -> Activation:
        activation = Activation.new(first, last, by=by, note=note)
        with self._transaction(event=rules.activation_event(activation)) as db:
            db.execute(
                f"INSERT INTO activations ({_listed(ACTIVATION_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s)",
                rules.activation_row(activation),
            )
        return activation

    def activations(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {_listed(ACTIVATION_COLUMNS)} FROM activations ORDER BY seq",
            ACTIVATION_COLUMNS,
        )

    # -- closed safeguarding items ---------------------------------------------------------
    def add_closure(self, *, key: str, by: str, reason: str) -> Closure:
        closure = Closure.new(key=key, by=by, reason=reason)
        with self._transaction(event=rules.closure_event(closure)) as db:
            db.execute(
                f"INSERT INTO safeguarding_closures ({_listed(CLOSURE_COLUMNS)})"
                " VALUES (%s, %s, %s, %s)",
                astuple(closure),
            )
        return closure

    def closures(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {_listed(CLOSURE_COLUMNS)} FROM safeguarding_closures ORDER BY seq",
            CLOSURE_COLUMNS,
        )

    # -- users -----------------------------------------------------------------------------
    def users(self) -> pd.DataFrame:
        return self._rows(
            f'SELECT {_listed(USER_COLUMNS)} FROM users ORDER BY email COLLATE "C"', USER_COLUMNS
        )

    def put_user(
        self,
        email: str,
        *,
        role: str,
        agency: str | None = None,
        council: str | None = None,
        unbind: bool = False,
    ) -> User:
        rules.check_unbind(council, unbind=unbind)
        user = User.new(email, role=role, agency=agency, council=council)
        with self._transaction() as db:
            before = db.execute(
                "SELECT role, agency, council FROM users WHERE email = %s FOR UPDATE",
                (user.email,),
            ).fetchone()
            if rules.takes_an_admin_away(before, role=user.role):
                _keep_an_admin(db, user.email)
            # a new role keeps the agency and council unless given (or unbound), and who added
            # them when
            db.execute(
                f"INSERT INTO users ({_listed(USER_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (email) DO UPDATE SET role = excluded.role,"
                " agency = COALESCE(excluded.agency, users.agency),"
                " council = CASE WHEN %s THEN NULL"
                " ELSE COALESCE(excluded.council, users.council) END",
                (*rules.user_row(user), bool(unbind)),
            )
            kept = db.execute(
                f"SELECT {_listed(USER_COLUMNS)} FROM users WHERE email = %s", (user.email,)
            ).fetchone()
            write_audit(db, rules.user_event(user, before=before, kept=kept))
        return rules.stored_user(kept)

    def remove_user(self, email: str) -> bool:
        address = normalise_email(email)
        if address not in set(self.users()["email"]):
            return False  # nothing to write: the version and the audit log stay as they are
        with self._transaction() as db:
            before = db.execute(
                "SELECT role FROM users WHERE email = %s FOR UPDATE", (address,)
            ).fetchone()
            rules.check_still_a_user(address, before)
            if rules.takes_an_admin_away(before, role=None):
                _keep_an_admin(db, address)
            db.execute("DELETE FROM users WHERE email = %s", (address,))
            write_audit(db, rules.removal_event(address, before[0]))
        return True

    # -- councils and data-sharing agreements ----------------------------------------------
    def ward_councils(self) -> pd.Series:
        frame = self._rows(
            "SELECT area_code, parent_code FROM areas WHERE layer = 'ward'"
            ' ORDER BY area_code COLLATE "C"',
            ("area_code", "parent_code"),
        )
        return frame.set_index("area_code")["parent_code"].astype(object)

    def sharing(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {_listed(SHARING_COLUMNS)} FROM sharing ORDER BY seq", SHARING_COLUMNS
        )

    def share(self, from_council: str, to_council: str, *, by: str, reason: str) -> Agreement:
        agreement = Agreement.new(from_council, to_council, by=by, reason=reason)
        pair = (agreement.from_council, agreement.to_council)
        with self._transaction(event=rules.agreed_event(agreement)) as db:
            rules.check_not_in_force(agreement, in_force=_in_force(db, pair) is not None)
            db.execute(
                f"INSERT INTO sharing ({_listed(SHARING_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                astuple(agreement),
            )
        return agreement

    def end_share(self, from_council: str, to_council: str, *, by: str) -> Agreement:
        ending = rules.Ending.new(from_council, to_council, by=by)
        with self._transaction(event=ending.event()) as db:
            found = _in_force(db, ending.pair)
            ending.check_found(found)
            row = db.execute(
                f"UPDATE sharing SET ended_at = %s, ended_by = %s WHERE seq = %s"
                f" RETURNING {_listed(SHARING_COLUMNS)}",
                (ending.at, ending.by, found),
            ).fetchone()
        return Agreement(*row)

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> dict[str, Setting]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT name, value, changed_by, changed_at, reason FROM settings"
                ' ORDER BY name COLLATE "C"'
            ).fetchall()
        return {row[0]: rules.stored_setting(row) for row in rows}

    def change_setting(self, name: str, value: object, *, reason: str | None = None) -> Setting:
        setting = Setting.new(name, value, reason=reason)
        with self._transaction() as db:
            before = db.execute("SELECT value FROM settings WHERE name = %s", (name,)).fetchone()
            db.execute(
                "INSERT INTO settings VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE"
                " SET value = excluded.value, changed_by = excluded.changed_by,"
                " changed_at = excluded.changed_at, reason = excluded.reason",
                rules.setting_row(setting),
            )
            write_audit(
                db, rules.setting_event(setting, before=None if before is None else before[0])
            )
        return setting

    # -- the audit log ---------------------------------------------------------------------
    def record_event(self, action: str, detail: Mapping[str, object]) -> None:
        # a page view waits this long for an import to finish, then says it cannot be shown;
        # taking the write lock keeps the log's order the order of commits
        with self._transaction(bump=False, event=Event(action, detail), wait_ms=EVENT_WAIT_MS):
            pass

    def _audit_rows(self) -> pd.DataFrame:
        return self._rows(f"SELECT {_listed(AUDIT_COLUMNS)} FROM audit ORDER BY seq", AUDIT_COLUMNS)


def _in_force(db: psycopg.Connection, pair: tuple[str, str]) -> int | None:
    """The ``seq`` of the agreement in force from ``pair[0]`` to ``pair[1]``, if any."""
    row = db.execute(
        "SELECT seq FROM sharing WHERE from_council = %s AND to_council = %s"
        " AND ended_at IS NULL FOR UPDATE",
        pair,
    ).fetchone()
    return None if row is None else int(row[0])


def _keep_an_admin(db: psycopg.Connection, leaving: str) -> None:
    """Refuse, inside the write, to take away the last admin (nobody could manage users)."""
    (others,) = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND email != %s", (leaving,)
    ).fetchone()
    rules.check_an_admin_left(leaving, other_admins=others)


def write_audit(db: psycopg.Connection, event: Event) -> None:
    """Add ``event`` to the audit log inside the transaction ``db`` is in."""
    db.execute(
        'INSERT INTO audit (at, "user", role, action, detail) VALUES (%s, %s, %s, %s, %s)',
        event.row(),
    )
