"""Records: street counts, outreach contacts, referrals and visits, as each agency exports them.

Person references are stored only as keyed hashes, scoped to the agency that recorded them,
so one agency's client number never matches another's. A partnership that shares a reference
system (CHAIN, a by-name list, a shared case system) says so with a namespace: references in the
same namespace are the same person whichever agency recorded them. A column named like a CHAIN
id is in namespace ``CHAIN`` unless told otherwise.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from geo import locate
from geo.errors import InputFileError
from geo.importing.pipeline import (
    ImportSpec,
    Source,
    Step,
    gazetteer,
    postcode_directory,
    read_source,
    run_import,
    text,
)
from geo.importing.report import ImportReport
from geo.io.columns import RECORD_FIELDS, normalise_header
from geo.io.limits import MaxMB, check_size
from geo.io.values import (
    nationality_group,
    normalise_kind,
    parse_age_band,
    parse_datetimes,
    parse_people,
    parse_sex,
    parse_yes_no,
)
from geo.schema import RECORD_FLAGS, RECORD_KINDS
from geo.store import Store

#: The kind of rows without a kind column, unless the caller says.
DEFAULT_KIND: Final = "street_count"
#: The namespace of references from a column named like a CHAIN id.
CHAIN: Final = "CHAIN"
#: The hash scope of the CHAIN namespace: "shared" since the first stores, so references
#: stored before namespaces existed still match new ones.
_CHAIN_SCOPE: Final = "shared"
_NAMESPACE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")


def import_records(
    store: Store,
    data: Source,
    *,
    agency: str,
    kind: str = DEFAULT_KIND,
    postcodes: str | Path | locate.PostcodeDirectory | None = None,
    places: str | Path | locate.Gazetteer | None = None,
    columns: Mapping[str, str] | None = None,
    ref_namespace: str | None = None,
    sheet: str | None = None,
    source: str | None = None,
    max_mb: MaxMB = "upload",
) -> ImportReport:
    """Import street counts, outreach contacts, referrals or visits from a file or data frame.

    Parameters
    ----------
    store
        Where the rows go (one transaction).
    data
        The file as the agency exported it (CSV or XLSX), or a pandas DataFrame with the same
        kind of columns (a form, an API); either way every row is accounted for.
    agency
        Who recorded the rows ("Council outreach team").
    kind
        Kind of rows without a kind column: street_count, outreach_contact, referral or visit.
        Rows with 0 people are visits whatever the kind.
    postcodes, places
        A postcode directory (ONSPD, NSPL or Code-Point Open) and a gazetteer of place names,
        needed only for rows located that way.
    columns
        ``{field: column}`` overrides of the automatic column matching.
    ref_namespace
        The shared reference system the person references come from (``"CHAIN"``, the name
        of a partnership's by-name list). References of different agencies in one namespace
        are one person. ``None``: the agency's own references (CHAIN-named columns: CHAIN).
    sheet
        Worksheet of an XLSX file.
    source
        Name for messages (an uploaded file's own name; a data frame's default is "form").
    max_mb
        The size cap in megabytes, checked before any file is read: ``"upload"`` (the
        configured upload cap), a number, or ``None`` for none (see :mod:`geo.io.limits`).

    Raises
    ------
    InputFileError
        When the file's columns make every row fail (no date column, no location column) or
        an option is wrong; nothing is stored then.
    """
    if not agency or not agency.strip():
        raise InputFileError("an agency name is needed for records (e.g. --agency 'Outreach')")
    if kind not in RECORD_KINDS:
        raise InputFileError(f"kind {kind!r} is not one of {', '.join(RECORD_KINDS)}")
    namespace = checked_namespace(ref_namespace)
    for path in (data, postcodes, places):
        if isinstance(path, str | Path):
            check_size(path, max_mb=max_mb, source=source if path is data else None)
    started = time.perf_counter()
    table, sha256 = read_source(data, name=source, sheet=sheet)
    return run_import(
        RECORDS,
        store,
        table,
        sha256=sha256,
        agency=agency,
        columns=columns,
        postcodes=postcode_directory(postcodes),
        places=gazetteer(places),
        options={"agency": agency, "kind": kind, "ref_namespace": namespace},
        read_seconds=time.perf_counter() - started,
    )


def _check_records(step: Step) -> None:
    if step.column("date") is None and step.column("datetime") is None:
        raise InputFileError(
            f"{step.table.source}: no date column found; columns are"
            f" {', '.join(step.table.frame.columns)}; map one with --column date=COLUMN"
        )


def _parse_records(step: Step) -> dict[str, pd.Series]:
    rows, get, report = step.rows, step.get, step.report
    date_column = step.column("datetime") or step.column("date")
    time_column = step.column("time") if step.column("datetime") is None else None
    frame = step.table.frame
    observed, night, problem = parse_datetimes(
        frame[date_column], frame[time_column] if time_column else None
    )
    rows.reject_each(problem, column=date_column)
    people, problem = parse_people(get("people"), default=1)
    rows.reject_each(problem, column=step.column("people"))
    record_kind, problem = normalise_kind(
        get("kind"), default=str(step.options["kind"]), people=people
    )
    rows.reject_each(problem, column=step.column("kind"))

    flags: dict[str, pd.Series] = {}
    for name in ("interpreter_needed", *RECORD_FLAGS):
        values, problem = parse_yes_no(get(name))
        flags[name] = values
        bad = problem.notna()
        if bad.any():
            column = step.column(name)
            examples = ", ".join(sorted({repr(v) for v in get(name)[bad]})[:3])
            report.warn(
                "not_yes_no",
                f"column {column!r}: {int(bad.sum())} values are not yes/no ({examples});"
                " stored as not recorded",
                column=column,
            )
    band, under_18_from_age = parse_age_band(get("age_band"))
    flags["under_18"] = flags["under_18"].fillna(under_18_from_age)
    group, unrecognised = nationality_group(get("nationality"))
    if unrecognised:
        report.warn(
            "nationality_unrecognised",
            f"nationalities not recognised, grouped as unknown: {', '.join(unrecognised[:10])}"
            + (f" and {len(unrecognised) - 10} more" if len(unrecognised) > 10 else ""),
            column=step.column("nationality"),
        )
    with_text = get("location_text").ne("")
    return {
        "kind": record_kind,
        "agency": pd.Series(str(step.options["agency"]).strip(), index=frame.index),
        "observed_at": observed,
        "night": night,
        "people": people,
        "location_text": text(get("location_text")).where(with_text, text(get("place"))),
        "sex": parse_sex(get("sex")).where(get("sex").ne(""), None),
        "age_band": band,
        "nationality": text(get("nationality")),
        "nationality_group": group,
        "language": text(get("language")),
        **flags,
        "outcome": text(get("outcome")),
        "notes": text(get("notes")),
    }


def _person_refs(step: Step) -> dict[str, pd.Series]:
    """Keyed hashes of the person references, scoped to the agency or the shared namespace."""
    namespace = step.options.get("ref_namespace")
    column = step.column("person_ref")
    if namespace is None and column is not None and normalise_header(column).startswith("chain"):
        namespace = CHAIN
    step.report.ref_namespace = namespace  # type: ignore[assignment]
    scope = reference_scope(agency=str(step.options["agency"]), namespace=namespace)
    return {"person_ref": step.store.pseudonymise(step.get("person_ref"), scope=scope)}


def reference_scope(*, agency: str, namespace: str | None) -> str:
    """The scope person references are hashed in (:meth:`geo.store.Store.pseudonymise`): the
    agency as given at import, or the shared namespace (checked by :func:`checked_namespace`).

    Subject access and erasure (:mod:`geo.privacy.rights`) hash a reference the same way.
    """
    if namespace is None:
        return agency
    if namespace == CHAIN:
        return _CHAIN_SCOPE
    return f"namespace\x1f{namespace}"


def checked_namespace(name: str | None) -> str | None:
    """A reference namespace as import keeps it (``"chain"`` is ``CHAIN``; blank: none), or an
    ``InputFileError`` saying what a name may hold."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    if name.upper() == CHAIN:
        return CHAIN
    if not _NAMESPACE.match(name):
        raise InputFileError(
            f"reference namespace {name!r}: use up to 40 letters, digits, spaces, '.', '_' or"
            " '-' (e.g. 'Saltmarsh by-name list')"
        )
    return name


RECORDS: Final = ImportSpec(
    kind="records",
    title="records file",
    table="records",
    key="record_id",
    id_prefix="r_",
    fields=RECORD_FIELDS,
    parse=_parse_records,
    check=_check_records,
    references=_person_refs,
    id_scope=lambda step: f"{step.options['agency']}\x1f{step.options['kind']}",
    source_ids=True,
    personal=True,
    place_names=True,
    location_detail=True,
)
