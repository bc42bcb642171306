"""Tension watch: where people counted, anti-social behaviour and public order rise together.

Per area and calendar month (police.uk publishes by month), three counts, each with the
previous month, the change and whether it rises fast:

- ``people``: people counted by the street-count rule (:func:`counted_people`, as the ward
  figures count them) over the demand records whose night falls in the month (a night is
  dated by its evening, so the night of 31 October belongs to October);
- ``asb``: police.uk incidents of crime type "Anti-social behaviour";
- ``public_order``: police.uk incidents of crime type "Public order".

A count rises fast by the ward figures' emerging rule: it went up by at least ``floor``
(:data:`EMERGING_FLOOR`) and ``(now + floor) / (previous + floor)`` is at least
:data:`EMERGING_SCORE`. ``watch`` is true where at least :data:`WATCH_SIGNALS` of the three rise
fast in the same month; ``signals`` names which. Rows are sorted by how many signals, then by
the combined rise (the sum of the rises of the signals that rise fast), then newest first.

police.uk points are already snapped to street centres; they are put in areas as records are
(their stored ``area_code`` for the store's wards, else their ``lon``/``lat``).

A month a source has nothing in at all (no record of any kind, or no incident of any type) is
not known for that source: its counts are NaN and it cannot rise, nor be risen from. Nor, for
people, is a month the records begin part-way through: 7 nights of August against 30 of
September is no rise. (Records of any kind, visits too, say when the records begin.) The
default last month is the latest both sources have data for (police.uk is published later).

The ethnic or national make-up of an area is never an input: no count of nationality enters.
The nationality group is read only by the street-count rule, to tell whether two agencies'
records of one night are the same person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.street_count import STREET_COUNT_READS, Unlinked, counted_people
from geo.analysis.ward_figures import EMERGING_FLOOR, EMERGING_SCORE
from geo.crs import DISPLAY_CRS
from geo.errors import AnalysisError
from geo.locate.areas import area_positions
from geo.nights import NO_NIGHT, night_numbers
from geo.schema import is_demand

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.privacy.roles import Role

#: Words for the page and the brief: what the watch is, and what it never reads.
TENSION_CAVEAT: Final = (
    "The tension watch is a prompt for a conversation between partners, not a prediction: it"
    " shows where people counted sleeping rough, anti-social behaviour and public order"
    " offences rose fast together in a month. The ethnic or national make-up of an area is not"
    " a signal; it is never an input."
)
#: What :func:`tension_watch` reads of each record (``area_code`` when placed, else lon/lat):
#: what the street-count rule reads, since people are counted by it.
TENSION_READS: Final[tuple[str, ...]] = STREET_COUNT_READS
#: What it reads of each police.uk incident.
INCIDENT_READS: Final[tuple[str, ...]] = ("month", "crime_type")
#: The three signals: column prefix and the words ``signals`` uses.
SIGNALS: Final[dict[str, str]] = {
    "people": "people",
    "asb": "anti-social behaviour",
    "public_order": "public order",
}
#: police.uk crime types counted for each incident signal.
CRIME_TYPES: Final[dict[str, str]] = {
    "asb": "Anti-social behaviour",
    "public_order": "Public order",
}
#: Signals rising fast in one month that put an area on watch.
WATCH_SIGNALS: Final = 2
DEFAULT_MONTHS: Final = 3

#: Columns of :attr:`Tension.areas`, in order.
TENSION_COLUMNS: Final[tuple[str, ...]] = (
    "area_code",
    "area_name",
    "month",
    *(f"{name}{suffix}" for name in SIGNALS for suffix in ("", "_previous", "_change", "_rising")),
    "signals",
    "n_signals",
    "combined_rise",
    "watch",
)


@dataclass(frozen=True)
class Tension:
    """One row per area and month shown (:data:`TENSION_COLUMNS`), most signals first.

    ``month`` is ``YYYY-MM``. ``role`` says whose view it is once
    :func:`geo.questions.tension.tension` has applied a role (None: exact figures).
    """

    areas: pd.DataFrame
    months: tuple[str, ...]
    floor: int
    role: Role | None = None
    caveat: str = TENSION_CAVEAT


def tension_watch(
    records: pd.DataFrame,
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    months: int = DEFAULT_MONTHS,
    end: date | str | None = None,
    placed: bool = True,
    floor: int = EMERGING_FLOOR,
    unlinked: Unlinked | None = None,
    counted: np.ndarray | None = None,
) -> Tension:
    """People counted, ASB and public order per area and month, and where they rise together.

    Parameters
    ----------
    records
        Records with :data:`TENSION_READS` and ``area_code`` (``placed``) or ``lon``/``lat``;
        ``record_id`` too when ``unlinked`` holds pairs.
    incidents
        police.uk incidents (``Store.police_incidents()``) with :data:`INCIDENT_READS` and
        ``area_code`` (``placed``) or ``lon``/``lat``.
    areas
        The layer to count in (``area_code``, ``area_name``, geometry).
    months
        Months shown, ending on ``end``.
    end
        The last month (any date in it, or ``"YYYY-MM"``); default: the latest month both
        the records and the incidents have data for.
    placed
        ``area_code`` of records and incidents refers to ``areas`` (the store's wards).
    floor
        The emerging rule's floor: the least rise that counts, added to both months.
    unlinked
        Record pairs a coordinator unlinked (see :func:`counted_people`).
    counted
        People each record contributes by the street-count rule, row for row with
        ``records`` (:func:`geo.analysis.street_count.street_counts` with the same
        ``unlinked``), kept by a caller that asks for several months; worked out here when
        not given.

    Examples
    --------
    A ward whose ASB went from 2 to 8 in November rises fast on one signal: not watched.

    >>> import geopandas as gpd, shapely
    >>> ward = gpd.GeoDataFrame({"area_code": ["W1"], "area_name": ["West"]},
    ...     geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    >>> asb = pd.DataFrame({"month": ["2026-10"] * 2 + ["2026-11"] * 8,
    ...     "crime_type": "Anti-social behaviour", "area_code": "W1"})
    >>> none = pd.DataFrame({c: [] for c in (*TENSION_READS, "area_code")})
    >>> found = tension_watch(none, asb, ward, months=1, end="2026-11")
    >>> found.areas[["month", "asb", "asb_previous", "signals", "watch"]].to_dict("records")
    [{'month': '2026-11', 'asb': 8.0, 'asb_previous': 2.0, 'signals': 'anti-social behaviour', 'watch': False}]
    """  # noqa: E501
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise AnalysisError(f"months must be a whole number, at least 1; got {months!r}")
    if isinstance(floor, bool) or not isinstance(floor, int) or floor < 1:
        raise AnalysisError(f"floor must be a whole number, at least 1; got {floor!r}")
    where = ["area_code"] if placed else ["lon", "lat"]
    _check_reads(records, [*TENSION_READS, *where], what="records")
    _check_reads(incidents, [*INCIDENT_READS, *where], what="police.uk incidents")
    if areas.crs is None:
        raise AnalysisError("areas has no CRS; set it (areas.set_crs('EPSG:4326')) first")
    if counted is not None and len(counted) != len(records):
        raise AnalysisError(
            f"counted has {len(counted):,} values for {len(records):,} records; give one per"
            " record (street_counts) or none"
        )
    if not placed and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)
    return _tension(
        records,
        incidents,
        areas,
        months=months,
        end=None if end is None else _month_number(end),
        placed=placed,
        floor=floor,
        unlinked=unlinked,
        counted=counted,
    )


# -- helpers ---------------------------------------------------------------------------------


def _check_reads(frame: pd.DataFrame, reads: list[str], *, what: str) -> None:
    missing = [c for c in reads if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{what} has no column {', '.join(missing)}; the tension watch needs it"
        )


def _month_number(value: date | str) -> int:
    """Months since January 1970 of a date or ``"YYYY-MM"``."""
    if isinstance(value, date):
        return (value.year - 1970) * 12 + value.month - 1
    text = str(value).strip()
    parsed = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    if pd.isna(parsed):
        raise AnalysisError(f"end must be a month as YYYY-MM or a date; got {value!r}")
    return (parsed.year - 1970) * 12 + parsed.month - 1


def _month_label(number: int) -> str:
    return f"{1970 + number // 12:04d}-{number % 12 + 1:02d}"


def _record_months(records: pd.DataFrame) -> np.ndarray:
    """Each record's month of night, months since January 1970 (-1: no night)."""
    nights = night_numbers(records)
    known = nights != NO_NIGHT
    months = np.full(len(nights), -1, dtype=np.int64)
    days = nights[known].astype("datetime64[D]")
    months[known] = days.astype("datetime64[M]").astype(np.int64)
    return months


def _incident_months(incidents: pd.DataFrame) -> np.ndarray:
    parsed = pd.to_datetime(incidents["month"].astype(object), format="%Y-%m", errors="coerce")
    out = np.full(len(incidents), -1, dtype=np.int64)
    ok = parsed.notna().to_numpy()
    out[ok] = (parsed[ok].dt.year.to_numpy() - 1970) * 12 + parsed[ok].dt.month.to_numpy() - 1
    return out


def _grid(area: np.ndarray, month: np.ndarray, weights: np.ndarray, shape: tuple[int, int]):
    """Sum of ``weights`` per area (row) and month column; rows outside are dropped."""
    n_areas, n_months = shape
    keep = (area >= 0) & (month >= 0) & (month < n_months)
    cell = area[keep] * n_months + month[keep]
    return np.bincount(cell, weights=weights[keep], minlength=n_areas * n_months).reshape(shape)


def _whole_months(records: pd.DataFrame, *, first: int, n: int) -> np.ndarray:
    """Month columns that begin on or after the records' first night: a month the records
    begin part-way through would make the next one look like a rise that never happened. (A
    month they end part-way through, the current one, can only look lower.)"""
    nights = night_numbers(records)
    nights = nights[nights != NO_NIGHT]
    if len(nights) == 0:
        return np.zeros(n, dtype=bool)
    starts = np.arange(first, first + n).astype("datetime64[M]").astype("datetime64[D]")
    return nights.min() <= starts.astype(np.int64)


def _known(month: np.ndarray, n_months: int) -> np.ndarray:
    """Month columns in which a source has anything at all."""
    ok = (month >= 0) & (month < n_months)
    return np.bincount(month[ok], minlength=n_months) > 0


def _tension(
    records: pd.DataFrame,
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    months: int,
    end: int | None,
    placed: bool,
    floor: int,
    unlinked: Unlinked | None,
    counted: np.ndarray | None,
) -> Tension:
    record_month = _record_months(records)
    incident_month = _incident_months(incidents)
    if end is None:
        latest = [int(m.max()) for m in (record_month, incident_month) if (m >= 0).any()]
        end = min(latest) if latest else _month_number(date.today())
    first = end - months  # one month before the first shown, for its change
    n = months + 1
    codes = pd.Index(areas["area_code"].astype(str))
    geometries = np.asarray(areas.geometry)
    shape = (len(codes), n)

    # people: demand records of the months, the street-count rule run over them
    column = record_month - first
    in_range = (column >= 0) & (column < n)
    demand = in_range & np.asarray(is_demand(records["kind"]))
    chosen = records.loc[demand]
    if counted is None:
        whole = chosen.assign(
            people=pd.to_numeric(chosen["people"], errors="coerce").fillna(0).astype(np.int64)
        )
        people = counted_people(whole, unlinked=unlinked).astype(float)
    else:  # the rule joins one night's records only: the months' nights cut from them all
        people = np.asarray(counted)[demand].astype(float)
    where = area_positions(chosen, codes, geometries=geometries, placed=placed)
    counts = {"people": _grid(where, column[demand], people, shape)}
    known = {"people": _known(column[in_range], n) & _whole_months(records, first=first, n=n)}

    i_column = incident_month - first
    i_area = area_positions(incidents, codes, geometries=geometries, placed=placed)
    crime = incidents["crime_type"].astype(object).fillna("").astype(str).str.strip()
    ones = np.ones(len(incidents))
    for name, crime_type in CRIME_TYPES.items():
        is_type = crime.eq(crime_type).to_numpy()
        counts[name] = _grid(np.where(is_type, i_area, -1), i_column, ones, shape)
        known[name] = _known(i_column, n)

    table = _table(codes, areas, counts, known, first=first, n=n, floor=floor)
    return Tension(
        areas=table,
        months=tuple(_month_label(first + k) for k in range(1, n)),
        floor=floor,
    )


def _table(
    codes: pd.Index,
    areas: gpd.GeoDataFrame,
    counts: dict[str, np.ndarray],
    known: dict[str, np.ndarray],
    *,
    first: int,
    n: int,
    floor: int,
) -> pd.DataFrame:
    n_areas = len(codes)
    shown = n - 1
    out = pd.DataFrame(
        {
            "area_code": np.repeat(codes.to_numpy(object), shown),
            "area_name": np.repeat(areas["area_name"].to_numpy(object), shown),
            "month": np.tile([_month_label(first + k) for k in range(1, n)], n_areas),
        }
    )
    n_signals = np.zeros((n_areas, shown), dtype=np.int64)
    combined = np.zeros((n_areas, shown))
    words = np.full((n_areas, shown), "", dtype=object)
    for name, label in SIGNALS.items():
        grid = np.where(known[name][None, :], counts[name], np.nan)
        now, before = grid[:, 1:], grid[:, :-1]
        change = now - before
        with np.errstate(invalid="ignore"):
            rising = rising_fast(now, before, floor=floor)
        out[name] = now.ravel()
        out[f"{name}_previous"] = before.ravel()
        out[f"{name}_change"] = change.ravel()
        out[f"{name}_rising"] = rising.ravel()
        n_signals += rising
        combined += np.where(rising, change, 0.0)
        words = np.where(rising, np.where(words == "", label, words + ", " + label), words)
    out["signals"] = words.ravel()
    out["n_signals"] = n_signals.ravel()
    out["combined_rise"] = combined.ravel()
    out["watch"] = out["n_signals"] >= WATCH_SIGNALS
    out = out.sort_values(
        ["n_signals", "combined_rise", "month", "area_code"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    return out.loc[:, list(TENSION_COLUMNS)].reset_index(drop=True)


def rising_fast(now: np.ndarray, before: np.ndarray, *, floor: int) -> np.ndarray:
    """The emerging rule: up by at least ``floor`` and ``(now + floor) / (before + floor)`` at
    least :data:`EMERGING_SCORE` (False where either is NaN).

    >>> rising_fast(np.array([10.0, 3.0, 9.0]), np.array([5.0, 1.0, 8.0]), floor=5).tolist()
    [True, False, False]
    """
    now = np.asarray(now, dtype=float)
    before = np.asarray(before, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (now + floor) / (before + floor)
        return np.asarray((now - before >= floor) & (score >= EMERGING_SCORE), dtype=bool)


def tension_table(found: Tension, *, beside: pd.DataFrame | None = None) -> pd.DataFrame:
    """The latest month as a page shows it, watched wards first: each signal as "before to
    now" ("<5" where hidden, "not known" where a source had nothing), and what rose fast.

    ``beside``: columns to show after the watch, indexed by area code (ward context, as
    :func:`geo.analysis.context.context_table` gives it); shown only, never read."""
    rows = found.areas
    if rows.empty:
        return pd.DataFrame(columns=["Ward", "Month", *(s.capitalize() for s in SIGNALS.values())])
    rows = rows.loc[rows["month"] == rows["month"].max()]

    def count(value: object) -> str:
        if isinstance(value, str):
            return value
        return "not known" if value is None or pd.isna(value) else f"{int(value)}"

    table = pd.DataFrame(
        {
            "Ward": rows["area_name"].astype(str).to_numpy(object),
            "Month": [pd.Timestamp(m).strftime("%B %Y") for m in rows["month"]],
        }
    )
    for name, words in SIGNALS.items():
        before, now = rows[f"{name}_previous"].tolist(), rows[name].tolist()
        table[words.capitalize()] = [
            f"{count(b)} to {count(n)}" for b, n in zip(before, now, strict=True)
        ]
    table["Rising fast"] = rows["signals"].fillna("").astype(str).to_numpy(object)
    table["Watch"] = ["yes" if w else "" for w in rows["watch"]]
    if beside is not None and len(beside.columns):
        shown = beside.reindex(rows["area_code"].astype(str).to_numpy()).fillna("not given")
        for column in shown.columns:
            table[column] = shown[column].to_numpy(object)
    return table.reset_index(drop=True)
