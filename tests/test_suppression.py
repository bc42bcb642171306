"""Small numbers by role, and an attacker who tries to work out a hidden count and fails.

The attacker here is written apart from geo/suppression.py: it reads only what a role is given
(the published tables), writes down every sum a reader knows, and asks a linear program for the
smallest and largest value each hidden cell can take. A small count is given away when the two
agree. It also tries the previous period, the change, the rate and the emerging flag.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from geo import privacy, suppression
from geo.demo import load_demo
from geo.errors import AccessDenied, AnalysisError
from geo.store import open_store
from geo.summary import COUNT_COLUMNS, NATIONALITY_COLUMNS, area_summary

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
    table.total([a, b, c])  # 11: a + b = 2 and each is at least 1, so both are 1
    status = suppression.suppress(table, threshold=4)
    assert status[c] == suppression.SECONDARY


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


# -- the attacker on what a role is given ------------------------------------------------------
def hidden_value(value: object) -> tuple[float, float] | None:
    """A reader's bounds for a published cell, or None where the number is shown."""
    if value == SMALL:
        return (1.0, 4.0)
    if value == privacy.SECONDARY:
        return (0.0, np.inf)
    return None


class Unknowns:
    """The hidden cells of one period, numbered as the attacker meets them."""

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []
        self.bounds: list[tuple[float, float]] = []
        self.index: dict[tuple[str, str], int] = {}

    def term(self, key: tuple[str, str], value: object) -> tuple[int, float]:
        """(variable, 0) for a hidden cell, (-1, value) for a shown one."""
        bound = hidden_value(value)
        if bound is None:
            return -1, float(value)
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(key)
            self.bounds.append(bound)
        return self.index[key], 0.0


def attack(summary) -> list[str]:
    """Every hidden count the published tables give away, described; [] when none is."""
    found: list[str] = []
    areas, totals = summary.areas, summary.totals
    for period in areas["period"].unique():
        mine = areas.loc[areas["period"] == period].reset_index(drop=True)
        total = totals.loc[totals["period"] == period].iloc[0]
        unknowns = Unknowns()
        term = unknowns.term
        sums: list[tuple[list[tuple[int, float]], tuple[int, float]]] = []
        for column in COUNT_COLUMNS:
            parts = [
                term((code, column), v)
                for code, v in zip(mine["area_code"], mine[column], strict=True)
            ]
            sums.append((parts, term(("TOTAL", column), total[column])))
        for code, row in [
            ("TOTAL", total),
            *zip(mine["area_code"], mine.to_dict("records"), strict=True),
        ]:
            parts = [term((code, c), row[c]) for c in NATIONALITY_COLUMNS.values()]
            sums.append((parts, term((code, "sightings"), row["sightings"])))
        for name, column, total_column in (
            ("languages", "sightings", "interpreter_needed"),
            ("contacts", "contacts", "contacts"),
        ):
            long = getattr(summary, name)
            long = long.loc[long["period"] == period]
            for code, group in long.groupby("area_code"):
                parts = [term((code, f"{name}:{i}"), v) for i, v in enumerate(group[column])]
                row = mine.loc[mine["area_code"] == code].iloc[0]
                sums.append((parts, term((code, total_column), row[total_column])))
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
        a_eq, b_eq = np.array(a_eq), np.array(b_eq)
        for var, key in enumerate(names):
            objective = np.zeros(len(names))
            objective[var] = 1
            low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            assert low.status == 0, f"the published figures contradict each other at {key}"
            if high.status == 0 and -high.fun - low.fun < 0.5 and bounds[var] == (1.0, 4.0):
                found.append(f"{period} {key} = {low.fun:.0f}")
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


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("demo") / "atlas.sqlite")
    load_demo(store, directory=DEMO)
    return store


@pytest.mark.parametrize("role", ["councillor", "police"])
@pytest.mark.parametrize("period", ["week", "month"])
def test_no_hidden_count_can_be_worked_out_from_what_a_role_gets(
    demo_store, role: str, period: str
) -> None:
    summary = area_summary(demo_store, role=role, period=period, periods=3)
    hidden = sum((summary.areas[c].astype(str) == SMALL).sum() for c in COUNT_COLUMNS)
    assert hidden > 10  # the demo has plenty of small counts to protect
    assert attack(summary) == []


def test_the_attacker_does_find_a_count_left_unprotected(demo_store) -> None:
    # the same figures with only primary suppression (no secondary cells) give counts away:
    # proof that the attack above can succeed when protection is missing
    exact = area_summary(demo_store, role="coordinator", period="month", periods=1)
    naive = exact.areas.copy()
    for column in COUNT_COLUMNS:
        small = naive[column].between(1, 4)
        naive[column] = naive[column].astype(object).where(~small, SMALL)
    from dataclasses import replace

    leaked = attack(
        replace(
            exact,
            areas=naive,
            contacts=exact.contacts.iloc[0:0],
            languages=exact.languages.iloc[0:0],
        )
    )
    assert leaked


def test_councillor_sees_small_counts_hidden_and_zeros_shown(demo_store) -> None:
    exact = area_summary(demo_store, role="coordinator", period="month", periods=2).areas
    shown = area_summary(demo_store, role="councillor", period="month", periods=2).areas
    for column in COUNT_COLUMNS:
        small = exact[column].between(1, 4).to_numpy()
        assert shown[column][small].isin([SMALL, "*"]).all()
        zero = (exact[column] == 0).to_numpy()
        assert shown[column][zero].isin([0, "*"]).all()
        visible = ~shown[column].isin([SMALL, "*"])
        assert (shown[column][visible] == exact[column][visible]).all()  # nothing else changes


def test_police_see_people_exactly_and_needs_suppressed(demo_store) -> None:
    exact = area_summary(demo_store, role="coordinator", period="month", periods=1).areas
    police = area_summary(demo_store, role="police", period="month", periods=1)
    assert police.areas["people"].tolist() == exact["people"].tolist()
    assert police.areas["sightings"].tolist() == exact["sightings"].tolist()
    small_nrpf = exact["nrpf"].between(1, 4)
    assert small_nrpf.any()
    assert police.areas["nrpf"][small_nrpf].isin([SMALL, "*"]).all()
    assert police.history.empty  # exact history stays with coordinators


def test_threshold_is_configurable(demo_store) -> None:
    exact = area_summary(demo_store, role="coordinator", period="month", periods=1).areas
    shown = area_summary(demo_store, role="councillor", period="month", periods=1, threshold=2)
    three = exact["people"] == 3
    small = exact["people"].between(1, 2)
    assert shown.areas["people"][small].isin(["<3", "*"]).all()
    if three.any():
        assert shown.areas["people"][three].isin([3, "*"]).all()
    with pytest.raises(AnalysisError, match="threshold must be a whole number >= 1; got 0"):
        area_summary(demo_store, role="councillor", threshold=0)


def test_roles_without_figures_are_refused(demo_store) -> None:
    with pytest.raises(AccessDenied, match="admin role manages users and imports"):
        area_summary(demo_store, role="admin")
    with pytest.raises(AccessDenied, match="unknown role 'mayor'"):
        area_summary(demo_store, role="mayor")
