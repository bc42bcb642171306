"""The one import pipeline: rows in, every row accounted for, the store written in one go.

Steps, the same for every kind of row (records, services, police.uk incidents):

1. **read**: a file (CSV, XLSX; services also any vector file) or a pandas DataFrame (a form,
   an API) becomes a :class:`~geo.io.tables.RawTable` of text cells with row numbers;
2. **map columns** onto canonical fields (or check a fixed published header);
3. **check the structure**: a file whose columns make every row fail (no date column, no
   location column) is an error naming the file and what is missing, and nothing is stored;
4. **parse values** (the spec's own step: dates, people, kinds, flags...), rejecting rows;
5. **locate** each row (:mod:`geo.importing.locating`);
6. **ids**: stable keyed hashes of each row (or of the source's own id);
7. **duplicates**: rows repeating an earlier row or already stored are skipped;
8. **areas and store**: the good rows are placed in wards and stored in one transaction.

What differs per kind is an :class:`ImportSpec` (see :mod:`geo.importing.specs`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import locate
from geo.analysis.completeness import file_completeness
from geo.errors import InputFileError
from geo.importing.locating import (
    check_locatable,
    locate_rows,
    settle_metres_in_degree_columns,
)
from geo.importing.report import ColumnNote, ImportReport
from geo.importing.rows import Rows, finish, timed
from geo.io.columns import ColumnMapping, FieldSpec, map_columns
from geo.io.tables import RawTable, read_table
from geo.locate.areas import assign_points
from geo.store import Batch, Store, Table

#: What an import can be given: a file path, or a data frame of cells (a form, an API).
Source = str | Path | pd.DataFrame


@dataclass
class Step:
    """What a spec's own steps see: the table, its column mapping, the rows and the report."""

    store: Store
    table: RawTable
    mapping: ColumnMapping
    rows: Rows
    report: ImportReport
    options: Mapping[str, object]
    _empty: pd.Series = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._empty = pd.Series("", index=self.table.frame.index, dtype=object)

    def get(self, name: str) -> pd.Series:
        """The cells of the column mapped onto field ``name`` ("" everywhere when none is)."""
        column = self.mapping.fields.get(name)
        return self.table.frame[column] if column is not None else self._empty

    def column(self, name: str) -> str | None:
        """The file column mapped onto field ``name``, if any."""
        return self.mapping.fields.get(name)


@dataclass(frozen=True)
class ImportSpec:
    """One kind of row import: what the rows must have, how their values are read, where they go.

    Parameters
    ----------
    kind
        The report's and the import log's name for it (``records``, ``services``, ``police``);
        ``title`` names such a file in messages ("police.uk street-level file").
    table
        The store table the rows go to; ``key`` is its id column, ids start with ``id_prefix``.
    fields
        The canonical fields matched from headers; empty for files with a fixed published
        header (``header``), which must then be present exactly; ``header_fields`` then
        says which of its columns are canonical fields (``{"lat": "Latitude"}``).
    parse
        The spec's own step 4: returns the canonical columns other than location, id and area.
    check
        Structure checks beyond locating (e.g. a date column), raising ``InputFileError``.
    references
        Columns of keyed hashes of person references (records only), timed apart.
    id_scope
        What is hashed in with each row, so equal rows of two agencies get different ids.
    source_ids
        Whether a ``source_id`` field (the source's own id) keys the row instead of its cells.
    personal
        Whether rows are about people: personal columns are then found and never stored.
    place_names
        Whether rows may be located by place name (records only).
    location_detail
        Whether the table keeps how each row was located (source, precision, note).
    occurrence
        Whether identical rows are separate rows (police.uk publishes them so).
    """

    kind: str
    title: str
    table: Table
    key: str
    id_prefix: str
    parse: Callable[[Step], dict[str, pd.Series]]
    id_scope: Callable[[Step], str]
    fields: tuple[FieldSpec, ...] = ()
    header: tuple[str, ...] = ()
    header_fields: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[Step], None] | None = None
    references: Callable[[Step], dict[str, pd.Series]] | None = None
    source_ids: bool = False
    personal: bool = True
    place_names: bool = False
    location_detail: bool = False
    occurrence: bool = False


def run_import(
    spec: ImportSpec,
    store: Store,
    table: RawTable,
    *,
    sha256: str,
    agency: str | None = None,
    columns: Mapping[str, str] | None = None,
    postcodes: locate.PostcodeDirectory | None = None,
    places: locate.Gazetteer | None = None,
    options: Mapping[str, object] | None = None,
    read_seconds: float | None = None,
) -> ImportReport:
    """Run the pipeline for one table of rows; see the module docstring for the steps."""
    report = ImportReport(source=table.source, kind=spec.kind)
    mapping = _map_columns(spec, table, columns)
    _describe_columns(report, mapping)
    step = Step(store, table, mapping, Rows(table), report, dict(options or {}))
    if spec.check is not None:
        spec.check(step)
    check_locatable(mapping.fields, source=table.source, headers=list(table.frame.columns))
    if read_seconds is not None:
        report.seconds["read"] = read_seconds
    rows = step.rows

    with timed(report, "parse"):
        canonical = spec.parse(step)

    with timed(report, "locate"):
        if postcodes is None and "postcode" in mapping.fields:
            postcodes = stored_postcodes(store, table.frame[mapping.fields["postcode"]])
        if places is None and spec.place_names and "place" in mapping.fields:
            places = stored_places(store)
        located = locate_rows(
            table.frame,
            mapping.fields,
            rows,
            postcodes=postcodes,
            places=places if spec.place_names else None,
        )
        wards = store.areas(layer="ward")
        settle_metres_in_degree_columns(located, wards)

    if spec.references is not None:
        with timed(report, "hash"):
            canonical = {**canonical, **spec.references(step)}

    with timed(report, "ids"):
        kept = [c for c in table.frame.columns if c not in mapping.sensitive]
        ids = _ids(spec, step, kept)

    with timed(report, "dedupe"):
        _skip_duplicates(ids, rows, store, table=spec.table)
    # how the rows to be stored were located (rows skipped as duplicates are not counted)
    used = located.loc[rows.ok, "location_source"].value_counts()
    report.located_by = {str(k): int(v) for k, v in used.items()}

    frame = pd.DataFrame(
        {
            spec.key: ids,
            **canonical,
            **{c: located[c] for c in ("lon", "lat", "easting", "northing")},
            **{c: located[c] for c in _LOCATION_DETAIL if spec.location_detail},
        },
        index=table.frame.index,
    )
    with timed(report, "join"):
        area_code = np.full(len(frame), None, dtype=object)
        good = rows.ok
        if good.any():
            area_code[good] = _assign_wards(
                frame["lon"][good], frame["lat"][good], wards, report, folder=store.cache_folder
            )
        frame["area_code"] = area_code
    with timed(report, "store"):
        return _account_and_store(spec, store, frame, step, sha256=sha256, agency=agency, kept=kept)


def read_source(
    source: Source, *, name: str | None = None, sheet: str | None = None
) -> tuple[RawTable, str]:
    """The rows of a file or data frame as text cells, and a SHA-256 of what was read.

    A data frame's rows are numbered from 1 in its order; its cells become text as a CSV
    would hold them (dates as ISO 8601, missing values as blanks).
    """
    if isinstance(source, pd.DataFrame):
        return _frame_table(source, name=name or "form"), _frame_sha256(source)
    path = Path(source)
    table = read_table(path, sheet=sheet, source=name)
    return table, file_sha256(path)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (the import log keeps it, to spot a file imported twice)."""
    with path.open("rb") as handle:  # in chunks: a national postcode directory is over 1 GB
        return hashlib.file_digest(handle, "sha256").hexdigest()


def postcode_directory(
    postcodes: str | Path | locate.PostcodeDirectory | None,
) -> locate.PostcodeDirectory | None:
    """A postcode directory from a path, or the one given (loaded once by a caller)."""
    if postcodes is None or isinstance(postcodes, locate.PostcodeDirectory):
        return postcodes
    return locate.PostcodeDirectory.from_file(postcodes)


def stored_postcodes(store: Store, postcodes: pd.Series) -> locate.PostcodeDirectory | None:
    """The store's postcode directory (:mod:`geo.importing.lookups`), read for ``postcodes``
    only (a national directory is never loaded whole); None if the store keeps none."""
    kept = store.lookups().get("postcodes")
    if kept is None:
        return None
    keys = locate.normalise_postcode(postcodes).dropna().unique()
    return locate.PostcodeDirectory(store.postcode_rows(list(keys)), name=kept.name)


def stored_places(store: Store) -> locate.Gazetteer | None:
    """The store's gazetteer of place names; None if the store keeps none."""
    kept = store.lookups().get("places")
    places = store.stored_places() if kept is not None else None
    if kept is None or places is None:
        return None
    return locate.Gazetteer.from_frame(places, name=kept.name)


def gazetteer(places: str | Path | locate.Gazetteer | None) -> locate.Gazetteer | None:
    """A gazetteer of place names from a path, or the one given."""
    if places is None or isinstance(places, locate.Gazetteer):
        return places
    return locate.Gazetteer.from_file(places)


def text(values: pd.Series) -> pd.Series:
    """Free text as stored: stripped, blank as None. Never interpreted; escaped when shown."""
    cells = values.to_numpy(dtype=object)
    out = cells.copy()
    out[cells == ""] = None
    return pd.Series(out, index=values.index, dtype=object)


# -- helpers ---------------------------------------------------------------------------------
_LOCATION_DETAIL = ("location_source", "location_precision_m", "location_note")


def _map_columns(
    spec: ImportSpec, table: RawTable, columns: Mapping[str, str] | None
) -> ColumnMapping:
    headers = list(table.frame.columns)
    if spec.header:
        missing = [c for c in spec.header if c not in headers]
        if missing:
            raise InputFileError(
                f"{table.source}: not a {spec.title}; columns missing:"
                f" {', '.join(missing)} (expected {', '.join(spec.header)})"
            )
        fields = {**{c: c for c in spec.header}, **spec.header_fields}
        return ColumnMapping(fields=fields, sensitive={}, unused=())
    return map_columns(
        headers, spec.fields, overrides=columns, source=table.source, personal=spec.personal
    )


def _describe_columns(report: ImportReport, mapping: ColumnMapping) -> None:
    """Say in the report which column fed which field, and which columns were not stored."""
    report.columns = dict(mapping.fields)
    report.columns_not_stored = {
        **{
            c: ColumnNote("personal", f"looks like {what}: never stored")
            for c, what in mapping.sensitive.items()
        },
        **{c: ColumnNote("unused", "not a field Outreach Atlas keeps") for c in mapping.unused},
    }


def _ids(spec: ImportSpec, step: Step, kept: list[str]) -> pd.Series:
    key = step.store.secret_key()
    scope = spec.id_scope(step)
    frame = step.table.frame.loc[:, kept]
    ids = row_ids(frame, key=key, prefix=spec.id_prefix, scope=scope, occurrence=spec.occurrence)
    if spec.source_ids:
        source_id = step.get("source_id")
        by_source = source_id.ne("")
        if by_source.any():
            id_frame = pd.DataFrame({"id": source_id[by_source]})
            ids[by_source] = row_ids(
                id_frame, key=key, prefix=spec.id_prefix, scope=f"{step.options['agency']}\x1fid"
            )
    return ids


def row_ids(
    frame: pd.DataFrame, *, key: bytes, prefix: str, scope: str, occurrence: bool = False
) -> pd.Series:
    """Stable ids from each row's cells (column order does not matter), keyed with the store key.

    With ``occurrence``, identical rows get distinct ids by their order among identical rows
    (police.uk publishes separate incidents as byte-identical rows).
    """
    names = sorted(frame.columns)
    text = _row_texts([frame[n].to_numpy(dtype=object) for n in names], names=names, scope=scope)
    if occurrence:
        repeat = pd.Series(text, dtype=object).groupby(text, sort=False).cumcount().tolist()
        text = [f"{t}{i}" for t, i in zip(text, repeat, strict=True)]
    # a copy of one keyed hasher per row: the same hash as a keyed hasher made per row, without
    # working the key in a million times (a quarter of this step); the loop is written out, as
    # a function called per row cost a third of the step
    keyed = hashlib.blake2b(key=key[:64], digest_size=16).copy
    ids = []
    for data in map(str.encode, text):
        hasher = keyed()
        hasher.update(data)
        ids.append(prefix + hasher.hexdigest())
    return pd.Series(ids, index=frame.index, dtype=object)


def _row_texts(cells: list[np.ndarray], *, names: list[str], scope: str) -> list[str]:
    """Each row's text: scope RS (name US cell RS)... for the columns ``names`` in order.

    Text cells (every cell of a file read) are joined with the names in between, each row in
    one ``str.join`` (twice as fast as a %-format); a column holding anything else is written
    as ``%s`` writes it, which for text is the same.
    """
    if cells and all(_all_text(column) for column in cells):
        parts: list[object] = []
        lead = scope + "\x1e"
        for name, column in zip(names, cells, strict=True):
            parts += [itertools.repeat(f"{lead}{name}\x1f"), column]
            lead = "\x1e"
        parts.append(itertools.repeat("\x1e"))
        return list(map("".join, zip(*parts, strict=False)))  # the repeats never end
    template = _literal(scope) + "\x1e" + "".join(_literal(n) + "\x1f%s\x1e" for n in names)
    return list(map(template.__mod__, zip(*cells, strict=True)))


def _all_text(column: np.ndarray) -> bool:
    return bool(pd.api.types.infer_dtype(column, skipna=False) in ("string", "empty"))


def _literal(text: str) -> str:
    """``text`` escaped for use as literal text in a %-format template."""
    return text.replace("%", "%%")


def _skip_duplicates(ids: pd.Series, rows: Rows, store: Store, *, table: Table) -> None:
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
    if wards.empty:
        report.warn(
            "no_wards",
            "no wards in the store yet: rows are stored but not placed in wards; import a ward"
            " boundary file and they will be placed",
        )
        return np.full(len(lon), None, dtype=object)
    return assign_points(
        lon, lat, codes=wards["area_code"], geometries=wards.geometry, folder=folder
    )


def _account_and_store(
    spec: ImportSpec,
    store: Store,
    canonical: pd.DataFrame,
    step: Step,
    *,
    sha256: str,
    agency: str | None,
    kept: list[str],
) -> ImportReport:
    rows, report = step.rows, step.report
    candidates = rows.ok
    finish(report, rows, kept_columns=kept)
    skipped_mask = pd.notna(rows.skip)
    report.skipped_by_reason = dict(Counter(rows.skip[skipped_mask]).most_common())
    to_store = canonical if candidates.all() else canonical.loc[candidates]
    report.outside_areas = int(to_store["area_code"].isna().sum())
    if spec.table == "records":
        report.completeness = file_completeness(to_store)
    batch = Batch.new(kind=spec.kind, source=report.source, sha256=sha256, agency=agency)
    report.batch_id = batch.batch_id
    batch = Batch(**{**batch.__dict__, "accounting": report.to_dict()})
    stored = store.add(spec.table, to_store, batch=batch) if len(to_store) else 0
    raced = len(to_store) - stored
    report.stored = stored
    report.skipped = int(skipped_mask.sum()) + raced
    if raced:
        report.skipped_by_reason["stored by another import at the same time"] = raced
    report.check()
    return report


def _frame_table(frame: pd.DataFrame, *, name: str) -> RawTable:
    """A data frame's cells as the stripped text a CSV file of it would hold."""
    if not isinstance(frame, pd.DataFrame):
        raise InputFileError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    cells = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else v.isoformat())
        else:
            text = values.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v))
        cells[str(column).strip() or f"column_{position + 1}"] = text.str.strip().to_numpy(
            dtype=object
        )
    table = pd.DataFrame(cells).astype(object)
    return RawTable(
        source=name,
        frame=table,
        rows=np.arange(1, len(table) + 1, dtype=np.int64),
        encoding="data frame",
    )


def _frame_sha256(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
