"""The embedded store's registers: link decisions, cold-weather activations, closed
safeguarding items, users, data-sharing agreements, settings and the audit log (a part of
:class:`SQLiteStore`).

None of these changes a record, so each write keeps the records' column caches (carried over
to the new version), while the version still moves on so that cached answers refresh. Each
write adds its row to the audit log in the same transaction (:mod:`geo.store.audit`).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import astuple
from datetime import UTC, date, datetime

import pandas as pd

from geo.errors import StoreError
from geo.schema import ACTIVATION_COLUMNS, LINK_ACTIONS, LINK_DECISION_COLUMNS, LinkAction
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
    normalise_council,
    normalise_email,
    now,
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
        if action not in LINK_ACTIONS:
            raise StoreError(f"a link decision is one of {', '.join(LINK_ACTIONS)}; got {action!r}")
        if not str(by or "").strip():
            raise StoreError("say who decided (a name): a link decision is kept with who made it")
        if str(record_a) == str(record_b):
            raise StoreError(f"record {record_a!r} was given twice; give two different records")
        decision = LinkDecision(
            record_a=str(record_a),
            record_b=str(record_b),
            action=action,
            decided_by=str(by).strip(),
            decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
            reason=str(reason).strip() or None if reason is not None else None,
        )
        ids = (decision.record_a, decision.record_b)
        event = Event(f"records {action}ed", {"records": list(ids), "by": decision.decided_by})
        with self._noted(event) as db:
            found = {
                row[0]
                for row in db.execute(
                    "SELECT record_id FROM records WHERE record_id IN (?, ?)", ids
                )
            }
            for record in ids:
                if record not in found:
                    raise StoreError(
                        f"no record {record!r} in the store; record ids are listed by"
                        " 'python -m geo links'"
                    )
            db.execute(
                "INSERT INTO link_decisions VALUES (?, ?, ?, ?, ?, ?)",
                tuple(getattr(decision, name) for name in LINK_DECISION_COLUMNS),
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
        nights = {"first_night": activation.first_night, "last_night": activation.last_night}
        with self._noted(Event("cold-weather activation recorded", nights)) as db:
            db.execute(
                "INSERT INTO activations VALUES (?, ?, ?, ?, ?)",
                tuple(getattr(activation, name) for name in ACTIVATION_COLUMNS),
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
        event = Event("safeguarding item closed", {"key": closure.key, "by": closure.closed_by})
        with self._noted(event) as db:
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
        self, email: str, *, role: str, agency: str | None = None, council: str | None = None
    ) -> User:
        user = User.new(email, role=role, agency=agency, council=council)
        with self._noted(None) as db:
            before = db.execute(
                "SELECT role, agency, council FROM users WHERE email = ?", (user.email,)
            ).fetchone()
            if before is not None and before[0] == "admin" and user.role != "admin":
                _keep_an_admin(db, user.email)
            # a new role keeps the agency and council unless given, and who added them when
            db.execute(
                f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (email) DO UPDATE SET role = excluded.role,"
                " agency = COALESCE(excluded.agency, users.agency),"
                " council = COALESCE(excluded.council, users.council)",
                tuple(getattr(user, name) for name in USER_COLUMNS),
            )
            kept = db.execute(
                f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE email = ?", (user.email,)
            ).fetchone()
            detail = {"email": user.email, "role": user.role, "agency": kept[2]}
            detail |= {"council": kept[5]} if kept[5] is not None else {}
            if before is not None:
                detail |= {"role_before": before[0], "agency_before": before[1]}
                detail |= {"council_before": before[2]} if kept[5] != before[2] else {}
            write_audit(db, Event("user added" if before is None else "user changed", detail))
        return User(**dict(zip(USER_COLUMNS, kept, strict=True)))

    def remove_user(self, email: str) -> bool:
        address = normalise_email(email)
        if address not in set(self.users()["email"]):
            return False  # nothing to write: the version and the audit log stay as they are
        with self._noted(None) as db:
            before = db.execute("SELECT role FROM users WHERE email = ?", (address,)).fetchone()
            if before is None:  # removed meanwhile by someone else
                raise StoreError(f"{address} was removed meanwhile")
            if before[0] == "admin":
                _keep_an_admin(db, address)
            db.execute("DELETE FROM users WHERE email = ?", (address,))
            write_audit(db, Event("user removed", {"email": address, "role_before": before[0]}))
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
        detail = {"from_council": pair[0], "to_council": pair[1], "reason": agreement.reason}
        with self._noted(Event("sharing agreed", detail)) as db:
            if _in_force(db, pair):
                raise StoreError(
                    f"{pair[0]} shares its records with {pair[1]} already; end that agreement"
                    " first to record a new one"
                )
            db.execute(
                f"INSERT INTO sharing ({', '.join(SHARING_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                astuple(agreement),
            )
        return agreement

    def end_share(self, from_council: str, to_council: str, *, by: str) -> Agreement:
        pair = (normalise_council(from_council), normalise_council(to_council))
        if not str(by or "").strip():
            raise StoreError("say who ended it (a name): an agreement is ended with who")
        ended, who = now(), str(by).strip()
        detail = {"from_council": pair[0], "to_council": pair[1]}
        with self._noted(Event("sharing ended", detail)) as db:
            found = _in_force(db, pair)
            if found is None:
                raise StoreError(f"{pair[0]} has no agreement in force sharing with {pair[1]}")
            db.execute(
                "UPDATE sharing SET ended_at = ?, ended_by = ? WHERE rowid = ?",
                (ended, who, found),
            )
            row = db.execute(
                f"SELECT {', '.join(SHARING_COLUMNS)} FROM sharing WHERE rowid = ?", (found,)
            ).fetchone()
        return Agreement(*row)

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> dict[str, Setting]:
        with self._reading() as db:
            rows = db.execute("SELECT * FROM settings ORDER BY name").fetchall()
        return {
            name: Setting(name, json.loads(value), by, at, reason)
            for name, value, by, at, reason in rows
        }

    def change_setting(self, name: str, value: object, *, reason: str | None = None) -> Setting:
        setting = Setting.new(name, value, reason=reason)
        with self._noted(None) as db:
            before = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?, ?, ?, ?)",
                (name, json.dumps(value), setting.changed_by, setting.changed_at, setting.reason),
            )
            detail = {"name": name, "value": value, "reason": setting.reason}
            detail["before"] = None if before is None else json.loads(before[0])
            write_audit(db, Event("setting changed", detail))
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
    if not others:
        raise StoreError(
            f"{leaving} is the last admin: add another admin first, so someone can still manage"
            " users"
        )


def write_audit(db: sqlite3.Connection, event: Event) -> None:
    """Add ``event`` to the audit log inside the transaction ``db`` is in."""
    db.execute(
        "INSERT INTO audit (at, user, role, action, detail) VALUES (?, ?, ?, ?, ?)", event.row()
    )
