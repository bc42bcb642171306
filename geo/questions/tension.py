"""The tension watch, as each role may see it (see :mod:`geo.analysis.tension`).

Coordinators and police see exact figures (police see people counted per ward exactly in the
ward figures too). Councillors see the people counted from 1 to the threshold (default 4) as
``"<5"``, as every small count; their change is shown only where both months are shown. ASB
and public order counts are police.uk's own published figures and are shown as they are.

Whether people rise fast, and so the signals, the watch and the combined rise, would say
something about a hidden count; for councillors they are worked out with a hidden previous
month taken as the threshold itself (the most it can be), so a rise counts only if it counts
whatever the hidden number was, and a hidden month never rises (it cannot rise by the floor).
No total across areas is shown, so nothing hidden can be worked out from the rest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.tension import (
    DEFAULT_MONTHS,
    INCIDENT_READS,
    SIGNALS,
    TENSION_COLUMNS,
    TENSION_READS,
    WATCH_SIGNALS,
    Tension,
    rising_fast,
    tension_watch,
)
from geo.analysis.ward_figures import EMERGING_FLOOR
from geo.privacy.figures import checked_threshold, small_label
from geo.privacy.roles import Role
from geo.questions.kept import kept_street_count, per_version
from geo.questions.reading import figure_records
from geo.store import Store

#: Roles that see exact figures.
EXACT_ROLES: Final[tuple[Role, ...]] = ("coordinator", "police")


def tension(
    store: Store,
    *,
    role: Role,
    months: int = DEFAULT_MONTHS,
    end: date | str | None = None,
    floor: int = EMERGING_FLOOR,
    threshold: int | None = None,
) -> Tension:
    """People counted, ASB and public order per ward and month, and where they rise together,
    as ``role`` may see them (see the module docstring)."""
    return per_version(
        store,
        "tension watch",
        (role, months, _month(end), floor, threshold),
        lambda: _tension(
            store, role=role, months=months, end=end, floor=floor, threshold=threshold
        ),
    )


def _tension(
    store: Store,
    *,
    role: Role,
    months: int,
    end: date | str | None,
    floor: int,
    threshold: int | None,
) -> Tension:
    version = store.cache_key()  # before every read: the street count kept for these records
    unlinked = store.unlinked_pairs()  # links marked wrong: counted as the ward figures count
    reads = [*TENSION_READS, *(["record_id"] if unlinked else [])]
    asked = figure_records(store, role=role, reads=reads, layer="ward", period="month")
    counted = kept_street_count(
        store, role=asked.role, rows=len(asked.records), version=version, unlinked=unlinked
    )
    incidents = store.police_incidents()
    wanted = [*INCIDENT_READS, "area_code"]
    incidents = incidents.loc[:, [c for c in wanted if c in incidents.columns]]
    exact = tension_watch(
        asked.records,
        incidents,
        asked.areas,
        months=months,
        end=end,
        placed=asked.placed,
        floor=floor,
        unlinked=unlinked,
        counted=counted,
    )
    if asked.role in EXACT_ROLES:
        return replace(exact, role=asked.role)
    hidden = _hidden(exact.areas, threshold=checked_threshold(threshold), floor=exact.floor)
    return replace(exact, areas=hidden, role=asked.role)


def _month(end: date | str | None) -> str | None:
    """The month the watch ends on, as its answer is kept (any night of a month asks the same
    watch); a value that is not a month is kept as given, and refused by the watch."""
    if end is None:
        return None
    try:
        return str(pd.Period(end, freq="M"))
    except (TypeError, ValueError):
        return repr(end)


def _hidden(table: pd.DataFrame, *, threshold: int, floor: int) -> pd.DataFrame:
    """People counts 1..threshold as ``"<5"``, their change hidden, the signals redone from
    the most a hidden previous month can be."""
    out = table.copy()
    now = out["people"].to_numpy(float)
    before = out["people_previous"].to_numpy(float)
    small_now = (now >= 1) & (now <= threshold)
    small_before = (before >= 1) & (before <= threshold)
    worst_before = np.where(small_before, float(threshold), before)
    rising = rising_fast(now, worst_before, floor=floor) & ~small_now
    out["people_rising"] = rising
    label = small_label(threshold)
    out["people"] = out["people"].astype(object).where(~small_now, label)
    out["people_previous"] = out["people_previous"].astype(object).where(~small_before, label)
    hidden_change = small_now | small_before
    out["people_change"] = out["people_change"].astype(object).where(~hidden_change, None)

    rises = np.zeros(len(out), dtype=np.int64)
    combined = np.zeros(len(out))
    words = pd.Series("", index=out.index, dtype=object)
    for name, text in SIGNALS.items():
        up = out[f"{name}_rising"].to_numpy(bool)
        change = now - worst_before if name == "people" else out[f"{name}_change"].to_numpy(float)
        rises += up
        combined += np.where(up, change, 0.0)
        joined = words.where(words.eq(""), words + ", ") + text
        words = words.where(~up, joined)
    out["signals"] = words
    out["n_signals"] = rises
    out["combined_rise"] = combined
    out["watch"] = rises >= WATCH_SIGNALS
    out = out.sort_values(
        ["n_signals", "combined_rise", "month", "area_code"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    return out.loc[:, list(TENSION_COLUMNS)].reset_index(drop=True)
