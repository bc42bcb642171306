"""The patrol sheet as a printable A4 PDF: a numbered block per stop, with boxes to tick.

The title, when it was made and by whom, how the patrol starts, then per stop (in walking
order) its number, the place and ward as people say them (``place_name``, ``ward_name``; see
:mod:`geo.io.exports._stops`), the walk to it, what is known of it (people seen, nights seen,
last seen, last visit, agencies), the languages needed and flags seen where the stops carry
them (only for roles allowed to see them, decided before the stops get here) and three boxes:
"Checked", "Found someone", "Referred". A block is never split across pages. Nothing else
about people: no names, references or notes. The marking is at the top and bottom of every
page, with "Page X of Y".
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from geo.io.exports._stops import metres, minutes, needs, place_labels, summary
from geo.io.exports.pdf import page_values, render_pdf, render_template
from geo.io.exports.stamp import MARKING, Stamp

if TYPE_CHECKING:
    from geo.analysis.patrol import Patrol

__all__ = ["TICKS", "patrol_pdf", "write_patrol_pdf"]

#: The boxes on every stop, to tick on the street.
TICKS: Final = ("Checked", "Found someone", "Referred")
_TITLE: Final = "Outreach patrol"


def patrol_pdf(
    patrol: Patrol,
    *,
    made_by: str,
    made_at: datetime | None = None,
    marking: str = MARKING,
    title: str = _TITLE,
) -> bytes:
    """The patrol as a printable A4 PDF (see the module docstring); returns the PDF's bytes.

    ``made_by`` is printed under the title as given ("Sam Patel, Harbour Light"); ``made_at``
    defaults to now; ``marking`` is printed at the top and bottom of every page.
    """
    stamp = Stamp(made_by=made_by, marking=marking, **({"made_at": made_at} if made_at else {}))
    return _render(patrol, stamp, title=title)


def write_patrol_pdf(
    patrol: Patrol, path: Path, *, content: str = "patrol", stamp: Stamp | None = None
) -> int:
    """Write :func:`patrol_pdf` to ``path`` (the registry's writer); return the stops."""
    path.write_bytes(_render(patrol, stamp or Stamp(), title=_TITLE))
    return len(patrol.stops)


def _render(patrol: Patrol, stamp: Stamp, *, title: str) -> bytes:
    stops = patrol.stops
    if patrol.starts_at_first_stop:
        start = "at the first stop (the most urgent place)"
    else:
        start = f"{patrol.start[1]:.5f}, {patrol.start[0]:.5f} (latitude, longitude)"
    html = render_template(
        "patrol.html.j2",
        summary=summary(patrol)[:1].upper() + summary(patrol)[1:],
        start=start,
        pace=(
            f"Walking {patrol.walk_kmh:g} km/h in straight lines (streets add more); "
            f"{patrol.dwell_minutes:g} min at each stop."
        ),
        stops=_stops(stops),
        ticks=TICKS,
        back=metres(patrol.return_m) if patrol.return_to_start and len(stops) else None,
        **page_values(title, stamp),
    )
    return render_pdf(html)


def _stops(stops: pd.DataFrame) -> list[dict[str, Any]]:
    """Each stop as the template prints it."""
    places = place_labels(stops)
    known = _known(stops)
    extra = needs(stops)
    legs = stops["leg_m"].to_numpy(float)
    arrive = stops["arrive_minutes"].to_numpy(float)
    lon, lat = stops["lon"].to_numpy(float), stops["lat"].to_numpy(float)
    return [
        {
            "number": i + 1,
            "place": places[i],
            "walk": metres(legs[i]),
            "arrive": minutes(arrive[i]),
            "at": f"{lat[i]:.5f}, {lon[i]:.5f}",
            "known": known[i],
            "needs": [_split(line) for line in extra[i]],
        }
        for i in range(len(stops))  # a sheet of a few dozen stops
    ]


def _known(stops: pd.DataFrame) -> list[list[tuple[str, str]]]:
    """Per stop, what is known of the place, as (label, text), for the columns present."""
    n = len(stops)

    def numbers(name: str) -> np.ndarray | None:
        if name not in stops.columns:
            return None
        return pd.to_numeric(stops[name], errors="coerce").to_numpy(float)

    people, nights = numbers("people"), numbers("nights_seen")
    days, agencies = numbers("days_since_visit"), numbers("n_agencies")
    seen = pd.to_datetime(stops["last_seen"], errors="coerce") if "last_seen" in stops else None
    known: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for i in range(n):
        if people is not None and np.isfinite(people[i]):
            known[i].append(("People seen", f"{people[i]:g}"))
        if nights is not None and np.isfinite(nights[i]):
            known[i].append(("Nights seen", f"{nights[i]:g}"))
        if seen is not None and not pd.isna(seen.iloc[i]):
            day = seen.iloc[i]
            known[i].append(("Last seen", f"{day.day} {day:%b %Y}"))
        if days is not None:
            known[i].append(("Last visit", _last_visit(days[i])))
        if agencies is not None and np.isfinite(agencies[i]):
            known[i].append(("Agencies", _agencies(agencies[i])))
    return known


def _last_visit(days: float) -> str:
    if not np.isfinite(days):
        return "none on record"
    return {0: "on the last night", 1: "the night before the last"}.get(
        int(days), f"{days:g} nights before the last"
    )


def _agencies(count: float) -> str:
    if count == 0:
        return "none (uncovered)"
    return f"{count:g} agenc{'y' if count == 1 else 'ies'}"


def _split(line: str) -> tuple[str, str]:
    """ "languages needed: Polish" -> ("Languages needed", "Polish")."""
    label, _, value = line.partition(": ")
    return label[:1].upper() + label[1:], value
