"""Site life in plain words, as the command line and the Hotspots page show it.

Works on what :func:`geo.questions.site_life.site_history` returns for a role, so a police view
stays coarse: places are named by what records call them, or by ward ("a place in West ward"),
dates as "24 Oct 2026", statuses as words; never a site id.

>>> STATUS_WORDS["unknown"]
'Unknown - nobody has been'
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from geo.analysis.places_view import date_words, needs_words
from geo.analysis.site_life import STATUSES, SiteLife
from geo.errors import AnalysisError
from geo.io.exports import place_label

__all__ = [
    "STATUS_MEANING",
    "STATUS_WORDS",
    "changes_words",
    "life_summary",
    "life_table",
    "site_labels",
    "timeline_table",
]

#: Each status as a page's key names it.
STATUS_WORDS: Final[dict[str, str]] = {
    "new": "New",
    "active": "Active",
    "cleared": "Cleared",
    "back": "Back",
    "unknown": "Unknown - nobody has been",
}
#: What each status means, in a sentence's words.
STATUS_MEANING: Final[dict[str, str]] = {
    "new": "persistent for the first time lately",
    "active": "people keep sleeping here",
    "cleared": "nobody seen for a while although an agency went",
    "back": "someone seen again after it was cleared",
    "unknown": "nobody seen for a while, and no agency has been to know",
}


def site_labels(sites: pd.DataFrame) -> list[str]:
    """Each site as people name it ("doorway on Station Road, West ward"); two that read alike
    get "(2)", "(3)"... so each label picks one site."""
    _check(sites, ("site_id", "place_name"), argument="sites")
    labels = [
        place_label(place, ward=ward, fallback="a persistent site")
        for place, ward in zip(
            sites["place_name"].astype(object),
            _column(sites, "ward_name"),
            strict=True,
        )
    ]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def life_table(life: SiteLife) -> pd.DataFrame:
    """The sites with their status, in the order of ``life.sites`` (latest change first):
    Place, Status, since when, persistent from, last seen, last visited, most people, and the
    needs seen there where the role's frame carries them."""
    sites = life.sites
    _check(sites, ("site_id", "place_name", "status", "status_since"), argument="sites")
    table = pd.DataFrame(
        {
            "Place": site_labels(sites),
            "Status": [STATUS_WORDS.get(s, str(s)) for s in sites["status"]],
            "Since, night of": _dates(sites["status_since"]),
            "Persistent from": _dates(sites["became_persistent"]),
            "Last seen, night of": _dates(sites["last_seen"]),
            "Last visited, night of": [d or "not visited" for d in _dates(sites["last_visited"])],
            "Most people on a night": pd.to_numeric(sites["people"]).to_numpy(np.int64),
        }
    )
    # the needs seen there, where the role's frame carries them (a coordinator's)
    if "languages" in sites.columns:
        spoken = sites["languages"].astype(object)
        table["Languages needed"] = [v.strip() if isinstance(v, str) else "" for v in spoken]
    if "flags" in sites.columns:
        table["Needs seen"] = [needs_words(v) for v in sites["flags"].astype(object)]
    return table


def timeline_table(life: SiteLife, site_id: str) -> pd.DataFrame:
    """One site's changes, first to last: Night of, Status, What it means."""
    changes = life.changes.loc[life.changes["site_id"] == site_id]
    return pd.DataFrame(
        {
            "Night of": _dates(changes["night"]),
            "Status": [STATUS_WORDS.get(s, str(s)) for s in changes["to"]],
            "What it means": [STATUS_MEANING.get(s, "") for s in changes["to"]],
        }
    )


def changes_words(life: SiteLife, site_id: str) -> str:
    """A site's changes in one line: "new 5 Oct 2026, active 19 Oct 2026, cleared 24 Oct 2026"."""
    changes = life.changes.loc[life.changes["site_id"] == site_id]
    return ", ".join(
        f"{status} {when}"
        for status, when in zip(changes["to"], _dates(changes["night"]), strict=True)
    )


def life_summary(life: SiteLife) -> str:
    """One line: how many sites, over which nights, and how many of each status."""
    counts = life.sites["status"].value_counts()
    n = len(life.sites)
    return (
        f"{n} site{'' if n == 1 else 's'} persistent at some time in the {life.history_nights}"
        f" nights to {date_words(life.end) or 'the latest night'}: "
        + ", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUSES)
        + f" (quiet: nobody seen for {life.quiet_nights} nights)"
    )


def _dates(values: pd.Series) -> list[str]:
    return [date_words(v) for v in values.astype(object)]


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return frame[name].astype(object).tolist() if name in frame.columns else [None] * len(frame)


def _check(frame: object, columns: tuple[str, ...], *, argument: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{argument}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{argument} has no column {', '.join(missing)}; give what "
            "geo.questions.site_life.site_history returns for the role"
        )
