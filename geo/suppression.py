"""Small-number suppression for tables of counts, checked by an attacker's linear program.

Cells are counts; constraints say that some cells add up to another (a column of wards adds up
to the borough total, nationality groups add up to the sightings of a ward). Primary
suppression hides every count from 1 to the threshold. That alone is not enough: a hidden cell
can be worked out from a total and the other cells. So after hiding, each hidden cell is
attacked the way a careful reader would: the smallest and largest value it can take, given
everything shown and every constraint, with a hidden small count known to lie in 1..threshold
and any other hidden count in 0..infinity. A cell whose smallest and largest values agree is
given away, so another cell it is added up with is hidden too (the smallest non-zero one,
zero ones only when nothing else is left; when nothing at all is left, the cell is shown as
hidden rather than as small, since "<5" itself says "not zero"), and the attack runs again
until no cell is pinned.

The constraint matrix of such tables is an incidence matrix of a bipartite graph (each cell is
in at most one row sum and one column sum), so the linear program's bounds are whole numbers
and every whole number between them is reachable: the attack is exact, not a relaxation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph

VISIBLE: Final = 0
SMALL: Final = 1
SECONDARY: Final = 2


@dataclass
class Table:
    """Cells and the sums that tie them together, built up with :meth:`cell` and :meth:`sums`.

    ``fixed`` cells can never be hidden (figures a role sees exactly); ``virtual`` cells are not
    shown but are assumed known to a reader (a borough total shown elsewhere) unless small.
    """

    values: list[int] = field(default_factory=list)
    hideable: list[bool] = field(default_factory=list)
    virtual: list[bool] = field(default_factory=list)
    constraints: list[tuple[list[int], int]] = field(default_factory=list)

    def cell(self, value: int, *, hideable: bool = True, virtual: bool = False) -> int:
        """Add a cell and return its id."""
        self.values.append(int(value))
        self.hideable.append(hideable)
        self.virtual.append(virtual)
        return len(self.values) - 1

    def sums(self, parts: list[int], total: int) -> None:
        """Say that cells ``parts`` add up to cell ``total``."""
        if parts:
            self.constraints.append((list(parts), total))

    def total(self, parts: list[int], *, hideable: bool = True, virtual: bool = False) -> int:
        """Add a cell for the total of ``parts``, tie them to it, and return its id."""
        total = self.cell(sum(self.values[p] for p in parts), hideable=hideable, virtual=virtual)
        self.sums(parts, total)
        return total


def suppress(table: Table, *, threshold: int) -> np.ndarray:
    """Status of every cell: :data:`VISIBLE`, :data:`SMALL` or :data:`SECONDARY`.

    Virtual cells keep a status too (a small borough total is hidden, never shown), but are
    never chosen as secondary cells.
    """
    values = np.asarray(table.values, dtype=np.int64)
    hideable = np.asarray(table.hideable, dtype=bool)
    virtual = np.asarray(table.virtual, dtype=bool)
    status = np.full(len(values), VISIBLE, dtype=np.int8)
    status[(values >= 1) & (values <= threshold) & (hideable | virtual)] = SMALL
    involved = [c for c in table.constraints if status[c[0]].any() or status[c[1]]]
    if not involved:
        return status
    small = status == SMALL  # the counts to protect, whatever they end up shown as
    # Hiding more only widens what a reader must allow for, so a cell found safe stays safe:
    # each round attacks only the cells the last round pinned.
    targets = small.copy()
    while True:
        pinned = attack(table, status, threshold=threshold, targets=targets)
        targets = pinned
        if not pinned.any():
            return status
        for cell in np.flatnonzero(pinned):
            choice = _secondary_for(cell, table, status, values, hideable & ~virtual)
            if choice is not None:
                status[choice] = SECONDARY
            elif status[cell] == SMALL:
                # nothing left to hide beside it (the rest are zeros already hidden, or figures
                # the role sees exactly): stop saying it is small, since "<5" itself says "not 0"
                status[cell] = SECONDARY
            else:
                raise RuntimeError(f"suppression cannot protect cell {cell}; this is a bug")


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
    column = np.full(len(values), -1, dtype=np.int64)
    column[hidden] = np.arange(len(hidden))
    rows, b = [], []
    for parts, total in table.constraints:
        cells = [*parts, total]
        coefficients = [1.0] * len(parts) + [-1.0]
        unknown = [
            (column[c], k) for c, k in zip(cells, coefficients, strict=True) if column[c] >= 0
        ]
        if not unknown:
            continue
        known = sum(
            k * values[c] for c, k in zip(cells, coefficients, strict=True) if column[c] < 0
        )
        rows.append(unknown)
        b.append(-known)
    if not rows:
        return pinned
    i = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    j = np.array([c for r in rows for c, _ in r])
    k = np.array([v for r in rows for _, v in r])
    a = sparse.csr_matrix((k, (i, j)), shape=(len(rows), len(hidden)))
    b = np.asarray(b, dtype=float)
    lower = np.where(status[hidden] == SMALL, 1.0, 0.0)
    upper = np.where(status[hidden] == SMALL, float(threshold), np.inf)
    # cells tied by no constraint are never pinned; the rest are attacked component by component
    incidence = abs(a)
    link = (incidence.T @ incidence) != 0  # abs: +1 and -1 products must not cancel
    n_components, component = csgraph.connected_components(link, directed=False)
    tied = np.asarray(incidence.sum(axis=0)).ravel() > 0
    for comp in range(n_components):
        members = np.flatnonzero((component == comp) & tied)
        if len(members) == 0:
            continue
        sub_rows = np.flatnonzero(np.asarray(incidence[:, members].sum(axis=1)).ravel() > 0)
        sub = a[sub_rows][:, members]
        bounds = list(
            zip(lower[members], [None if np.isinf(u) else u for u in upper[members]], strict=True)
        )
        for position, var in enumerate(members):
            if targets is not None and not targets[hidden[var]]:
                continue
            # the true values are one answer a reader must allow for; the cell is safe as soon
            # as it can be larger, or smaller, than it is
            truth = values[hidden[var]]
            objective = np.zeros(len(members))
            objective[position] = -1.0
            high = linprog(objective, A_eq=sub, b_eq=b[sub_rows], bounds=bounds, method="highs")
            if high.status != 0 or -high.fun > truth + 0.5:
                continue
            low = linprog(-objective, A_eq=sub, b_eq=b[sub_rows], bounds=bounds, method="highs")
            if low.status == 0 and low.fun > truth - 0.5:
                pinned[hidden[var]] = True
    return pinned


def _secondary_for(
    cell: int,
    table: Table,
    status: np.ndarray,
    values: np.ndarray,
    eligible: np.ndarray,
) -> int | None:
    """The cell to hide so that ``cell`` is no longer pinned.

    The smallest non-zero visible cell summed with it, else a visible zero; when every cell
    summed with it is hidden already, the pin comes from further along the chain of sums, so
    look one sum further out each time.
    """
    seen_cells = {cell}
    frontier = {cell}
    used: set[int] = set()
    while frontier:
        best: tuple[int, int, int] | None = None
        reached: set[int] = set()
        for number, (parts, total) in enumerate(table.constraints):
            cells = [*parts, total]
            if number in used or not frontier.intersection(cells):
                continue
            used.add(number)
            for other in cells:
                if status[other] == VISIBLE and eligible[other]:
                    key = (0 if values[other] > 0 else 1, int(values[other]), other)
                    if best is None or key < best:
                        best = key
                elif status[other] != VISIBLE and other not in seen_cells:
                    reached.add(other)
        if best is not None:
            return best[2]
        seen_cells |= reached
        frontier = reached
    return None
