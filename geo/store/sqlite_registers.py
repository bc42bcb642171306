"""The embedded store's registers: link decisions, cold-weather activations, closed
safeguarding items, users, data-sharing agreements, settings and the audit log (a part of
:class:`SQLiteStore`).

None of these changes a record, so each write keeps the records' column caches (carried over
to the new version), while the version still moves on so that cached answers refresh. Each
write adds its row to the audit log in the same transaction (:mod:`geo.store.audit`).
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import astuple
from datetime import date

import pandas as pd

from geo.schema import ACTIVATION_COLUMNS, LINK_DECISION_COLUMNS, LinkAction
from geo.store import rules
from geo.store.audit import AUDIT_COLUMNS, Event
from geo.store.base import Activation, LinkDecision
from geo.store.column_cache import version_key
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
from geo.store.sql import data_version
from geo.store.sqlite_copying import SQLiteCopying

#: How long an audit row on its own (a page view, a download) waits for another write.
EVENT_WAIT_MS = 10_000


class SQLiteRegisters(SQLiteCopying):  # copying a whole store: geo.store.sqlite_copying
    """The registers' half of :class:`geo.store.sqlite.SQLiteStore`, written with its
    ``_transaction``, ``_reading`` and ``_carry_caches``."""

    @contextlib.contextmanager
    def _noted(self, event: Event | None) -> Iterator[sqlite3.Connection]:
        """A write that changes no record: one transaction with its audit row (``event``,
        unless the write logs its own), the version moved on, the column caches kept."""
        token = secrets.token_hex(8)
        with self._transaction(token=token, event=event) as db:
            version, old_token = data_version(db)
            yield db
        self._carry_caches(
            old=version_key(version, old_token), new=version_key(version + 1, token), changed=None
        )

    def _rows(self, query: str, columns: tuple[str, ...]) -> pd.DataFrame:
        with self._reading() as db:
            rows = db.execute(query).fetchall()
        return pd.DataFrame.from_records(rows, columns=list(columns))

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
        ids = (decision.record_a, decision.record_b)
        with self._noted(rules.link_event(decision)) as db:
            query = "SELECT record_id FROM records WHERE record_id IN (?, ?)"
            rules.check_records_stored(ids, {row[0] for row in db.execute(query, ids)})
            db.execute(
                "INSERT INTO link_decisions VALUES (?, ?, ?, ?, ?, ?)", rules.link_row(decision)
            )
        return decision

    def link_decisions(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(LINK_DECISION_COLUMNS)} FROM link_decisions ORDER BY rowid",
            LINK_DECISION_COLUMNS,
        )

    # -- SWEP activations ------------------------------------------------------------------
    def add_activation(
        self, first: date, last: date, *, by: str, note: str | None = None
    ) -> Activation:
        activation = Activation.new(first, last, by=by, note=note)
        with self._noted(rules.activation_event(activation)) as db:
            db.execute(
                "INSERT INTO activations VALUES (?, ?, ?, ?, ?)", rules.activation_row(activation)
            )
        return activation

    def activations(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(ACTIVATION_COLUMNS)} FROM activations ORDER BY rowid",
            ACTIVATION_COLUMNS,
        )

    # -- closed safeguarding items ---------------------------------------------------------
    def add_closure(self, *, key: str, by: str, reason: str) -> Closure:
        closure = Closure.new(key=key, by=by, reason=reason)
        with self._noted(rules.closure_event(closure)) as db:
            db.execute("INSERT INTO safeguarding_closures VALUES (?, ?, ?, ?)", astuple(closure))
        return closure

    def closures(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(CLOSURE_COLUMNS)} FROM safeguarding_closures ORDER BY rowid",
            CLOSURE_COLUMNS,
        )

    # -- users -----------------------------------------------------------------------------
    def users(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY email", USER_COLUMNS
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
        with self._noted(None) as db:
            before = db.execute(
                "SELECT role, agency, council FROM users WHERE email = ?", (user.email,)
            ).fetchone()
            if rules.takes_an_admin_away(before, role=user.role):
                _keep_an_admin(db, user.email)
            # a new role keeps the agency and council unless given (or unbound), and who added
            # them when
            db.execute(
                f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (email) DO UPDATE SET role = excluded.role,"
                " agency = COALESCE(excluded.agency, users.agency),"
                " council = CASE WHEN ? THEN NULL"
                " ELSE COALESCE(excluded.council, users.council) END",
                (*rules.user_row(user), bool(unbind)),
            )
            kept = db.execute(
                f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE email = ?", (user.email,)
            ).fetchone()
            write_audit(db, rules.user_event(user, before=before, kept=kept))
        return rules.stored_user(kept)

    def remove_user(self, email: str) -> bool:
        address = normalise_email(email)
        if address not in set(self.users()["email"]):
            return False  # nothing to write: the version and the audit log stay as they are
        with self._noted(None) as db:
            before = db.execute("SELECT role FROM users WHERE email = ?", (address,)).fetchone()
            rules.check_still_a_user(address, before)
            if rules.takes_an_admin_away(before, role=None):
                _keep_an_admin(db, address)
            db.execute("DELETE FROM users WHERE email = ?", (address,))
            write_audit(db, rules.removal_event(address, before[0]))
        return True

    # -- councils and data-sharing agreements ----------------------------------------------
    def ward_councils(self) -> pd.Series:
        frame = self._rows(
            "SELECT area_code, parent_code FROM areas WHERE layer = 'ward' ORDER BY area_code",
            ("area_code", "parent_code"),
        )
        return frame.set_index("area_code")["parent_code"].astype(object)

    def sharing(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(SHARING_COLUMNS)} FROM sharing ORDER BY rowid", SHARING_COLUMNS
        )

    def share(self, from_council: str, to_council: str, *, by: str, reason: str) -> Agreement:
        agreement = Agreement.new(from_council, to_council, by=by, reason=reason)
        pair = (agreement.from_council, agreement.to_council)
        with self._noted(rules.agreed_event(agreement)) as db:
            rules.check_not_in_force(agreement, in_force=_in_force(db, pair) is not None)
            db.execute(
                f"INSERT INTO sharing ({', '.join(SHARING_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                astuple(agreement),
            )
        return agreement

    def end_share(self, from_council: str, to_council: str, *, by: str) -> Agreement:
        ending = rules.Ending.new(from_council, to_council, by=by)
        with self._noted(ending.event()) as db:
            found = _in_force(db, ending.pair)
            ending.check_found(found)
            db.execute(
                "UPDATE sharing SET ended_at = ?, ended_by = ? WHERE rowid = ?",
                (ending.at, ending.by, found),
            )
            row = db.execute(
                f"SELECT {', '.join(SHARING_COLUMNS)} FROM sharing WHERE rowid = ?", (found,)
            ).fetchone()
        return Agreement(*row)

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> dict[str, Setting]:
        with self._reading() as db:
            rows = db.execute("SELECT * FROM settings ORDER BY name").fetchall()
        return {row[0]: rules.stored_setting(row) for row in rows}

    def change_setting(self, name: str, value: object, *, reason: str | None = None) -> Setting:
        setting = Setting.new(name, value, reason=reason)
        with self._noted(None) as db:
            before = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?, ?, ?, ?)", rules.setting_row(setting)
            )
            write_audit(
                db, rules.setting_event(setting, before=None if before is None else before[0])
            )
        return setting

    # -- the audit log ---------------------------------------------------------------------
    def record_event(self, action: str, detail: Mapping[str, object]) -> None:
        # a page view waits this long for an import to finish, then says it cannot be shown
        with self._transaction(bump=False, event=Event(action, detail), busy_ms=EVENT_WAIT_MS):
            pass

    def _audit_rows(self) -> pd.DataFrame:
        return self._rows(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit ORDER BY seq", AUDIT_COLUMNS
        )


def _in_force(db: sqlite3.Connection, pair: tuple[str, str]) -> int | None:
    """The row id of the agreement in force from ``pair[0]`` to ``pair[1]``, if any."""
    row = db.execute(
        "SELECT rowid FROM sharing WHERE from_council = ? AND to_council = ? AND ended_at IS NULL",
        pair,
    ).fetchone()
    return None if row is None else int(row[0])


def _keep_an_admin(db: sqlite3.Connection, leaving: str) -> None:
    """Refuse, inside the write, to take away the last admin (nobody could manage users)."""
    others = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND email != ?", (leaving,)
    ).fetchone()[0]
    rules.check_an_admin_left(leaving, other_admins=others)


def write_audit(db: sqlite3.Connection, event: Event) -> None:
    """Add ``event`` to the audit log inside the transaction ``db`` is in."""
    db.execute(
        "INSERT INTO audit (at, user, role, action, detail) VALUES (?, ?, ?, ?, ?)", event.row()
    )
