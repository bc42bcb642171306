"""How figures are shown to roles that may not see records: small numbers hidden.

Counts from 1 to a threshold (default 4) are shown as ``"<5"``; further cells are hidden
(``"*"``) wherever a hidden count could otherwise be worked out (see
:mod:`geo.privacy.suppression`, whose exact attacker proves it cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.flow import CLASSES, FLOW_COLUMNS, Flow
from geo.analysis.referrals import OUTCOMES, REFERRAL_COLUMNS, ReferralFigures
from geo.analysis.safeguarding import WAITING, QueueFigures
from geo.analysis.ward_figures import COUNT_COLUMNS, NATIONALITY_COLUMNS, AreaSummary
from geo.errors import AnalysisError
from geo.privacy import suppression
from geo.privacy.kept_tables import suppress_kept
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.schema import RECORD_FLAGS

#: Counts from 1 to this are hidden wherever a role may not see records (DESIGN: "1-4").
SUPPRESSION_THRESHOLD: Final = 4
#: Shown instead of a count hidden because it is small ("<5" with the default threshold).
SMALL: Final = "<{floor}"
#: Shown instead of a count hidden so that a small count elsewhere cannot be worked out.
SECONDARY: Final = "*"


def small_label(threshold: int) -> str:
    """How a count from 1 to ``threshold`` is shown: ``"<5"`` for the default threshold."""
    return SMALL.format(floor=threshold + 1)


#: Count columns police see only with small numbers hidden: needs, flags and nationality.
_NEEDS: Final = ("interpreter_needed", *RECORD_FLAGS)
_AT_MOST_SIGHTINGS: Final = ("distinct_people", "contacts", *_NEEDS)
_CHANGE_COLUMNS: Final = ("change", "change_pct", "emerging", "emerging_score", "emerging_rank")


def view_summary(
    summary: AreaSummary,
    *,
    role: Role,
    threshold: int | None = None,
    withheld: Collection[str] = (),
) -> AreaSummary:
    """The figures ``role`` may see, as a new summary (the input is not changed).

    ``withheld`` columns are left out of the areas and totals altogether (police without the
    admin's setting: nationality groups and NRPF, see :func:`geo.privacy.users.withheld`);
    they are left out after the small numbers are hidden, so nothing else shows changes.

    - coordinator: exact figures.
    - police: sightings, people, contacts exact; needs, flags, nationality groups and
      interpreter languages with counts from 1 to ``threshold`` shown as ``"<5"``.
    - councillor: every count so, and change, trend, rate and the emerging flag shown only where
      the counts they are worked out from are shown.

    Secondary suppression (``"*"``) hides further cells wherever a small count could otherwise
    be worked out from a borough total, the other wards, the other nationality groups or
    languages, or the previous period (see :mod:`geo.privacy.suppression`).
    """

    role = check_role(role)
    check_can_see_figures(role)
    threshold = checked_threshold(threshold)
    if role == "coordinator":
        return replace(summary, role=role, threshold=None)
    hidden_columns = (
        set(COUNT_COLUMNS) if role == "councillor" else {*_NEEDS, *NATIONALITY_COLUMNS.values()}
    )
    frames = {
        "areas": summary.areas.copy(),
        "totals": summary.totals.copy(),
        "outside": summary.outside.copy(),
        "contacts": summary.contacts.copy(),
        "languages": summary.languages.copy(),
    }
    shown_columns = {
        "areas": COUNT_COLUMNS,
        "totals": COUNT_COLUMNS,
        "outside": ("sightings", "people"),
        "contacts": ("contacts",),
        "languages": ("sightings",),
    }
    status = {
        (name, column): np.zeros(len(frames[name]), dtype=np.int8)
        for name, columns in shown_columns.items()
        for column in columns
    }
    # plain lists, read once: a period's table is built cell by cell
    columns = {
        (name, column): frames[name][column].tolist()
        for name, names in shown_columns.items()
        for column in (*names, *(["area_code"] if "area_code" in frames[name] else []))
    }
    periods = {name: frame["period"].to_numpy() for name, frame in frames.items()}
    for period in frames["areas"]["period"].unique():
        _suppress_period(
            period,
            columns=columns,
            periods=periods,
            status=status,
            hidden_columns=hidden_columns,
            nationality=list(NATIONALITY_COLUMNS.values()),
            contacts=role == "councillor",
            threshold=threshold,
        )
    current, previous, window = _people_shown(
        summary, status["areas", "people"], threshold=threshold
    )
    for (name, column), column_status in status.items():
        frames[name][column] = _render(frames[name][column], column_status, threshold)
    areas = frames["areas"]
    if role == "councillor":
        areas["rate_per_10k"] = areas["rate_per_10k"].where(current)
        areas["previous_people"] = _render(
            summary.areas["previous_people"],
            np.where(previous, suppression.VISIBLE, suppression.SECONDARY).astype(np.int8),
            threshold,
        )
        for column in _CHANGE_COLUMNS:
            areas[column] = areas[column].astype(object).where(current & previous, None)
        areas["trend"] = areas["trend"].where(window)
        areas["emerging_rank"] = (
            areas["emerging_score"]
            .where(areas["emerging"].eq(True))
            .astype(float)
            .groupby(areas["period"])
            .rank(ascending=False, method="min")
            .astype("Int64")
        )
    for name in ("areas", "totals"):
        frames[name] = frames[name].drop(columns=list(withheld), errors="ignore")
    return replace(
        summary,
        **frames,
        history=summary.history.iloc[0:0],
        role=role,
        threshold=threshold,
    )


def view_flow(found: Flow, *, role: Role, threshold: int | None = None) -> Flow:
    """Flow figures as ``role`` may see them (see :mod:`geo.analysis.flow`).

    Coordinators and police see the counts (DESIGN.md: police get counts of people over
    time); councillors see every count from 1 to ``threshold`` as ``"<5"``, with further cells
    hidden (``"*"``) wherever one could be worked out. What a reader knows, per period: each
    row's new, stock and returner add up to its people; each area's figure is at most the
    total's; the areas add up to at least the total (a person seen in two areas counts in
    each, and once in the total); the areas' sightings without a reference add up to the
    total's.
    """
    role = check_role(role)
    check_can_see_figures(role)
    threshold = checked_threshold(threshold)
    if role != "councillor":
        return replace(found, role=role, threshold=None)

    def relate(table: suppression.Table, cells: _Cells, rows: dict[str, list[int]]) -> None:
        for name, numbers in rows.items():
            for r in numbers:
                table.sums([cells[name, c, r] for c in CLASSES], cells[name, "people", r])
        (total_row,) = rows["totals"]
        for c in FLOW_COLUMNS:
            parts = [cells["areas", c, r] for r in rows["areas"]]
            total = cells["totals", c, total_row]
            if c == "without_reference":  # a sighting is in one area: they add up exactly
                table.sums(parts, total)
                continue
            for part in parts:
                table.at_most(part, total)
            both = table.hidden(sum(table.values[p] for p in parts))
            table.sums(parts, both)
            table.sums([total, table.hidden(table.values[both] - table.values[total])], both)

    frames = _hidden_by_period(found, FLOW_COLUMNS, relate=relate, threshold=threshold)
    return replace(found, **frames, role=role, threshold=threshold)


def view_referrals(
    figures: ReferralFigures, *, role: Role, threshold: int | None = None
) -> ReferralFigures:
    """Referral follow-up figures as ``role`` may see them (see :mod:`geo.analysis.referrals`).

    Coordinators see the counts; police and councillors see every count from 1 to
    ``threshold`` as ``"<5"``, with further cells hidden (``"*"``) wherever one could be worked
    out. What a reader knows, per period: each row's found and not located add up to its
    followed up, and its followed up, not followed up and pending to its referrals; the areas
    add up to the total exactly (a referral is made in one place).
    """
    role = check_role(role)
    check_can_see_figures(role)
    threshold = checked_threshold(threshold)
    if role == "coordinator":
        return replace(figures, role=role, threshold=None)
    followed = ("found", "not_located")
    parts = ["followed_up", *(c for c in OUTCOMES if c not in followed)]

    def relate(table: suppression.Table, cells: _Cells, rows: dict[str, list[int]]) -> None:
        for name, numbers in rows.items():
            for r in numbers:
                table.sums([cells[name, c, r] for c in followed], cells[name, "followed_up", r])
                table.sums([cells[name, c, r] for c in parts], cells[name, "referrals", r])
        (total_row,) = rows["totals"]
        for c in REFERRAL_COLUMNS:
            table.sums([cells["areas", c, r] for r in rows["areas"]], cells["totals", c, total_row])

    frames = _hidden_by_period(figures, REFERRAL_COLUMNS, relate=relate, threshold=threshold)
    return replace(figures, **frames, role=role, threshold=threshold)


def view_queue(figures: QueueFigures, *, role: Role, threshold: int | None = None) -> QueueFigures:
    """Safeguarding items waiting per ward and period as ``role`` may see them: coordinators
    the counts; police and councillors every count from 1 to ``threshold`` as ``"<5"``, with
    further cells hidden (``"*"``) wherever the wards' sum to the total would give one away."""
    role = check_role(role)
    check_can_see_figures(role)
    threshold = checked_threshold(threshold)
    if role == "coordinator":
        return replace(figures, role=role, threshold=None)

    def relate(table: suppression.Table, cells: _Cells, rows: dict[str, list[int]]) -> None:
        (total_row,) = rows["totals"]
        parts = [cells["areas", WAITING, r] for r in rows["areas"]]
        table.sums(parts, cells["totals", WAITING, total_row])

    frames = _hidden_by_period(figures, (WAITING,), relate=relate, threshold=threshold)
    return replace(figures, **frames, role=role, threshold=threshold)


#: Cells of one period's table, by frame name, column and row.
_Cells = dict[tuple[str, str, int], int]


def _hidden_by_period(
    found: Flow | ReferralFigures | QueueFigures,
    columns: tuple[str, ...],
    *,
    relate: Callable[[suppression.Table, _Cells, dict[str, list[int]]], None],
    threshold: int,
) -> dict[str, pd.DataFrame]:
    """``found.areas`` and ``found.totals`` with small counts hidden, one period at a time: each
    period's ``columns`` become the cells of one table, ``relate`` adds what a reader knows of
    them (sums, bounds), and the table is suppressed as a whole."""
    frames = {"areas": found.areas.copy(), "totals": found.totals.copy()}
    values = {(name, c): frame[c].tolist() for name, frame in frames.items() for c in columns}
    status = {key: np.zeros(len(frames[key[0]]), dtype=np.int8) for key in values}
    labels = {name: frame["period"].to_numpy() for name, frame in frames.items()}
    for period in frames["totals"]["period"]:
        table = suppression.Table()
        rows = {name: np.flatnonzero(labels[name] == period).tolist() for name in frames}
        cells = {
            (name, c, r): table.cell(int(values[name, c][r]))
            for name, numbers in rows.items()
            for r in numbers
            for c in columns
        }
        relate(table, cells, rows)
        result = suppress_kept(table, threshold=threshold)
        for (name, c, r), cell in cells.items():
            status[name, c][r] = result[cell]
    for (name, c), column_status in status.items():
        frames[name][c] = _render(frames[name][c], column_status, threshold)
    return frames


def checked_threshold(threshold: int | None) -> int:
    """The suppression threshold to use: ``threshold``, or the default when None; an
    ``AnalysisError`` if it is not a whole number of at least 1."""
    threshold = SUPPRESSION_THRESHOLD if threshold is None else threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise AnalysisError(
            f"the suppression threshold must be a whole number >= 1; got {threshold!r}"
        )
    return threshold


def _suppress_period(
    period: str,
    *,
    columns: dict[tuple[str, str], list],
    periods: dict[str, np.ndarray],
    status: dict[tuple[str, str], np.ndarray],
    hidden_columns: set[str],
    nationality: list[str],
    contacts: bool,
    threshold: int,
) -> None:
    """Build one period's cells and sums, suppress them, and write the statuses back.

    The sums a reader knows: the areas add up to the total row (published beside them), the
    nationality groups of a row add up to its sightings, and a row's languages (and, for
    councillors, its contact outcomes) add up to its interpreter needs (its contacts).
    ``columns`` holds each frame's columns as lists, ``periods`` each frame's period labels.
    """
    table = suppression.Table()
    cells: dict[tuple[str, str, int], int] = {}

    def add(name: str, column: str, rows: list[int]) -> list[int]:
        values = columns[name, column]
        hideable = column in hidden_columns or name in ("contacts", "languages")
        ids = [table.cell(values[r], hideable=hideable) for r in rows]
        cells.update({(name, column, r): i for r, i in zip(rows, ids, strict=True)})
        return ids

    def rows_of(name: str) -> list[int]:
        return np.flatnonzero(periods[name] == period).tolist()

    area_rows, total_row = rows_of("areas"), rows_of("totals")
    for column in status_columns(status, "areas"):
        parts = add("areas", column, area_rows)
        table.sums(parts, add("totals", column, total_row)[0])
    for column in ("sightings", "people"):
        add("outside", column, rows_of("outside"))
    for name, rows in (("areas", area_rows), ("totals", total_row)):
        for r in rows:
            if hidden_columns & set(nationality):
                table.sums([cells[name, c, r] for c in nationality], cells[name, "sightings", r])
            # a row's needs, flags, contacts and distinct people never exceed its sightings
            for column in _AT_MOST_SIGHTINGS:
                if column in hidden_columns:
                    table.at_most(cells[name, column, r], cells[name, "sightings", r])
    codes = columns["areas", "area_code"]
    row_of_code = {codes[r]: r for r in area_rows}
    for name, column, total_column in (
        ("languages", "sightings", "interpreter_needed"),
        ("contacts", "contacts", "contacts"),
    ):
        if name == "contacts" and not contacts:
            continue
        rows = rows_of(name)
        codes = columns[name, "area_code"]
        by_area: dict[int, list[int]] = {}
        for r, cell in zip(rows, add(name, column, rows), strict=True):
            by_area.setdefault(row_of_code[codes[r]], []).append(cell)
        for row, parts in by_area.items():
            table.sums(parts, cells["areas", total_column, row])
    result = suppress_kept(table, threshold=threshold)
    for (name, column, r), cell in cells.items():
        status[name, column][r] = result[cell]


def status_columns(status: dict[tuple[str, str], np.ndarray], name: str) -> list[str]:
    """The columns of frame ``name`` that have a status."""
    return [column for frame, column in status if frame == name]


def _people_shown(
    summary: AreaSummary, people_status: np.ndarray, *, threshold: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each area row: is its people count shown, its previous period's, and every
    period its trend is worked out from?"""
    areas = summary.areas
    current = people_status == suppression.VISIBLE
    shown_at = {
        (code, start): ok
        for code, start, ok in zip(areas["area_code"], areas["period_start"], current, strict=True)
    }
    history = summary.history
    visible = {}
    for code, start, people, complete in zip(
        history["area_code"],
        history["period_start"],
        history["people"],
        history["complete"],
        strict=True,
    ):
        safe = complete and (people == 0 or people > threshold)
        visible[code, start] = shown_at.get((code, start), safe)
    starts = sorted(history["period_start"].unique())
    position = {start: i for i, start in enumerate(starts)}
    previous = np.zeros(len(areas), dtype=bool)
    window = np.zeros(len(areas), dtype=bool)
    for i, (code, start) in enumerate(zip(areas["area_code"], areas["period_start"], strict=True)):
        at = position[start]
        previous[i] = at > 0 and visible.get((code, starts[at - 1]), False)
        span = starts[max(at - summary.trend_periods + 1, 0) : at + 1]
        window[i] = len(span) == summary.trend_periods and all(
            visible.get((code, s), False) for s in span
        )
    return current, previous, window


def _render(values: pd.Series, status: np.ndarray, threshold: int) -> pd.Series:
    """Counts with hidden ones replaced by ``"<5"`` (small) or ``"*"`` (hidden to protect
    another)."""
    out = values.to_numpy(dtype=object, copy=True)  # masks on an array: a tenth of a Series'
    out[status == suppression.SMALL] = small_label(threshold)
    out[status == suppression.SECONDARY] = SECONDARY
    return pd.Series(out, index=values.index, name=values.name, dtype=object)
