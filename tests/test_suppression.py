"""Small numbers by role, and an attacker who tries to work out a hidden count and fails.

The attacker here is written apart from geo/suppression.py: it reads only what a role is given
(the published tables), writes down every sum a reader knows, and asks a linear program for the
smallest and largest value each hidden cell can take. A small count is given away when the two
agree. It also tries the previous period, the change, the rate and the emerging flag.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.analysis.ward_figures import COUNT_COLUMNS, NATIONALITY_COLUMNS, summarise
from geo.demo import load_demo
from geo.errors import AccessDenied, AnalysisError
from geo.privacy import figures, suppression
from geo.questions import area_summary
from geo.store import open_store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SMALL = "<5"


# -- the engine on tables small enough to check by hand and by brute force ---------------------
def test_one_small_cell_beside_a_total_takes_the_smallest_other_cell_with_it() -> None:
    table = suppression.Table()
    cells = [table.cell(v) for v in (3, 12, 7, 0)]
    total = table.total(cells)  # 22: with only "3" hidden, 22 - 12 - 7 - 0 gives it away
    status = suppression.suppress(table, threshold=4)
    assert status[cells].tolist() == [suppression.SMALL, 0, suppression.SECONDARY, 0]
    assert status[total] == 0


def test_two_small_cells_that_add_up_to_a_known_two_are_both_one() -> None:
    table = suppression.Table()
    a, b, c = (table.cell(v) for v in (1, 1, 9))
    total = table.total([a, b, c])  # 11: with only a and b hidden, a + b = 2, so both are 1
    status = suppression.suppress(table, threshold=4)
    assert status[[a, b]].tolist() == [suppression.SMALL, suppression.SMALL]
    assert status[c] == suppression.SECONDARY
    assert not suppression.attack(table, status, threshold=4)[[a, b]].any()
    assert not brute_force_pins([1, 1, 9], status[[a, b, c]], total=11)
    assert status[total] == 0


def test_a_small_total_is_hidden_too() -> None:
    table = suppression.Table()
    a, b = table.cell(2), table.cell(0)
    total = table.total([a, b])
    status = suppression.suppress(table, threshold=4)
    assert status[a] == status[total] == suppression.SMALL  # 2 = total, but the total is hidden
    assert status[b] == 0


def test_cells_a_role_sees_exactly_are_never_hidden_instead() -> None:
    # police see sightings (3) exactly; in the nationality split 3 + 0 + 0 the 3 is small, and
    # with the zeros shown it would be 3 - 0 - 0: a zero is hidden with it, so it may be 1..3
    table = suppression.Table()
    sightings = table.cell(3, hideable=False)
    groups = [table.cell(v) for v in (3, 0, 0)]
    table.sums(groups, sightings)
    status = suppression.suppress(table, threshold=4)
    assert status[sightings] == 0
    assert status[groups].tolist() == [suppression.SMALL, suppression.SECONDARY, 0]
    assert not brute_force_pins([3, 0, 0], status[groups], total=3)


def brute_force_pins(values: list[int], status: np.ndarray, *, total: int) -> bool:
    """Does any hidden cell take one value in every assignment that adds up to ``total``?"""
    ranges = [
        range(1, 5) if s == suppression.SMALL else range(0, total + 1) if s else [v]
        for v, s in zip(values, status, strict=True)
    ]
    answers = [combo for combo in itertools.product(*ranges) if sum(combo) == total]
    return any(status[i] and len({combo[i] for combo in answers}) == 1 for i in range(len(values)))


# -- the fast proof against the integer programs, on tables checked by hand and at random -------
S, X = suppression.SMALL, suppression.SECONDARY


def every_table(table: suppression.Table, status: np.ndarray, *, cap: int) -> list[tuple]:
    """Every whole-number filling of the hidden cells (``"*"`` cells up to ``cap``) that keeps
    every relation: what a reader of a tiny table can list by hand."""
    hidden = np.flatnonzero(status != 0)
    ranges = [range(1, 5) if status[c] == S else range(0, cap + 1) for c in hidden]
    found = []
    for combo in itertools.product(*ranges):
        values = list(table.values)
        for cell, value in zip(hidden, combo, strict=True):
            values[cell] = value
        sums_hold = all(
            sum(values[p] for p in parts) == values[t] for parts, t in table.constraints
        )
        if sums_hold and all(values[c] <= values[b] for c, b in table.limits):
            found.append(combo)
    return found


def pinned_by_hand(table: suppression.Table, status: np.ndarray, *, cap: int) -> np.ndarray:
    hidden = np.flatnonzero(status != 0)
    found = every_table(table, status, cap=cap)
    pinned = np.zeros(len(table.values), dtype=bool)
    for i, cell in enumerate(hidden):
        pinned[cell] = len({combo[i] for combo in found}) == 1
    return pinned


def grid(rows: list[list[int]]) -> tuple[suppression.Table, list[list[int]], list[int], list[int]]:
    """A two-way table with row totals, column totals and a grand total (cells, rows, cols)."""
    table = suppression.Table()
    cells = [[table.cell(v) for v in row] for row in rows]
    row_totals = [table.total(row, hideable=False) for row in cells]
    col_totals = [table.total(list(col), hideable=False) for col in zip(*cells, strict=True)]
    grand = table.total(row_totals, hideable=False)
    table.sums(col_totals, grand)
    return table, cells, row_totals, col_totals


@pytest.mark.parametrize("method", ["auto", "ip"])
def test_a_two_way_table_hidden_inside_is_pinned_by_its_bounds_alone(method: str) -> None:
    # [[1, 2], [3, 4]] with every margin shown: a + b = 3 and a, b >= 1 give a <= 2; c = 4 - a
    # and d = 7 - c = 3 + a <= 4 give a <= 1. So a = 1 and everything follows: all pinned.
    table, cells, _, _ = grid([[1, 2], [3, 4]])
    status = np.zeros(len(table.values), dtype=np.int8)
    status[np.ravel(cells)] = S
    pinned = suppression.attack(table, status, threshold=4, method=method)
    assert pinned[np.ravel(cells)].all()
    assert (pinned == pinned_by_hand(table, status, cap=10)).all()


@pytest.mark.parametrize("method", ["auto", "ip"])
def test_a_two_way_table_with_room_to_trade_gives_nothing_away(method: str) -> None:
    # [[1, 2], [2, 1]]: a can be 1 or 2 (b = 3 - a, c = 3 - a, d = a), so nothing is pinned
    table, cells, _, _ = grid([[1, 2], [2, 1]])
    status = np.zeros(len(table.values), dtype=np.int8)
    status[np.ravel(cells)] = S
    assert every_table(table, status, cap=10) == [(1, 2, 2, 1), (2, 1, 1, 2)]
    assert not suppression.attack(table, status, threshold=4, method=method).any()


def test_the_graph_proof_needs_no_solver_on_sums_and_two_way_tables(monkeypatch) -> None:
    def no_solver(*args, **kwargs):
        raise AssertionError("the solver was asked")

    monkeypatch.setattr(suppression, "milp", no_solver)
    table, cells, rows, _ = grid([[1, 2, 7], [3, 0, 9], [2, 2, 2]])
    status = np.zeros(len(table.values), dtype=np.int8)
    status[[cells[0][0], cells[1][0], cells[2][0], cells[2][1]]] = S  # 1, 3, 2, 2 in "<5"
    status[[cells[0][1], cells[2][2]]] = X  # and two more as "*"
    expected = pinned_by_hand(table, status, cap=25)
    assert (suppression.attack(table, status, threshold=4) == expected).all()
    line = suppression.Table()
    parts = [line.cell(v) for v in (3, 12, 7, 0)]
    line.total(parts)
    shown_line = np.array([S, 0, X, 0, 0], dtype=np.int8)
    assert not suppression.attack(line, shown_line, threshold=4).any()  # 3 + x = 10: x is 6..9
    shown_line[2] = 0
    assert suppression.attack(line, shown_line, threshold=4)[parts[0]]  # 22 - 12 - 7 - 0


def test_hidden_sightings_bounding_hidden_flags_are_settled_exactly() -> None:
    # Two wards: sightings 3 and 2 (total 5 shown), nationality groups (2, 1) and (1, 1)
    # (group totals 3 and 2 shown), flags 3 and 2 (total 5 shown), each flag at most its
    # ward's sightings. A ward's hidden sightings sit in three relations (the total, its
    # groups, its flag's bound): no network, so the fast path checks the rows it drops.
    table = suppression.Table()
    s1, s2 = table.cell(3), table.cell(2)
    g11, g12, g21, g22 = (table.cell(v) for v in (2, 1, 1, 1))
    f1, f2 = table.cell(3), table.cell(2)
    table.total([s1, s2], hideable=False)
    table.total([g11, g21], hideable=False)
    table.total([g12, g22], hideable=False)
    table.total([f1, f2], hideable=False)
    table.sums([g11, g12], s1)
    table.sums([g21, g22], s2)
    table.at_most(f1, s1)
    table.at_most(f2, s2)
    status = np.zeros(len(table.values), dtype=np.int8)
    status[[s1, g11, g12, g22, f1]] = S
    status[[s2, g21]] = X
    # f2 shown: f1 = 5 - 2 = 3, so s1 >= 3; s2 >= f2 = 2; s1 + s2 = 5: s1 = 3 and s2 = 2;
    # then g12 + g22 = 2 with both "<5" makes both 1, g11 = 2 and g21 = 1. All given away.
    by_hand = pinned_by_hand(table, status, cap=6)
    assert np.flatnonzero(by_hand).tolist() == [s1, s2, g11, g12, g21, g22, f1]
    # f2 hidden too: f1 + f2 = 5 lets f1 be 1..4, and only g12 = g22 = 1 stays given away
    also_f2 = status.copy()
    also_f2[f2] = S
    assert np.flatnonzero(pinned_by_hand(table, also_f2, cap=6)).tolist() == [g12, g22]
    for shown in (status, also_f2):
        expected = pinned_by_hand(table, shown, cap=6)
        for method in ("auto", "ip"):
            assert (suppression.attack(table, shown, threshold=4, method=method) == expected).all()


def test_an_odd_ring_of_sums_is_no_network_and_still_exact() -> None:
    # a + b = 3, b + c = 3, a + c = 2 (three sums of two, each pair sharing a cell with the
    # same sign: no way to sign the rows): a = 1, b = 2, c = 1, and nothing else fits
    table = suppression.Table()
    a, b, c = table.cell(1), table.cell(2), table.cell(1)
    for pair in ((a, b), (b, c), (a, c)):
        table.total(list(pair), hideable=False)
    status = np.array([S, S, S, 0, 0, 0], dtype=np.int8)
    assert every_table(table, status, cap=5) == [(1, 2, 1)]
    for method in ("auto", "ip"):
        assert suppression.attack(table, status, threshold=4, method=method)[[a, b, c]].all()


def random_table(rng: np.random.Generator) -> suppression.Table:
    """A table shaped like a period's: wards x columns with a total row, groups adding up to
    each row's sightings, columns at most the sightings, long-form parts adding up to a cell,
    and now and then a cell the role sees exactly. Small values, so much is small."""
    table = suppression.Table()
    wards, columns, groups = rng.integers(2, 5), rng.integers(1, 4), rng.integers(0, 4)
    top = rng.choice([3, 6, 12])
    rows = []
    for _ in range(wards):
        split = rng.integers(0, top // 2 + 1, size=groups) if groups else []
        sightings = int(sum(split)) if groups else int(rng.integers(0, top + 1))
        shown_exactly = bool(rng.random() < 0.15)
        row = [table.cell(sightings, hideable=not shown_exactly)]
        row += [table.cell(int(rng.integers(0, sightings + 1))) for _ in range(columns)]
        part_cells = [table.cell(int(v)) for v in split]
        if groups:
            table.sums(part_cells, row[0])
        for cell in row[1:]:
            table.at_most(cell, row[0])
        if rng.random() < 0.5 and columns:  # long-form parts of one column (languages)
            value = table.values[row[1]]
            cuts = np.sort(rng.integers(0, value + 1, size=rng.integers(1, 3)))
            pieces = np.diff(np.concatenate([[0], cuts, [value]]))
            table.sums([table.cell(int(p)) for p in pieces], row[1])
        rows.append(row + part_cells)
    for column in zip(*rows, strict=True):
        table.total(list(column), hideable=bool(rng.random() < 0.3))
    return table


def random_status(table: suppression.Table, rng: np.random.Generator) -> np.ndarray:
    """Every small count shown as small, and some other cells hidden as "*"."""
    values = np.asarray(table.values)
    hideable = np.asarray(table.hideable)
    status = np.where(hideable & (values >= 1) & (values <= 4), S, 0).astype(np.int8)
    status[(status == 0) & hideable & (rng.random(len(values)) < rng.random() * 0.5)] = X
    return status


def test_the_fast_attack_agrees_with_the_integer_programs_on_random_tables() -> None:
    rng = np.random.default_rng(20261207)
    answers = {True: 0, False: 0}
    for case in range(300):
        table = random_table(rng)
        status = random_status(table, rng)
        fast = suppression.attack(table, status, threshold=4)
        reference = suppression.attack(table, status, threshold=4, method="ip")
        assert (fast == reference).all(), f"case {case}: {table}, {status.tolist()}"
        for answer in (True, False):
            answers[answer] += int((reference[status != 0] == answer).sum())
    assert min(answers.values()) > 1000  # hidden cells pinned and not, by the thousand


def test_suppression_is_the_same_whichever_attack_runs() -> None:
    rng = np.random.default_rng(7)
    protected = 0
    for case in range(60):
        table = random_table(rng)
        try:
            reference = suppression.suppress(table, threshold=4, method="ip")
        except RuntimeError:  # cells the role sees exactly can leave nothing to hide
            with pytest.raises(RuntimeError, match="cannot protect every small count"):
                suppression.suppress(table, threshold=4)
            continue
        fast = suppression.suppress(table, threshold=4)
        assert (fast == reference).all(), f"case {case}: {table}"
        small = fast == suppression.SMALL
        assert not suppression.attack(table, fast, threshold=4, method="ip")[small].any()
        protected += 1
    assert protected > 40


def test_an_unknown_attack_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of auto, ip; got 'lp'"):
        suppression.attack(
            suppression.Table(), np.zeros(0, dtype=np.int8), threshold=4, method="lp"
        )


# -- the attacker on what a role is given ------------------------------------------------------
def hidden_value(value: object) -> tuple[float, float] | None:
    """A reader's bounds for a published cell, or None where the number is shown."""
    if value == SMALL:
        return (1.0, 4.0)
    if value == figures.SECONDARY:
        return (0.0, np.inf)
    return None


class Unknowns:
    """The hidden cells of one period, numbered as the attacker meets them (with the truth,
    which only the test knows, to tell which hidden cells are small)."""

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []
        self.bounds: list[tuple[float, float]] = []
        self.truth: list[float] = []
        self.index: dict[tuple[str, str], int] = {}

    def term(self, key: tuple[str, str], value: object, truth: object) -> tuple[int, float]:
        """(variable, 0) for a hidden cell, (-1, value) for a shown one."""
        bound = hidden_value(value)
        if bound is None:
            return -1, float(value)
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(key)
            self.bounds.append(bound)
            self.truth.append(float(truth))
        return self.index[key], 0.0


NEVER_ABOVE_SIGHTINGS = (
    "distinct_people",
    "contacts",
    "interpreter_needed",
    "nrpf",
    "trafficking_concern",
    "under_18",
)


def attack(summary, exact) -> list[str]:
    """Every small count the published tables give away, described; [] when none is.

    ``summary`` is what the role got; ``exact`` the same figures unsuppressed, used only to
    know which hidden cells hold a count from 1 to 4 (shown "<5" or "*").
    """
    found: list[str] = []
    areas, totals = summary.areas, summary.totals
    for period in areas["period"].unique():
        mine = areas.loc[areas["period"] == period].reset_index(drop=True)
        true_rows = exact.areas.loc[exact.areas["period"] == period].reset_index(drop=True)
        total = totals.loc[totals["period"] == period].iloc[0]
        true_total = exact.totals.loc[exact.totals["period"] == period].iloc[0]
        unknowns = Unknowns()
        term = unknowns.term
        sums: list[tuple[list[tuple[int, float]], tuple[int, float]]] = []
        limits: list[tuple[tuple[int, float], tuple[int, float]]] = []
        rows = [("TOTAL", total, true_total)] + [
            (code, row, true_rows.iloc[i])
            for i, (code, row) in enumerate(
                zip(mine["area_code"], mine.to_dict("records"), strict=True)
            )
        ]
        for column in COUNT_COLUMNS:
            parts = [
                term((code, column), row[column], truth[column]) for code, row, truth in rows[1:]
            ]
            sums.append((parts, term(("TOTAL", column), total[column], true_total[column])))
        for code, row, truth in rows:
            parts = [term((code, c), row[c], truth[c]) for c in NATIONALITY_COLUMNS.values()]
            sights = term((code, "sightings"), row["sightings"], truth["sightings"])
            sums.append((parts, sights))
            for column in NEVER_ABOVE_SIGHTINGS:
                limits.append((term((code, column), row[column], truth[column]), sights))
        for name, column, total_column in (
            ("languages", "sightings", "interpreter_needed"),
            ("contacts", "contacts", "contacts"),
        ):
            shown = getattr(summary, name)
            shown_rows = np.flatnonzero(shown["period"].to_numpy() == period)
            truths = getattr(exact, name)[column].to_numpy()
            for code in shown["area_code"].iloc[shown_rows].unique():
                at = [r for r in shown_rows if shown["area_code"].iat[r] == code]
                parts = [term((code, f"{name}:{r}"), shown[column].iat[r], truths[r]) for r in at]
                i = int(np.flatnonzero(mine["area_code"].to_numpy() == code)[0])
                total_cell = term(
                    (code, total_column), mine[total_column].iat[i], true_rows[total_column].iat[i]
                )
                sums.append((parts, total_cell))
        names, bounds = unknowns.names, unknowns.bounds
        if not names:
            continue
        a_eq, b_eq = [], []
        for parts, (total_var, total_value) in sums:
            row = np.zeros(len(names))
            known = 0.0
            for var, value in parts:
                if var >= 0:
                    row[var] += 1
                known += value
            if total_var >= 0:
                row[total_var] -= 1
            if row.any():
                a_eq.append(row)
                b_eq.append(total_value - known)
        a_ub, b_ub = [], []
        for (var, value), (bound_var, bound_value) in limits:
            row = np.zeros(len(names))
            if var >= 0:
                row[var] += 1
            if bound_var >= 0:
                row[bound_var] -= 1
            if row.any():
                a_ub.append(row)
                b_ub.append(bound_value - value)
        constraints = [LinearConstraint(np.array(a_eq), b_eq, b_eq)] if a_eq else []
        if a_ub:
            constraints.append(LinearConstraint(np.array(a_ub), -np.inf, b_ub))
        lower = np.array([b[0] for b in bounds])
        upper = np.array([b[1] for b in bounds])
        for var, key in enumerate(names):
            if not 1 <= unknowns.truth[var] <= 4:
                continue
            objective = np.zeros(len(names))
            objective[var] = 1
            ends = [
                milp(
                    sign * objective,
                    integrality=np.ones(len(names)),
                    bounds=Bounds(lower, upper),
                    constraints=constraints,
                )
                for sign in (1, -1)
            ]
            assert ends[0].status == 0, f"the published figures contradict each other at {key}"
            if ends[1].status == 0 and round(-ends[1].fun) == round(ends[0].fun):
                found.append(f"{period} {key} = {ends[0].fun:.0f}")
    # the previous period, the change and the rate must not give a hidden count away either
    for _, row in areas.iterrows():
        if hidden_value(row["people"]) is not None:
            if pd.notna(row["rate_per_10k"]) and pd.notna(row["population"]):
                found.append(f"{row['period']} {row['area_code']} people from the rate")
            if row["change"] is not None and pd.notna(row["change"]):
                found.append(f"{row['period']} {row['area_code']} people from the change")
    by_area = areas.sort_values("period_start").groupby("area_code")
    for code, rows in by_area:
        people = rows["people"].tolist()
        previous = rows["previous_people"].tolist()
        change = rows["change"].tolist()
        for before, shown_later, change_later in zip(
            people[:-1], previous[1:], change[1:], strict=True
        ):
            if hidden_value(before) is not None and hidden_value(shown_later) is None:
                found.append(f"{code} previous people shown as {shown_later} but hidden")
            if hidden_value(before) is not None and pd.notna(change_later):
                found.append(f"{code} previous people from the change {change_later}")
    return found


def aligned_exact(store, **options):
    """The exact figures for the periods a suppressed role gets (aligned, whole periods)."""
    return summarise(store._read("records"), store.areas(), placed=True, aligned=True, **options)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("demo") / "atlas.sqlite")
    load_demo(store, directory=DEMO)
    return store


@pytest.mark.parametrize("role", ["councillor", "police"])
@pytest.mark.parametrize(
    ("period", "periods", "end"),
    [
        ("week", 3, None),
        ("month", 3, None),
        ("night", 3, date(2026, 11, 8)),  # four wards with one interpreter need each
        ("night", 2, date(2026, 11, 19)),
    ],
)
def test_no_hidden_count_can_be_worked_out_from_what_a_role_gets(
    demo_store, role: str, period: str, periods: int, end: date | None, monkeypatch
) -> None:
    # police as an admin may allow them: with nationality groups and NRPF (the harder case)
    monkeypatch.setattr("geo.questions.withheld", lambda store, role: ())
    options = {"period": period, "periods": periods, "end": end}
    summary = area_summary(demo_store, role=role, **options)
    exact = aligned_exact(demo_store, **options)
    hidden = sum((summary.areas[c].astype(str) == SMALL).sum() for c in COUNT_COLUMNS)
    assert hidden > 5  # the demo has plenty of small counts to protect
    assert attack(summary, exact) == []


def test_the_attacker_does_find_a_count_left_unprotected(demo_store) -> None:
    # the same figures with only primary suppression (no secondary cells) give counts away:
    # proof that the attack above can succeed when protection is missing
    exact = aligned_exact(demo_store, period="month", periods=1)
    naive = exact.areas.copy()
    for column in COUNT_COLUMNS:
        small = naive[column].between(1, 4)
        naive[column] = naive[column].astype(object).where(~small, SMALL)
    from dataclasses import replace

    bare = replace(exact, contacts=exact.contacts.iloc[0:0], languages=exact.languages.iloc[0:0])
    leaked = attack(replace(bare, areas=naive), bare)
    assert leaked


def test_councillor_sees_small_counts_hidden_and_zeros_shown(demo_store) -> None:
    exact = aligned_exact(demo_store, period="month", periods=2).areas
    shown = area_summary(demo_store, role="councillor", period="month", periods=2).areas
    for column in COUNT_COLUMNS:
        small = exact[column].between(1, 4).to_numpy()
        assert shown[column][small].isin([SMALL, "*"]).all()
        zero = (exact[column] == 0).to_numpy()
        assert shown[column][zero].isin([0, "*"]).all()
        visible = ~shown[column].isin([SMALL, "*"])
        assert (shown[column][visible] == exact[column][visible]).all()  # nothing else changes


def test_police_see_people_exactly_and_needs_suppressed(demo_store, monkeypatch) -> None:
    monkeypatch.setattr("geo.questions.withheld", lambda store, role: ())  # NRPF allowed
    exact = aligned_exact(demo_store, period="month", periods=1).areas
    police = area_summary(demo_store, role="police", period="month", periods=1)
    assert police.areas["people"].tolist() == exact["people"].tolist()
    assert police.areas["sightings"].tolist() == exact["sightings"].tolist()
    small_nrpf = exact["nrpf"].between(1, 4)
    assert small_nrpf.any()
    assert police.areas["nrpf"][small_nrpf].isin([SMALL, "*"]).all()
    assert police.history.empty  # exact history stays with coordinators


def test_threshold_is_configurable(demo_store) -> None:
    exact = aligned_exact(demo_store, period="week", periods=4).areas
    shown = area_summary(demo_store, role="councillor", period="week", periods=4, threshold=2)
    small = exact["people"].between(1, 2)
    middling = exact["people"].between(3, 4)
    assert small.any() and middling.any()  # the demo has both, so both checks below run
    assert shown.areas["people"][small].isin(["<3", "*"]).all()
    assert shown.areas["people"][middling].isin([3, 4, "*"]).all()
    assert (shown.areas["people"][middling] != "*").any()  # 3 and 4 are shown at threshold 2
    with pytest.raises(AnalysisError, match="threshold must be a whole number >= 1; got 0"):
        area_summary(demo_store, role="councillor", threshold=0)


def test_roles_without_figures_are_refused(demo_store) -> None:
    with pytest.raises(AccessDenied, match="admin role manages users and imports"):
        area_summary(demo_store, role="admin")
    with pytest.raises(AccessDenied, match="unknown role 'mayor'"):
        area_summary(demo_store, role="mayor")


def test_drawn_areas_and_ranges_are_for_coordinators_only(demo_store) -> None:
    beat = demo_store.areas().iloc[:1]
    with pytest.raises(AccessDenied, match="stored layers .* only; a drawn area"):
        area_summary(demo_store, role="councillor", layer=beat)
    with pytest.raises(AccessDenied, match="not ranges"):
        area_summary(
            demo_store,
            role="police",
            period="range",
            start=date(2026, 11, 1),
            end=date(2026, 11, 23),
        )
    mine = area_summary(demo_store, role="coordinator", layer=beat, period="week", periods=1)
    assert mine.areas["area_code"].tolist() == beat["area_code"].tolist()


def test_overlapping_requests_give_the_same_blocks(demo_store) -> None:
    # a councillor asking for the week to the 22nd and to the 23rd gets one and the same week,
    # never two overlapping weeks whose difference is one night
    first = area_summary(
        demo_store, role="councillor", period="week", periods=1, end=date(2026, 11, 22)
    ).areas
    second = area_summary(
        demo_store, role="councillor", period="week", periods=1, end=date(2026, 11, 23)
    ).areas
    assert first["period"].unique().tolist() == ["2026-11-16/2026-11-22"]
    pd.testing.assert_frame_equal(first, second)
