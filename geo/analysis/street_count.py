"""The street-count rule: which records of one night are the same person, counted once.

On one night, two records from *different* agencies are the same sighting when they carry the
same person reference, or when they lie within ``merge_m`` metres (default 50) and their sex
and nationality group do not disagree (equal, or one of them unknown). Records with the same
reference on one night are one person whoever recorded them. Age bands are not compared:
agencies band ages differently. Records tied together, directly or through others, form a
group, which counts the people of the agency that counted most in it, so two teams passing the
same doorway count its sleepers once.

The ward figures (:func:`geo.analysis.ward_figures.summarise`) count people with
:func:`counted_people`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.errors import AnalysisError
from geo.locate.areas import sorted_unique
from geo.nights import night_numbers
from geo.schema import is_demand

#: Distance within which two agencies' records of one night can be the same sighting.
MERGE_M: Final = 50.0
#: Why two records are linked, in the words the list of links uses.
SAME_REFERENCE: Final = "same reference"
NEARBY: Final = "within {metres:g} m, sex and nationality agree"
THROUGH_OTHERS: Final = "joined through other records"

#: Pairs of record ids a coordinator unlinked: ``(a, b)`` as given, ``b`` the one taken out
#: of the group when the two are still joined through other records.
Unlinked = Iterable[tuple[str, str]]

_SAME, _NEAR, _THROUGH = 0, 1, 2


def counted_people(
    demand: pd.DataFrame,
    *,
    merge_m: float = MERGE_M,
    unlinked: Unlinked | None = None,
    nights: np.ndarray | None = None,
) -> np.ndarray:
    """People each record contributes once agencies' records of one sighting are merged.

    ``demand`` needs ``agency``, ``people``, ``easting``, ``northing`` and ``night`` (or
    ``nights``: its night numbers, row for row), may have ``person_ref``, ``sex`` and
    ``nationality_group``, and needs ``record_id`` when ``unlinked`` holds pairs. The people of
    a merged group are given to its record with the most people (ties: the first); the others
    count 0.

    ``unlinked`` pairs are always counted as two people: their link is never used, and when the
    two records are still joined through other records, the second of the pair is taken out of
    the group and counted on its own (see :func:`link_pairs`).

    Examples
    --------
    The council (c), the police (p) and Harbour Light (h) each count one person in the same
    doorway on one night: one group, one person. A coordinator unlinks c and h; c and h are
    still joined through p, so h (given second) leaves the group: {c, p} and {h}, two people.

    >>> doorway = pd.DataFrame({"record_id": ["c", "p", "h"],
    ...     "agency": ["Council", "Police", "Harbour Light"], "people": 1,
    ...     "easting": [530_000.0, 530_010.0, 530_020.0], "northing": 104_000.0,
    ...     "night": pd.Timestamp("2026-11-13")})
    >>> counted_people(doorway).tolist()
    [1, 0, 0]
    >>> counted_people(doorway, unlinked=[("c", "h")]).tolist()
    [1, 0, 1]
    """
    _check(merge_m)
    people = demand["people"].to_numpy(np.int64)
    if len(demand) == 0:
        return people
    night = night_numbers(demand) if nights is None else np.asarray(nights)
    i, j, _ = _edges(demand, night=night, merge_m=merge_m)
    a, b = _decided(demand, unlinked)
    if len(a):
        keep = _kept(len(demand), i, j, a, b)
        i, j = i[keep], j[keep]
    return _counted(demand, people, i, j)


#: What the rule reads of each record (``record_id`` too, when pairs are unlinked).
STREET_COUNT_READS: Final[tuple[str, ...]] = (
    "kind",
    "agency",
    "night",
    "people",
    "person_ref",
    "easting",
    "northing",
    "sex",
    "nationality_group",
)


def street_counts(
    records: pd.DataFrame, *, merge_m: float = MERGE_M, unlinked: Unlinked | None = None
) -> np.ndarray:
    """:func:`counted_people` for every record at once, row for row: 0 for a visit.

    The rule only ever joins records of one night, so each night's counts are the same
    whichever other nights are counted with it: a caller may work this out once for all the
    records it holds and cut any run of whole nights from it (see
    :func:`geo.analysis.ward_figures.summarise`'s ``counted``).
    """
    out = np.zeros(len(records), dtype=np.int64)
    demand = np.asarray(is_demand(records["kind"]), dtype=bool)
    rows = records.loc[demand]
    people = pd.to_numeric(rows["people"], errors="coerce").fillna(0).astype(np.int64)
    out[demand] = counted_people(rows.assign(people=people), merge_m=merge_m, unlinked=unlinked)
    return out


def link_pairs(
    demand: pd.DataFrame,
    *,
    merge_m: float = MERGE_M,
    unlinked: Unlinked | None = None,
    nights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every pair of records the rule links, with its reason, distance and what decisions did.

    One row per pair: ``a`` and ``b`` (positions in ``demand``, ``a < b``), ``group`` (the
    records the rule joins, directly or through others, before any decision; numbered from 0
    in the order of their first record), ``reason`` (:data:`SAME_REFERENCE`, :data:`NEARBY`,
    or :data:`THROUGH_OTHERS` for an unlinked pair not linked directly), ``distance_m`` (NaN
    where a record has no place), ``unlinked`` (a decision unlinked this pair) and
    ``counted_apart`` (the count treats the two as different people: an unlinked pair, or a
    pair whose second record was taken out of the group by an unlinked pair, see
    :func:`counted_people`). ``demand`` is as :func:`counted_people` reads it.
    """
    _check(merge_m)
    n = len(demand)
    if n == 0:
        columns = ["a", "b", "group", "reason", "distance_m", "unlinked", "counted_apart"]
        return pd.DataFrame(columns=columns)
    night = night_numbers(demand) if nights is None else np.asarray(nights)
    i, j, why = _edges(demand, night=night, merge_m=merge_m)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    # a pair both sharing a reference and nearby is listed once, for its reference
    order = np.lexsort((why, hi, lo))
    lo, hi, why = lo[order], hi[order], why[order]
    first = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])] if len(lo) else lo > 0
    lo, hi, why = lo[first], hi[first], why[first]
    before = _components(n, lo, hi)
    a, b = _decided(demand, unlinked)
    decided = np.minimum(a, b) * n + np.maximum(a, b)
    # unlinked pairs of one group that the rule does not link directly are listed too
    through = (before[a] == before[b]) & ~np.isin(decided, lo * n + hi)
    lo = np.r_[lo, np.minimum(a, b)[through]]
    hi = np.r_[hi, np.maximum(a, b)[through]]
    why = np.r_[why, np.full(int(through.sum()), _THROUGH)]
    keep = _kept(n, lo, hi, a, b) if len(a) else np.ones(len(lo), dtype=bool)
    after = _components(n, lo[keep], hi[keep])
    easting = demand["easting"].to_numpy(float)
    northing = demand["northing"].to_numpy(float)
    words = np.array([SAME_REFERENCE, NEARBY.format(metres=merge_m), THROUGH_OTHERS], dtype=object)
    pairs = pd.DataFrame(
        {
            "a": lo,
            "b": hi,
            "group": before[lo],
            "reason": words[why],
            "distance_m": np.hypot(easting[hi] - easting[lo], northing[hi] - northing[lo]),
            "unlinked": np.isin(lo * n + hi, decided),
            "counted_apart": after[lo] != after[hi],
        }
    )
    pairs = pairs.sort_values(["a", "b"], kind="stable")
    pairs["group"] = pd.factorize(pairs["group"])[0]
    return pairs.sort_values(["group", "a", "b"], kind="stable").reset_index(drop=True)


def _check(merge_m: float) -> None:
    if not merge_m >= 0:
        raise AnalysisError(f"merge_m must be 0 (off) or a distance in metres; got {merge_m!r}")


def _edges(
    demand: pd.DataFrame, *, night: np.ndarray, merge_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rule's links as positions ``i``, ``j`` and why (0 same reference, 1 nearby); a pair
    may be given twice, once for each reason."""
    agency = pd.factorize(demand["agency"].astype(str))[0]
    ref = demand["person_ref"] if "person_ref" in demand else pd.Series(None, index=demand.index)
    ref_code, _ = pd.factorize(ref, use_na_sentinel=True)
    rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    # the same reference on the same night is one person, whoever recorded it
    with_ref = np.flatnonzero(ref_code >= 0)
    if len(with_ref):
        order = with_ref[np.lexsort((ref_code[with_ref], night[with_ref]))]
        same = (night[order][1:] == night[order][:-1]) & (
            ref_code[order][1:] == ref_code[order][:-1]
        )
        rows.append(order[:-1][same])
        cols.append(order[1:][same])
    n_same = sum(len(r) for r in rows)
    if merge_m > 0 and len(demand):
        pairs = _nearby_pairs(demand, night=night, agency=agency, merge_m=merge_m)
        rows.append(pairs[:, 0])
        cols.append(pairs[:, 1])
    i, j = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
    why = np.where(np.arange(len(i)) < n_same, _SAME, _NEAR)
    return i, j, why


def _decided(demand: pd.DataFrame, unlinked: Unlinked | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``demand`` of the unlinked pairs whose records are both in it."""
    pairs = [(str(a), str(b)) for a, b in unlinked or ()]
    if not pairs or len(demand) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if "record_id" not in demand:
        raise AnalysisError("records need a record_id column to honour unlinked pairs")
    ids = pd.Index(demand["record_id"].astype(str))
    if not ids.is_unique:
        raise AnalysisError("records repeat a record_id; unlinked pairs cannot be placed")
    a = ids.get_indexer([p[0] for p in pairs])
    b = ids.get_indexer([p[1] for p in pairs])
    both = (a >= 0) & (b >= 0) & (a != b)
    return a[both].astype(np.int64), b[both].astype(np.int64)


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The group of each of ``n`` records joined by links ``i``-``j`` (alone: its own)."""
    graph = sparse.coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    return csgraph.connected_components(graph, directed=False)[1]


def _kept(n: int, i: np.ndarray, j: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which links ``i``-``j`` still count once pairs ``a``-``b`` are unlinked.

    The unlinked pairs' own links go; where ``a`` and ``b`` are still joined through other
    records, ``b`` loses every link (it is counted on its own).
    """
    key = np.minimum(i, j) * n + np.maximum(i, j)
    keep = ~np.isin(key, np.minimum(a, b) * n + np.maximum(a, b))
    group = _components(n, i[keep], j[keep])
    taken_out = b[group[a] == group[b]]
    return keep & ~(np.isin(i, taken_out) | np.isin(j, taken_out))


def _counted(demand: pd.DataFrame, people: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """:func:`counted_people` from the links that count."""
    if len(i) == 0:
        return people
    agency = pd.factorize(demand["agency"].astype(str))[0]
    ref = demand["person_ref"] if "person_ref" in demand else pd.Series(None, index=demand.index)
    ref_code, _ = pd.factorize(ref, use_na_sentinel=True)
    # only records tied to another need grouping; every other record counts its own people
    linked = sorted_unique(np.concatenate([i, j]))
    local = np.searchsorted(linked, np.concatenate([i, j]))
    m = len(linked)
    graph = sparse.coo_matrix(
        (np.ones(len(i), dtype=np.int8), (local[: len(i)], local[len(i) :])), shape=(m, m)
    )
    _, group = csgraph.connected_components(graph, directed=False)
    # per group and agency: people without a reference, plus distinct references
    key = pd.DataFrame(
        {
            "group": group,
            "agency": agency[linked],
            "ref": ref_code[linked],
            "people": people[linked],
        }
    )
    no_ref = key["ref"] < 0
    by_agency = (
        key.loc[no_ref]
        .groupby(["group", "agency"])["people"]
        .sum()
        .add(key.loc[~no_ref].groupby(["group", "agency"])["ref"].nunique(), fill_value=0)
    )
    group_people = by_agency.groupby(level="group").max()
    # the group's people count where its record with the most people lies (ties: the first)
    order = np.lexsort((-people[linked], group))
    first = np.zeros(m, dtype=bool)
    first[order[np.r_[True, group[order][1:] != group[order][:-1]]]] = True
    counted = people.copy()
    counted[linked] = 0
    counted[linked[first]] = group_people.reindex(group[first]).to_numpy(np.int64)
    return counted


def _nearby_pairs(
    demand: pd.DataFrame, *, night: np.ndarray, agency: np.ndarray, merge_m: float
) -> np.ndarray:
    """Pairs of records of one night, from different agencies, within ``merge_m`` metres,
    whose sex and nationality group do not disagree."""
    # A cheap sieve first: two points within merge_m of each other share a cell in at least
    # one of four grids of cells a little over 2 * merge_m wide, offset by half a cell (in each
    # axis the two grids' cell edges are more than merge_m apart, so at most one of them falls
    # between the points). Only records sharing a night and such a cell go to the KD-tree.
    easting = demand["easting"].to_numpy(float)
    northing = demand["northing"].to_numpy(float)
    located = np.isfinite(easting) & np.isfinite(northing)
    if located.sum() < 2:
        return np.zeros((0, 2), dtype=np.int64)
    cell = 2.02 * merge_m
    x0, y0 = np.nanmin(easting), np.nanmin(northing)
    shared = np.zeros(len(demand), dtype=bool)
    n_agencies = int(agency.max()) + 1
    if n_agencies < 2:
        return np.zeros((0, 2), dtype=np.int64)  # one agency: nothing to merge
    for dx in (0.0, cell / 2):
        for dy in (0.0, cell / 2):
            col = np.floor((np.where(located, easting, x0) - x0 + dx) / cell).astype(np.int64)
            row = np.floor((np.where(located, northing, y0) - y0 + dy) / cell).astype(np.int64)
            key = (night * (col.max() + 1) + col) * (row.max() + 1) + row
            # a cell shared with another agency: more records in it than of this agency
            in_cell = pd.factorize(key)[0]
            of_agency = pd.factorize(key * n_agencies + agency)[0]
            shared |= np.bincount(in_cell)[in_cell] > np.bincount(of_agency)[of_agency]
    candidates = np.flatnonzero(shared & located)
    if len(candidates) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    e, nn = easting[candidates], northing[candidates]
    # nights far apart in a third dimension: no pair ever spans two nights
    z = (night[candidates] - night[candidates].min()) * (10 * merge_m + 1e6)
    pairs = cKDTree(np.column_stack([e, nn, z])).query_pairs(merge_m, output_type="ndarray")
    a, b = candidates[pairs[:, 0]], candidates[pairs[:, 1]]
    keep = agency[a] != agency[b]
    a, b = a[keep], b[keep]
    keep = np.ones(len(a), dtype=bool)
    for column in ("sex", "nationality_group"):
        if column in demand:
            values = demand[column].to_numpy(object)
            va, vb = values[a], values[b]
            unknown_a = pd.isna(va) | (va == "unknown")
            unknown_b = pd.isna(vb) | (vb == "unknown")
            keep &= unknown_a | unknown_b | (va == vb)
    return np.column_stack([a[keep], b[keep]])
