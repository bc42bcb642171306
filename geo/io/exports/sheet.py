"""The printable patrol sheet: numbered stops, walking, what to look for, what is needed.

Plain text that prints on A4 in any font: per stop its name (the place and ward where known),
the walk to it, what to look for (counts and dates), the languages needed and the flags seen
there where the stops carry them (``languages``, ``flags``: only for a role allowed to see
them, which is decided before the stops get here), and boxes to tick. Nothing else about
people: no names, person references or notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from geo.io.exports._stops import look_for, metres, minutes, needs, stop_names, summary

if TYPE_CHECKING:
    from geo.analysis.patrol import Patrol

__all__ = ["printable", "write_sheet"]


def printable(patrol: Patrol) -> str:
    """The patrol as a plain-text sheet (see the module docstring)."""
    stops = patrol.stops
    start = f"{patrol.start[1]:.5f}, {patrol.start[0]:.5f} (lat, lon)"
    lines = [
        "OUTREACH PATROL",
        summary(patrol),
        f"Start: {start}"
        + (", at the first stop (the most urgent place)" if patrol.starts_at_first_stop else ""),
        f"Walking {patrol.walk_kmh:g} km/h in straight lines (streets add more); "
        f"{patrol.dwell_minutes:g} min at each stop.",
        "",
    ]
    if len(stops) == 0:
        lines.append("No places to visit: nothing matched, or nothing fits the time given.")
        return "\n".join(lines) + "\n"
    names = stop_names(stops)
    notes = look_for(stops)
    extra = needs(stops)
    legs = stops["leg_m"].to_numpy(float)
    arrive = stops["arrive_minutes"].to_numpy(float)
    lon, lat = stops["lon"].to_numpy(float), stops["lat"].to_numpy(float)
    for i in range(len(stops)):
        lines += [
            names[i],
            f"   walk {metres(legs[i])}, arrive at +{minutes(arrive[i])}",
            f"   look for: {notes[i]}",
            *(f"   {line}" for line in extra[i]),
            f"   at {lat[i]:.5f}, {lon[i]:.5f}   [ ] checked  found: ____",
            "",
        ]
    if patrol.return_to_start:
        lines.append(f"Back to start: {metres(patrol.return_m)}")
        lines.append("")
    lines += ["Notes:", "", ""]
    return "\n".join(lines) + "\n"


def write_sheet(patrol: Patrol, path: Path, *, content: str = "patrol") -> int:
    """Write :func:`printable` to ``path`` (UTF-8); return the stops written."""
    path.write_text(printable(patrol), encoding="utf-8")
    return len(patrol.stops)
