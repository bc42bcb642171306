"""Importing files into the store, accounting for every row.

Each import reads a file as it is, maps its columns, parses and locates every row, and stores
what is good in one transaction. Its :class:`ImportReport` says for every row whether it was
stored, skipped as a duplicate, or rejected, and why, with the file, row, column and value:
``read == stored + skipped + rejected`` always. Columns that identify a person (names, dates
of birth, phone, NHS numbers...) are never stored; person references are stored only as keyed
hashes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import locate
from geo.crs import to_lonlat
from geo.errors import InputFileError
from geo.io.boundaries import read_areas
from geo.io.columns import (
    RECORD_FIELDS,
    ColumnMapping,
    FieldSpec,
    map_columns,
    normalise_header,
)
from geo.io.tables import RawTable, read_table
from geo.io.values import (
    nationality_group,
    normalise_kind,
    parse_age_band,
    parse_datetimes,
    parse_people,
    parse_sex,
    parse_yes_no,
)
from geo.schema import (
    DISPLAY_CRS,
    POLICE_UK_HEADER,
    RECORD_COLUMNS,
    RECORD_KINDS,
    SERVICE_TYPES,
)
from geo.store import Batch, Store

#: Cells starting with these are formulas to a spreadsheet; exports prefix them with "'".
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER: Final = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Plain numbers such as ``-0.1372`` are left alone: a spreadsheet reads them as numbers.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


@dataclass
class ImportReport:
    """What happened to every row of one file."""

    source: str
    kind: str
    read: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: int = 0
    outside_areas: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    columns_not_stored: dict[str, str] = field(default_factory=dict)
    located_by: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    blank_lines: int = 0
    batch_id: str | None = None
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    #: Seconds spent in each phase (read, parse, locate, ids, hash, dedupe, join, store);
    #: for benchmarks and slow-import reports, not part of the accounting.
    seconds: dict[str, float] = field(default_factory=dict, repr=False)

    def check(self) -> None:
        """Raise if the rows do not add up (a bug, never a user error)."""
        if self.read != self.stored + self.skipped + self.rejected:
            raise AssertionError(
                f"{self.source}: read {self.read} != stored {self.stored} + skipped"
                f" {self.skipped} + rejected {self.rejected}"
            )

    def to_dict(self) -> dict[str, object]:
        """The accounting as plain JSON-ready values (no row contents)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "read": self.read,
            "stored": self.stored,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "outside_areas": self.outside_areas,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "skipped_by_reason": dict(self.skipped_by_reason),
            "columns": dict(self.columns),
            "columns_not_stored": dict(self.columns_not_stored),
            "located_by": dict(self.located_by),
            "warnings": list(self.warnings),
            "encoding": self.encoding,
            "blank_lines": self.blank_lines,
            "batch_id": self.batch_id,
        }

    def rejects_csv(self) -> bytes:
        """Rejected rows with the reason beside each, as CSV Excel opens (UTF-8 with BOM).

        Text that a spreadsheet would run as a formula is neutralised.
        """
        buffer = io.StringIO()
        frame = self.rejects.map(neutralise_formula) if not self.rejects.empty else self.rejects
        frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
        return buffer.getvalue().encode("utf-8-sig")


@contextlib.contextmanager
def _timed(report: ImportReport, phase: str) -> Iterator[None]:
    """Add the time spent in the ``with`` block to ``report.seconds[phase]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[phase] = report.seconds.get(phase, 0.0) + time.perf_counter() - start


class _Rows:
    """Per-row bookkeeping while an import runs: the first problem found for a row wins."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        n = len(table.frame)
        self.problem = np.full(n, None, dtype=object)
        self.column = np.full(n, None, dtype=object)
        self.value = np.full(n, None, dtype=object)
        self.skip = np.full(n, None, dtype=object)
        self._ok = np.ones(n, dtype=bool)

    @property
    def ok(self) -> np.ndarray:
        """Rows neither rejected nor skipped (a copy)."""
        return self._ok.copy()

    def skip_rows(self, mask: np.ndarray, *, reason: str) -> None:
        """Skip rows in ``mask`` (duplicates), giving the reason."""
        self.skip[mask] = reason
        self._ok &= ~mask

    def reject(self, mask: np.ndarray | pd.Series, *, column: str | None, problem: object) -> None:
        """Reject rows in ``mask`` not already rejected; ``problem`` is text or per-row text."""
        mask = np.asarray(mask, dtype=bool) & self._ok
        if not mask.any():
            return
        self._ok &= ~mask
        problems = (
            np.asarray(problem, dtype=object)
            if isinstance(problem, (pd.Series, np.ndarray))
            else np.full(len(mask), problem, dtype=object)
        )
        self.problem[mask] = problems[mask]
        self.column[mask] = column
        if column is not None and column in self.table.frame.columns:
            self.value[mask] = self.table.frame[column].to_numpy(dtype=object)[mask]

    def reject_each(self, problems: pd.Series, *, column: str | None) -> None:
        """Reject every row whose entry in ``problems`` is not None."""
        self.reject(problems.notna().to_numpy(), column=column, problem=problems.to_numpy())


def _reason_key(column: object, problem: object) -> str:
    generic = re.sub(r"\s*\([^)]*\)", "", str(problem)).strip()
    return generic if column is None or pd.isna(column) else f"{column}: {generic}"


def _finish(
    report: ImportReport,
    rows: _Rows,
    *,
    kept_columns: list[str],
) -> None:
    """Fill in the report's rejected/skipped figures and the rejects table."""
    table = rows.table
    rejected = pd.notna(rows.problem)
    columns = list(table.frame.columns)
    ragged = [
        {
            "file": table.source,
            "row": r.row,
            "column": None,
            "value": ",".join(r.cells[r.expected :]),
            "problem": f"row has {r.fields} fields but the header has {r.expected}",
            **{c: v for c, v in zip(columns, r.cells, strict=False) if c in kept_columns},
        }
        for r in table.ragged
    ]
    detail = pd.DataFrame(
        {
            "file": table.source,
            "row": table.rows[rejected],
            "column": rows.column[rejected],
            "value": rows.value[rejected],
            "problem": rows.problem[rejected],
        }
    )
    cells = table.frame.loc[rejected, kept_columns].reset_index(drop=True)
    detail = pd.concat([detail.reset_index(drop=True), cells], axis=1)
    if ragged:
        detail = pd.concat([pd.DataFrame(ragged), detail], ignore_index=True)
    detail = detail.sort_values("row", kind="stable").reset_index(drop=True)
    report.rejects = detail
    report.rejected = len(detail)
    report.rejected_by_reason = dict(
        Counter(
            _reason_key(c, p) for c, p in zip(detail["column"], detail["problem"], strict=True)
        ).most_common()
    )
    report.encoding = table.encoding
    report.blank_lines = table.blank_lines
    report.read = table.read


# --------------------------------------------------------------------------------------------
# Locating rows


@dataclass(frozen=True)
class _Method:
    source: str  # location_source
    fields: tuple[str, ...]


_METHODS: Final = (
    _Method("coordinates", ("lat", "lon")),
    _Method("coordinates", ("easting", "northing")),
    _Method("grid_ref", ("grid_ref",)),
    _Method("postcode", ("postcode",)),
    _Method("place", ("place",)),
)


def _locate(
    frame: pd.DataFrame,
    fields: Mapping[str, str],
    rows: _Rows,
    *,
    postcodes: locate.PostcodeDirectory | None,
    places: locate.Gazetteer | None,
    report: ImportReport,
) -> pd.DataFrame:
    """Locate each row by the first method whose cells are filled and that succeeds."""
    n = len(frame)
    out = pd.DataFrame(
        {
            "lon": np.full(n, np.nan),
            "lat": np.full(n, np.nan),
            "easting": np.full(n, np.nan),
            "northing": np.full(n, np.nan),
            "location_precision_m": np.full(n, np.nan),
            "location_source": np.full(n, None, dtype=object),
            "location_note": np.full(n, None, dtype=object),
        },
        index=frame.index,
    )
    first_problem = np.full(n, None, dtype=object)
    first_column = np.full(n, None, dtype=object)
    tried_any = np.zeros(n, dtype=bool)
    for method in _METHODS:
        columns = [fields.get(f) for f in method.fields]
        if any(c is None for c in columns):
            continue
        cells = [frame[c] for c in columns]
        filled = np.logical_and.reduce([c.ne("").to_numpy() for c in cells])
        todo = filled & out["location_source"].isna().to_numpy()
        if not todo.any():
            continue
        sub = [c[todo] for c in cells]
        if method.fields == ("lat", "lon"):
            located = locate.locate_lonlat(sub[1], sub[0])
        elif method.fields == ("easting", "northing"):
            located = locate.locate_en(sub[0], sub[1])
        elif method.source == "grid_ref":
            located = locate.parse_grid_refs(sub[0])
        elif method.source == "postcode":
            if postcodes is None:
                located = _not_located(sub[0], "postcode given but no postcode directory supplied")
                no_fixed = locate.is_no_fixed_abode(locate.normalise_postcode(sub[0]))
                problem = located.problem.copy()
                problem[no_fixed] = "'no fixed abode' pseudo-postcode (ZZ99): never geocoded"
                located = _with_problem(located, problem)
            else:
                located = postcodes.lookup(sub[0])
        else:
            if places is None:
                located = _not_located(sub[0], "place given but no gazetteer of places supplied")
            else:
                located = places.lookup(sub[0])
        idx = np.flatnonzero(todo)
        ok = np.asarray(located.ok, dtype=bool)
        hit = idx[ok]
        for name in ("lon", "lat", "easting", "northing"):
            out.iloc[hit, out.columns.get_loc(name)] = np.asarray(getattr(located, name))[ok]
        out.iloc[hit, out.columns.get_loc("location_precision_m")] = np.asarray(
            located.precision_m
        )[ok]
        out.iloc[hit, out.columns.get_loc("location_source")] = method.source
        notes = located.note.to_numpy(dtype=object)[ok]
        earlier = first_problem[hit]
        fallback = np.full(len(hit), None, dtype=object)
        tried = np.not_equal(earlier, None)  # an earlier method failed for these rows
        if tried.any():
            fallback[tried] = [
                f"{c} unusable ({p}); located by {method.source}"
                for p, c in zip(earlier[tried], first_column[hit][tried], strict=True)
            ]
        combined = np.where(pd.isna(notes), fallback, notes)
        out.iloc[hit, out.columns.get_loc("location_note")] = combined
        miss = idx[~ok]
        fresh = miss[pd.isna(first_problem[miss])]
        problems = located.problem.to_numpy(dtype=object)[~ok]
        first_problem[fresh] = problems[pd.isna(first_problem[miss])]
        first_column[fresh] = columns[0]
        tried_any |= filled
    not_located = out["location_source"].isna().to_numpy()
    offered = [f for m in _METHODS for f in m.fields if f in fields]
    if not offered:
        rows.reject(
            np.ones(n, dtype=bool),
            column=None,
            problem="no location columns found (latitude/longitude, easting/northing, grid"
            " reference, postcode or place); map one with --column",
        )
    rows.reject(
        not_located & ~tried_any,
        column=None,
        problem="no location given (latitude/longitude, easting/northing, grid reference,"
        " postcode or place)",
    )
    for column in set(first_column[not_located & tried_any]):
        mask = not_located & tried_any & (first_column == column)
        rows.reject(mask, column=column, problem=first_problem)
    used = out.loc[rows.ok, "location_source"].value_counts()
    report.located_by = {str(k): int(v) for k, v in used.items()}
    return out


_METRES_IN_DEGREES: Final = "easting/northing given in latitude/longitude columns"


def _settle_metres_in_degree_columns(located: pd.DataFrame, wards: gpd.GeoDataFrame) -> None:
    """Eastings and northings typed into latitude/longitude columns can be read two ways round.

    Both readings often lie on the grid; keep the one that falls in a ward when only it does.
    Changes ``located`` in place (it is this module's own working frame).
    """
    mask = located["location_note"].eq(_METRES_IN_DEGREES).to_numpy()
    if not mask.any() or wards.empty:
        return
    from geo.locate.areas import assign_points

    rows = located.loc[mask]
    as_read = assign_points(
        rows["lon"], rows["lat"], codes=wards["area_code"], geometries=wards.geometry
    )
    lon, lat = to_lonlat(rows["northing"].to_numpy(), rows["easting"].to_numpy())
    turned = assign_points(lon, lat, codes=wards["area_code"], geometries=wards.geometry)
    better = pd.isna(as_read) & ~pd.isna(turned)
    if not better.any():
        return
    index = rows.index[better]
    easting = located.loc[index, "northing"].to_numpy()
    located.loc[index, "northing"] = located.loc[index, "easting"].to_numpy()
    located.loc[index, "easting"] = easting
    located.loc[index, "lon"] = lon[better]
    located.loc[index, "lat"] = lat[better]
    located.loc[index, "location_note"] = (
        "easting in the latitude column and northing in the longitude column"
    )


def _not_located(values: pd.Series, problem: str) -> locate.Located:
    n = len(values)
    return locate.Located(
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
        easting=np.full(n, np.nan),
        northing=np.full(n, np.nan),
        precision_m=np.full(n, np.nan),
        problem=pd.Series(problem, index=values.index, dtype=object),
        note=pd.Series(None, index=values.index, dtype=object),
        ok=np.zeros(n, dtype=bool),
    )


def _with_problem(located: locate.Located, problem: pd.Series) -> locate.Located:
    return locate.Located(
        lon=located.lon,
        lat=located.lat,
        easting=located.easting,
        northing=located.northing,
        precision_m=located.precision_m,
        problem=problem,
        note=located.note,
        ok=located.ok,
    )


# --------------------------------------------------------------------------------------------
# Ids, duplicates, areas


def _row_ids(
    frame: pd.DataFrame, *, key: bytes, prefix: str, scope: str, occurrence: bool = False
) -> pd.Series:
    """Stable ids from each row's cells (column order does not matter), keyed with the store key.

    With ``occurrence``, identical rows get distinct ids by their order among identical rows
    (police.uk publishes separate incidents as byte-identical rows).
    """
    names = sorted(frame.columns)
    # each row's text is scope RS (column US cell RS)...; one %-format builds it in one pass
    template = _literal(scope) + "\x1e" + "".join(_literal(n) + "\x1f%s\x1e" for n in names)
    cells = zip(*(frame[n].to_numpy(dtype=object) for n in names), strict=True)
    text = list(map(template.__mod__, cells))
    if occurrence:
        repeat = pd.Series(text, dtype=object).groupby(text, sort=False).cumcount().tolist()
        text = [f"{t}{i}" for t, i in zip(text, repeat, strict=True)]
    blake, secret = hashlib.blake2b, key[:64]
    ids = [prefix + blake(t.encode(), key=secret, digest_size=16).hexdigest() for t in text]
    return pd.Series(ids, index=frame.index, dtype=object)


def _literal(text: str) -> str:
    """``text`` escaped for use as literal text in a %-format template."""
    return text.replace("%", "%%")


def _skip_duplicates(
    ids: pd.Series, rows: _Rows, store: Store, *, table: str, report: ImportReport
) -> None:
    """Mark rows repeating an earlier row of the file, or already in the store, as skipped."""
    ok = rows.ok
    repeated = ids.duplicated(keep="first").to_numpy() & ok
    rows.skip_rows(repeated, reason="repeats an earlier row of the file")
    ok = rows.ok
    stored = np.zeros(len(ids), dtype=bool)
    if ok.any():
        stored[ok] = store.existing_keys(table, ids[ok])
    rows.skip_rows(stored, reason="already in the store")


def _assign_wards(
    lon: pd.Series,
    lat: pd.Series,
    wards: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    folder: Path | None = None,
) -> np.ndarray:
    from geo.locate.areas import assign_points

    if wards.empty:
        report.warnings.append(
            "no wards in the store yet: rows are stored but not placed in wards; import a ward"
            " boundary file and they will be placed"
        )
        return np.full(len(lon), None, dtype=object)
    return assign_points(
        lon, lat, codes=wards["area_code"], geometries=wards.geometry, folder=folder
    )


def _store_rows(
    store: Store,
    table: str,
    canonical: pd.DataFrame,
    rows: _Rows,
    report: ImportReport,
    *,
    batch_kind: str,
    sha256: str,
    agency: str | None,
    kept_columns: list[str],
    wards: gpd.GeoDataFrame | None = None,
) -> ImportReport:
    """Place the good rows in wards, store them in one transaction, complete the accounting.

    ``wards`` are the store's wards when the caller has already read them.
    """
    candidates = rows.ok
    with _timed(report, "join"):
        area_code = np.full(len(canonical), None, dtype=object)
        if candidates.any():
            wards = store.areas(layer="ward") if wards is None else wards
            area_code[candidates] = _assign_wards(
                canonical["lon"][candidates],
                canonical["lat"][candidates],
                wards,
                report,
                folder=store.cache_folder,
            )
        canonical = canonical.assign(area_code=area_code)
    with _timed(report, "store"):
        return _account_and_add(
            store,
            table,
            canonical,
            rows,
            report,
            batch_kind=batch_kind,
            sha256=sha256,
            agency=agency,
            kept_columns=kept_columns,
        )


def _account_and_add(
    store: Store,
    table: str,
    canonical: pd.DataFrame,
    rows: _Rows,
    report: ImportReport,
    *,
    batch_kind: str,
    sha256: str,
    agency: str | None,
    kept_columns: list[str],
) -> ImportReport:
    candidates = rows.ok
    _finish(report, rows, kept_columns=kept_columns)
    skipped_mask = pd.notna(rows.skip)
    report.skipped_by_reason = dict(Counter(rows.skip[skipped_mask]).most_common())
    to_store = canonical if candidates.all() else canonical.loc[candidates]
    report.outside_areas = int(to_store["area_code"].isna().sum())
    batch = Batch.new(kind=batch_kind, source=report.source, sha256=sha256, agency=agency)
    report.batch_id = batch.batch_id
    accounting = report.to_dict()
    batch = Batch(**{**batch.__dict__, "accounting": accounting})
    stored = store.add(table, to_store, batch=batch) if len(to_store) else 0  # type: ignore[arg-type]
    raced = len(to_store) - stored
    report.stored = stored
    report.skipped = int(skipped_mask.sum()) + raced
    if raced:
        report.skipped_by_reason["stored by another import at the same time"] = raced
    report.check()
    return report


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Records


def import_records(
    store: Store,
    path: str | Path,
    *,
    agency: str,
    kind: str = "street_count",
    postcodes: str | Path | locate.PostcodeDirectory | None = None,
    places: str | Path | locate.Gazetteer | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import street counts, outreach contacts, referrals or visits from a CSV or XLSX file.

    Parameters
    ----------
    store
        Where the rows go (one transaction).
    path
        The file as the agency exported it.
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
    sheet
        Worksheet of an XLSX file.
    source
        Name for messages (an uploaded file's own name).
    """
    if not agency or not agency.strip():
        raise InputFileError("an agency name is needed for records (e.g. --agency 'Outreach')")
    if kind not in RECORD_KINDS:
        raise InputFileError(f"kind {kind!r} is not one of {', '.join(RECORD_KINDS)}")
    path = Path(path)
    started = time.perf_counter()
    table = read_table(path, sheet=sheet, source=source)
    directory = _postcode_directory(postcodes)
    gazetteer = (
        places
        if places is None or isinstance(places, locate.Gazetteer)
        else locate.Gazetteer.from_file(places)
    )
    report = ImportReport(source=table.source, kind="records")
    mapping = map_columns(
        table.frame.columns, RECORD_FIELDS, overrides=columns, source=table.source
    )
    _describe_columns(report, mapping)
    report.seconds["read"] = time.perf_counter() - started
    if "date" not in mapping.fields and "datetime" not in mapping.fields:
        raise InputFileError(
            f"{table.source}: no date column found; columns are"
            f" {', '.join(table.frame.columns)}; map one with --column date=COLUMN"
        )
    frame = table.frame
    rows = _Rows(table)
    get = _getter(frame, mapping.fields)

    with _timed(report, "parse"):
        date_column = mapping.fields.get("datetime") or mapping.fields["date"]
        time_column = mapping.fields.get("time") if "datetime" not in mapping.fields else None
        observed, night, problem = parse_datetimes(
            frame[date_column], frame[time_column] if time_column else None
        )
        rows.reject_each(problem, column=date_column)

        people, problem = parse_people(get("people"), default=1)
        rows.reject_each(problem, column=mapping.fields.get("people"))
        record_kind, problem = normalise_kind(get("kind"), default=kind, people=people)
        rows.reject_each(problem, column=mapping.fields.get("kind"))

    with _timed(report, "locate"):
        located = _locate(
            frame, mapping.fields, rows, postcodes=directory, places=gazetteer, report=report
        )
        wards = store.areas(layer="ward")
        _settle_metres_in_degree_columns(located, wards)

    with _timed(report, "parse"):
        details = _record_details(get, mapping, report)

    with _timed(report, "hash"):
        key = store.secret_key()
        ref_column = mapping.fields.get("person_ref")
        shared = ref_column is not None and normalise_header(ref_column).startswith("chain")
        person_ref = store.pseudonymise(get("person_ref"), scope="shared" if shared else agency)

    with _timed(report, "ids"):
        kept = [c for c in frame.columns if c not in mapping.sensitive]
        source_id = get("source_id")
        by_source = source_id.ne("")
        ids = _row_ids(frame.loc[:, kept], key=key, prefix="r_", scope=f"{agency}\x1f{kind}")
        if by_source.any():
            id_frame = pd.DataFrame({"id": source_id[by_source]})
            ids[by_source] = _row_ids(id_frame, key=key, prefix="r_", scope=f"{agency}\x1fid")

    with _timed(report, "dedupe"):
        _skip_duplicates(ids, rows, store, table="records", report=report)

    with _timed(report, "store"):
        canonical = pd.DataFrame(
            {
                "record_id": ids,
                "kind": record_kind,
                "agency": agency.strip(),
                "observed_at": observed,
                "night": night,
                **{c: located[c] for c in ("lon", "lat", "easting", "northing")},
                "location_source": located["location_source"],
                "location_precision_m": located["location_precision_m"],
                "location_note": located["location_note"],
                "people": people,
                "person_ref": person_ref,
                **details,
                "area_code": None,
            },
            index=frame.index,
        )
        canonical = canonical.loc[:, [c for c in RECORD_COLUMNS if c != "batch_id"]]
    return _store_rows(
        store,
        "records",
        canonical,
        rows,
        report,
        batch_kind="records",
        sha256=_sha256(path),
        agency=agency,
        kept_columns=kept,
        wards=wards,
    )


def _record_details(
    get: Callable[[str], pd.Series], mapping: ColumnMapping, report: ImportReport
) -> dict[str, pd.Series]:
    """The descriptive record columns: place text, sex, age, nationality, flags, outcome, notes.

    Values that cannot be read are stored as not recorded, with a warning in the report.
    """
    flags: dict[str, pd.Series] = {}
    for name in ("interpreter_needed", "nrpf", "trafficking_concern", "under_18"):
        values, problem = parse_yes_no(get(name))
        flags[name] = values
        bad = problem.notna()
        if bad.any():
            column = mapping.fields[name]
            examples = ", ".join(sorted({repr(v) for v in get(name)[bad]})[:3])
            report.warnings.append(
                f"column {column!r}: {int(bad.sum())} values are not yes/no ({examples});"
                " stored as not recorded"
            )
    band, under_18_from_age = parse_age_band(get("age_band"))
    flags["under_18"] = flags["under_18"].fillna(under_18_from_age)
    group, unrecognised = nationality_group(get("nationality"))
    if unrecognised:
        report.warnings.append(
            f"nationalities not recognised, grouped as unknown: {', '.join(unrecognised[:10])}"
            + (f" and {len(unrecognised) - 10} more" if len(unrecognised) > 10 else "")
        )
    return {
        "location_text": _text(get("location_text")).where(
            get("location_text").ne(""), _text(get("place"))
        ),
        "sex": parse_sex(get("sex")).where(get("sex").ne(""), None),
        "age_band": band,
        "nationality": _text(get("nationality")),
        "nationality_group": group,
        "language": _text(get("language")),
        **flags,
        "outcome": _text(get("outcome")),
        "notes": _text(get("notes")),
    }


def _postcode_directory(
    postcodes: str | Path | locate.PostcodeDirectory | None,
) -> locate.PostcodeDirectory | None:
    """A postcode directory from a path, or the one given (loaded once by a caller)."""
    if postcodes is None or isinstance(postcodes, locate.PostcodeDirectory):
        return postcodes
    return locate.PostcodeDirectory.from_file(postcodes)


def _describe_columns(report: ImportReport, mapping: ColumnMapping) -> None:
    """Say in the report which column fed which field, and which columns were not stored."""
    report.columns = dict(mapping.fields)
    report.columns_not_stored = {
        **{c: f"looks like {what}: never stored" for c, what in mapping.sensitive.items()},
        **{c: "not a field Outreach Atlas keeps" for c in mapping.unused},
    }


def _getter(frame: pd.DataFrame, fields: Mapping[str, str]):  # noqa: ANN202 - small closure
    empty = pd.Series("", index=frame.index, dtype=object)

    def get(name: str) -> pd.Series:
        column = fields.get(name)
        return frame[column] if column is not None else empty

    return get


def _text(values: pd.Series) -> pd.Series:
    """Free text as stored: stripped, blank as None. Never interpreted; escaped when shown."""
    cells = values.to_numpy(dtype=object)
    text = cells.copy()
    text[cells == ""] = None
    return pd.Series(text, index=values.index, dtype=object)


# --------------------------------------------------------------------------------------------
# Wards and other areas


@dataclass(frozen=True)
class AreaImport:
    """What an area import did."""

    source: str
    layer: str
    stored: int
    warnings: tuple[str, ...]
    repaired: tuple[str, ...]
    batch_id: str

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": "areas",
            "layer": self.layer,
            "read": self.stored,
            "stored": self.stored,
            "skipped": 0,
            "rejected": 0,
            "outside_areas": 0,
            "rejected_by_reason": {},
            "repaired": list(self.repaired),
            "warnings": list(self.warnings),
            "batch_id": self.batch_id,
        }


def import_areas(
    store: Store,
    path: str | Path,
    *,
    layer_name: str = "ward",
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    local_authority: str | None = None,
    source: str | None = None,
) -> AreaImport:
    """Replace a layer of areas (wards by default) from any boundary file GDAL reads.

    ``local_authority`` keeps only areas whose parent code (e.g. LAD13CD) matches, so a
    national file can be loaded for one borough. Records already stored are placed again.
    """
    result = read_areas(
        path,
        layer=layer,
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
    )
    areas = result.areas
    if local_authority:
        areas = areas.loc[areas["parent_code"] == local_authority].reset_index(drop=True)
        if areas.empty:
            raise InputFileError(f"{result.source}: no areas have parent code {local_authority!r}")
    source = source or result.source
    batch = Batch.new(kind="areas", source=source, sha256=_sha256(Path(path)))
    outcome = AreaImport(
        source=source,
        layer=layer_name,
        stored=len(areas),
        warnings=tuple(result.warnings),
        repaired=tuple(result.repaired),
        batch_id=batch.batch_id,
    )
    batch = Batch(**{**batch.__dict__, "accounting": outcome.to_dict()})
    store.replace_areas(areas, layer=layer_name, batch=batch)
    return outcome


# --------------------------------------------------------------------------------------------
# Services

SERVICE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("source_id", (r"^(id|ref|service id|service ref|uid)$",), "service id"),
    FieldSpec("name", (r"^(name|service|service name|organisation|title)$",), "service name"),
    FieldSpec("service_type", (r"^(type|service type|category|kind)$",), "type of service"),
    FieldSpec(
        "opening_hours", (r"^(opening hours|hours|open|opening times|times)$",), "opening hours"
    ),
    FieldSpec(
        "languages", (r"^(languages?|languages spoken|interpreting languages)$",), "languages"
    ),
    *(
        spec
        for spec in RECORD_FIELDS
        if spec.name in {"lat", "lon", "easting", "northing", "grid_ref", "postcode", "place"}
    ),
)

_SERVICE_ALIASES: Final = {
    "day centre": "day_centre",
    "day center": "day_centre",
    "drop in": "day_centre",
    "night shelter": "night_shelter",
    "shelter": "night_shelter",
    "swep": "night_shelter",
    "hostel": "hostel",
    "supported accommodation": "hostel",
    "food": "food",
    "food bank": "food",
    "foodbank": "food",
    "soup kitchen": "food",
    "meals": "food",
    "health": "health",
    "gp": "health",
    "clinic": "health",
    "nurse": "health",
    "interpreter": "interpreter",
    "interpreting": "interpreter",
    "language": "interpreter",
    "advice": "advice",
    "legal advice": "advice",
    "immigration advice": "advice",
    "other": "other",
}


def import_services(
    store: Store,
    path: str | Path,
    *,
    postcodes: str | Path | locate.PostcodeDirectory | None = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import services (day centres, shelters, food, health, interpreters...).

    From a CSV/XLSX with a location in any form records accept, or from any vector file GDAL
    reads (points; polygons are placed at a point inside them).
    """
    path = Path(path)
    if path.suffix.lower() in {".csv", ".txt", ".xlsx", ".xlsm"}:
        table = read_table(path, source=source)
    else:
        table = _vector_table(path, layer=layer, source=source)
    directory = _postcode_directory(postcodes)
    report = ImportReport(source=table.source, kind="services")
    mapping = map_columns(
        table.frame.columns, SERVICE_FIELDS, overrides=columns, source=table.source, personal=False
    )
    _describe_columns(report, mapping)
    frame = table.frame
    rows = _Rows(table)
    get = _getter(frame, mapping.fields)
    rows.reject(
        get("name").eq("").to_numpy(), column=mapping.fields.get("name"), problem="no service name"
    )
    located = _locate(frame, mapping.fields, rows, postcodes=directory, places=None, report=report)
    raw_type = get("service_type").str.lower().str.replace(r"[_\-/]+", " ", regex=True).str.strip()
    service_type = raw_type.map(lambda t: _SERVICE_ALIASES.get(t)).astype(object)
    service_type = service_type.where(service_type.notna() | raw_type.isin(SERVICE_TYPES), raw_type)
    unknown = sorted(set(raw_type[~service_type.isin(SERVICE_TYPES) & raw_type.ne("")]))
    if unknown:
        report.warnings.append(
            f"service types not recognised, stored as other: {', '.join(unknown[:10])}"
        )
    service_type = service_type.where(service_type.isin(SERVICE_TYPES), "other")
    key = store.secret_key()
    kept = [c for c in frame.columns if c not in mapping.sensitive]
    ids = _row_ids(frame.loc[:, kept], key=key, prefix="s_", scope="services")
    _skip_duplicates(ids, rows, store, table="services", report=report)
    canonical = pd.DataFrame(
        {
            "service_id": ids,
            "name": _text(get("name")),
            "service_type": service_type,
            "opening_hours": _text(get("opening_hours")),
            "languages": _text(get("languages")),
            **{c: located[c] for c in ("lon", "lat", "easting", "northing")},
            "area_code": None,
        },
        index=frame.index,
    )
    return _store_rows(
        store,
        "services",
        canonical,
        rows,
        report,
        batch_kind="services",
        sha256=_sha256(path),
        agency=None,
        kept_columns=kept,
    )


def _vector_table(path: Path, *, layer: str | None, source: str | None = None) -> RawTable:
    """A vector file's attributes as text cells plus lon/lat columns of a point per feature."""
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:  # pyogrio raises DataSourceError and friends
        raise InputFileError(f"{path.name}: not a readable vector file ({err})") from err
    if frame.crs is None:
        raise InputFileError(f"{path.name}: the file has no CRS; save it with one (EPSG:4326)")
    points = frame.geometry.to_crs(DISPLAY_CRS)
    inside = points.representative_point()
    cells = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
    cells = cells.replace({"None": "", "nan": "", "NaT": ""})
    cells["Longitude"] = np.where(points.isna(), "", inside.x.map("{:.7f}".format))
    cells["Latitude"] = np.where(points.isna(), "", inside.y.map("{:.7f}".format))
    return RawTable(
        source=source or path.name,
        frame=cells.astype(object),
        rows=np.arange(1, len(cells) + 1, dtype=np.int64),
        encoding="vector",
    )


# --------------------------------------------------------------------------------------------
# police.uk


def import_police(store: Store, path: str | Path, *, source: str | None = None) -> ImportReport:
    """Import a police.uk street-level crime CSV as published, for the ASB and crime overlay.

    Every row with coordinates is one incident, byte-identical rows included (police.uk
    publishes separate incidents snapped to the same point that way); rows without coordinates
    ("No Location") are rejected as such. Importing the same file again adds nothing.
    """
    path = Path(path)
    table = read_table(path, source=source)
    missing = [c for c in POLICE_UK_HEADER if c not in table.frame.columns]
    if missing:
        raise InputFileError(
            f"{table.source}: not a police.uk street-level file; columns missing:"
            f" {', '.join(missing)} (expected {', '.join(POLICE_UK_HEADER)})"
        )
    report = ImportReport(source=table.source, kind="police")
    report.columns = {c: c for c in POLICE_UK_HEADER}
    frame = table.frame
    rows = _Rows(table)
    month = frame["Month"]
    bad_month = ~month.str.fullmatch(r"\d{4}-\d{2}")
    rows.reject(bad_month.to_numpy(), column="Month", problem="month is not YYYY-MM")
    no_location = frame["Longitude"].eq("") | frame["Latitude"].eq("")
    rows.reject(
        no_location.to_numpy(),
        column="Longitude",
        problem="no coordinates (police.uk publishes some incidents with 'No Location')",
    )
    located = _locate(
        frame,
        {"lat": "Latitude", "lon": "Longitude"},
        rows,
        postcodes=None,
        places=None,
        report=report,
    )
    key = store.secret_key()
    ids = _row_ids(frame, key=key, prefix="i_", scope="police.uk", occurrence=True)
    _skip_duplicates(ids, rows, store, table="police", report=report)
    canonical = pd.DataFrame(
        {
            "incident_id": ids,
            "crime_id": _text(frame["Crime ID"]),
            "month": month,
            "reported_by": _text(frame["Reported by"]),
            "falls_within": _text(frame["Falls within"]),
            **{c: located[c] for c in ("lon", "lat", "easting", "northing")},
            "location": _text(frame["Location"]),
            "lsoa_code": _text(frame["LSOA code"]),
            "lsoa_name": _text(frame["LSOA name"]),
            "crime_type": _text(frame["Crime type"]),
            "last_outcome": _text(frame["Last outcome category"]),
            "context": _text(frame["Context"]),
            "area_code": None,
        },
        index=frame.index,
    )
    return _store_rows(
        store,
        "police",
        canonical,
        rows,
        report,
        batch_kind="police",
        sha256=_sha256(path),
        agency=None,
        kept_columns=list(frame.columns),
    )
