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
    demo_store, role: str, period: str, periods: int, end: date | None
) -> None:
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


def test_police_see_people_exactly_and_needs_suppressed(demo_store) -> None:
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
