"""People over time as a page shows them: plain headings, periods in words, hidden counts in
words, for the flow, the snapshot night and referral follow-up.

The figures are :func:`geo.analysis.flow.flow`'s and :func:`geo.analysis.snapshot.snapshot`'s,
after the role's view; nothing here works a figure out, so a page and a test read the same
table.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo.analysis.flow import CLASSES, FLOW_COLUMNS, Flow
from geo.analysis.overview import plain_date
from geo.analysis.referrals import ReferralFigures
from geo.analysis.snapshot import Snapshot
from geo.analysis.ward_view import numeric, shown

#: Column headings as a councillor reads them.
HEADINGS: Final[dict[str, str]] = {
    "people": "People seen",
    "new": "New to the streets",
    "stock": "Also seen the period before",
    "returner": "Back after a gap",
    "without_reference": "Sightings with no reference",
}

#: What each heading means, for a page's help text and the CSV's readers.
MEANINGS: Final[dict[str, str]] = {
    "people": "different people seen in the period (by the reference agencies give them)",
    "new": "never seen anywhere before this period",
    "stock": "also seen, anywhere, in the period just before",
    "returner": "seen before, but not in the period just before",
    "without_reference": "sightings that carry no reference, so cannot be followed over time",
}


def period_words(start: object, end: object) -> str:
    """A period as people write it: "30 Oct to 28 Nov 2026", or one night's date.

    >>> from datetime import date
    >>> period_words(date(2026, 10, 30), date(2026, 11, 28))
    '30 Oct to 28 Nov 2026'
    """
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()  # type: ignore[arg-type]
    if first == last:
        return plain_date(last)
    return f"{plain_date(first).rsplit(' ', 1)[0]} to {plain_date(last)}"


def totals_table(found: Flow) -> pd.DataFrame:
    """One row per period for all areas, oldest first."""
    rows = found.totals
    spans = zip(rows["period_start"], rows["period_end"], strict=True)
    table = pd.DataFrame({"Period": [period_words(start, end) for start, end in spans]})
    for column in FLOW_COLUMNS:
        table[HEADINGS[column]] = rows[column].map(shown).to_numpy(object)
    return table


def areas_table(found: Flow) -> pd.DataFrame:
    """The last period, one row per area, most people first (hidden counts last)."""
    rows = found.areas
    if rows.empty:
        return pd.DataFrame(columns=["Ward", *HEADINGS.values()])
    rows = rows.loc[rows["period_start"] == rows["period_start"].max()]
    order = numeric(rows["people"]).fillna(-1).sort_values(ascending=False, kind="stable").index
    rows = rows.loc[order]
    table = pd.DataFrame({"Ward": rows["area_name"].astype(str).to_numpy(object)})
    for column in FLOW_COLUMNS:
        table[HEADINGS[column]] = rows[column].map(shown).to_numpy(object)
    return table


def chart_frame(found: Flow) -> pd.DataFrame:
    """New, stock and returners per period, long (``Period``, ``Who``, ``People``) for a
    stacked chart, oldest period first; hidden counts are left out."""
    rows = found.totals
    # short enough for a phone's axis: the last night of each period, "to 22 Nov"
    labels = [f"to {plain_date(pd.Timestamp(end).date())[:-5]}" for end in rows["period_end"]]
    parts = [
        pd.DataFrame(
            {
                "Period": labels,
                "Who": HEADINGS[column],
                "People": numeric(rows[column]).to_numpy(float),
            }
        )
        for column in CLASSES
    ]
    frame = pd.concat(parts, ignore_index=True)
    return frame.loc[frame["People"].notna()].reset_index(drop=True)


#: Snapshot columns as the submission form words them.
SNAPSHOT_HEADINGS: Final[dict[str, str]] = {
    "area_name": "Ward",
    "people": "People counted",
    "sex_male": "Male",
    "sex_female": "Female",
    "sex_other": "Other",
    "sex_unknown": "Sex not known",
    "age_under_18": "Under 18",
    "age_18_25": "18 to 25",
    "age_26_plus": "26 and over",
    "age_unknown": "Age not known",
    "nationality_UK": "UK",
    "nationality_EU_EEA": "EU/EEA",
    "nationality_non_EU": "Non-EU",
    "nationality_unknown": "Nationality not known",
    "seen_recently_not_counted": "Seen lately, not that night",
    "sites_recently_not_counted": "Sites quiet that night",
}


def snapshot_table(found: Snapshot, *, all_areas: bool = False) -> pd.DataFrame:
    """The snapshot's wards and total under plain headings; wards where nothing was counted
    or seen lately are left out unless ``all_areas`` (the total still counts everyone)."""
    table = found.table()
    if not all_areas:
        counts = table[list(SNAPSHOT_HEADINGS)[1:]]
        keep = counts.ne(0).any(axis=1) | table["area_name"].eq("Total")
        table = table.loc[keep]
    table = table.loc[:, list(SNAPSHOT_HEADINGS)].rename(columns=SNAPSHOT_HEADINGS)
    return table.reset_index(drop=True)


#: Referral follow-up columns as a councillor reads them.
REFERRAL_HEADINGS: Final[dict[str, str]] = {
    "referrals": "Referrals",
    "found": "Followed up, someone found",
    "not_located": "Followed up, nobody found",
    "not_followed_up": "Not followed up in time",
    "pending": "Still within the time",
}


def referral_totals(figures: ReferralFigures) -> pd.DataFrame:
    """One row per period for all areas, oldest first, under plain headings."""
    rows = figures.totals
    spans = zip(rows["period_start"], rows["period_end"], strict=True)
    table = pd.DataFrame({"Period": [period_words(start, end) for start, end in spans]})
    for column, heading in REFERRAL_HEADINGS.items():
        table[heading] = rows[column].map(shown).to_numpy(object)
    return table


def referral_areas(figures: ReferralFigures) -> pd.DataFrame:
    """The last period's areas that had referrals, most first (hidden counts last)."""
    rows = figures.areas
    if rows.empty:
        return pd.DataFrame(columns=["Ward", *REFERRAL_HEADINGS.values()])
    rows = rows.loc[rows["period_start"] == rows["period_start"].max()]
    rows = rows.loc[rows["referrals"].astype(str) != "0"]
    order = numeric(rows["referrals"]).fillna(-1).sort_values(ascending=False, kind="stable")
    rows = rows.loc[order.index]
    table = pd.DataFrame({"Ward": rows["area_name"].astype(str).to_numpy(object)})
    for column, heading in REFERRAL_HEADINGS.items():
        table[heading] = rows[column].map(shown).to_numpy(object)
    return table.reset_index(drop=True)


def waiting_words(hours: float) -> str:
    """How long a referral has waited: hours up to three days, then days.

    >>> waiting_words(27.4), waiting_words(1.0), waiting_words(625.0)
    ('27 hours', '1 hour', '26 days')
    """
    if hours < 72:
        return f"{hours:.0f} hour{'' if round(hours) == 1 else 's'}"
    return f"{hours / 24:.0f} days"


def queue_table(queue: pd.DataFrame) -> pd.DataFrame:
    """The referrals waiting for a visit, oldest first, in words (no ids, no coordinates)."""
    stamps = pd.to_datetime(queue["referred_at"])
    return pd.DataFrame(
        {
            "Referred": stamps.dt.strftime("%a %d %b %H:%M").to_numpy(object),
            "Where": queue["place_name"].astype(str).to_numpy(object),
            "Ward": queue["ward_name"].astype(str).to_numpy(object),
            "Waiting": [waiting_words(h) for h in queue["hours_waiting"]],
            "Time passed": queue["window_passed"].map({True: "yes", False: "not yet"}).to_numpy(),
            "From": queue["agency"].astype(str).to_numpy(object),
        }
    )
