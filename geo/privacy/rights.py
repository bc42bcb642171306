"""Retention and the people's rights: records kept no longer than the period agreed, and every
record held about one person exported or erased at their request. Admins only.

Retention: records whose night is older than the retention period are purged (:func:`purge`)
with what is derived from them (:meth:`geo.store.Store.purge_records`). The period is given as
``24m`` (months), ``2y`` (years) or ``730d`` (days); without one it is read from the
``OUTREACH_ATLAS_RETENTION`` environment variable (:data:`RETENTION_ENV`), else
:data:`DEFAULT_RETENTION`. The cut is counted back from today's date in Europe/London: with
24 months on 28 November 2026 the first night kept is 28 November 2024, and the nights before
it (27 November 2024 and earlier) are purged. A month back from the 31st is the month's last
day (24 months before 29 February 2028 is 28 February 2026).

Subject access and erasure: a person is found by the reference an agency knows them by (a
client number, a CHAIN id). It is hashed with the store's key exactly as the import hashed it
(:func:`geo.importing.records.reference_scope`): in the agency's own scope (the agency's name
as each of its files was imported), or, for a shared reference system (``ref_namespace``:
CHAIN, a partnership's by-name list), in that namespace, whichever agency recorded the
person. The reference is never kept or logged in clear: the audit log names the agency, the
namespace and the counts, and who asked (:func:`geo.store.audit.current_actor`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd

from geo.errors import AccessDenied, AnalysisError
from geo.importing.records import checked_namespace, reference_scope
from geo.privacy.roles import Role, check_role
from geo.schema import TIMEZONE
from geo.store import Store

__all__ = [
    "DEFAULT_RETENTION",
    "RETENTION_ENV",
    "Purge",
    "erase_person",
    "first_night_kept",
    "purge",
    "retention_period",
    "subject_access",
]

#: The environment variable that sets the retention period when none is given.
RETENTION_ENV: Final = "OUTREACH_ATLAS_RETENTION"
#: The retention period when neither an option nor :data:`RETENTION_ENV` gives one.
DEFAULT_RETENTION: Final = "24m"

_PERIOD: Final = re.compile(r"^\s*(\d{1,5})\s*([dmy])\s*$", re.IGNORECASE)
_WHOLE: Final = {"d": "days", "m": "months", "y": "years"}


@dataclass(frozen=True)
class Purge:
    """What a purge did (or, with ``dry_run``, would do): the period, the first night kept
    (every earlier night is purged) and the rows deleted by table."""

    older_than: str
    kept_from: date
    deleted: dict[str, int]
    dry_run: bool


def retention_period(older_than: str | None = None) -> str:
    """The retention period: ``older_than``, else :data:`RETENTION_ENV`, else
    :data:`DEFAULT_RETENTION`; checked (``AnalysisError`` naming where it came from)."""
    if older_than is not None:
        where, text = "the period", older_than
    elif os.environ.get(RETENTION_ENV, "").strip():
        where, text = f"the {RETENTION_ENV} environment variable", os.environ[RETENTION_ENV]
    else:
        where, text = "the default", DEFAULT_RETENTION
    found = _PERIOD.match(str(text))
    if found is None or int(found.group(1)) < 1:
        raise AnalysisError(
            f"{where} {text!r} is not a retention period; write a whole number of months,"
            " years or days, e.g. 24m, 2y or 730d"
        )
    return f"{int(found.group(1))}{found.group(2).lower()}"


def period_words(period: str) -> str:
    """A retention period as people say it: ``24m`` -> "24 months", ``1y`` -> "1 year"."""
    amount, unit = int(period[:-1]), {"d": "day", "m": "month", "y": "year"}[period[-1]]
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def first_night_kept(older_than: str, *, today: date) -> date:
    """The first night a purge keeps: ``today`` less the period (checked by
    :func:`retention_period`); every earlier night is purged.

    Examples
    --------
    >>> first_night_kept("24m", today=date(2026, 11, 28))
    datetime.date(2024, 11, 28)
    >>> first_night_kept("1m", today=date(2026, 3, 31))
    datetime.date(2026, 2, 28)
    >>> first_night_kept("730d", today=date(2026, 11, 28))
    datetime.date(2024, 11, 28)
    """
    period = retention_period(older_than)
    amount, unit = int(period[:-1]), period[-1]
    if unit == "d":
        return today - timedelta(days=amount)
    months = amount * 12 if unit == "y" else amount
    return (pd.Timestamp(today) - pd.DateOffset(months=months)).date()


def purge(
    store: Store,
    *,
    role: Role,
    older_than: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> Purge:
    """Purge the records older than the retention period, as ``role`` (an admin).

    Parameters
    ----------
    older_than
        ``24m``, ``2y``, ``730d``...; ``None``: :func:`retention_period`'s default.
    dry_run
        Count what would go and change nothing (nothing is audited either).
    today
        The day the period is counted back from (default: today in Europe/London).
    """
    _check_admin(role, "purge records")
    period = retention_period(older_than)
    if today is None:
        today = _today()
    elif isinstance(today, datetime) or not isinstance(today, date):
        raise AnalysisError(f"today must be a date, e.g. 2026-11-28; got {today!r}")
    kept_from = first_night_kept(period, today=today)
    deleted = store.purge_records(kept_from, dry_run=dry_run)
    return Purge(older_than=period, kept_from=kept_from, deleted=deleted, dry_run=dry_run)


def subject_access(
    store: Store, *, role: Role, ref: str, agency: str, ref_namespace: str | None = None
) -> pd.DataFrame:
    """Every record held for the person ``agency`` knows as ``ref``, as ``role`` (an admin).

    Each record whole, in the order stored, with its ward's name (``ward``) and the file it
    came from (``source_file``); write it with :func:`geo.io.exports.write_table` (formulas
    neutralised). The export is audited (``"subject access export"``: the agency, the
    namespace, how many records; never the reference).

    Parameters
    ----------
    ref
        The reference as the agency knows it (a client number, a CHAIN id), in clear.
    agency
        The agency whose reference it is, as its files were imported.
    ref_namespace
        The shared reference system the reference comes from (``"CHAIN"``); then the records
        of every agency sharing it are the person's.
    """
    _check_admin(role, "answer a subject access request")
    hashes, namespace = _hashed_refs(store, ref=ref, agency=agency, ref_namespace=ref_namespace)
    records = store.person_records(hashes, role=role)
    table = _for_the_person(store, records)
    store.record_event(
        "subject access export",
        {"agency": agency.strip(), "ref_namespace": namespace, "records": len(table)},
    )
    return table


def erase_person(
    store: Store,
    *,
    role: Role,
    ref: str,
    agency: str,
    ref_namespace: str | None = None,
    dry_run: bool = False,
) -> dict[str, int]:
    """Erase every record held for the person ``agency`` knows as ``ref`` (found as
    :func:`subject_access` finds them), with the link decisions naming them and the closed
    safeguarding items gone with them, as ``role`` (an admin); the rows deleted by table.

    Audited (``"person erased"``: the agency, the namespace and the counts; never the
    reference). ``dry_run`` counts and changes nothing.
    """
    _check_admin(role, "erase a person's records")
    hashes, namespace = _hashed_refs(store, ref=ref, agency=agency, ref_namespace=ref_namespace)
    detail = {"agency": agency.strip(), "ref_namespace": namespace}
    return store.erase_records(hashes, detail=detail, dry_run=dry_run)


def _today() -> date:
    """Today's date in Europe/London."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def _check_admin(role: Role, what: str) -> None:
    if check_role(role) != "admin":
        raise AccessDenied(f"the {role} role cannot {what}; ask an admin")


def _hashed_refs(
    store: Store, *, ref: str, agency: str, ref_namespace: str | None
) -> tuple[list[str], str | None]:
    """The keyed hashes ``ref`` was stored as, and the namespace (checked)."""
    if not isinstance(ref, str) or not ref.strip():
        raise AnalysisError("give the person's reference as the agency knows it (--ref)")
    if not isinstance(agency, str) or not agency.strip():
        raise AnalysisError("give the agency whose reference it is (--agency)")
    namespace = checked_namespace(ref_namespace)
    imports = store.imports()
    given = imports.loc[imports["kind"] == "records", "agency"].dropna().astype(str)
    if agency.strip() not in set(given.str.strip()):
        known = ", ".join(sorted(set(given.str.strip()))) or "none yet"
        raise AnalysisError(
            f"no records were imported for the agency {agency.strip()!r}; agencies are: {known}"
        )
    # import hashes in the agency's name as given (a stray space included): try each
    as_imported = set(given[given.str.strip() == agency.strip()]) | {agency.strip()}
    scopes = {reference_scope(agency=name, namespace=namespace) for name in as_imported}
    values = pd.Series([ref.strip()], dtype=object)
    hashes = {str(store.pseudonymise(values, scope=scope).iloc[0]) for scope in sorted(scopes)}
    return sorted(hashes), namespace


def _for_the_person(store: Store, records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the name of each one's ward and the file it came from."""
    wards = store.areas(layer="ward")
    names = pd.Series(wards["area_name"].to_numpy(), index=wards["area_code"].to_numpy())
    imports = store.imports()
    files = pd.Series(imports["source"].to_numpy(), index=imports["batch_id"].to_numpy())
    return records.assign(
        ward=records["area_code"].map(names),
        source_file=records["batch_id"].map(files),
    )
