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

The attack is exact: it answers what an integer program over every published figure and
relation would (HiGHS through ``scipy.optimize.milp``), not a linear relaxation, so it is at
least as strong as any reader working from the published table. Most of it needs no solver.

Why most of it needs no solver
    Write the hidden cells of one tied-together part of the table as unknowns. Every relation
    is a row of +1 and -1 coefficients: ``parts - total = known`` or ``cell - bound <= known``
    (a ``<=`` row gets a slack unknown ``>= 0`` of its own, making it an equality). Suppose
    each unknown is in at most two rows, and the rows can be split in two sets so that an
    unknown's two coefficients have opposite signs when its rows are in the same set and the
    same sign when they are not (the Heller-Tompkins condition). Multiplying the rows of one
    set by -1 then leaves every unknown with one +1 and one -1 (or a single entry): the rows
    are the nodes of a directed graph (plus a ground node that closes single entries), each
    unknown is an arc carrying its value from the -1 node to the +1 node, its bounds are the
    arc's capacities, and the published table is the set of whole-number flows in it. The true
    table is one such flow ``t``. If another flow ``y`` has ``y_j != t_j``, ``y - t`` is a
    whole-number circulation, and a circulation splits into simple cycles that each run every
    arc the way ``y - t`` moves it (conformal decomposition); every step of such a cycle has
    room in ``t``'s residual graph, and one of the cycles runs through arc ``j``. Conversely a
    residual cycle through ``j`` moved by one gives a whole-number flow with ``j`` changed. So
    cell ``j`` can be told from the table exactly when no residual cycle runs through it: a
    path search, the same answer as the integer program, with no solver.

    Where the relations are not all of that shape (a ward's hidden sightings bound its hidden
    flags and also add up its nationality groups), the rows that fit are kept and the rest
    dropped, which only lets a reader allow for more. "No cycle" there still proves a cell is
    given away (the full table allows even less); a cycle proves it is safe when the changed
    table also keeps the dropped rows, which is checked. What neither settles goes to the
    integer program, and any whole-number table a solver finds settles every other hidden
    cell it changes. ``attack(..., method="ip")`` solves an integer program for every cell
    and direction instead: the reference the tests hold the fast path to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, get_args

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csgraph

VISIBLE: Final = 0
SMALL: Final = 1
SECONDARY: Final = 2

AttackMethod = Literal["auto", "ip"]
ATTACK_METHODS: Final[tuple[str, ...]] = get_args(AttackMethod)


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
    unpublished: list[int] = field(default_factory=list)

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

    def hidden(self, value: int) -> int:
        """Add a cell nobody is shown (to a reader, any whole number from 0) and return its
        id: it writes down a relation a reader knows without a published figure, such as
        "the wards add up to at least the total" when the total counts each person once."""
        cell = self.cell(value, hideable=False)
        self.unpublished.append(cell)
        return cell


def suppress(table: Table, *, threshold: int, method: AttackMethod = "auto") -> np.ndarray:
    """Status of every cell: :data:`VISIBLE`, :data:`SMALL` or :data:`SECONDARY`.

    ``method`` is :func:`attack`'s; both give the same statuses.
    """
    _check_method(method)
    values = np.asarray(table.values, dtype=np.int64)
    hideable = np.asarray(table.hideable, dtype=bool)
    status = np.full(len(values), VISIBLE, dtype=np.int8)
    status[(values >= 1) & (values <= threshold) & hideable] = SMALL
    status[table.unpublished] = SECONDARY
    small = status == SMALL  # the counts to protect, whatever they end up shown as
    # A visible zero that can be no more than a visible zero protects nothing when hidden.
    useless = np.zeros(len(values), dtype=bool)
    for cell, bound in table.limits:
        useless[cell] |= values[bound] == 0 and not hideable[bound]
    eligible = hideable & ~useless
    label = _components(table)
    reader = _Reader(table)
    relations, relations_of = reader.relations, reader.relations_of
    eligible_list = eligible.tolist()
    # Hiding more only widens what a reader must allow for, so a count found safe stays safe:
    # each round attacks only the counts the last round pinned.
    targets = small.copy()
    while targets.any():
        if method == "ip":
            pinned = _attack_ip(table, status, threshold=threshold, targets=targets)
        else:
            pinned = reader.attack(status, threshold=threshold, targets=targets)
        before = status.copy()
        hidden_now: set[int] = set()
        for cell in np.flatnonzero(pinned):
            if any(hidden_now.intersection(relations[r]) for r in relations_of[cell]):
                continue  # a cell tied to it was hidden this round: that may be enough, and a
                # second one hidden now could be hidden for nothing; the next round will tell
            choice = _secondary_for(cell, reader, status.tolist(), eligible_list)
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
    table: Table,
    status: np.ndarray,
    *,
    threshold: int,
    targets: np.ndarray | None = None,
    method: AttackMethod = "auto",
) -> np.ndarray:
    """Which hidden cells a reader can work out exactly from what is shown (True = pinned).

    Only ``targets`` (default: every hidden cell) are attacked; a hidden zero or a large count
    worked out exactly gives nothing small away. ``method="auto"`` proves what it can on the
    graph of the relations and solves integer programs for the rest; ``"ip"`` solves one for
    every cell and direction. Both give the same answer (see the module's docstring).
    """
    _check_method(method)
    if method == "ip":
        return _attack_ip(table, status, threshold=threshold, targets=targets)
    return _Reader(table).attack(status, threshold=threshold, targets=targets)


def _check_method(method: str) -> None:
    if method not in ATTACK_METHODS:
        raise ValueError(f"method must be one of {', '.join(ATTACK_METHODS)}; got {method!r}")


@dataclass(frozen=True)
class _Row:
    """One relation as a reader writes it: unknown -> coefficient, and the known side."""

    terms: dict[int, int]
    right: int
    equal: bool  # ``terms . x == right``, else ``terms . x <= right``


class _Reader:
    """A table's relations as a reader writes them: built once, asked once per round.

    A relation is ``parts - total == 0`` or ``cell - bound <= 0``; given what is shown, the
    shown cells move to the right-hand side and the hidden ones are the unknowns. Plain lists
    and dicts: the parts are small and met one at a time.
    """

    def __init__(self, table: Table) -> None:
        self.values = [int(v) for v in table.values]
        self.relations = [[*parts, total] for parts, total in table.constraints]
        self.relations += [[cell, bound] for cell, bound in table.limits]
        self.equal = [True] * len(table.constraints) + [False] * len(table.limits)
        self.terms: list[dict[int, int]] = []
        for cells in self.relations:
            terms: dict[int, int] = {}
            for at, cell in enumerate(cells):  # the total, or the bound, comes last
                terms[cell] = terms.get(cell, 0) + (-1 if at == len(cells) - 1 else 1)
            self.terms.append({cell: k for cell, k in terms.items() if k})
        self.relations_of: list[list[int]] = [[] for _ in table.values]
        for number, cells in enumerate(self.relations):
            for cell in cells:
                self.relations_of[cell].append(number)

    def attack(
        self, status: np.ndarray, *, threshold: int, targets: np.ndarray | None = None
    ) -> np.ndarray:
        """:func:`attack` with ``method="auto"``."""
        pinned = np.zeros(len(self.values), dtype=bool)
        hidden = status != VISIBLE
        aims = np.flatnonzero(hidden if targets is None else hidden & targets).tolist()
        shown = (~hidden).tolist()
        small = (status == SMALL).tolist()
        done: set[int] = set()
        for cell in aims:
            if cell in done:
                continue
            members, numbers = self._part(cell, shown)
            done.update(members)
            local = {c: i for i, c in enumerate(members)}
            rows = []
            for number in numbers:
                terms, right = {}, 0
                for c, k in self.terms[number].items():
                    if shown[c]:
                        right -= k * self.values[c]
                    else:
                        terms[local[c]] = k
                rows.append(_Row(terms, right, self.equal[number]))
            part = _Part(
                rows,
                lower=[1 if small[c] else 0 for c in members],
                upper=[threshold if small[c] else np.inf for c in members],
                truth=[self.values[c] for c in members],
            )
            aimed = [local[c] for c in members if targets is None or targets[c]]
            for var, moved in zip(aimed, part.moves(aimed), strict=True):
                pinned[members[var]] = not moved
        return pinned

    def _part(self, cell: int, shown: list[bool]) -> tuple[list[int], list[int]]:
        """The hidden cells tied to ``cell`` by any chain of relations, and those relations."""
        members, seen, numbers, used = [cell], {cell}, [], set()
        for at in members:  # grows as it goes
            for number in self.relations_of[at]:
                if number in used:
                    continue
                used.add(number)
                numbers.append(number)
                for other in self.terms[number]:
                    if not shown[other] and other not in seen:
                        seen.add(other)
                        members.append(other)
        return members, numbers


class _Part:
    """One tied-together part of a reader's system: its rows, bounds and the true values."""

    def __init__(
        self, rows: list[_Row], *, lower: list[int], upper: list[float], truth: list[int]
    ) -> None:
        self.rows = rows
        self.lower, self.upper, self.truth = lower, upper, truth
        self.settled: set[int] = set()  # unknowns a whole-number table has already moved

    def moves(self, aimed: list[int]) -> list[bool]:
        """For each unknown in ``aimed``: can it be a whole number other than its truth?"""
        network = _Network(self.rows, lower=self.lower, upper=self.upper, truth=self.truth)
        moved = []
        for var in aimed:
            if var not in self.settled:
                for direction in (+1, -1):
                    can, changes = network.move(var, direction)
                    if can is None:  # the graph left it open: ask the solver
                        can, changes = self._solve(var, direction)
                    self.settled.update(changes)
                    if can:
                        self.settled.add(var)
                        break
            moved.append(var in self.settled)
        return moved

    def _solve(self, var: int, direction: int) -> tuple[bool, dict[int, int]]:
        """Is there a whole-number table with ``var`` at least one from its truth in
        ``direction``? Asked of an integer program; with the changes of the table found
        when it keeps every relation exactly (then it settles every cell it changes)."""
        low, high = np.array(self.lower, dtype=float), np.array(self.upper, dtype=float)
        if direction > 0:
            low[var] = self.truth[var] + 1
        else:
            high[var] = self.truth[var] - 1
        if low[var] > high[var]:
            return False, {}
        n = len(self.truth)
        constraints = []
        for equal in (True, False):
            rows = [row for row in self.rows if row.equal == equal]
            if rows:
                matrix = _matrix([list(row.terms.items()) for row in rows], n)
                right = np.array([row.right for row in rows], dtype=float)
                constraints.append(LinearConstraint(matrix, right if equal else -np.inf, right))
        result = milp(
            np.zeros(n), integrality=np.ones(n), bounds=Bounds(low, high), constraints=constraints
        )
        if result.status != 0:
            return False, {}
        found = [round(x) for x in result.x]
        changes = {
            v: y - t for v, (y, t) in enumerate(zip(found, self.truth, strict=True)) if y != t
        }
        if not _keeps(self.rows, changes, low=low, high=high, truth=self.truth):
            changes = {}  # the solver's word is taken for this cell, as the reference takes it
        return True, changes


def _keeps(
    rows: list[_Row],
    changes: dict[int, int],
    *,
    low: list[int] | np.ndarray,
    high: list[float] | np.ndarray,
    truth: list[int],
) -> bool:
    """Does the true table with ``changes`` made keep ``rows`` and the bounds, exactly?"""
    if any(not low[v] <= truth[v] + d <= high[v] for v, d in changes.items()):
        return False
    for row in rows:
        change = sum(k * changes[v] for v, k in row.terms.items() if v in changes)
        if change == 0:
            continue  # the truth keeps every row
        if row.equal or sum(k * truth[v] for v, k in row.terms.items()) + change > row.right:
            return False
    return True


class _Network:
    """The rows of a part that form a network, as a residual graph around the true table.

    Rows with one unknown become its bounds. Rows with several are kept while each unknown
    stays in at most two kept rows and the rows can still be signed as the module's docstring
    says (a union-find that records whether two rows carry the same sign keeps track); the
    rest are dropped, and every cycle found is checked against them.
    """

    def __init__(
        self, rows: list[_Row], *, lower: list[int], upper: list[float], truth: list[int]
    ) -> None:
        n = len(truth)
        low: list[float] = list(lower)
        high: list[float] = list(upper)
        kept: list[_Row] = []
        self.dropped: list[_Row] = []
        entries: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (kept row, k)
        parent: list[int] = []
        flip: list[int] = []  # 1 where a row's sign is not its parent's

        def find(r: int) -> tuple[int, int]:
            """The root of row ``r``'s set, and 1 when their signs differ."""
            path = []
            while parent[r] != r:
                path.append(r)
                r = parent[r]
            odd = 0
            for row in reversed(path):  # nearest the root first; each then points at it
                odd ^= flip[row]
                parent[row], flip[row] = r, odd
            return r, odd

        for row in sorted(rows, key=lambda row: not row.equal):
            if len(row.terms) == 1:
                ((var, k),) = row.terms.items()
                if row.equal:
                    low[var] = max(low[var], row.right / k)
                    high[var] = min(high[var], row.right / k)
                elif k > 0:
                    high[var] = min(high[var], row.right // k)
                else:
                    low[var] = max(low[var], -(row.right // -k))
                continue
            fits = all(abs(k) == 1 and len(entries[v]) < 2 for v, k in row.terms.items())
            # the new row's sign against the root of each set of rows it meets
            sign_at: dict[int, int] = {}
            for v, k in row.terms.items() if fits else ():
                if entries[v]:
                    other, k_other = entries[v][0]
                    root, odd = find(other)
                    want = odd ^ (k == k_other)  # same sign: the two rows must differ
                    if sign_at.setdefault(root, want) != want:
                        fits = False
                        break
            if not fits:
                self.dropped.append(row)
                continue
            r = len(kept)
            kept.append(row)
            # the new row joins the first set it meets; the other sets join that one
            first, odd_first = next(iter(sign_at.items()), (r, 0))
            parent.append(first)
            flip.append(odd_first)
            for root, odd in sign_at.items():
                if root != first:
                    parent[root], flip[root] = first, odd ^ odd_first
            for v, k in row.terms.items():
                entries[v].append((r, k))
        sign = [1 - 2 * find(r)[1] for r in range(len(kept))]
        ground = len(kept)
        # the arcs: an unknown runs from its -1 row to its +1 row (ground where it has none);
        # after them, a slack arc for each kept "<=" row (``row . x + slack == right``)
        head, tail = [ground] * n, [ground] * n
        for v, at in enumerate(entries):
            for r, k in at:
                if sign[r] * k > 0:
                    head[v] = r
                else:
                    tail[v] = r
        level = list(truth)
        for r, row in enumerate(kept):
            if not row.equal:
                head.append(r if sign[r] > 0 else ground)
                tail.append(ground if sign[r] > 0 else r)
                low.append(0)
                high.append(np.inf)
                level.append(row.right - sum(k * truth[v] for v, k in row.terms.items()))
        self.n, self.head, self.tail, self.level = n, head, tail, level
        self.low, self.high, self.truth = low, high, truth
        # the residual graph: where an arc can go up (tail -> head) or down (head -> tail)
        self.out: list[list[tuple[int, int, int]]] = [[] for _ in range(ground + 1)]
        for arc, (h, t) in enumerate(zip(head, tail, strict=True)):
            if level[arc] < high[arc]:
                self.out[t].append((h, arc, +1))
            if level[arc] > low[arc]:
                self.out[h].append((t, arc, -1))

    def move(self, var: int, direction: int) -> tuple[bool | None, dict[int, int]]:
        """Can unknown ``var`` move one step in ``direction``? True, with the changes of a
        whole-number table that shows it; False when even the kept rows forbid it; None
        when the graph cannot say."""
        level = self.level[var]
        if (level >= self.high[var]) if direction > 0 else (level <= self.low[var]):
            return False, {}
        start, goal = self.head[var], self.tail[var]
        if direction < 0:
            start, goal = goal, start
        path = self._path(start, goal, avoid=var)
        if path is None:
            return False, {}
        changes = {var: direction}
        changes.update((arc, step) for arc, step in path if arc < self.n)
        if self.dropped and not _keeps(
            self.dropped, changes, low=self.low, high=self.high, truth=self.truth
        ):
            return None, {}
        return True, changes

    def _path(self, start: int, goal: int, *, avoid: int) -> list[tuple[int, int]] | None:
        """The steps (arc, +1 or -1) of a shortest residual path not using arc ``avoid``."""
        if start == goal:
            return []
        came: dict[int, tuple[int, int, int]] = {start: (-1, -1, 0)}
        frontier = [start]
        while frontier:
            reached = []
            for node in frontier:
                for nxt, arc, step in self.out[node]:
                    if arc == avoid or nxt in came:
                        continue
                    came[nxt] = (node, arc, step)
                    if nxt == goal:
                        path = []
                        while nxt != start:
                            nxt, arc, step = came[nxt]
                            path.append((arc, step))
                        return path
                    reached.append(nxt)
            frontier = reached
        return None


def _attack_ip(
    table: Table, status: np.ndarray, *, threshold: int, targets: np.ndarray | None = None
) -> np.ndarray:
    """:func:`attack` by one integer program per target and direction: the reference."""
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
    cell: int, reader: _Reader, status: list[int], eligible: list[bool]
) -> int | None:
    """The cell to hide so that ``cell`` is no longer pinned.

    The smallest non-zero visible cell tied to it, else a visible zero; when every cell tied to
    it is hidden already, the pin comes from further along the chain, so look one relation
    further out each time.
    """
    relations, relations_of, values = reader.relations, reader.relations_of, reader.values
    seen = {cell}
    frontier = {cell}
    used: set[int] = set()
    while frontier:
        best: tuple[int, int, int] | None = None
        reached: set[int] = set()
        numbers = {number for at in frontier for number in relations_of[at]} - used
        used |= numbers
        for number in numbers:
            for other in relations[number]:
                if status[other] == VISIBLE:
                    if eligible[other]:
                        key = (0 if values[other] > 0 else 1, values[other], other)
                        if best is None or key < best:
                            best = key
                elif other not in seen:
                    reached.add(other)
        if best is not None:
            return best[2]
        seen |= reached
        frontier = reached
    return None
