"""What every locator returns (:class:`Located`), and the tools they build it with.

Every ``locate_*`` function and ``lookup`` method takes one pandas Series per input column and
returns a :class:`Located`: one entry per input row, in the same order and with the same index,
holding the point in both CRSs (``lon``/``lat`` in :data:`~geo.schema.DISPLAY_CRS`,
``easting``/``northing`` in :data:`~geo.schema.WORKING_CRS`), how precise it is, and either why
the row was not located (``problem``) or something worth saying about it (``note``). Nothing
raises for a bad row; errors are raised only for unusable lookup files
(:class:`~geo.errors.GeocodeError`) and unreadable ones (:class:`~geo.errors.InputFileError`).

All work is vectorised over whole columns; a million rows of coordinates take about a second.
Messages are built only for the rows that need them (:class:`Outcome`).

Precision (``precision_m``) is the radius, in metres, within which the real place should lie:
each locator's docstring says how it is worked out. Nothing is ever more precise than
:data:`MIN_PRECISION_M`. Anything coarser than :data:`COARSE_PRECISION_M` gets a note saying so.

:class:`Outcome`, :func:`finish`, :func:`first_located` and the input checks are shared by the
locators of this package; they are not part of :mod:`geo.locate`'s interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["COARSE_PRECISION_M", "MIN_PRECISION_M", "NO_LOCATION", "Located", "Message"]

#: The problem of a row that holds nothing to locate (the caller may try another column).
NO_LOCATION: Final = "no location given"
#: No location is reported as more precise than this, whatever the input claims.
MIN_PRECISION_M: Final = 1.0
#: Located rows less precise than this get a note saying how precise they are.
COARSE_PRECISION_M: Final = 1_000.0


@dataclass(frozen=True, eq=False)
class Located:
    """Where each input row is, one entry per row in input order (``problem`` keeps the index).

    Attributes
    ----------
    lon, lat, easting, northing : numpy.ndarray
        The point in EPSG:4326 and EPSG:27700; NaN where the row was not located.
    precision_m : numpy.ndarray
        Radius in metres within which the place should be; NaN where not located.
    problem : pandas.Series
        Why the row was not located (a short reason for an import report), else None.
    note : pandas.Series
        Something worth saying about a located row (e.g. "terminated postcode"), else None.
    ok : numpy.ndarray
        True where the row was located.
    """

    lon: np.ndarray
    lat: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    precision_m: np.ndarray
    problem: pd.Series
    note: pd.Series
    ok: np.ndarray

    def __len__(self) -> int:
        return len(self.ok)

    @property
    def index(self) -> pd.Index:
        """The index of the input rows."""
        return self.problem.index

    def to_frame(self) -> pd.DataFrame:
        """All fields as one frame on the input index."""
        return pd.DataFrame(
            {
                "lon": self.lon,
                "lat": self.lat,
                "easting": self.easting,
                "northing": self.northing,
                "precision_m": self.precision_m,
                "problem": self.problem,
                "note": self.note,
                "ok": self.ok,
            },
            index=self.index,
        )


Message = str | Callable[[np.ndarray], pd.Series]


class Outcome:
    """Problems and notes being worked out row by row, a mask at a time.

    The first problem found for a row wins; notes accumulate, joined by "; ". A message is a
    string, or a function of the row mask giving one text per selected row, called only for the
    rows that still need it.
    """

    def __init__(self, size: int) -> None:
        self.problem = np.full(size, None, dtype=object)
        self.note = np.full(size, None, dtype=object)
        self.failed = np.zeros(size, dtype=bool)

    def fail(self, mask: np.ndarray, message: Message) -> None:
        """Give ``message`` as the problem of the rows in ``mask`` not failed already."""
        rows = mask & ~self.failed
        if rows.any():
            self.problem[rows] = _texts(message, rows)
            self.failed |= rows

    def add_note(self, mask: np.ndarray, message: Message) -> None:
        """Add ``message`` to the notes of the rows in ``mask`` not failed already."""
        rows = mask & ~self.failed
        if rows.any():
            self.note[rows] = join_texts(self.note[rows], _texts(message, rows))


def _texts(message: Message, rows: np.ndarray) -> object:
    if isinstance(message, str):
        return message
    return pd.Series(message(rows)).to_numpy(dtype=object, na_value=None)


def join_texts(first: np.ndarray, second: object, *, sep: str = "; ") -> np.ndarray:
    """Join two columns of optional texts elementwise: "a; b", or whichever is not None."""
    left = pd.Series(first, dtype="string")
    right = pd.Series(second, index=left.index, dtype="string")
    joined = (left + sep + right).fillna(left).fillna(right)
    return joined.to_numpy(dtype=object, na_value=None)


def finish(
    index: pd.Index,
    outcome: Outcome,
    *,
    lon: np.ndarray,
    lat: np.ndarray,
    easting: np.ndarray,
    northing: np.ndarray,
    precision_m: np.ndarray,
) -> Located:
    """Blank out failed rows, floor and annotate precision, and package the result."""
    finite = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(easting) & np.isfinite(northing)
    outcome.fail(~finite, "the position could not be converted between lon/lat and metres")
    ok = ~outcome.failed
    precision = np.where(ok, np.fmax(precision_m, MIN_PRECISION_M), np.nan)
    outcome.add_note(
        ok & (precision > COARSE_PRECISION_M),
        lambda rows: "only precise to about " + _distance_text(precision[rows]),
    )
    note = np.where(ok, outcome.note, None)

    def kept(values: np.ndarray) -> np.ndarray:
        return np.where(ok, values, np.nan)

    return Located(
        lon=kept(lon),
        lat=kept(lat),
        easting=kept(easting),
        northing=kept(northing),
        precision_m=precision,
        problem=pd.Series(outcome.problem, index=index, dtype=object),
        note=pd.Series(note, index=index, dtype=object),
        ok=ok,
    )


def _distance_text(metres: np.ndarray) -> pd.Series:
    km = np.asarray(metres, dtype=float) / 1000.0
    rounded = pd.Series(np.where(km < 10, np.round(km, 1), np.round(km)))
    return rounded.astype(str).str.removesuffix(".0") + " km"


def first_located(
    attempts: Sequence[tuple[str, str, Located]], index: pd.Index
) -> tuple[Located, pd.Series]:
    """Per row, the first attempt that located it; and which source that was.

    Each attempt is (source, label, result): the source names the kind of location for the
    record schema ("coordinates"), the label the columns in messages ("easting/northing").
    Rows located by none get every given source's problem ("label: problem", joined), or
    :data:`NO_LOCATION` when no source had anything. Rows located by a later source get a note
    naming the earlier sources that failed.
    """
    size = len(index)
    fields = {
        f: np.full(size, np.nan) for f in ("lon", "lat", "easting", "northing", "precision_m")
    }
    source = np.full(size, None, dtype=object)
    note = np.full(size, None, dtype=object)
    earlier = np.full(size, None, dtype=object)  # problems of sources given but not usable
    done = np.zeros(size, dtype=bool)
    for name, label, located in attempts:
        take = located.ok & ~done
        for field, values in fields.items():
            values[take] = getattr(located, field)[take]
        source[take] = name
        winner_note = located.note.to_numpy(dtype=object)[take]
        passed_over = earlier[take]
        instead = pd.Series(passed_over, dtype="string") + "; used the " + label + " instead"
        note[take] = join_texts(instead.to_numpy(dtype=object, na_value=None), winner_note)
        done |= take
        problem = located.problem.to_numpy(dtype=object)
        given = ~located.ok & ~done & (problem != NO_LOCATION)
        earlier[given] = join_texts(
            earlier[given],
            (label + ": " + pd.Series(problem[given], dtype="string")).to_numpy(dtype=object),
        )
    failed = ~done
    problem = np.where(failed, earlier, None)
    problem = np.where(failed & pd.isna(problem), NO_LOCATION, problem)
    result = Located(
        lon=fields["lon"],
        lat=fields["lat"],
        easting=fields["easting"],
        northing=fields["northing"],
        precision_m=fields["precision_m"],
        problem=pd.Series(problem, index=index, dtype=object),
        note=pd.Series(np.where(done, note, None), index=index, dtype=object),
        ok=done,
    )
    return result, pd.Series(source, index=index, dtype=object, name="location_source")


# --------------------------------------------------------------------------- inputs


def pick(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """The selected rows, renumbered from 0, so texts built from several columns line up."""
    return values[rows].reset_index(drop=True)


def as_series(values: pd.Series | ArrayLike, argument: str) -> pd.Series:
    """``values`` as a Series; a DataFrame is refused, naming ``argument``."""
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{argument} must be one column (a Series), not a DataFrame")
    return pd.Series(values)


def paired(
    first: pd.Series, second: pd.Series, names: tuple[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Two columns that must come from one frame: same length, same index."""
    first, second = as_series(first, names[0]), as_series(second, names[1])
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} has {len(first)} rows but {names[1]} has {len(second)}; "
            "pass two columns of the same frame"
        )
    if not first.index.equals(second.index):
        raise ValueError(
            f"{names[0]} and {names[1]} have different indexes; pass columns of one frame"
        )
    return first, second


def within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """True where ``values`` lie in the closed interval ``bounds``."""
    return (values >= bounds[0]) & (values <= bounds[1])
