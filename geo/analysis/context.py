"""Ward context as people read it: the figures kept by ``import context``, the changes between
years worked out, each value in plain words.

Context is shown beside the tension watch and in the ward profile; it never decides anything.
:mod:`geo.analysis.tension` does not import this module, and nothing here reads records.

Two columns of counts (whole numbers, some over 100) whose headers differ only by a year
("Population 2022", "Population 2024") give a change, earliest to latest year, as a percentage
of the earliest (a decile or a score given for two years gets none):
(12,980 - 12,340) / 12,340 = +5.2%. A change from nothing (0 or not given) is not worked out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["WardContext", "beside", "context_table", "profile_rows", "with_changes"]

_YEAR: Final = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_MID_YEAR: Final = re.compile(r"(?i)(\bmid[\s_-]*)?(?<!\d)(19\d{2}|20\d{2})(?!\d)")


@dataclass(frozen=True)
class WardContext:
    """Figures about each area from outside the partnership.

    ``table`` has one row per area in the file: ``area_code``, ``area_name``, then the file's
    kept columns (floats for numbers, text for classes) and the changes worked out
    (:func:`with_changes`), whose names are in ``changes``. Empty when none is kept.
    """

    table: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["area_code", "area_name"])
    )
    changes: tuple[str, ...] = ()
    source: str | None = None
    imported_at: str | None = None

    @property
    def empty(self) -> bool:
        return len(self.measures) == 0 or self.table.empty

    @property
    def measures(self) -> list[str]:
        """The columns shown, in the file's order, changes last."""
        return [c for c in self.table.columns if c not in ("area_code", "area_name")]


def with_changes(table: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``table`` with a change column for each figure given for two or more years, and the
    names of the columns added (see the module docstring). ``table`` is not changed."""
    stems: dict[str, list[tuple[int, str]]] = {}
    for column in table.columns:
        years = _YEAR.findall(str(column))
        if len(years) != 1 or not _counts(table[column]):
            continue
        stem = _YEAR.sub(" ", str(column))
        stems.setdefault(_key(stem), []).append((int(years[0]), str(column)))
    out, added = table.copy(), []
    for columns in stems.values():
        if len({year for year, _ in columns}) < 2:
            continue
        (first_year, first), (last_year, last) = min(columns), max(columns)
        words = re.sub(r"[\s_.-]+", " ", _MID_YEAR.sub(" ", first)).strip(" ,;:()") or "Figure"
        name = f"{words} change, {first_year} to {last_year}"
        before = table[first].to_numpy(dtype=float)
        after = table[last].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(before > 0, (after - before) / before * 100, np.nan)
        out[name] = change
        added.append(name)
    return out, tuple(added)


def context_table(context: WardContext) -> pd.DataFrame:
    """Every area's context as text, indexed by area code, one column per measure (the file's
    headers with underscores as spaces); "not given" where the file had nothing."""
    table = context.table.set_index("area_code")
    shown = pd.DataFrame(index=table.index)
    for measure in context.measures:
        shown[_label(measure)] = _words(table[measure], change=measure in context.changes)
    return shown


def profile_rows(context: WardContext, area_code: str) -> pd.DataFrame:
    """One area's context as rows of ``Measure`` and ``Value`` (empty if it has none)."""
    shown = context_table(context)
    if context.empty or area_code not in shown.index:
        return pd.DataFrame({"Measure": pd.Series(dtype=object), "Value": pd.Series(dtype=object)})
    row = shown.loc[area_code]
    return pd.DataFrame({"Measure": row.index.to_numpy(object), "Value": row.to_numpy(object)})


def beside(frame: pd.DataFrame, context: WardContext) -> pd.DataFrame:
    """``frame`` (with an ``area_code`` column) with each measure of ``context`` after its
    columns, as ``"context: <measure>"``, empty where an area has none; rows and their order
    are ``frame``'s, and ``frame`` is not changed."""
    if context.empty:
        return frame.copy()
    measures = context.table.set_index("area_code")[context.measures]
    added = measures.reindex(frame["area_code"].astype(str).to_numpy())
    added.columns = [f"context: {_label(m)}" for m in context.measures]
    return pd.concat([frame.reset_index(drop=True), added.reset_index(drop=True)], axis=1).set_axis(
        frame.index
    )


def _counts(values: pd.Series) -> bool:
    """Whether a column holds counts (whole numbers, some over 100: a population), the only
    figures a change in per cent means something for; a decile going 1 to 2 is not "+100%"."""
    if not pd.api.types.is_float_dtype(values):
        return False
    given = values.dropna().to_numpy(dtype=float)
    return bool(len(given)) and bool((given == np.round(given)).all() and given.max() > 100)


def _key(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", stem.casefold()).strip()


def _label(column: str) -> str:
    return re.sub(r"_+", " ", str(column)).strip()


def _words(values: pd.Series, *, change: bool) -> list[str]:
    if not pd.api.types.is_float_dtype(values):
        return ["not given" if pd.isna(v) else str(v) for v in values]
    if change:
        return ["not given" if pd.isna(v) else f"{v:+.1f}%" for v in values]
    return [_number(v) for v in values]


def _number(value: float) -> str:
    if pd.isna(value):
        return "not given"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3f}"
