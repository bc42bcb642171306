"""Copy everything a store holds into an empty one, of either kind, and check the copy.

``python -m geo copy SOURCE TARGET`` comes here: the embedded store into a shared PostGIS one
(a pilot growing into a partnership), back again, or between two of one kind. What is copied:
every layer of areas, records, services and police.uk incidents, the postcode directory, the
kept tables (gazetteer, ward context), link decisions, cold-weather activations, closed
safeguarding items, users (with the council each is bound to), sharing agreements between
councils, settings, the import log and the audit log, and the key.

The data goes in through the :class:`~geo.store.base.Store` interface, one write per import
batch as it was first imported (the same batch ids, so the import log still tells where every
row came from); what the interface stamps anew (the import log's order and accounting, the
registers' who and when, the audit log's times) is then written as it was, with
:meth:`~geo.store.base.Store.restore_log`. The audit log of the copy is the target's own rows
(the imports this copy made), the source's rows with their original times, then one row,
``"store copied"``, saying from where and what; the source gets a ``"store copied out"`` row.

The key (:meth:`~geo.store.base.Store.secret_key`) is copied too. Person references are keyed
hashes of each agency's client numbers: a copy holding the records under a new key would hash
the next import's client numbers differently, so the same person would have two references,
one before the copy and one after, and flow, returners and erasure requests would no longer
find them. Without the key nothing in the copy could be matched with a later import again.
Keep the target as safe as the source: the key is what makes the references pseudonymous.

The target must be empty (no areas, records, imports, registers or users: a copy never mixes
two stores). Then the copy is checked: rows per table, the import log, the registers, the
audit log's copied rows and the key equal on both, and the ward figures (every ward over every
night, as a coordinator sees them) frame-equal. A copy that fails half-way leaves a part-filled
target: remove it (a new file or database) and copy again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import StoreError
from geo.questions import area_summary
from geo.store.audit import Event
from geo.store.base import Batch, CopiedLog, Lookup, Store

#: The data tables written one batch at a time, with how a sentence names their rows.
_ROWS: Final = {"records": "records", "services": "services", "police": "police.uk incidents"}
#: The kept tables copied whole.
_KEPT: Final = ("places", "context")


@dataclass(frozen=True)
class CopyReport:
    """What a copy moved and whether the two stores were found equal afterwards.

    Attributes
    ----------
    source, target
        The stores' locations (a URL without its password).
    counts
        Rows of each thing copied, as the source held them (``"areas: ward"`` per layer).
    differences
        What differed between the two stores after the copy, in words (empty: none).
    """

    source: str
    target: str
    counts: dict[str, int]
    differences: tuple[str, ...] = field(default=())

    @property
    def equal(self) -> bool:
        """Whether the checks found the two stores equal."""
        return not self.differences

    def sentence(self) -> str:
        """What was copied and the checks' verdict, in one plain sentence."""
        parts = [
            _counted(self.counts.get("records", 0), "record"),
            *(
                _counted(n, "ward" if name == "areas: ward" else f"{name[7:]} area")
                for name, n in self.counts.items()
                if name.startswith("areas: ")
            ),
            _counted(self.counts.get("services", 0), "service"),
            _counted(self.counts.get("police", 0), "police.uk incident"),
            _counted(self.counts.get("postcodes", 0), "postcode"),
            _counted(self.counts.get("users", 0), "user"),
            _counted(self.counts.get("imports", 0), "import"),
            _counted(self.counts.get("audit", 0), "audit log row"),
        ]
        verdict = (
            "counts and ward figures checked equal."
            if self.equal
            else "but the copy differs: " + "; ".join(self.differences) + "."
        )
        return f"Copied {', '.join(parts)} from {self.source} to {self.target}; {verdict}"

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "counts": dict(self.counts),
            "equal": self.equal,
            "differences": list(self.differences),
        }


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy everything ``source`` holds into the empty store ``target``, then check the two.

    Parameters
    ----------
    source
        The store to copy; it is only read (and gets one audit row saying it was copied).
    target
        An empty store of either kind: no areas, records, imports, registers, users or
        settings (a ``StoreError`` says what it holds otherwise).

    Returns
    -------
    CopyReport
        The counts copied and what, if anything, differed afterwards (see the module's
        description for what is checked).
    """
    if not isinstance(source, Store) or not isinstance(target, Store):
        raise TypeError("copy_store takes two stores; open them with geo.store.open_store")
    if source.location == target.location:
        raise StoreError(f"{source.location} is both the source and the target; copy it elsewhere")
    _check_empty(target)
    return _copy(source, target)


def _check_empty(target: Store) -> None:
    """Refuse a target holding anything a copy would mix with (its audit log may hold rows)."""
    counts = target.counts()
    held = {
        "areas": counts["areas"],
        "records": counts["records"],
        "services": counts["services"],
        "police.uk incidents": counts["police"],
        "imports": counts["imports"],
        "kept lookups": len(target.lookups()),
        "link decisions": len(target.link_decisions()),
        "cold-weather activations": len(target.activations()),
        "closed safeguarding items": len(target.closures()),
        "users": len(target.users()),
        "sharing agreements": len(target.sharing()),
        "settings": len(target.settings()),
    }
    what = ", ".join(f"{name} ({n:,})" for name, n in held.items() if n)
    if what:
        raise StoreError(
            f"the target {target.location} is not empty: it holds {what}. A copy goes into a"
            " new store only: a file that does not exist yet, or a new database"
        )


def _copy(source: Store, target: Store) -> CopyReport:
    log = _read_log(source)
    batches = _batches(log.imports)
    counts: dict[str, int] = {}
    for layer in _layers(log.imports):
        areas = source.areas(layer=layer)
        if len(areas):
            target.replace_areas(areas, layer=layer, batch=_batch_of(batches, "areas", layer))
            counts[f"areas: {layer}"] = len(areas)
    lookups = source.lookups()
    if "postcodes" in lookups:
        table = source.postcode_table()
        kept = lookups["postcodes"]
        target.replace_postcodes(table, name=kept.name, batch=_lookup_batch(batches, kept))
        counts["postcodes"] = len(table)
    for kind in _KEPT:
        table = source.kept_table(kind)
        if kind in lookups and table is not None:
            kept = lookups[kind]
            batch = _lookup_batch(batches, kept)
            target.replace_kept_table(
                kind, table, name=kept.name, entries=kept.entries, batch=batch
            )
            counts[kind] = kept.entries
    for table in _ROWS:
        rows = source._read(table)
        for batch_id, part in rows.groupby("batch_id", sort=False, dropna=False):
            batch = batches.get(str(batch_id)) or _unlogged(table, str(batch_id))
            target.add(table, part.reset_index(drop=True), batch=batch)
        counts[table] = len(rows)
    counts |= {
        "imports": len(log.imports),
        "link decisions": len(log.link_decisions),
        "activations": len(log.activations),
        "closures": len(log.closures),
        "users": len(log.users),
        "sharing agreements": len(log.sharing),
        "settings": len(log.settings),
        "audit": len(log.audit),
    }
    copied = {"from": source.location, "counts": counts}
    target.restore_log(log, event=Event("store copied", copied))
    differences = _differences(source, target, log)
    source.record_event(
        "store copied out", {"to": target.location, "counts": counts, "equal": not differences}
    )
    return CopyReport(
        source=source.location,
        target=target.location,
        counts=counts,
        differences=tuple(differences),
    )


def _read_log(store: Store) -> CopiedLog:
    audit = store._audit_rows()
    return CopiedLog(
        imports=store.imports(),
        link_decisions=store.link_decisions(),
        activations=store.activations(),
        closures=store.closures(),
        users=store.users(),
        sharing=store.sharing(),
        settings=store.settings(),
        audit=audit.drop(columns="seq").reset_index(drop=True),
        key=store.secret_key(),
    )


def _batches(imports: pd.DataFrame) -> dict[str, Batch]:
    """Every logged import as the batch it was, by id."""
    fields = ["batch_id", "kind", "source", "sha256", "agency", "imported_at", "accounting"]
    rows = imports.loc[:, fields].astype(object).where(imports.loc[:, fields].notna(), None)
    return {str(row["batch_id"]): Batch(**row) for row in rows.to_dict(orient="records")}


def _layers(imports: pd.DataFrame) -> list[str]:
    """The layers of areas ever imported (the ward layer always asked for), wards first."""
    areas = imports.loc[imports["kind"] == "areas", "accounting"]
    named = [str(kept.get("layer") or "ward") for kept in areas if isinstance(kept, dict)]
    return list(dict.fromkeys(["ward", *named]))


def _batch_of(batches: dict[str, Batch], kind: str, layer: str) -> Batch:
    """The latest import of ``layer``'s areas (the one whose areas are kept)."""
    for batch in batches.values():  # newest first, as the import log is
        if batch.kind == kind and (batch.accounting.get("layer") or "ward") == layer:
            return batch
    return _unlogged("areas", f"copied-{layer}")


def _lookup_batch(batches: dict[str, Batch], kept: Lookup) -> Batch:
    """The latest import of a kept lookup (its batch: what the lookup's date is read from)."""
    for batch in batches.values():  # newest first
        if batch.kind == kept.kind and batch.imported_at == kept.imported_at:
            return batch
    return _unlogged(kept.kind, f"copied-{kept.kind}")


def _unlogged(kind: str, batch_id: str) -> Batch:
    """A batch for rows whose import is not in the log (none in a store this app wrote)."""
    fresh = Batch.new(kind=kind, source="copied", sha256="")
    return Batch(**{**fresh.__dict__, "batch_id": batch_id or fresh.batch_id})


def _differences(source: Store, target: Store, log: CopiedLog) -> list[str]:
    """What differs between the two stores after the copy, in words."""
    found: list[str] = []
    mine, theirs = source.counts(), target.counts()
    for table, n in mine.items():
        if theirs.get(table) != n:
            found.append(f"{table}: {n:,} in the source, {theirs.get(table, 0):,} in the copy")
    compared: dict[str, Callable[[Store], object]] = {
        "the import log": lambda s: s.imports(),
        "the postcode directory": lambda s: s.postcode_table(),
        "the gazetteer": lambda s: s.kept_table("places"),
        "the ward context": lambda s: s.kept_table("context"),
        "the lookups": lambda s: s.lookups(),
        "link decisions": lambda s: s.link_decisions(),
        "cold-weather activations": lambda s: s.activations(),
        "closed safeguarding items": lambda s: s.closures(),
        "users": lambda s: s.users(),
        "sharing agreements": lambda s: s.sharing(),
        "settings": lambda s: {n: v.__dict__ for n, v in s.settings().items()},
    }
    for what, read in compared.items():
        if not _same(read(source), read(target)):
            found.append(f"{what} differ")
    copied = target._audit_rows().drop(columns="seq").iloc[-len(log.audit) - 1 : -1]
    if not _same(copied.reset_index(drop=True), log.audit):
        found.append("the audit log's copied rows differ")
    if target.secret_key() != log.key:
        found.append("the key differs (later imports would not match the references)")
    for layer in _layers(log.imports):
        if not _same(source.areas(layer=layer), target.areas(layer=layer)):
            found.append(f"the {layer} areas differ")
    for table in _ROWS:
        if not _same(source._read(table), target._read(table)):
            found.append(f"the {_ROWS[table]} differ")
    figures = _ward_figures(source), _ward_figures(target)
    if not _same(*figures):
        found.append("the ward figures differ")
    return found


def _ward_figures(store: Store) -> pd.DataFrame | None:
    """Every ward's figures over every night the store holds, as a coordinator sees them."""
    if store.areas(layer="ward").empty:
        return None
    nights = store.records_for_figures(role="coordinator", columns=["night"])["night"].dropna()
    if nights.empty:
        return None
    first, last = (date.fromisoformat(f"{n:%Y-%m-%d}") for n in (nights.min(), nights.max()))
    summary = area_summary(store, role="coordinator", period="range", start=first, end=last)
    return summary.areas


def _same(a: object, b: object) -> bool:
    """Whether two answers are equal (frames: same columns, dtypes, order and values)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            return False
        try:
            pd.testing.assert_frame_equal(_plain(a), _plain(b), check_index_type=False)
        except AssertionError:
            return False
        return True
    return bool(a == b)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its shapes as WKB (compared exactly) and a plain frame's class."""
    if isinstance(frame, gpd.GeoDataFrame):
        shapes = shapely.to_wkb(frame.geometry.to_numpy())
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(geometry=shapes)
    return frame


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


__all__ = ["CopyReport", "copy_store"]
