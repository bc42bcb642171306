"""How a ward's count is shaded on a printed map, with small numbers kept hidden.

The same rules as the app's ward map (``layers/wards.py``), with no browser code, so a map
in a PDF or PNG reads like the one on screen. A count cell holds a whole number, ``"<5"`` (a
count from 1 to 4, hidden because it is small) or ``"*"`` (hidden so that a small count
elsewhere cannot be worked out):

- A hidden cell is never drawn as 0 or in the lowest class: ``"<5"`` has its own fill (light
  purple), legend row "fewer than 5"; ``"*"`` is hatched grey, "hidden".
- 0 is its own, lightest class, "none seen".
- Counts of 1 and up are shaded on ColorBrewer's YlGnBu (colour-blind safe, prints in grey)
  in classes by quantiles of the non-zero counts (:func:`count_classes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

__all__ = [
    "figures_of_one_period",
    "figures_title",
    "HIDDEN_COLOUR",
    "HIDDEN_LABEL",
    "MAX_CLASSES",
    "NONE_LABEL",
    "NO_FIGURE_COLOUR",
    "NO_FIGURE_LABEL",
    "SMALL_COLOUR",
    "ZERO_COLOUR",
    "CountClasses",
    "Shades",
    "count_classes",
    "shade",
]

#: ColorBrewer YlGnBu, light to dark. The lightest is kept for zero; ``CLASS_COLOURS[k]`` are
#: the fills of ``k`` classes of non-zero counts (the ``k + 1``-class scheme without its
#: lightest colour; the 3-class scheme for ``k`` = 2).
ZERO_COLOUR: Final = "#ffffcc"
CLASS_COLOURS: Final[dict[int, tuple[str, ...]]] = {
    1: ("#41b6c4",),
    2: ("#7fcdbb", "#2c7fb8"),
    3: ("#a1dab4", "#41b6c4", "#225ea8"),
    4: ("#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    5: ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
}
#: Most classes of non-zero counts: more cannot be told apart on a map.
MAX_CLASSES: Final = max(CLASS_COLOURS)
#: A count hidden because it is small ("<5"): a hue outside YlGnBu.
SMALL_COLOUR: Final = "#e7d4e8"
#: A count hidden to protect another ("*"): grey, hatched.
HIDDEN_COLOUR: Final = "#bdbdbd"
#: A ward with no row in the figures.
NO_FIGURE_COLOUR: Final = "#f0f0f0"

NONE_LABEL: Final = "none seen"
HIDDEN_LABEL: Final = "hidden"
NO_FIGURE_LABEL: Final = "no figure"

Kind = Literal["count", "zero", "small", "hidden", "missing"]
_SMALL: Final = re.compile(r"^<(\d+)$")
_SECONDARY: Final = "*"


@dataclass(frozen=True)
class CountClasses:
    """Classes of non-zero whole counts: class ``i`` holds ``lower[i]`` to ``upper[i]``.

    The last class is open (``upper`` is the largest count seen, its label ends in ``+``).
    """

    lower: tuple[int, ...]
    upper: tuple[int, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def classify(self, counts: np.ndarray) -> np.ndarray:
        """The class of each count (counts of 1 and more)."""
        return np.searchsorted(np.asarray(self.upper[:-1]), counts, side="left")


def count_classes(counts: pd.Series, *, n_classes: int = 4, start: int = 1) -> CountClasses:
    """Quantile classes over the non-zero whole counts of ``counts``, at most ``n_classes``.

    The upper bound of class ``i`` (of ``k``) is the count at rank ``ceil(i * n / k)`` of the
    ``n`` sorted counts; bounds that repeat are merged. The first class starts at ``start``
    (the smallest count shown where smaller ones are hidden as ``"<5"``); the last is open.
    Zeros and text cells are left out.

    Examples
    --------
    >>> c = count_classes(pd.Series([0, 0, 1, 2, 3, 5, 8, 12, 13, 20, 40, "<5", "*"]))
    >>> c.labels
    ('1–3', '4–8', '9–13', '14+')
    >>> c.classify(np.array([1, 3, 4, 13, 14])).tolist()
    [0, 0, 1, 2, 3]
    """
    if not 1 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be from 1 to {MAX_CLASSES}, got {n_classes!r}")
    numbers = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    positive = np.sort(numbers[np.isfinite(numbers) & (numbers > 0)]).astype(np.int64)
    if positive.size == 0:
        return CountClasses(lower=(), upper=(), labels=(), colours=())
    n, top = positive.size, int(positive[-1])
    k = min(n_classes, np.unique(positive).size)
    ranks = np.ceil(np.arange(1, k) * n / k).astype(np.int64) - 1
    bounds = np.unique(positive[ranks])
    upper = [int(b) for b in bounds[bounds < top]] + [top]
    lower = [min(start, int(positive[0]))] + [u + 1 for u in upper[:-1]]
    if len(upper) == 1:
        labels = [_span(lower[0], top)]
    else:
        labels = [_span(a, b) for a, b in zip(lower[:-1], upper[:-1], strict=True)]
        labels.append(f"{lower[-1]:,}+")
    return CountClasses(
        lower=tuple(lower),
        upper=tuple(upper),
        labels=tuple(labels),
        colours=CLASS_COLOURS[len(upper)],
    )


@dataclass(frozen=True)
class Shades:
    """Each ward's kind of cell, fill and value as shown, and the legend rows to draw.

    Attributes
    ----------
    kinds, fills, shown
        Per ward: ``"count"``, ``"zero"``, ``"small"``, ``"hidden"`` or ``"missing"``; its fill
        colour; its value in words for a label (``"12"``, ``"<5"``, ``"hidden"``).
    legend
        ``(kind, colour, label)`` lightest first, a row for zeros and hidden cells only when
        there are some.
    """

    kinds: tuple[Kind, ...]
    fills: tuple[str, ...]
    shown: tuple[str, ...]
    legend: tuple[tuple[Kind, str, str], ...]


def shade(values: pd.Series, *, n_classes: int = 4) -> Shades:
    """Shade a column of counts as the rules in the module docstring say.

    Examples
    --------
    Counts 7 and 12 in two classes; the first starts at 5, as smaller ones are hidden as "<5".

    >>> s = shade(pd.Series([0, 7, "<5", "*", 12, None], dtype=object), n_classes=2)
    >>> s.kinds
    ('zero', 'count', 'small', 'hidden', 'count', 'missing')
    >>> s.shown
    ('0', '7', '<5', 'hidden', '12', 'no figure')
    >>> [label for _, _, label in s.legend]
    ['none seen', '5–7', '8+', 'fewer than 5', 'hidden', 'no figure']
    """
    text = pd.Series(values, dtype=object).reset_index(drop=True)
    floor = _small_floor(text)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(bool)
    is_small = text.map(lambda v: isinstance(v, str) and bool(_SMALL.match(v))).to_numpy(bool)
    is_hidden = text.map(lambda v: v == _SECONDARY).to_numpy(bool)
    missing = text.isna().to_numpy(bool) & ~is_text
    numbers = pd.to_numeric(text.where(~is_text), errors="coerce").to_numpy(dtype=float)
    counted = ~(is_small | is_hidden | missing)
    bad = counted & ~(np.isfinite(numbers) & (numbers >= 0) & (numbers == np.floor(numbers)))
    if bad.any():
        raise ValueError(
            f"value {text[bad].iloc[0]!r} is not a count: a ward map shows whole numbers >= 0, "
            "'<N' (a small number hidden) or '*' (hidden), as area_summary gives them"
        )
    classes = count_classes(text, n_classes=n_classes, start=floor or 1)
    kinds = np.full(len(text), "missing", dtype=object)
    kinds[is_small], kinds[is_hidden] = "small", "hidden"
    kinds[counted & (numbers == 0)] = "zero"
    positive = counted & (numbers > 0)
    kinds[positive] = "count"
    fills = np.full(len(text), NO_FIGURE_COLOUR, dtype=object)
    fills[kinds == "zero"], fills[is_small], fills[is_hidden] = (
        ZERO_COLOUR,
        SMALL_COLOUR,
        HIDDEN_COLOUR,
    )
    colours = np.asarray(classes.colours or ("",), dtype=object)
    fills[positive] = colours[classes.classify(numbers[positive].astype(np.int64))]
    shown = np.full(len(text), NO_FIGURE_LABEL, dtype=object)
    shown[is_small] = text[is_small].to_numpy(object)
    shown[is_hidden] = HIDDEN_LABEL
    shown[counted] = [f"{int(n):,}" for n in numbers[counted]]
    present = set(kinds)
    legend: list[tuple[Kind, str, str]] = []
    if "zero" in present:
        legend.append(("zero", ZERO_COLOUR, NONE_LABEL))
    legend += [
        ("count", c, label) for c, label in zip(classes.colours, classes.labels, strict=True)
    ]
    if "small" in present:
        legend.append(("small", SMALL_COLOUR, f"fewer than {floor}"))
    if "hidden" in present:
        legend.append(("hidden", HIDDEN_COLOUR, HIDDEN_LABEL))
    if "missing" in present:
        legend.append(("missing", NO_FIGURE_COLOUR, NO_FIGURE_LABEL))
    return Shades(kinds=tuple(kinds), fills=tuple(fills), shown=tuple(shown), legend=tuple(legend))


def _small_floor(values: pd.Series) -> int | None:
    """``N`` of the ``"<N"`` cells, if there are any (all from one threshold)."""
    floors = {int(match[1]) for v in values if isinstance(v, str) and (match := _SMALL.match(v))}
    if len(floors) > 1:
        raise ValueError(f"small counts are hidden at several thresholds: {sorted(floors)}")
    return floors.pop() if floors else None


def _span(a: int, b: int) -> str:
    return f"{a:,}" if a == b else f"{a:,}–{b:,}"


def figures_of_one_period(
    figures: pd.DataFrame, *, value_column: str, period: str | None = None
) -> pd.DataFrame:
    """The ward figures of one period (the latest unless ``period`` names one), one row per
    ward, checked: ``area_summary(...).areas`` as the map and the PNG both draw it."""
    return _one_period(_check_figures(figures, value_column), period=period)


def _check_figures(figures: pd.DataFrame, value_column: str) -> pd.DataFrame:
    if not isinstance(figures, pd.DataFrame):
        raise TypeError(f"figures must be a DataFrame, got {type(figures).__name__}")
    missing = [c for c in ("area_code", value_column) if c not in figures.columns]
    if missing:
        raise ValueError(
            f"figures has no {' or '.join(map(repr, missing))} column; columns are "
            f"{sorted(map(str, figures.columns))}. Pass area_summary(...).areas"
        )
    return figures


def _one_period(figures: pd.DataFrame, *, period: str | None) -> pd.DataFrame:
    """The rows of one period (the latest unless ``period`` names one), one per ward."""
    if "period" in figures.columns and len(figures):
        if period is None:
            order = "period_start" if "period_start" in figures.columns else "period"
            period = figures.sort_values(order, kind="stable")["period"].iloc[-1]
        elif period not in set(figures["period"]):
            known = list(figures["period"].drop_duplicates())
            raise ValueError(f"period {period!r} is not in figures; periods are {known}")
        figures = figures[figures["period"] == period]
    elif period is not None:
        raise ValueError(f"figures has no period column, so period {period!r} cannot be chosen")
    repeated = figures["area_code"].duplicated()
    if repeated.any():
        raise ValueError(
            f"ward {figures['area_code'][repeated].iloc[0]!r} has more than one row; draw one "
            "period at a time (figures with a 'period' column are split by it)"
        )
    return figures


def figures_title(measure: str, rows: pd.DataFrame) -> str:
    """``"People counted, week to 22 Nov 2026"`` from the period's last night and length."""
    if "period_end" not in rows.columns or rows.empty:
        return measure
    end = pd.Timestamp(rows["period_end"].iloc[0])
    if pd.isna(end):
        return measure
    nights = rows["nights"].iloc[0] if "nights" in rows.columns else None
    day = _day(end.date())
    if nights is None or pd.isna(nights):
        return f"{measure}, to {day}"
    nights = int(nights)
    words = {1: f"night of {day}", 7: f"week to {day}"}
    return f"{measure}, {words.get(nights, f'{nights} nights to {day}')}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"
