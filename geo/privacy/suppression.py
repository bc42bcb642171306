"""Small-number suppression for tables of counts, checked by an attacker's integer program.

Cells are counts. Two kinds of relation tie them together, and a careful reader knows both:
some cells add up to another (the wards to the total row, the nationality groups to a ward's
sightings, its languages to its interpreter needs), and some can never exceed another (a ward's
flags, needs and contacts are at most its sightings). Primary suppression hides every count
from 1 to the threshold. That alone is not enough: a hidden cell can be worked out from a total
and the cells beside it, or squeezed between 1 and a small shown total.

So after hiding, every small count is attacked the way such a reader would: the smallest and
largest whole number it can be, given everything shown and every relation, where a cell shown
``"<5"`` is 1..threshold and a cell shown ``"*"`` is any whole number from 0. A small count
with one possible value is given away, so another cell it is tied to is hidden too (the
smallest non-zero visible one nearest to it), and the attack runs again until no small count is
pinned. Where nothing visible is left to hide, the pinned cells of that part of the table stop
being shown as small (``"<5"`` itself tells the reader "not zero") and are shown as ``"*"``.

The attack is an exact integer program (HiGHS through ``scipy.optimize.milp``), not a linear
relaxation, so it is at least as strong as any reader working from the published table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csgraph

VISIBLE: Final = 0
SMALL: Final = 1
SECONDARY: Final = 2


@dataclass
class Table:
    """Cells and the relations that tie them, built up with :meth:`cell`, :meth:`sums`,
    :meth:`total` and :meth:`at_most`.

    A cell that is not ``hideable`` is a figure the role sees exactly; it is never hidden.
    """

    values: list[int] = field(default_factory=list)
    hideable: list[bool] = field(default_factory=list)
    constraints: list[tuple[list[int], int]] = field(default_factory=list)
    limits: list[tuple[int, int]] = field(default_factory=list)

    def cell(self, value: int, *, hideable: bool = True) -> int:
        """Add a cell and return its id."""
        self.values.append(int(value))
        self.hideable.append(hideable)
        return len(self.values) - 1

    def sums(self, parts: list[int], total: int) -> None:
        """Say that cells ``parts`` add up to cell ``total``."""
        if parts:
            self.constraints.append((list(parts), total))

    def total(self, parts: list[int], *, hideable: bool = True) -> int:
        """Add a cell for the total of ``parts``, tie them to it, and return its id."""
        total = self.cell(sum(self.values[p] for p in parts), hideable=hideable)
        self.sums(parts, total)
        return total

    def at_most(self, cell: int, bound: int) -> None:
        """Say that cell ``cell`` is never more than cell ``bound``."""
        self.limits.append((cell, bound))


def suppress(table: Table, *, threshold: int) -> np.ndarray:
    """Status of every cell: :data:`VISIBLE`, :data:`SMALL` or :data:`SECONDARY`."""
    values = np.asarray(table.values, dtype=np.int64)
    hideable = np.asarray(table.hideable, dtype=bool)
    status = np.full(len(values), VISIBLE, dtype=np.int8)
    status[(values >= 1) & (values <= threshold) & hideable] = SMALL
    small = status == SMALL  # the counts to protect, whatever they end up shown as
    # A visible zero that can be no more than a visible zero protects nothing when hidden.
    useless = np.zeros(len(values), dtype=bool)
    for cell, bound in table.limits:
        useless[cell] |= values[bound] == 0 and not hideable[bound]
    eligible = hideable & ~useless
    label = _components(table)
    relations = [[*parts, total] for parts, total in table.constraints]
    relations += [[a, b] for a, b in table.limits]
    relations_of: list[list[int]] = [[] for _ in values]
    for number, cells in enumerate(relations):
        for cell in cells:
            relations_of[cell].append(number)
    # Hiding more only widens what a reader must allow for, so a count found safe stays safe:
    # each round attacks only the counts the last round pinned.
    targets = small.copy()
    while targets.any():
        pinned = attack(table, status, threshold=threshold, targets=targets)
        before = status.copy()
        hidden_now: set[int] = set()
        for cell in np.flatnonzero(pinned):
            if any(hidden_now.intersection(relations[r]) for r in relations_of[cell]):
                continue  # a cell tied to it was hidden this round: that may be enough, and a
                # second one hidden now could be hidden for nothing; the next round will tell
            choice = _secondary_for(cell, table, status, values, eligible)
            if choice is not None:
                status[choice] = SECONDARY
                hidden_now.add(choice)
            elif status[cell] == SMALL:
                status[cell] = SECONDARY  # "<5" says "not zero"; "*" does not
                hidden_now.add(cell)
            else:
                status[(label == label[cell]) & (status == SMALL)] = SECONDARY
        if pinned.any() and (status == before).all():
            raise RuntimeError("suppression cannot protect every small count; this is a bug")
        targets = pinned
    return status


def attack(
    table: Table, status: np.ndarray, *, threshold: int, targets: np.ndarray | None = None
) -> np.ndarray:
    """Which hidden cells a reader can work out exactly from what is shown (True = pinned).

    Only ``targets`` (default: every hidden cell) are attacked; a hidden zero or a large count
    worked out exactly gives nothing small away.
    """
    values = np.asarray(table.values, dtype=np.int64)
    hidden = np.flatnonzero(status != VISIBLE)
    pinned = np.zeros(len(values), dtype=bool)
    if len(hidden) == 0:
        return pinned
    if targets is None:
        targets = status != VISIBLE
    column = np.full(len(values), -1, dtype=np.int64)
    column[hidden] = np.arange(len(hidden))
    eq_rows, eq_b = _relations(
        [([*parts, total], [1.0] * len(parts) + [-1.0]) for parts, total in table.constraints],
        column,
        values,
    )
    ub_rows, ub_b = _relations(
        [([cell, bound], [1.0, -1.0]) for cell, bound in table.limits], column, values
    )
    lower = np.where(status[hidden] == SMALL, 1.0, 0.0)
    upper = np.where(status[hidden] == SMALL, float(threshold), np.inf)
    # a shown figure caps a hidden one directly
    for row, right in zip(ub_rows, ub_b, strict=True):
        if len(row) == 1 and row[0][1] > 0:
            upper[row[0][0]] = min(upper[row[0][0]], right)
    a_eq = _matrix(eq_rows, len(hidden))
    a_ub = _matrix(ub_rows, len(hidden))
    incidence = sparse.vstack([abs(a_eq), abs(a_ub)]).tocsr()
    link = (incidence.T @ incidence) != 0  # abs: +1 and -1 products must not cancel
    _, component = csgraph.connected_components(link, directed=False)
    eq_b, ub_b = np.asarray(eq_b, dtype=float), np.asarray(ub_b, dtype=float)
    for var in np.flatnonzero(targets[hidden]):
        members = np.flatnonzero(component == component[var])
        position = int(np.searchsorted(members, var))
        truth = float(values[hidden[var]])
        if _can_move(a_eq, eq_b, a_ub, ub_b, members, position, lower, upper, truth, +1):
            continue
        if _can_move(a_eq, eq_b, a_ub, ub_b, members, position, lower, upper, truth, -1):
            continue
        pinned[hidden[var]] = True
    return pinned


def _relations(
    relations: list[tuple[list[int], list[float]]], column: np.ndarray, values: np.ndarray
) -> tuple[list[list[tuple[int, float]]], list[float]]:
    """Each relation as (hidden variable, coefficient) terms and a right-hand side."""
    rows, right = [], []
    for cells, coefficients in relations:
        terms = [(column[c], k) for c, k in zip(cells, coefficients, strict=True) if column[c] >= 0]
        if terms:
            known = sum(
                k * values[c] for c, k in zip(cells, coefficients, strict=True) if column[c] < 0
            )
            rows.append(terms)
            right.append(-known)
    return rows, right


def _matrix(rows: list[list[tuple[int, float]]], n: int) -> sparse.csr_matrix:
    i = np.repeat(np.arange(len(rows)), [len(r) for r in rows]).astype(np.int64)
    j = np.array([c for r in rows for c, _ in r], dtype=np.int64)
    k = np.array([v for r in rows for _, v in r], dtype=float)
    return sparse.csr_matrix((k, (i, j)), shape=(len(rows), n))


def _can_move(
    a_eq: sparse.csr_matrix,
    b_eq: np.ndarray,
    a_ub: sparse.csr_matrix,
    b_ub: np.ndarray,
    members: np.ndarray,
    position: int,
    lower: np.ndarray,
    upper: np.ndarray,
    truth: float,
    direction: int,
) -> bool:
    """Can the variable be a whole number at least one away from ``truth`` in ``direction``?"""
    low, high = lower[members].copy(), upper[members].copy()
    if direction > 0:
        low[position] = truth + 1
    else:
        high[position] = truth - 1
    if low[position] > high[position]:
        return False
    constraints = []
    for a, b, equal in ((a_eq, b_eq, True), (a_ub, b_ub, False)):
        sub = a[:, members]
        rows = np.flatnonzero(np.diff(sub.indptr) > 0)
        if len(rows):
            # rows with other variables of the component only: those are all in it
            sub = sub[rows]
            constraints.append(LinearConstraint(sub, b[rows] if equal else -np.inf, b[rows]))
    result = milp(
        np.zeros(len(members)),
        integrality=np.ones(len(members)),
        bounds=Bounds(low, high),
        constraints=constraints,
    )
    return result.status == 0


def _components(table: Table) -> np.ndarray:
    """A label per cell: cells tied by any chain of relations share one."""
    n = len(table.values)
    pairs = [(parts[0], other) for parts, total in table.constraints for other in [*parts, total]]
    pairs += list(table.limits)
    if not pairs:
        return np.arange(n)
    i, j = np.array(pairs).T
    graph = sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return csgraph.connected_components(graph, directed=False)[1]


def _secondary_for(
    cell: int,
    table: Table,
    status: np.ndarray,
    values: np.ndarray,
    eligible: np.ndarray,
) -> int | None:
    """The cell to hide so that ``cell`` is no longer pinned.

    The smallest non-zero visible cell tied to it, else a visible zero; when every cell tied to
    it is hidden already, the pin comes from further along the chain, so look one relation
    further out each time.
    """
    relations = [[*parts, total] for parts, total in table.constraints]
    relations += [[a, b] for a, b in table.limits]
    seen = {cell}
    frontier = {cell}
    used: set[int] = set()
    while frontier:
        best: tuple[int, int, int] | None = None
        reached: set[int] = set()
        for number, cells in enumerate(relations):
            if number in used or not frontier.intersection(cells):
                continue
            used.add(number)
            for other in cells:
                if status[other] == VISIBLE and eligible[other]:
                    key = (0 if values[other] > 0 else 1, int(values[other]), other)
                    if best is None or key < best:
                        best = key
                elif status[other] != VISIBLE and other not in seen:
                    reached.add(other)
        if best is not None:
            return best[2]
        seen |= reached
        frontier = reached
    return None
