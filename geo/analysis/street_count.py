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

from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.errors import AnalysisError
from geo.locate.areas import sorted_unique
from geo.nights import night_numbers

#: Distance within which two agencies' records of one night can be the same sighting.
MERGE_M: Final = 50.0


def counted_people(
    demand: pd.DataFrame, *, merge_m: float = MERGE_M, nights: np.ndarray | None = None
) -> np.ndarray:
    """People each record contributes once agencies' records of one sighting are merged.

    ``demand`` needs ``agency``, ``people``, ``easting``, ``northing`` and ``night`` (or
    ``nights``: its night numbers, row for row), and may have ``person_ref``, ``sex`` and
    ``nationality_group``. The people of a merged group are given to its record with the most
    people (ties: the first); the others count 0.
    """
    if not merge_m >= 0:
        raise AnalysisError(f"merge_m must be 0 (off) or a distance in metres; got {merge_m!r}")
    n = len(demand)
    people = demand["people"].to_numpy(np.int64)
    if n == 0:
        return people
    night = night_numbers(demand) if nights is None else np.asarray(nights)
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
    if merge_m > 0:
        pairs = _nearby_pairs(demand, night=night, agency=agency, merge_m=merge_m)
        rows.append(pairs[:, 0])
        cols.append(pairs[:, 1])
    i, j = np.concatenate(rows), np.concatenate(cols)
    if len(i) == 0:
        return people
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
