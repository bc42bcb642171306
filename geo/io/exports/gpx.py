"""A patrol as GPX 1.1, for phones and GPS units: a waypoint per stop and the route.

Coordinates are WGS84 (EPSG:4326) to 6 decimals (about 0.1 m). Waypoints are named as on the
printable sheet (the place and ward where known). A waypoint's description says what to look
for (counts and dates only); languages and flags stay on the sheet, not in a file that travels
on phones. All text is XML-escaped, and characters XML cannot hold (control characters) are
dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Final

from geo.io.exports._stops import labels, look_for, stop_names, summary

if TYPE_CHECKING:
    from geo.analysis.patrol import Patrol

__all__ = ["to_gpx", "write_gpx"]

_GPX_NS: Final = "http://www.topografix.com/GPX/1/1"
_XML_BAD: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_gpx(patrol: Patrol, *, name: str = "Outreach patrol") -> str:
    """The patrol as GPX 1.1: one ``<wpt>`` per stop and one ``<rte>`` from the start."""
    ET.register_namespace("", _GPX_NS)
    root = ET.Element(f"{{{_GPX_NS}}}gpx", {"version": "1.1", "creator": "Outreach Atlas"})
    meta = ET.SubElement(root, f"{{{_GPX_NS}}}metadata")
    _text(meta, "name", name)
    _text(meta, "desc", summary(patrol))
    stops = patrol.stops
    names = stop_names(stops)
    notes = look_for(stops)
    lon, lat = stops["lon"].to_numpy(float), stops["lat"].to_numpy(float)
    kinds = labels(stops)
    for i in range(len(stops)):
        point = ET.SubElement(root, f"{{{_GPX_NS}}}wpt", _lat_lon(lat[i], lon[i]))
        _text(point, "name", names[i])
        _text(point, "desc", notes[i])
        _text(point, "type", kinds[i])
    route = ET.SubElement(root, f"{{{_GPX_NS}}}rte")
    _text(route, "name", name)
    first = ET.SubElement(route, f"{{{_GPX_NS}}}rtept", _lat_lon(patrol.start[1], patrol.start[0]))
    _text(first, "name", "Start")
    for i in range(len(stops)):
        point = ET.SubElement(route, f"{{{_GPX_NS}}}rtept", _lat_lon(lat[i], lon[i]))
        _text(point, "name", names[i])
    if patrol.return_to_start and len(stops):
        back = ET.SubElement(
            route, f"{{{_GPX_NS}}}rtept", _lat_lon(patrol.start[1], patrol.start[0])
        )
        _text(back, "name", "Back to start")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_gpx(patrol: Patrol, path: Path, *, content: str = "patrol") -> int:
    """Write :func:`to_gpx` to ``path`` (UTF-8); return the stops written."""
    path.write_text(to_gpx(patrol), encoding="utf-8")
    return len(patrol.stops)


def _text(parent: ET.Element, tag: str, value: object) -> None:
    ET.SubElement(parent, f"{{{_GPX_NS}}}{tag}").text = _XML_BAD.sub("", str(value))


def _lat_lon(lat: float, lon: float) -> dict[str, str]:
    return {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
