"""The shared store's registers: link decisions, cold-weather activations, closed safeguarding
items, users, data-sharing agreements, settings and the audit log (a part of
:class:`geo.store.postgis.PostGISStore`).

The same semantics as the embedded store's (:mod:`geo.store.sqlite_registers`): each write is
one transaction under the write lock, moves the version on, and adds its audit row in the same
transaction; the check that keeps a last admin runs inside it. Rows come back in the order
added (an identity column), and names in code-point order (``COLLATE "C"``), as SQLite sorts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import astuple
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from geo.errors import StoreError
from geo.schema import ACTIVATION_COLUMNS, LINK_ACTIONS, LINK_DECISION_COLUMNS, LinkAction
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
    normalise_council,
    normalise_email,
    now,
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
        ids = [decision.record_a, decision.record_b]
        event = Event(f"records {action}ed", {"records": ids, "by": decision.decided_by})
        with self._transaction(event=event) as db:
            found = {
                row[0]
                for row in db.execute(
                    "SELECT record_id FROM records WHERE record_id = ANY(%s)", (ids,)
                )
            }
            for record in ids:
                if record not in found:
                    raise StoreError(
                        f"no record {record!r} in the store; record ids are listed by"
                        " 'python -m geo links'"
                    )
            db.execute(
                f"INSERT INTO link_decisions ({_listed(LINK_DECISION_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                tuple(getattr(decision, name) for name in LINK_DECISION_COLUMNS),
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
        nights = {"first_night": activation.first_night, "last_night": activation.last_night}
        with self._transaction(event=Event("cold-weather activation recorded", nights)) as db:
            db.execute(
                f"INSERT INTO activations ({_listed(ACTIVATION_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s)",
                tuple(getattr(activation, name) for name in ACTIVATION_COLUMNS),
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
        event = Event("safeguarding item closed", {"key": closure.key, "by": closure.closed_by})
        with self._transaction(event=event) as db:
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
        self, email: str, *, role: str, agency: str | None = None, council: str | None = None
    ) -> User:
        user = User.new(email, role=role, agency=agency, council=council)
        with self._transaction() as db:
            before = db.execute(
                "SELECT role, agency, council FROM users WHERE email = %s FOR UPDATE",
                (user.email,),
            ).fetchone()
            if before is not None and before[0] == "admin" and user.role != "admin":
                _keep_an_admin(db, user.email)
            # a new role keeps the agency and council unless given, and who added them when
            db.execute(
                f"INSERT INTO users ({_listed(USER_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (email) DO UPDATE SET role = excluded.role,"
                " agency = COALESCE(excluded.agency, users.agency),"
                " council = COALESCE(excluded.council, users.council)",
                tuple(getattr(user, name) for name in USER_COLUMNS),
            )
            kept = db.execute(
                f"SELECT {_listed(USER_COLUMNS)} FROM users WHERE email = %s", (user.email,)
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
        with self._transaction() as db:
            before = db.execute(
                "SELECT role FROM users WHERE email = %s FOR UPDATE", (address,)
            ).fetchone()
            if before is None:  # removed meanwhile by someone else
                raise StoreError(f"{address} was removed meanwhile")
            if before[0] == "admin":
                _keep_an_admin(db, address)
            db.execute("DELETE FROM users WHERE email = %s", (address,))
            write_audit(db, Event("user removed", {"email": address, "role_before": before[0]}))
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
        detail = {"from_council": pair[0], "to_council": pair[1], "reason": agreement.reason}
        with self._transaction(event=Event("sharing agreed", detail)) as db:
            if _in_force(db, pair) is not None:
                raise StoreError(
                    f"{pair[0]} shares its records with {pair[1]} already; end that agreement"
                    " first to record a new one"
                )
            db.execute(
                f"INSERT INTO sharing ({_listed(SHARING_COLUMNS)})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                astuple(agreement),
            )
        return agreement

    def end_share(self, from_council: str, to_council: str, *, by: str) -> Agreement:
        pair = (normalise_council(from_council), normalise_council(to_council))
        if not str(by or "").strip():
            raise StoreError("say who ended it (a name): an agreement is ended with who")
        detail = {"from_council": pair[0], "to_council": pair[1]}
        with self._transaction(event=Event("sharing ended", detail)) as db:
            found = _in_force(db, pair)
            if found is None:
                raise StoreError(f"{pair[0]} has no agreement in force sharing with {pair[1]}")
            row = db.execute(
                f"UPDATE sharing SET ended_at = %s, ended_by = %s WHERE seq = %s"
                f" RETURNING {_listed(SHARING_COLUMNS)}",
                (now(), str(by).strip(), found),
            ).fetchone()
        return Agreement(*row)

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> dict[str, Setting]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT name, value, changed_by, changed_at, reason FROM settings"
                ' ORDER BY name COLLATE "C"'
            ).fetchall()
        return {
            name: Setting(name, json.loads(value), by, at, reason)
            for name, value, by, at, reason in rows
        }

    def change_setting(self, name: str, value: object, *, reason: str | None = None) -> Setting:
        setting = Setting.new(name, value, reason=reason)
        with self._transaction() as db:
            before = db.execute("SELECT value FROM settings WHERE name = %s", (name,)).fetchone()
            db.execute(
                "INSERT INTO settings VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE"
                " SET value = excluded.value, changed_by = excluded.changed_by,"
                " changed_at = excluded.changed_at, reason = excluded.reason",
                (name, json.dumps(value), setting.changed_by, setting.changed_at, setting.reason),
            )
            detail = {"name": name, "value": value, "reason": setting.reason}
            detail["before"] = None if before is None else json.loads(before[0])
            write_audit(db, Event("setting changed", detail))
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
    if not others:
        raise StoreError(
            f"{leaving} is the last admin: add another admin first, so someone can still manage"
            " users"
        )


def write_audit(db: psycopg.Connection, event: Event) -> None:
    """Add ``event`` to the audit log inside the transaction ``db`` is in."""
    db.execute(
        'INSERT INTO audit (at, "user", role, action, detail) VALUES (%s, %s, %s, %s, %s)',
        event.row(),
    )
