"""Recording completeness: the share of an agency's records with a detail missing.

Per agency and period (and for the partnership: all agencies together), the records and, for
each gap, the share of them (a fraction from 0 to 1) where:

- ``nationality_missing``: the nationality group is ``unknown`` or not recorded;
- ``language_missing``: no language recorded (blank counts as missing);
- ``interpreter_missing``: whether an interpreter is needed is not recorded (neither yes nor no);
- ``nrpf_missing``: whether the person has no recourse to public funds is not recorded;
- ``reference_missing``: no person reference (so the person cannot be followed over time);
- ``time_missing``: no time of day: the file gave a date only (see below);
- ``coarse_location``: located only by a postcode or a place name, not by coordinates, GPS or
  a grid reference.

Which records: demand records only (:func:`geo.schema.is_demand`: counts, contacts and
referrals). A visit records that an agency was at a place and found nobody, so there is no one
to record a nationality or a need for; counting visits would make an agency that patrols a lot
look complete. Records are put in periods by their night, in the ward figures' periods
(:func:`geo.analysis.ward_figures.period_blocks`); records without a night are left out.

How a missing time is told: the importer stores a date given without a time as midnight and
dates its night by that date (:func:`geo.io.values.parse_datetimes`), while a time given as
00:00 puts the record in the previous evening's night. So a record at exactly midnight whose
night is the same day had no time given. A record with no time at all counts as missing too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    PERIODS,
    Period,
    period_blocks,
    period_labels,
)
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, block_of, night_numbers
from geo.schema import TIMEZONE, is_demand

if TYPE_CHECKING:
    from geo.privacy.roles import Role

#: What :func:`completeness` reads of each record.
COMPLETENESS_READS: Final[tuple[str, ...]] = (
    "kind",
    "agency",
    "observed_at",
    "night",
    "nationality_group",
    "language",
    "interpreter_needed",
    "nrpf",
    "person_ref",
    "location_source",
)
#: Each gap's column and what it says in plain words, in the order the columns are given.
GAPS: Final[dict[str, str]] = {
    "nationality_missing": "nationality missing",
    "language_missing": "language missing",
    "interpreter_missing": "interpreter need missing",
    "nrpf_missing": "NRPF missing",
    "reference_missing": "person reference missing",
    "time_missing": "time of day missing",
    "coarse_location": "located only by postcode or place name",
}
GAP_COLUMNS: Final[tuple[str, ...]] = tuple(GAPS)
#: Location sources that place a record only coarsely.
COARSE_SOURCES: Final[tuple[str, ...]] = ("postcode", "place")
#: The agency column's value in the partnership's rows and in the headline.
PARTNERSHIP: Final = "Partnership"
#: What an agency left blank is called.
NO_AGENCY: Final = "agency not recorded"

_PERIOD_COLUMNS: Final = ("period", "period_start", "period_end", "nights")


@dataclass(frozen=True)
class Completeness:
    """Records and the share of them with each gap, per agency and period (``agencies``) and
    for all agencies (``partnership``), in :data:`GAP_COLUMNS`.

    Shares are fractions from 0 to 1, NaN where there are no records. ``role`` says whose view
    it is once :func:`geo.questions.completeness.recording_completeness` has applied a role
    (None: exact figures for a coordinator's eyes).
    """

    agencies: pd.DataFrame
    partnership: pd.DataFrame
    period: str
    role: Role | None = None


def completeness(
    records: pd.DataFrame,
    *,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    aligned: bool = False,
) -> Completeness:
    """Records and the share of them with each gap, per agency and period, and for all.

    ``records`` need :data:`COMPLETENESS_READS`. ``period``, ``start``, ``end``, ``periods``
    and ``aligned`` are :func:`geo.analysis.ward_figures.summarise`'s. Every agency with a
    demand record in the periods shown has a row for each period (a period it recorded
    nothing in has 0 records and NaN shares).

    Examples
    --------
    Two contacts on the night of 4 November 2026, one with a date only and no nationality:

    >>> at = pd.to_datetime(["2026-11-04 00:00", "2026-11-04 23:00"]).tz_localize(TIMEZONE)
    >>> seen = pd.DataFrame({"kind": "outreach_contact", "agency": "Outreach",
    ...     "observed_at": at, "night": pd.to_datetime(["2026-11-04"] * 2),
    ...     "nationality_group": ["unknown", "UK"], "language": ["", "English"],
    ...     "interpreter_needed": [0, 0], "nrpf": [None, 0], "person_ref": ["p1", "p2"],
    ...     "location_source": ["place", "gps"]})
    >>> found = completeness(seen, period="night", periods=1)
    >>> found.agencies[["records", "nationality_missing", "time_missing"]].to_dict("records")
    [{'records': 2, 'nationality_missing': 0.5, 'time_missing': 0.5}]
    """
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if period == "range" and (start is None or end is None):
        raise AnalysisError("a 'range' period needs both a first and a last night (--from, --to)")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AnalysisError(f"periods must be a whole number, at least 1; got {periods!r}")
    _check_reads(records)
    return _completeness(
        records, period=period, start=start, end=end, periods=periods, aligned=aligned
    )


def file_completeness(records: pd.DataFrame) -> dict[str, float | int | None]:
    """Demand records and the share of them with each gap, for one import's stored rows.

    ``records`` need :data:`COMPLETENESS_READS`; every demand record counts, whatever its
    night. Shares are fractions from 0 to 1 (None when there are no demand records), so the
    result is plain JSON.
    """
    _check_reads(records)
    demand = is_demand(records["kind"])
    n = int(demand.sum())
    shares = {
        name: float(gap[demand].sum()) / n if n else None for name, gap in _gaps(records).items()
    }
    return {"records": n, **shares}


def file_gaps(shares: Mapping[str, float | int | None]) -> pd.DataFrame:
    """One file's completeness (a report's ``completeness``) as a table, worst gap first:
    "What is missing", "Share of records" (a whole percentage, as text).

    >>> file_gaps({"records": 4, "nationality_missing": 1.0, "time_missing": 0.25,
    ...     "language_missing": 0.0}).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'What is missing': 'nationality missing', 'Share of records': '100%'},
     {'What is missing': 'time of day missing', 'Share of records': '25%'},
     {'What is missing': 'language missing', 'Share of records': '0%'}]
    """
    known = [(name, float(v)) for name in GAP_COLUMNS if (v := shares.get(name)) is not None]
    known.sort(key=lambda pair: -pair[1])
    return pd.DataFrame(
        {
            "What is missing": [GAPS[name] for name, _ in known],
            "Share of records": [f"{share:.0%}" for _, share in known],
        }
    )


def file_line(shares: Mapping[str, float | int | None]) -> str | None:
    """One file's completeness in one line, worst gap first (None: no demand records).

    >>> file_line({"records": 4, "nationality_missing": 1.0, "time_missing": 0.25})
    'recording completeness of 4 records: nationality missing 100%, time of day missing 25%'
    """
    records = int(shares.get("records") or 0)
    table = file_gaps(shares)
    if not records or table.empty:
        return None
    parts = ", ".join(
        f"{what} {share}"
        for what, share in zip(table["What is missing"], table["Share of records"], strict=True)
    )
    return f"recording completeness of {records:,} record{'' if records == 1 else 's'}: {parts}"


def worst_gaps(found: Completeness) -> pd.DataFrame:
    """Each agency's worst gap over all the periods shown, worst first.

    Columns: ``agency``, ``records``, ``gap`` (a column of :data:`GAP_COLUMNS`), ``share``.
    From the agencies' rows, else (a role that sees only the partnership) the partnership's;
    periods whose shares are hidden count for nothing. Agencies without records are left out.
    """
    rows = found.agencies if not found.agencies.empty else found.partnership
    if rows.empty:
        return pd.DataFrame({"agency": [], "records": [], "gap": [], "share": []})
    shares = rows.loc[:, list(GAP_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    records = pd.to_numeric(rows["records"], errors="coerce").where(shares.notna().any(axis=1))
    weighted = shares.mul(records, axis=0)
    names = rows["agency"] if "agency" in rows else pd.Series(PARTNERSHIP, index=rows.index)
    totals = records.groupby(names.to_numpy(), sort=False).sum()
    missing = weighted.groupby(names.to_numpy(), sort=False).sum()
    kept = totals > 0
    share = missing[kept].div(totals[kept], axis=0)
    out = pd.DataFrame(
        {
            "agency": share.index.to_numpy(object),
            "records": totals[kept].astype(np.int64).to_numpy(),
            "gap": share.idxmax(axis=1).to_numpy(object) if len(share) else [],
            "share": share.max(axis=1).to_numpy(float) if len(share) else [],
        }
    )
    return out.sort_values(["share", "records"], ascending=False, kind="stable").reset_index(
        drop=True
    )


def headline(found: Completeness) -> list[str]:
    """One line per agency (or for the partnership) naming its worst gap, worst first.

    "Police neighbourhood team: nationality missing on 100% of 172 records".
    """
    worst = worst_gaps(found)
    if worst.empty:
        return ["no records to judge completeness by"]
    return [
        f"{agency}: {GAPS[gap]} on {share:.0%} of {records:,} record{'' if records == 1 else 's'}"
        for agency, records, gap, share in zip(
            worst["agency"], worst["records"], worst["gap"], worst["share"], strict=True
        )
    ]


# -- helpers ---------------------------------------------------------------------------------


def _check_reads(records: pd.DataFrame) -> None:
    missing = [c for c in COMPLETENESS_READS if c not in records.columns]
    if missing:
        raise AnalysisError(
            f"records has no column {', '.join(missing)}; recording completeness needs it"
        )


def _blank(values: pd.Series) -> np.ndarray:
    """True where text is missing or only spaces."""
    stripped = values.astype("string").str.strip()  # Arrow strings: no Python object per cell
    return stripped.eq("").fillna(True).to_numpy(bool)


def _time_missing(records: pd.DataFrame) -> np.ndarray:
    observed = pd.to_datetime(records["observed_at"])
    if isinstance(observed.dtype, pd.DatetimeTZDtype):
        observed = observed.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    night = pd.to_datetime(records["night"])
    if isinstance(night.dtype, pd.DatetimeTZDtype):
        night = night.dt.tz_localize(None)
    day = observed.dt.normalize()
    at_midnight = observed.eq(day).to_numpy() & night.eq(day).to_numpy()
    return observed.isna().to_numpy() | at_midnight


def _gaps(records: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per record, whether each gap is there (:data:`GAPS`)."""
    group = records["nationality_group"]
    return {
        "nationality_missing": _blank(group)
        | group.astype("string").eq("unknown").fillna(True).to_numpy(bool),
        "language_missing": _blank(records["language"]),
        "interpreter_missing": records["interpreter_needed"].isna().to_numpy(),
        "nrpf_missing": records["nrpf"].isna().to_numpy(),
        "reference_missing": _blank(records["person_ref"]),
        "time_missing": _time_missing(records),
        "coarse_location": records["location_source"].isin(COARSE_SOURCES).to_numpy(),
    }


def _completeness(
    records: pd.DataFrame,
    *,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    aligned: bool,
) -> Completeness:
    nights = night_numbers(records)
    demand = is_demand(records["kind"]) & (nights != NO_NIGHT)
    # periods end on the latest night of any record (a visit too), as every figure's do
    first, last, length, n_periods = period_blocks(
        nights, period=period, start=start, end=end, periods=periods, aligned=aligned
    )
    shown = demand & (nights >= first) & (nights <= last)
    agency_text = records["agency"].astype(object).where(~_blank(records["agency"]), NO_AGENCY)
    codes, names = pd.factorize(agency_text[shown].astype(str), sort=True)
    block = block_of(nights[shown], end=last, length=length)
    cell = codes * n_periods + block
    n_cells = len(names) * n_periods
    gaps = _gaps(records)
    counts = {"records": np.bincount(cell, minlength=n_cells)}
    for name, gap in gaps.items():
        counts[name] = np.bincount(cell[gap[shown]], minlength=n_cells)

    labels = period_labels(last=last, length=length, first=first, n_blocks=n_periods)
    grid = pd.DataFrame(
        {
            "agency": np.repeat(np.asarray(names, dtype=object), n_periods),
            "_block": np.tile(np.arange(n_periods), len(names)),
        }
    )
    agencies = _with_shares(grid, counts).merge(labels, on="_block")
    totals = {name: v.reshape(len(names), n_periods).sum(axis=0) for name, v in counts.items()}
    partnership = _with_shares(labels.copy(), totals)
    partnership.insert(0, "agency", PARTNERSHIP)
    columns = ["agency", *_PERIOD_COLUMNS, "records", *GAP_COLUMNS]
    return Completeness(
        agencies=agencies.sort_values(["period_start", "agency"], kind="stable")
        .loc[:, columns]
        .reset_index(drop=True),
        partnership=partnership.sort_values("period_start").loc[:, columns].reset_index(drop=True),
        period=period,
    )


def _with_shares(frame: pd.DataFrame, counts: dict[str, np.ndarray]) -> pd.DataFrame:
    out = frame.copy()
    records = np.asarray(counts["records"], dtype=np.int64)
    out["records"] = records
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in GAP_COLUMNS:
            out[name] = np.where(records > 0, counts[name] / np.maximum(records, 1), np.nan)
    return out


def completeness_table(found: Completeness) -> pd.DataFrame:
    """The last period as a page shows it: one row per agency (the partnership last; only the
    partnership for roles that see no agency), the worst-recording first, each gap a whole
    percentage ("" where hidden or there were no records). Worst means the most missing on
    average over the gaps."""
    frames = [found.agencies, found.partnership]
    rows = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=["Agency", "Records", *(_heading(g) for g in GAPS.values())])
    rows = rows.loc[rows["period_start"] == rows["period_start"].max()]
    if "agency" not in rows:
        rows = rows.assign(agency=PARTNERSHIP)
    rows = rows.assign(agency=rows["agency"].fillna(PARTNERSHIP))
    shares = rows.loc[:, list(GAP_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    worst = shares.mean(axis=1).fillna(-1).where(rows["agency"] != PARTNERSHIP, -2)
    order = worst.sort_values(ascending=False, kind="stable").index
    table = pd.DataFrame(
        {
            "Agency": rows.loc[order, "agency"].astype(str).to_numpy(object),
            "Records": rows.loc[order, "records"].astype(str).to_numpy(object),
        }
    )
    for column, words in GAPS.items():
        values = shares.loc[order, column]
        table[_heading(words)] = ["" if pd.isna(v) else f"{round(100 * v):.0f}%" for v in values]
    return table


def _heading(words: str) -> str:
    return words[:1].upper() + words[1:]
