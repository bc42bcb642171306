"""Points near points: the neighbour searches coverage and persistent sites share.

Everything is in British National Grid metres, as rows of (easting, northing). "Within" a
distance means a straight line at most that long (inclusive), measured with KD-trees.

Many records stand at one spot (police points snapped to a 100 m grid, sightings of one
doorway), so each search looks at distinct spots once: :func:`as_numbers` makes each point one
complex number, bit for bit, so points can be hashed, sorted and compared as numbers.
Pairs come from the trees as arrays, never as a Python list per point: many small lists wake
Python's garbage collector, which then walks every object in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

__all__ = [
    "as_numbers",
    "as_points",
    "by_any",
    "first_within",
    "joined_names",
    "latest_near",
    "names_near",
    "near_centres",
    "pairs_by_squares",
    "pairs_within",
    "reach",
    "spots",
    "take_found",
]

#: Sources :func:`first_within` looks at first (then twice as many, and so on).
FIRST_CHUNK: Final = 1024


def as_numbers(xy: np.ndarray) -> np.ndarray:
    """Each (x, y) row as the complex number x + yj, bit for bit: sorts by x, then y."""
    return np.ascontiguousarray(xy, dtype=float).view(np.complex128).ravel()


def as_points(numbers: np.ndarray) -> np.ndarray:
    """Points made numbers by :func:`as_numbers` back as rows of (x, y)."""
    numbers = np.asarray(numbers)
    return np.column_stack([numbers.real, numbers.imag]).reshape(-1, 2)


def spots(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``xy``, which distinct point it is; and the distinct points."""
    which, numbers = pd.factorize(as_numbers(xy))
    return which, as_points(numbers)


def pairs_within(
    target: np.ndarray, source: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (target row, source row) no more than ``distance`` apart, in no set order."""
    empty = np.zeros(0, dtype=np.intp)
    if len(target) == 0 or len(source) == 0:
        return empty, empty
    pairs = cKDTree(target).sparse_distance_matrix(cKDTree(source), distance, output_type="ndarray")
    return pairs["i"].astype(np.intp), pairs["j"].astype(np.intp)


def pairs_by_squares(
    target: np.ndarray, source: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs :func:`pairs_within` gives, found by sorting ``source`` into squares a hair
    wider than ``distance``: each target looks in its own square and the eight around it, three
    runs of the sorted squares, and measures what it finds there.

    Quicker than the trees when the sources far outnumber the targets (every record near a
    few hundred sites), since no tree is built over the sources; each pair is measured as the
    trees measure it, so the pairs are the same. In no set order.
    """
    empty = np.zeros(0, dtype=np.intp)
    if len(target) == 0 or len(source) == 0:
        return empty, empty
    low = np.minimum(target.min(axis=0), source.min(axis=0))
    # a hair wider than the distance: a pair exactly the distance apart is never put two
    # squares apart by rounding
    side = distance * (1 + 1e-9)

    def squares(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # from 1: a ring round
        col = np.floor((xy[:, 0] - low[0]) / side).astype(np.int64) + 1
        return col, np.floor((xy[:, 1] - low[1]) / side).astype(np.int64) + 1

    source_col, source_row = squares(source)
    target_col, target_row = squares(target)
    width = int(max(source_col.max(), target_col.max())) + 2
    order = np.argsort(source_row * width + source_col, kind="stable")
    sorted_square = (source_row * width + source_col)[order]
    x, y = source[order, 0], source[order, 1]
    targets, sources = [], []
    for up in (-1, 0, 1):  # the row below, this row, the row above: three squares each
        middle = (target_row + up) * width + target_col
        first = np.searchsorted(sorted_square, middle - 1, side="left")
        found = np.searchsorted(sorted_square, middle + 1, side="right") - first
        row = np.repeat(np.arange(len(target)), found)
        at = np.repeat(first - (np.cumsum(found) - found), found) + np.arange(int(found.sum()))
        east, north = target[row, 0] - x[at], target[row, 1] - y[at]
        near = east * east + north * north <= distance * distance
        targets.append(row[near])
        sources.append(order[at[near]])
    return np.concatenate(targets).astype(np.intp), np.concatenate(sources).astype(np.intp)


def reach(target: np.ndarray, source: np.ndarray, distance: float) -> np.ndarray:
    """Whether any ``source`` point is no more than ``distance`` from each ``target`` point,
    by the test :func:`pairs_within` makes.

    The nearest source decides, except within a hair (a billionth of ``distance``) of the
    limit, where :func:`pairs_within` is asked.
    """
    if len(target) == 0 or len(source) == 0:
        return np.zeros(len(target), dtype=bool)
    nearest, _ = cKDTree(source).query(target, k=1, distance_upper_bound=distance * (1 + 1e-6))
    found = nearest < distance * (1 - 1e-9)
    unsure = ~found & (nearest <= distance * (1 + 1e-9))
    if unsure.any():
        rows, _ = pairs_within(target[unsure], source, distance)
        found[np.flatnonzero(unsure)[rows]] = True
    return found


def first_within(target: np.ndarray, source: np.ndarray, distance: float) -> np.ndarray:
    """For each target point, the first source row (in ``source``'s order) no more than
    ``distance`` away; -1 where none is.

    With sources newest first this is the latest visit. It looks at the first 1,024 sources,
    then the next 2,048 and so on, each time only for targets not found yet, so a place
    visited lately is paired with a few recent visits instead of every visit ever.
    """
    first = np.full(len(target), -1, dtype=np.intp)
    todo = np.arange(len(target))
    start, size = 0, FIRST_CHUNK
    while todo.size and start < len(source):
        rows, found = pairs_within(target[todo], source[start : start + size], distance)
        if rows.size:
            # each target's pairs, earliest source first: a pair as one number sorts as fast
            # as one column, a tenth of the time of sorting by two
            rows, found = np.divmod(np.sort(rows.astype(np.int64) * size + found), size)
            lead = np.r_[True, rows[1:] != rows[:-1]]
            first[todo[rows[lead]]] = start + found[lead]
            hit = np.zeros(todo.size, dtype=bool)
            hit[rows] = True
            todo = todo[~hit]
        start, size = start + size, size * 2
    return first


def take_found(order: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``order[found]``, keeping -1 (not found) as -1."""
    out = np.full(len(found), -1, dtype=np.intp)
    hit = found >= 0
    out[hit] = order[found[hit]]
    return out


def latest_near(
    targets: np.ndarray, xy: np.ndarray, observed: np.ndarray, night: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per target, the record no more than ``distance`` away with the latest ``observed``, and
    the one with the latest ``night`` (both whole numbers, NaT the smallest), as positions in
    the records (-1 where none is): their times are the maxima a groupby would give.

    The records are searched newest first (see :func:`first_within`). The latest night is
    the latest visit's night when nights never go down as time goes on (a night is dated by
    its evening, so the store's always do); otherwise it is searched for on its own.
    """
    newest = np.argsort(observed)[::-1]  # NaT last
    by_time = take_found(newest, first_within(targets, xy[newest], distance))
    in_order = night[newest]
    if np.all(in_order[:-1] >= in_order[1:]):  # so records at one time share one night too
        return by_time, by_time
    latest = np.argsort(night)[::-1]
    return by_time, take_found(latest, first_within(targets, xy[latest], distance))


def names_near(
    targets: np.ndarray, xy: np.ndarray, names: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per target, the distinct ``names`` (as text) of the points no more than ``distance``
    away, sorted and joined by "; " ("" when none), and how many there are. Points without
    a name are left out.

    The agencies within reach of each place, say: one KD-tree per name answers "is it within
    reach" for the targets in or beside the squares its points are in (:func:`by_any`); each
    distinct set is joined once.
    """
    named = pd.notna(names)
    codes, labels = pd.factorize(pd.Series(names[named], dtype=object).astype(str), sort=True)
    # each name's distinct points (one at a point answers for every other there)
    seen = pd.DataFrame({"code": codes, "key": as_numbers(xy[named])}).drop_duplicates()
    code, key = seen["code"].to_numpy(), seen["key"].to_numpy()
    present = np.zeros((len(targets), len(labels)), dtype=bool)
    for i in range(len(labels)):
        points = as_points(key[code == i])
        # only targets in or beside a square holding one of its points can be in reach
        maybe = np.flatnonzero(by_any(targets[:, 0], targets[:, 1], points, radius=distance))
        present[maybe, i] = reach(targets[maybe], points, distance)
    return joined_names(present, labels), present.sum(axis=1).astype(np.int64)


def near_centres(
    centres: np.ndarray, xy: np.ndarray, *, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (centre, point) no more than ``radius`` apart, as two index arrays.

    Points at one spot (police points snapped to a grid, say) are measured once.

    >>> near_centres(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [9.0, 0.0], [3.0, 4.0]]),
    ...              radius=5)
    (array([0, 0]), array([0, 2]))
    """
    which, distinct = spots(xy)
    centre, spot = pairs_by_squares(centres, distinct, radius)  # spots far outnumber centres
    by_spot = np.argsort(which, kind="stable")  # the points at each spot, spot by spot
    count = np.bincount(which, minlength=len(distinct))
    start = np.cumsum(count) - count
    times = count[spot]
    first = np.repeat(start[spot], times)
    step = np.arange(int(times.sum())) - np.repeat(np.cumsum(times) - times, times)
    return np.repeat(centre, times), by_spot[first + step]


def by_any(x: np.ndarray, y: np.ndarray, centres: np.ndarray, *, radius: float) -> np.ndarray:
    """Whether each point is in a square ``2 * radius`` wide that holds a centre or touches
    one that does: every point within ``radius`` of a centre is, so only these need measuring.

    >>> by_any(np.array([0.0, 149.0, 250.0]), np.zeros(3), np.array([[40.0, 0.0]]), radius=50)
    array([ True,  True, False])
    """
    size = 2 * radius  # a point within radius is half a square away at most: never two

    def square(col: np.ndarray, row: np.ndarray) -> np.ndarray:
        return col * 4294967296.0 + row  # one number per square (whole numbers: exact)

    with np.errstate(invalid="ignore"):  # unlocated points are in no square
        col, row = np.floor(x / size), np.floor(y / size)
    around = [
        square(np.floor(centres[:, 0] / size) + right, np.floor(centres[:, 1] / size) + up)
        for right in (-1, 0, 1)
        for up in (-1, 0, 1)
    ]
    return np.isin(square(col, row), np.concatenate(around))


def joined_names(present: np.ndarray, names: Sequence[str], *, sep: str = "; ") -> np.ndarray:
    """For each row of a table of booleans, the names of its True columns, in column order,
    joined by ``sep`` ("" for a row with none).

    The agencies at each place, say: a row per place, a column per agency, names sorted.
    Each distinct row is joined once (places share a handful of sets of agencies), not
    each place.

    >>> present = np.array([[True, False, True], [False, False, False], [True, False, True]])
    >>> joined_names(present, ["Council", "Police", "Shelter"]).tolist()
    ['Council; Shelter', '', 'Council; Shelter']
    """
    present = np.asarray(present, dtype=bool).reshape(len(present), len(names))
    if present.size == 0:
        return np.full(len(present), "", dtype=object)
    packed = np.packbits(present, axis=1)  # eight names a byte
    if packed.shape[1] <= 8:  # up to 64 names: each row one whole number
        words = np.zeros((len(packed), 8), dtype=np.uint8)
        words[:, : packed.shape[1]] = packed
        _, first, which = np.unique(
            words.view(np.uint64).ravel(), return_index=True, return_inverse=True
        )
    else:
        _, first, which = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    labels = np.asarray(names, dtype=object)
    text = np.empty(len(first), dtype=object)
    text[:] = [sep.join(labels[present[row]]) for row in first]
    return text[which.ravel()]
