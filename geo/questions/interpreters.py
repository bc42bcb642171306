"""Shared interpreters, as each role may see them.

Coordinators see each agency's contacts. Police and councillors see the same rows (agency
names are not personal), with contact counts from 1 to the threshold (default 4) shown as
``"<5"``, and further counts hidden (``"*"``) wherever one could be worked out: per period,
the agencies' contacts in one area and language add up to its total, as the ward figures'
parts add up to theirs (see :mod:`geo.privacy.suppression`). The recurring languages count
area-periods, not people, and are shown to every role.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from geo.analysis.interpreters import (
    INTERPRETER_READS,
    SharedInterpreters,
    shared_interpreters,
)
from geo.analysis.ward_figures import DEFAULT_PERIODS, Period
from geo.filters import Filters
from geo.privacy import suppression
from geo.privacy.figures import SECONDARY, checked_threshold, small_label
from geo.privacy.kept_tables import suppress_kept
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.questions.reading import figure_records, kept_for_periods
from geo.store import Store


def interpreter_sharing(
    store: Store,
    *,
    role: Role,
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    threshold: int | None = None,
    filters: Filters | None = None,
) -> SharedInterpreters:
    """Languages two or more agencies needed an interpreter for, per ward and period, as
    ``role`` may see them (see :mod:`geo.analysis.interpreters`).

    ``filters`` (the pages' shared filters) give the period and its last night. Police and
    councillors get whole aligned periods and small contact counts hidden.
    """
    threshold = checked_threshold(threshold)
    asked = figure_records(
        store, role=role, reads=INTERPRETER_READS, period=period, start=start, end=end,
        filters=filters,
    )  # fmt: skip

    def work() -> SharedInterpreters:
        exact = shared_interpreters(
            asked.records, asked.areas, periods=periods, placed=asked.placed,
            **asked.period_options,
        )  # fmt: skip
        if asked.role == "coordinator":
            return replace(exact, role=asked.role)
        return view_interpreters(exact, role=asked.role, threshold=threshold)

    return kept_for_periods(
        store, asked, "interpreter sharing", (threshold,), work, periods=periods
    )


def view_interpreters(
    found: SharedInterpreters, *, role: Role, threshold: int | None = None
) -> SharedInterpreters:
    """``found`` as ``role`` may see it: exact for coordinators; otherwise contact counts and
    totals from 1 to ``threshold`` shown as ``"<5"`` and others hidden (``"*"``) where a small
    one could be worked out. The input is not changed."""
    role = check_role(role)
    check_can_see_figures(role)
    threshold = checked_threshold(threshold)
    if role == "coordinator":
        return replace(found, role=role, threshold=None)
    contacts, shared = _hidden(found.contacts, found.shared, threshold=threshold)
    return replace(found, contacts=contacts, shared=shared, role=role, threshold=threshold)


def _hidden(
    contacts: pd.DataFrame, shared: pd.DataFrame, *, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each period is one table: an area and language's agency counts add up to its total."""
    contact_status = np.zeros(len(contacts), dtype=np.int8)
    total_status = np.zeros(len(shared), dtype=np.int8)
    part_keys, total_keys = _keys(contacts), _keys(shared)
    part_values = contacts["contacts"].to_numpy(np.int64)
    total_values = shared["total"].to_numpy(np.int64)
    for label in pd.unique(shared["period"]):
        table = suppression.Table()
        totals = np.flatnonzero(shared["period"].to_numpy() == label)
        parts = np.flatnonzero(contacts["period"].to_numpy() == label)
        part_cells = {int(r): table.cell(int(part_values[r])) for r in parts}
        total_cells = {int(r): table.cell(int(total_values[r])) for r in totals}
        by_key = {total_keys.iloc[r]: r for r in total_cells}
        grouped: dict[int, list[int]] = {}
        for r, cell in part_cells.items():
            grouped.setdefault(by_key[part_keys.iloc[r]], []).append(cell)
        for r, cells in grouped.items():
            table.sums(cells, total_cells[r])
        result = suppress_kept(table, threshold=threshold)
        for r, cell in part_cells.items():
            contact_status[r] = result[cell]
        for r, cell in total_cells.items():
            total_status[r] = result[cell]
    contacts = contacts.assign(contacts=_render(contacts["contacts"], contact_status, threshold))
    shared = shared.assign(total=_render(shared["total"], total_status, threshold))
    return contacts, shared


def _keys(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["area_code"].astype(str)
        + "\x1f"
        + frame["period"].astype(str)
        + "\x1f"
        + frame["language"].astype(str)
    )


def _render(values: pd.Series, status: np.ndarray, threshold: int) -> pd.Series:
    out = values.astype(object).copy()
    out[status == suppression.SMALL] = small_label(threshold)
    out[status == suppression.SECONDARY] = SECONDARY
    return out
