"""Data quality for the people who import: the imports so far, and how records were located.

Everything here is counts: no record rows and nothing about people leave this module.

- :func:`import_log`: one row per import, newest first, from the store's import log.
- :func:`how_located`: per agency, how records were located (GPS, coordinates, grid reference,
  postcode, place name), how precisely, and how many fall outside every ward. Coordinators'
  table is counted from the records as they see them; admins see no records
  (:mod:`geo.privacy`), so theirs is summed from the import log's accounting instead, and
  :attr:`Located.basis` says which.
- :func:`file_located_by`: how one file's rows were located, from its report.

Column headings are the words the page shows; cells are text or whole numbers (a blank where a
figure does not apply, never a made-up 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from geo.errors import AccessDenied
from geo.privacy.roles import Role, check_can_import
from geo.schema import LOCATION_SOURCES, TIMEZONE
from geo.store import Store

#: How each location source reads for people.
SOURCE_WORDS: Final[dict[str, str]] = {
    "gps": "GPS",
    "coordinates": "Coordinates",
    "grid_ref": "Grid reference",
    "postcode": "Postcode",
    "place": "Place name",
}

#: Precision classes: (heading, largest precision in metres it holds).
PRECISION_CLASSES: Final[tuple[tuple[str, float], ...]] = (
    ("Within 10 m", 10.0),
    ("Within 100 m", 100.0),
    ("Within 1 km", 1_000.0),
    ("Coarser than 1 km", np.inf),
)
#: Heading for records whose precision is not known.
PRECISION_UNKNOWN: Final = "Precision not known"

#: What each kind of import was, in plain words.
KIND_WORDS: Final[dict[str, str]] = {
    "records": "Records",
    "services": "Services",
    "police": "police.uk crime",
    "areas": "Wards",
    "postcodes": "Postcode directory",
    "places": "Place names (gazetteer)",
}

#: Headings of :func:`import_log`, in order.
LOG_COLUMNS: Final[tuple[str, ...]] = (
    "When",
    "What",
    "File",
    "Agency",
    "Read",
    "Stored",
    "Skipped as duplicates",
    "Rejected",
    "Outside every ward",
    "Shared reference system",
)

#: Label of the row that adds up every agency.
ALL_AGENCIES: Final = "All agencies"
#: Shown for records or imports that name no agency.
NO_AGENCY: Final = "Agency not recorded"

#: The record columns :func:`how_located` reads (no personal column among them).
_LOCATION_COLUMNS: Final = ("agency", "location_source", "location_precision_m", "area_code")

Basis = Literal["records", "import_log"]


@dataclass(frozen=True)
class Located:
    """How records were located, per agency, and what the counts were worked out from.

    ``basis`` is ``"records"`` (the stored records now) or ``"import_log"`` (each import's
    accounting, for roles that see no records: the rows each file stored, located as they were
    when it was imported, and wards as they were then).
    """

    table: pd.DataFrame
    basis: Basis


def import_log(store: Store, *, role: Role) -> pd.DataFrame:
    """The imports so far, newest first, one row each, with their accounting.

    Columns are :data:`LOG_COLUMNS`. "When" is the local time (Europe/London). "Skipped as
    duplicates" is read minus stored minus rejected, so each row adds up even when another
    import stored some rows at the same moment. "Outside every ward" is blank for ward imports.

    Raises
    ------
    AccessDenied
        For roles that may not import (the log is theirs to manage).
    """
    check_can_import(role)
    return log_table(store.imports())


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """:func:`import_log` from a store's raw import log (as :meth:`Store.imports` gives it)."""
    if log.empty:
        return _empty(LOG_COLUMNS)
    log = log.sort_values("imported_at", ascending=False, kind="stable")
    accounting = pd.DataFrame(list(log["accounting"]), index=log.index)
    counts = {
        name: _whole(accounting, name) for name in ("read", "stored", "rejected", "outside_areas")
    }
    is_area = log["kind"].eq("areas").to_numpy()
    outside = counts["outside_areas"].mask(is_area)
    table = pd.DataFrame(
        {
            "When": log["imported_at"].map(local_time),
            "What": [
                _what(kind, acc) for kind, acc in zip(log["kind"], log["accounting"], strict=True)
            ],
            "File": log["source"].astype(object),
            "Agency": _text(log["agency"]),
            "Read": counts["read"],
            "Stored": counts["stored"],
            "Skipped as duplicates": counts["read"] - counts["stored"] - counts["rejected"],
            "Rejected": counts["rejected"],
            "Outside every ward": outside,
            "Shared reference system": _text(accounting.get("ref_namespace")),
        }
    )
    return table.reset_index(drop=True)


def how_located(store: Store, *, role: Role) -> Located:
    """How the store's records were located, per agency, as counts.

    For a role that sees records (coordinators) the table is counted from the records: a
    column per location source (:data:`SOURCE_WORDS`), per precision class
    (:data:`PRECISION_CLASSES`) and "Outside every ward". For a role the store refuses records
    (admins), it is summed from the import log instead: "Imports", "Rows located", a column
    per source and "Outside every ward" as counted on import. Either way a last row,
    :data:`ALL_AGENCIES`, adds up the rest.

    Raises
    ------
    AccessDenied
        For roles that may not import.
    """
    check_can_import(role)
    try:
        records = store.records(role=role, columns=list(_LOCATION_COLUMNS))
    except AccessDenied:  # admins see no records: counts from the log's accounting only
        return Located(_located_from_log(store.imports()), "import_log")
    return Located(_located_from_records(records), "records")


def file_located_by(located_by: Mapping[str, int]) -> pd.DataFrame:
    """How one file's rows were located (a report's ``located_by``): "Located by", "Rows".

    Sources in the order of :data:`SOURCE_WORDS`; sources no row used are left out.

    >>> file_located_by({"postcode": 2, "gps": 5}).to_dict("records")
    [{'Located by': 'GPS', 'Rows': 5}, {'Located by': 'Postcode', 'Rows': 2}]
    """
    known = [s for s in LOCATION_SOURCES if located_by.get(s)]
    other = [s for s in located_by if s not in LOCATION_SOURCES and located_by[s]]
    return pd.DataFrame(
        {
            "Located by": [SOURCE_WORDS.get(s, str(s)) for s in [*known, *other]],
            "Rows": pd.array([int(located_by[s]) for s in [*known, *other]], dtype="Int64"),
        }
    )


# -- helpers ----------------------------------------------------------------------------------


def _located_from_records(records: pd.DataFrame) -> pd.DataFrame:
    agency = _text(records["agency"]).fillna(NO_AGENCY)
    source = records["location_source"].map(SOURCE_WORDS)
    precision = pd.to_numeric(records["location_precision_m"], errors="coerce").to_numpy(float)
    edges = [0.0, *(limit for _, limit in PRECISION_CLASSES)]
    names = [name for name, _ in PRECISION_CLASSES]
    band = pd.cut(precision, bins=edges, labels=names, include_lowest=True).astype(object)
    band = pd.Series(band, index=records.index).where(~np.isnan(precision), PRECISION_UNKNOWN)
    parts = [
        pd.Series(1, index=records.index).groupby(agency).sum().rename("Records"),
        pd.crosstab(agency, source).reindex(columns=list(SOURCE_WORDS.values()), fill_value=0),
        pd.crosstab(agency, band).reindex(columns=[*names, PRECISION_UNKNOWN], fill_value=0),
        records["area_code"].isna().groupby(agency).sum().rename("Outside every ward"),
    ]
    table = pd.concat(parts, axis=1).fillna(0)
    if not table[PRECISION_UNKNOWN].any():
        table = table.drop(columns=PRECISION_UNKNOWN)
    return _with_total(table)


def _located_from_log(log: pd.DataFrame) -> pd.DataFrame:
    columns = ["Imports", "Rows located", *SOURCE_WORDS.values(), "Outside every ward"]
    records = log.loc[log["kind"].eq("records")] if not log.empty else log
    if records.empty:
        return _with_total(pd.DataFrame(columns=columns, dtype="int64"))
    accounting = list(records["accounting"])
    sources = pd.DataFrame(
        [dict(acc.get("located_by") or {}) for acc in accounting], index=records.index
    )
    sources = (
        sources.rename(columns=SOURCE_WORDS)
        .reindex(columns=list(SOURCE_WORDS.values()))
        .fillna(0)
        .astype("int64")
    )
    per_import = pd.DataFrame(
        {
            "Imports": 1,
            "Rows located": sources.sum(axis=1),
            **{name: sources[name] for name in sources.columns},
            "Outside every ward": [int(acc.get("outside_areas") or 0) for acc in accounting],
        },
        index=records.index,
    )
    agency = _text(records["agency"]).fillna(NO_AGENCY)
    return _with_total(per_import.groupby(agency).sum())


def _with_total(table: pd.DataFrame) -> pd.DataFrame:
    """Agencies in alphabetical order, then the :data:`ALL_AGENCIES` row, as whole numbers."""
    table = table.sort_index().astype("int64")
    total = pd.DataFrame([table.sum()], index=[ALL_AGENCIES]).astype("int64")
    out = pd.concat([table, total]) if len(table) else total
    out.index.name = "Agency"
    return out.reset_index().astype({c: "Int64" for c in table.columns})


def _whole(accounting: pd.DataFrame, name: str) -> pd.Series:
    if name not in accounting.columns:
        return pd.Series(pd.NA, index=accounting.index, dtype="Int64")
    return pd.to_numeric(accounting[name], errors="coerce").astype("Int64")


def _text(values: pd.Series | None) -> pd.Series | None:
    """Text cells, blank (None) where nothing was given."""
    if values is None:
        return None
    text = values.astype(object).where(values.notna(), None)
    return text.map(_blank_to_none).astype(object)


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _what(kind: str, accounting: Mapping[str, object]) -> str:
    words = KIND_WORDS.get(kind, str(kind).replace("_", " ").capitalize())
    layer = accounting.get("layer")
    if kind == "areas" and layer and layer != "ward":
        return f"Areas ({layer})"
    return words


def local_time(stamp: object) -> str | None:
    """An ISO time as the day and time in London: "7 Dec 2026, 05:13"."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(ZoneInfo(TIMEZONE))
    return f"{when.day} {when:%b %Y, %H:%M}"


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


__all__ = [
    "ALL_AGENCIES",
    "KIND_WORDS",
    "LOG_COLUMNS",
    "NO_AGENCY",
    "PRECISION_CLASSES",
    "PRECISION_UNKNOWN",
    "SOURCE_WORDS",
    "Basis",
    "Located",
    "file_located_by",
    "how_located",
    "import_log",
    "local_time",
    "log_table",
]
