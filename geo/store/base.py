"""What every store offers: the :class:`Store` interface and an import :class:`Batch`
(where a store lives is :mod:`geo.store.locations`).

Data leaves a store only through methods that take a role (:mod:`geo.privacy`), in the order it
was stored (each file's own order), and a reader may ask for only the columns it needs. The
backends (:mod:`geo.store.sqlite`, :mod:`geo.store.postgis`) implement the abstract
methods; the role-aware readers here are written once, on top of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import AccessDenied, StoreError
from geo.privacy import access as privacy
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.schema import POINT_COLUMNS, RECORD_COLUMNS, LinkAction, empty_frame
from geo.store.audit import Event, current_actor
from geo.store.registers import Agreement, Closure, Setting, User, normalise_council

#: The longest activation a store keeps, in nights: SWEP is opened for days or weeks at a time.
MAX_ACTIVATION_NIGHTS: Final = 60

#: The tables a store adds rows to (areas are replaced a layer at a time).
Table = Literal["records", "services", "police"]

#: What a store keeps whole, one of each, a new file replacing the old: a postcode directory
#: and a gazetteer of places (later imports are located by them), and ward context.
LookupKind = Literal["postcodes", "places", "context"]

#: The kept lookups small enough to be kept as one table in a cell (not a table of rows).
KeptTableKind = Literal["places", "context"]


#: The council a backend's read of records is for, while :meth:`Store.records` reads (None:
#: every council). The shared store sets it on its connection too, for row-level security.
_READING_FOR: ContextVar[str | None] = ContextVar("outreach_atlas_reading_for", default=None)


def reading_for() -> str | None:
    """The council the records being read now are for (None: every council)."""
    return _READING_FOR.get()


@contextlib.contextmanager
def _reading_council(council: str | None) -> Iterator[None]:
    token = _READING_FOR.set(council)
    try:
        yield
    finally:
        _READING_FOR.reset(token)


@dataclass(frozen=True)
class Batch:
    """One import: what it was, from which file, when, and what it counted."""

    batch_id: str
    kind: str
    source: str
    sha256: str
    agency: str | None
    imported_at: str
    accounting: Mapping[str, object]

    @classmethod
    def new(
        cls,
        *,
        kind: str,
        source: str,
        sha256: str,
        agency: str | None = None,
        accounting: Mapping[str, object] | None = None,
    ) -> Batch:
        """A batch stamped with a fresh id and the current time (UTC)."""
        return cls(
            batch_id=f"b_{datetime.now(UTC):%Y%m%dT%H%M%S}_{secrets.token_hex(4)}",
            kind=kind,
            source=source,
            sha256=sha256,
            agency=agency,
            imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            accounting=dict(accounting or {}),
        )


@dataclass(frozen=True)
class Lookup:
    """A postcode directory, gazetteer or ward context kept in the store: what it is and when
    it came."""

    kind: LookupKind
    name: str
    entries: int
    imported_at: str


@dataclass(frozen=True)
class LinkDecision:
    """A coordinator's decision that two records are (``relink``) or are not (``unlink``) the
    same person, who made it and when (UTC ISO 8601).

    There is no sign-in yet: ``decided_by`` is the name given (the command line's ``--by``,
    by default the operating-system user); once sign-in comes, it supplies the name.
    """

    record_a: str
    record_b: str
    action: LinkAction
    decided_by: str
    decided_at: str
    reason: str | None = None


@dataclass(frozen=True)
class Activation:
    """A severe weather emergency protocol (SWEP) activation: the nights ``first_night`` to
    ``last_night`` (both included), who recorded it and when (UTC ISO 8601), and a note.

    Make one with :meth:`new`, which checks the nights and stamps the time.
    """

    first_night: str
    last_night: str
    recorded_by: str
    recorded_at: str
    note: str | None = None

    @classmethod
    def new(cls, first: date, last: date, *, by: str, note: str | None = None) -> Activation:
        """An activation of the nights ``first`` to ``last``, stamped now; a ``StoreError``
        says what is wrong with the nights or the name."""
        for name, value in (("first", first), ("last", last)):
            if isinstance(value, datetime) or not isinstance(value, date):
                raise StoreError(
                    f"{name} must be a night's date (its evening), e.g. 2026-11-20; got {value!r}"
                )
        if first > last:
            raise StoreError(
                f"the activation ends ({last:%d %B %Y}) before it begins ({first:%d %B %Y});"
                " give the first night, then the last"
            )
        if (last - first).days + 1 > MAX_ACTIVATION_NIGHTS:
            raise StoreError(
                f"{first:%d %B %Y} to {last:%d %B %Y} is {(last - first).days + 1} nights; an"
                f" activation is at most {MAX_ACTIVATION_NIGHTS}: record a longer spell as"
                " several activations"
            )
        if not str(by or "").strip():
            raise StoreError("say who recorded it (a name): an activation is kept with who")
        return cls(
            first_night=first.isoformat(),
            last_night=last.isoformat(),
            recorded_by=str(by).strip(),
            recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            note=str(note).strip() or None if note is not None else None,
        )


@dataclass(frozen=True)
class CopiedLog:
    """What a copy of a store writes into the new one as it was, not stamped anew (see
    :func:`geo.store.copying.copy_store` and :meth:`Store.restore_log`).

    Attributes
    ----------
    imports
        The import log, newest first, as :meth:`Store.imports` gives it.
    link_decisions, activations, closures, users, sharing
        As :meth:`Store.link_decisions`, :meth:`Store.activations`, :meth:`Store.closures`,
        :meth:`Store.users` and :meth:`Store.sharing` give them.
    settings
        As :meth:`Store.settings` gives them.
    audit
        The audit log, oldest first (:data:`geo.store.audit.AUDIT_COLUMNS`; ``seq`` is not
        kept: the new store numbers its rows after its own).
    key
        The key person identifiers are hashed with (:meth:`Store.secret_key`).
    """

    imports: pd.DataFrame
    link_decisions: pd.DataFrame
    activations: pd.DataFrame
    closures: pd.DataFrame
    users: pd.DataFrame
    sharing: pd.DataFrame
    settings: Mapping[str, Setting]
    audit: pd.DataFrame
    key: bytes


class Store(ABC):
    """What every backend offers. Nothing outside a backend knows how data is kept."""

    location: str
    #: A folder this backend keeps caches in (column and ward-index caches), or None.
    cache_folder: Path | None = None

    # -- writing: each call is one transaction ---------------------------------------------
    @abstractmethod
    def replace_areas(self, areas: gpd.GeoDataFrame, *, layer: str, batch: Batch) -> int:
        """Replace a layer of areas and re-place every point in it if it is the ward layer."""

    @abstractmethod
    def add(self, table: Table, rows: pd.DataFrame, *, batch: Batch) -> int:
        """Insert rows whose key is new; return how many were stored (the rest are duplicates).

        ``rows`` must pass :func:`geo.schema.validate` (``batch_id`` is filled in here);
        otherwise a ``StoreError`` names the column and what is wrong with it.
        """

    @abstractmethod
    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        """Which of ``keys`` are already stored (a boolean per key)."""

    @abstractmethod
    def replace_postcodes(self, table: pd.DataFrame, *, name: str, batch: Batch) -> int:
        """Replace the postcode directory every later import locates postcodes with.

        ``table`` is :attr:`geo.locate.PostcodeDirectory.table`: one row per normalised
        postcode (the index). Returns how many postcodes were stored.
        """

    @abstractmethod
    def postcode_rows(self, postcodes: Sequence[str]) -> pd.DataFrame:
        """The stored directory's rows of ``postcodes`` (normalised), as the table was given;
        postcodes not in it are left out. A million-row directory is never read whole."""

    @abstractmethod
    def replace_kept_table(
        self, kind: KeptTableKind, table: pd.DataFrame, *, name: str, entries: int, batch: Batch
    ) -> None:
        """Replace a small table kept whole (a gazetteer, ward context) in one transaction.

        ``table``'s cells are text, numbers or missing; they come back from :meth:`kept_table`
        as given, columns in order. ``entries`` is what :meth:`lookups` reports of it.
        """

    @abstractmethod
    def kept_table(self, kind: KeptTableKind) -> pd.DataFrame | None:
        """The table given to :meth:`replace_kept_table` for ``kind``, or None if there is none."""

    def replace_places(self, places: pd.DataFrame, *, name: str, batch: Batch) -> int:
        """Replace the gazetteer of place names every later import locates place names with.

        ``places`` is the gazetteer file's rows as text (blank rows kept, so row numbers stay
        the file's); :class:`geo.locate.Gazetteer` has checked them. Returns how many places
        (rows with anything in them)."""
        text = places.astype("string").fillna("")
        entries = int(text.apply(lambda column: column.str.strip().ne("")).any(axis=1).sum())
        self.replace_kept_table("places", text, name=name, entries=entries, batch=batch)
        return entries

    def stored_places(self) -> pd.DataFrame | None:
        """The stored gazetteer as given to :meth:`replace_places`, or None if there is none."""
        kept = self.kept_table("places")
        return None if kept is None else kept.astype("string")

    @abstractmethod
    def lookups(self) -> dict[LookupKind, Lookup]:
        """The postcode directory and gazetteer kept in the store, by kind (none: empty)."""

    @abstractmethod
    def add_link_decision(
        self,
        *,
        record_a: str,
        record_b: str,
        action: LinkAction,
        by: str,
        reason: str | None = None,
    ) -> LinkDecision:
        """Keep a decision about two records' link, stamped now, and bump the version.

        Decisions are only added, never changed: the latest about a pair holds. A
        ``StoreError`` names a record id that is not in the store. Whether the pair is linked
        is the caller's business (:mod:`geo.questions.links`).
        """

    @abstractmethod
    def link_decisions(self) -> pd.DataFrame:
        """Every link decision, oldest first (:data:`geo.schema.LINK_DECISION_COLUMNS`)."""

    @abstractmethod
    def add_activation(
        self, first: date, last: date, *, by: str, note: str | None = None
    ) -> Activation:
        """Keep a SWEP activation of the nights ``first`` to ``last`` (see
        :meth:`Activation.new` for the checks), stamped now, and bump the version.

        Activations are only added, never changed or removed."""

    @abstractmethod
    def activations(self) -> pd.DataFrame:
        """Every SWEP activation, oldest first (:data:`geo.schema.ACTIVATION_COLUMNS`)."""

    @abstractmethod
    def add_closure(self, *, key: str, by: str, reason: str) -> Closure:
        """Keep that ``by`` closed the safeguarding item ``key`` now, for ``reason``, and bump
        the version (cached queues refresh). Closures are only added: the latest counts.
        Callers check the role (:func:`geo.questions.safeguarding.close_item`)."""

    @abstractmethod
    def closures(self) -> pd.DataFrame:
        """Every closure, oldest first (:data:`geo.store.registers.CLOSURE_COLUMNS`)."""

    @abstractmethod
    def users(self) -> pd.DataFrame:
        """Everyone who may sign in (:data:`geo.store.registers.USER_COLUMNS`), by email."""

    @abstractmethod
    def put_user(
        self,
        email: str,
        *,
        role: str,
        agency: str | None = None,
        council: str | None = None,
        unbind: bool = False,
    ) -> User:
        """Add a user, or change their role, agency and council; audited with those before.
        An agency or council not given is kept; ``unbind`` takes their council away (they
        read every council's records). Callers check that the actor may
        (:mod:`geo.privacy.users`)."""

    @abstractmethod
    def remove_user(self, email: str) -> bool:
        """Remove a user (False if there was none); audited. Takes effect on their next
        rerun, since the app reads the role on every rerun."""

    # -- councils and their data-sharing agreements (callers check the role) --------------
    @abstractmethod
    def ward_councils(self) -> pd.Series:
        """Each stored ward's council (its ``parent_code``; missing if the file gave none),
        indexed by ward code."""

    @abstractmethod
    def sharing(self) -> pd.DataFrame:
        """Every data-sharing agreement, in force or ended, oldest first
        (:data:`geo.store.registers.SHARING_COLUMNS`)."""

    @abstractmethod
    def share(self, from_council: str, to_council: str, *, by: str, reason: str) -> Agreement:
        """Let ``to_council``'s users read ``from_council``'s records from now on, agreed by
        ``by`` for ``reason``; audited in the same transaction. A ``StoreError`` if such an
        agreement is in force already."""

    @abstractmethod
    def end_share(self, from_council: str, to_council: str, *, by: str) -> Agreement:
        """End the agreement in force that lets ``to_council`` read ``from_council``'s
        records; audited in the same transaction. A ``StoreError`` if there is none."""

    def councils_read_by(self, council: str) -> list[str]:
        """The councils whose records ``council``'s users read: its own, then those sharing
        with it under an agreement in force, in code order."""
        council = normalise_council(council)
        agreements = self.sharing()
        active = agreements.loc[
            agreements["to_council"].eq(council) & agreements["ended_at"].isna()
        ]
        return [council, *sorted(set(active["from_council"]) - {council})]

    def council_wards(self, council: str) -> list[str]:
        """The codes of the wards whose records ``council``'s users read (its own wards and
        those of the councils sharing with it), in code order."""
        wards = self.ward_councils()
        return sorted(wards.index[wards.isin(self.councils_read_by(council)).to_numpy()])

    @abstractmethod
    def settings(self) -> dict[str, Setting]:
        """The settings changed from their defaults, by name (defaults live with what reads
        them, e.g. :mod:`geo.privacy.settings`)."""

    @abstractmethod
    def change_setting(self, name: str, value: object, *, reason: str | None = None) -> Setting:
        """Set a setting, stamped with the actor, now and ``reason``; audited with the value
        before. Callers check that the actor may."""

    # -- retention and the people's rights (callers check the role: geo.privacy.rights) ----
    @abstractmethod
    def purge_records(self, before: date, *, dry_run: bool = False) -> dict[str, int]:
        """Delete every record whose night is before the night ``before`` (that night and
        later are kept), with what is derived from them, in one transaction.

        What goes with the records: the link decisions naming any of them, and closed
        safeguarding items whose item (``record-<id>``, ``person-<ref>``) is no longer in the
        store; the column caches are dropped. Services and police.uk incidents hold nobody's
        data and stay. One audit row, ``"records purged"``, holds the cut and the counts.
        ``dry_run`` counts the same and changes nothing (no audit row either). An actor bound
        to a council deletes only their own council's records (and the audit row says which).

        Returns
        -------
        dict
            Rows deleted (or that would be), by table: ``records``, ``link_decisions``,
            ``safeguarding_closures``.
        """

    @abstractmethod
    def erase_records(
        self, person_refs: Sequence[str], *, detail: Mapping[str, object], dry_run: bool = False
    ) -> dict[str, int]:
        """Delete every record whose ``person_ref`` is one of ``person_refs`` (keyed hashes)
        and what is derived from them, as :meth:`purge_records` does, in one transaction with
        one audit row, ``"person erased"``: ``detail`` (never a reference) and the counts.
        ``dry_run`` counts and changes nothing. A bound actor erases only their council's."""

    def person_records(self, person_refs: Sequence[str], *, role: Role) -> pd.DataFrame:
        """Every record, whole, whose ``person_ref`` is one of ``person_refs`` (keyed hashes),
        in the order stored: what an admin exports for a subject access request
        (:func:`geo.privacy.rights.subject_access`). Other roles get ``AccessDenied``. An admin
        bound to a council gets the records their council reads (:meth:`records`)."""
        if check_role(role) != "admin":
            raise AccessDenied(
                f"the {role} role cannot answer a subject access request; ask an admin"
            )
        frame = self._council_read(None, _council_scope(None))
        found = frame["person_ref"].isin([str(ref) for ref in person_refs])
        return frame.loc[found.to_numpy()].reset_index(drop=True)

    # -- copying a whole store (geo.store.copying) -----------------------------------------
    @abstractmethod
    def postcode_table(self) -> pd.DataFrame:
        """The whole postcode directory, as :meth:`postcode_rows` gives rows (empty: none)."""

    @abstractmethod
    def restore_log(self, log: CopiedLog, *, event: Event) -> None:
        """Write ``log``, copied from another store, as it was, then ``event``.

        In one transaction: the import log is replaced by ``log.imports`` (the copy's own
        writes logged the same batches; this brings back the original order, accounting and
        batches that no longer hold anything), the registers get ``log``'s rows with their
        original stamps, the audit log gets ``log.audit`` appended with its original times,
        then ``event``; and the key becomes ``log.key``. For an empty store only: the caller
        (:func:`geo.store.copying.copy_store`) checks.
        """

    @abstractmethod
    def record_event(self, action: str, detail: Mapping[str, object]) -> None:
        """Add a row to the audit log on its own: a sign-in, a page view with its filters, an
        export or a download (writes add theirs in their own transaction)."""

    @abstractmethod
    def _audit_rows(self) -> pd.DataFrame:
        """The whole audit log, oldest first (:data:`geo.store.audit.AUDIT_COLUMNS`).

        Private: admins read it through :func:`geo.privacy.users.audit_log`."""

    def unlinked_pairs(self) -> list[tuple[str, str]]:
        """The pairs of record ids whose latest decision is ``unlink``, each ``(a, b)`` as
        that decision gave them (what :func:`geo.analysis.street_count.counted_people` reads)."""
        decisions = self.link_decisions()
        if decisions.empty:
            return []
        a, b = decisions["record_a"].astype(str), decisions["record_b"].astype(str)
        pair = a.where(a < b, b) + "\x1f" + b.where(a < b, a)
        latest = decisions.loc[~pair.duplicated(keep="last")]
        unlinked = latest.loc[latest["action"] == "unlink"]
        return list(zip(unlinked["record_a"], unlinked["record_b"], strict=True))

    # -- reading ---------------------------------------------------------------------------
    @abstractmethod
    def version(self) -> int:
        """A number that changes on every write."""

    @abstractmethod
    def cache_key(self) -> str:
        """What caches of anything read are keyed on: the version and a random token set on
        every write (the version alone can repeat: a store begun again, a backup restored)."""

    @abstractmethod
    def areas(self, *, layer: str = "ward") -> gpd.GeoDataFrame:
        """Areas of a layer (public boundaries: any role may read them)."""

    @abstractmethod
    def _read(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every row of a table (all columns or ``columns``), unfiltered.

        Private: data leaves through a role.
        """

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, newest first, with each import's accounting."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per table (no personal data), for status lines."""

    @abstractmethod
    def secret_key(self) -> bytes:
        """The key used to hash person identifiers; made on first use, kept out of the repo."""

    def records(
        self, *, role: Role, columns: Sequence[str] | None = None, council: str | None = None
    ) -> pd.DataFrame:
        """Records as the role may see them (see :func:`geo.privacy.view_records`).

        Parameters
        ----------
        role
            Who is asking; councillors and admins see no records (``AccessDenied``).
        columns
            Only these record columns, in this order (reading fewer columns of a large store
            is much faster). Columns the role may not see are left out, as they are when
            every column is read; police locations are coarsened either way.
        council
            Only the records of this council's wards and of councils sharing with it (see
            :meth:`councils_read_by`). An actor bound to a council
            (:class:`geo.store.audit.Actor`) always reads as theirs: leaving this out reads
            their council's, and naming another is ``AccessDenied``. Records outside every
            ward belong to no council: only a reader with no council sees them.
        """
        check_role(role)
        council = _council_scope(council)
        if columns is None:
            return privacy.view_records(self._council_read(None, council), role=role)
        visible = privacy.view_records(empty_frame("records"), role=role)
        wanted = [c for c in _checked_columns(columns) if c in visible.columns]
        if not set(wanted) & set(POINT_COLUMNS):
            # views change only locations: other columns pass through as stored
            return self._council_read(wanted, council)
        needed = list(dict.fromkeys([*wanted, *POINT_COLUMNS]))
        frame = self._council_read(needed, council)
        for name in visible.columns.difference(frame.columns):
            frame[name] = None  # columns the view needs but nobody asked for
        return privacy.view_records(frame, role=role).loc[:, wanted]

    def records_for_figures(
        self,
        *,
        role: Role,
        columns: Sequence[str],
        council: str | None = None,
        every_council: bool = False,
    ) -> pd.DataFrame:
        """Exact records for working out figures that ``role`` sees only as figures.

        Councillors see ward figures worked out from exact locations (coarsening a point could
        move it to the next ward), with small numbers hidden afterwards. The rows returned here
        must never be shown: :mod:`geo.questions` is the one caller, and it hands them straight
        to the figures and the role's view of them (an architecture test keeps it so).

        ``council`` narrows them as :meth:`records` does (a bound actor's council always).
        ``every_council`` reads every council's records whoever is acting: only for the
        partnership's figures side by side (:mod:`geo.questions.partnership`), which hides
        small numbers for a bound actor whatever their role.
        """
        check_can_see_figures(role)
        checked = _checked_columns(columns)
        if every_council:
            return self._read("records", columns=checked)
        return self._council_read(checked, _council_scope(council))

    def _council_read(self, columns: list[str] | None, council: str | None) -> pd.DataFrame:
        """The records (``columns``, or all) of the wards ``council`` reads; all if None."""
        if council is None:
            return self._read("records", columns=columns)
        names = list(RECORD_COLUMNS) if columns is None else columns
        extra = [] if "area_code" in names else ["area_code"]
        with _reading_council(council):
            frame = self._read("records", columns=[*names, *extra])
        keep = frame["area_code"].isin(self.council_wards(council)).to_numpy()
        return frame.loc[keep, names].reset_index(drop=True)

    def services(self) -> pd.DataFrame:
        """Services (public places: any role may read them)."""
        return self._read("services")

    def police_incidents(self) -> pd.DataFrame:
        """police.uk incidents (already public and anonymised by police.uk)."""
        return self._read("police")

    def pseudonymise(self, values: pd.Series, *, scope: str) -> pd.Series:
        """Keyed hashes of person identifiers; blanks stay blank.

        ``scope`` (usually the agency) is hashed in, so two agencies' client numbers never
        collide; identifiers shared across agencies (a CHAIN number) use scope ``"shared"``.
        """
        scoped = hmac.new(self.secret_key(), scope.encode() + b"\x1f", hashlib.sha256)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)  # clients recur: hash once
        text = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip()
        hashed = np.full(len(text), None, dtype=object)
        for i, value in enumerate(text.tolist()):
            if value:
                mac = scoped.copy()
                mac.update(value.encode())
                hashed[i] = "p_" + mac.hexdigest()[:32]
        return pd.Series(hashed[codes], index=values.index, dtype=object)


def _council_scope(council: str | None) -> str | None:
    """The council a read is for: the acting user's, if they are bound to one (naming
    another is ``AccessDenied``), else ``council`` (None: every council)."""
    bound = current_actor().council
    asked = None if council is None else normalise_council(council)
    if bound is None:
        return asked
    if asked is not None and asked != bound:
        raise AccessDenied(
            f"you are bound to council {bound} and cannot read council {asked}'s records; an"
            f" admin can record a data-sharing agreement from {asked} to {bound}"
        )
    return bound


def _checked_columns(columns: Sequence[str]) -> list[str]:
    """``columns`` as a list, each a record column, or a ``ValueError`` naming the others."""
    if isinstance(columns, str):
        raise ValueError(f"columns must be a list of column names, not the text {columns!r}")
    unknown = [c for c in columns if c not in RECORD_COLUMNS]
    if unknown:
        raise ValueError(
            f"columns {', '.join(map(repr, unknown))} are not record columns; choose from"
            f" {', '.join(RECORD_COLUMNS)}"
        )
    return list(dict.fromkeys(columns))
