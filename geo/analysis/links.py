"""Links, reviewed: the records the street-count rule counts as one person, pair by pair.

The rule (:mod:`geo.analysis.street_count`) merges two agencies' records of one night when they
carry the same reference, or lie within 50 m with sex and nationality group not disagreeing.
Merging without review causes arguments, so every link is listed with its reason and distance,
and a coordinator can mark one wrong (unlink it) and undo that (relink it).

What an unlink means, for every figure: **the two records are always counted as two people**.
Their own link is dropped; if they are still joined through a third record, the second record
of the unlink (``B`` in ``--unlink A B``) is taken out of the group and counted on its own.
Worked example: the council (23:10), the police (23:20) and Harbour Light (23:40) each count
one man in one doorway: one group, 1 person. A coordinator unlinks the council's record and
Harbour Light's: the police record still joins them, so Harbour Light's record leaves the group:
{council, police} and {Harbour Light}, 2 people. To keep Harbour Light with the police instead,
unlink the council's record and the police's too: then {council} and {police, Harbour Light}.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.street_count import MERGE_M, Unlinked, link_pairs
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, day_date, night_number, night_numbers
from geo.schema import TIMEZONE, is_demand

#: What :func:`linked_groups` reads of each record.
LINK_READS: Final[tuple[str, ...]] = (
    "record_id",
    "kind",
    "agency",
    "observed_at",
    "night",
    "easting",
    "northing",
    "people",
    "person_ref",
    "sex",
    "nationality_group",
    "area_code",
    "location_text",
)
#: The columns of :func:`linked_groups`, in order.
LINK_COLUMNS: Final[tuple[str, ...]] = (
    "group",
    "night",
    "record_a",
    "agency_a",
    "observed_at_a",
    "record_b",
    "agency_b",
    "observed_at_b",
    "distance_m",
    "reason",
    "unlinked",
    "counted_apart",
    "area_code",
    "place",
)


def linked_groups(
    records: pd.DataFrame,
    *,
    merge_m: float = MERGE_M,
    unlinked: Unlinked | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Every pair of demand records the street-count rule links, from ``start`` to ``end``
    (nights, both included; default every night), one row per pair.

    ``group`` numbers the records joined (directly or through others, before any decision)
    from 1, by night and time; ``night`` is the night's date; ``distance_m`` the metres between
    the two records, rounded (missing where one has no place); ``reason`` why the rule links
    them; ``unlinked`` whether a decision unlinked the pair; ``counted_apart`` whether the
    figures count the two as different people (see the module docstring); ``area_code`` and
    ``place`` (what the record says of its place) are the first record's. ``records`` need
    :data:`LINK_READS`; the last five may be missing (then unknown).
    """
    missing = [c for c in LINK_READS[:8] if c not in records.columns]
    if missing:
        raise AnalysisError(f"records has no column {', '.join(missing)}; links need it")
    first = night_number(start, name="start")
    last = night_number(end, name="end")
    if first is not None and last is not None and first > last:
        raise AnalysisError(f"--from {start} is after --to {end}; swap them")
    nights = night_numbers(records)
    keep = is_demand(records["kind"]) & (nights != NO_NIGHT)
    if first is not None:
        keep &= nights >= first
    if last is not None:
        keep &= nights <= last
    demand = records.loc[keep].reset_index(drop=True)
    pairs = link_pairs(demand, merge_m=merge_m, unlinked=unlinked, nights=nights[keep])
    return _described(demand, pairs, nights=nights[keep])


def in_words(links: pd.DataFrame) -> pd.Series:
    """Each link as a sentence: "Council 23:10 and Harbour Light 23:40, 12 m apart: within
    50 m, sex and nationality agree", with "(unlinked)" or "(counted apart)" after it."""
    if links.empty:
        return pd.Series([], dtype=object, index=links.index)

    def when(column: str) -> pd.Series:
        stamp = pd.to_datetime(links[column])
        return stamp.dt.strftime("%H:%M").fillna("(no time)")

    apart = links["distance_m"].map(lambda m: "" if pd.isna(m) else f", {int(m)} m apart")
    note = np.where(
        links["unlinked"].to_numpy(bool),
        " (unlinked: counted as two people)",
        np.where(links["counted_apart"].to_numpy(bool), " (counted apart after an unlink)", ""),
    )
    text = (
        links["agency_a"].astype(str)
        + " "
        + when("observed_at_a")
        + " and "
        + links["agency_b"].astype(str)
        + " "
        + when("observed_at_b")
        + apart
        + ": "
        + links["reason"].astype(str)
        + note
    )
    return text.astype(object)


# -- helpers ---------------------------------------------------------------------------------


def _described(demand: pd.DataFrame, pairs: pd.DataFrame, *, nights: np.ndarray) -> pd.DataFrame:
    """:func:`link_pairs`' positions as the records' ids, agencies, times and place."""
    if pairs.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in LINK_COLUMNS})
    a, b = pairs["a"].to_numpy(np.int64), pairs["b"].to_numpy(np.int64)
    seen = pd.to_datetime(demand["observed_at"])
    if isinstance(seen.dtype, pd.DatetimeTZDtype):
        seen = seen.dt.tz_convert(TIMEZONE)

    def column(name: str) -> np.ndarray:
        if name not in demand:
            return np.full(len(a), None, dtype=object)
        values = demand[name].astype(object).to_numpy()
        return np.where(pd.isna(values[a]), None, values[a])

    ids = demand["record_id"].astype(str).to_numpy()
    agency = demand["agency"].astype(object).to_numpy()
    out = pd.DataFrame(
        {
            "group": pairs["group"].to_numpy(),
            "night": [day_date(int(n)) for n in nights[a]],
            "record_a": ids[a],
            "agency_a": agency[a],
            "observed_at_a": seen.array.take(a),
            "record_b": ids[b],
            "agency_b": agency[b],
            "observed_at_b": seen.array.take(b),
            "distance_m": pairs["distance_m"].round().to_numpy(),
            "reason": pairs["reason"].to_numpy(),
            "unlinked": pairs["unlinked"].to_numpy(bool),
            "counted_apart": pairs["counted_apart"].to_numpy(bool),
            "area_code": column("area_code"),
            "place": column("location_text"),
        }
    )
    # groups by night, then by the time of their first record
    out["_opened"] = out.groupby("group")["observed_at_a"].transform("min")
    out = out.sort_values(
        ["night", "_opened", "group", "observed_at_a", "observed_at_b"], kind="stable"
    )
    out["group"] = pd.factorize(out["group"])[0] + 1
    return out.loc[:, list(LINK_COLUMNS)].reset_index(drop=True)
