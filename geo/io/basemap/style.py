"""How the base map looks: a registry of kinds of feature, each with its look at every zoom.

The base map sits under the ward shading, so it is quiet: pale land (the map's own background
shows through, tiles are transparent where nothing is drawn), light blue sea and water, pale
green parks and woodland, light grey buildings, white roads with a grey casing that widen as
you zoom in, a thin grey railway, and names in grey DejaVu Sans with a white halo, smaller and
lighter than the ward names drawn on top.

Which kind a feature is comes from words (:func:`kind_of`): its class column's value (such as
OS OpenMap Local's ``classification``: "A Road", "Local Street"), else its layer's name
("SurfaceWater_Area", "RailwayTrack", "NamedPlace"), else its shape (areas, lines, points).
Layers whose names say they are not wanted on a base map (tunnels, junctions, boundaries...)
are left out (:func:`skipped_layer`). Widths and sizes are in pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Shape = Literal["area", "line", "point"]


@dataclass(frozen=True)
class Look:
    """How one kind of feature is drawn.

    ``widths`` are ``(zoom, pixels)`` stops, interpolated between zooms and held beyond them: a
    line's width, or a station marker's size. ``casing`` is drawn under a line, ``casing_extra``
    pixels wider; for areas ``edge`` outlines them. Nothing is drawn below ``min_zoom``; names
    are written from ``label_zoom`` (None: never) at ``label_size`` pixels.
    """

    kind: str
    shape: Shape
    colour: str
    min_zoom: int = 0
    widths: tuple[tuple[int, float], ...] = ((0, 1.0),)
    casing: str | None = None
    casing_extra: float = 0.0
    edge: str | None = None
    dashes: tuple[float, float] | None = None
    label_zoom: int | None = None
    label_colour: str = "#6b6b6b"
    label_size: float = 11.0
    italic: bool = False
    #: Names of this kind claim space first when fewer is larger.
    label_rank: int = 5

    def width(self, zoom: int) -> float:
        """The width (lines) or size (markers) at ``zoom``, in pixels."""
        return by_zoom(self.widths, zoom)


def by_zoom(stops: tuple[tuple[int, float], ...], zoom: int) -> float:
    """A value given at some zooms, interpolated between them and held beyond them.

    >>> by_zoom(((12, 1.0), (16, 9.0)), 14)
    5.0
    >>> by_zoom(((12, 1.0), (16, 9.0)), 18)
    9.0
    """
    zooms = [z for z, _ in stops]
    values = [v for _, v in stops]
    if zoom <= zooms[0]:
        return values[0]
    if zoom >= zooms[-1]:
        return values[-1]
    for (z0, v0), (z1, v1) in zip(stops, stops[1:], strict=False):
        if z0 <= zoom <= z1:
            return v0 + (v1 - v0) * (zoom - z0) / (z1 - z0)
    raise AssertionError("unreachable")  # pragma: no cover


WATER: Final = "#cde2ee"
WATER_TEXT: Final = "#55819f"
GREEN_TEXT: Final = "#5f7f52"
ROAD: Final = "#ffffff"
ROAD_CASING: Final = "#cdc6ba"
STREET_CASING: Final = "#d9d3c9"
MAJOR_CASING: Final = "#b9b0a1"
#: The white halo around every name, in pixels.
HALO: Final = 2.2
HALO_COLOUR: Final = "#ffffff"

#: Every kind, in the order they are drawn (later on top).
LOOKS: Final[tuple[Look, ...]] = (
    Look("sea", "area", WATER, label_zoom=11, label_colour=WATER_TEXT, label_size=13,
         italic=True, label_rank=2),
    Look("foreshore", "area", "#ede7d5", min_zoom=12),
    Look("water", "area", WATER, label_zoom=14, label_colour=WATER_TEXT, italic=True,
         label_rank=3),
    Look("area", "area", "#ebe8e1", min_zoom=13, edge="#dcd7ce"),
    Look("woodland", "area", "#d6e7c8", label_zoom=14, label_colour=GREEN_TEXT,
         label_size=10.5, italic=True, label_rank=6),
    Look("park", "area", "#dbebcd", edge="#c9ddb8", label_zoom=14, label_colour=GREEN_TEXT,
         label_size=10.5, italic=True, label_rank=6),
    Look("building", "area", "#e1ddd6", min_zoom=14, edge="#d0cac0"),
    Look("waterway", "line", WATER, widths=((11, 1.0), (14, 2.0), (16, 4.0), (18, 8.0)),
         label_zoom=14, label_colour=WATER_TEXT, label_size=10.5, italic=True, label_rank=3),
    Look("path", "line", "#b3aa9b", min_zoom=14, widths=((14, 0.8), (16, 1.3), (18, 2.0)),
         dashes=(3.0, 2.0), label_zoom=16, label_size=9.5, label_rank=8),
    Look("street", "line", ROAD, min_zoom=13,
         widths=((13, 0.7), (14, 1.4), (15, 2.8), (16, 5.0), (17, 8.0), (18, 12.0)),
         casing=STREET_CASING, casing_extra=1.2, label_zoom=16, label_size=9.5, label_rank=7),
    Look("road", "line", ROAD, min_zoom=12,
         widths=((12, 0.8), (13, 1.6), (14, 3.0), (15, 5.0), (16, 8.0), (17, 12.0), (18, 18.0)),
         casing=ROAD_CASING, casing_extra=1.6, label_zoom=15, label_size=10, label_rank=5),
    Look("major_road", "line", ROAD,
         widths=((11, 1.6), (12, 2.2), (13, 3.2), (14, 5.0), (15, 8.0), (16, 12.0), (18, 24.0)),
         casing=MAJOR_CASING, casing_extra=2.0, label_zoom=14, label_size=10.5, label_rank=4),
    Look("railway", "line", "#a9a9a9", widths=((11, 1.0), (13, 1.5), (16, 2.4), (18, 3.0)),
         label_zoom=None),
    Look("station", "point", "#8a8a8a", min_zoom=13, widths=((13, 5.0), (16, 8.0)),
         label_zoom=14, label_colour="#5a5a5a", label_size=10.5, label_rank=4),
    Look("place", "point", "#6b6b6b", label_zoom=11, label_colour="#6e6e6e", label_size=12,
         label_rank=1),
)  # fmt: skip
LOOK: Final = {look.kind: look for look in LOOKS}
#: Each kind's position in the drawing order.
ORDER: Final = {look.kind: i for i, look in enumerate(LOOKS)}

#: Place names by size (OS OpenMap Local's ``font_height``): text pixels and first zoom.
PLACE_SIZES: Final[dict[str, tuple[float, int]]] = {
    "large": (14.0, 11),
    "medium": (12.0, 13),
    "small": (10.5, 15),
}
#: Tiles with a railway get its white dashes from this zoom.
RAILWAY_DASH_ZOOM: Final = 14

# Words (of a class value or a layer name) to kinds, per shape; the first rule that matches
# wins. Words are split at case changes and underscores first: "SurfaceWater_Area" reads
# "surface water area".
_RULES: Final[dict[Shape, tuple[tuple[str, str], ...]]] = {
    "area": (
        ("sea", r"\b(sea|tidal|ocean)\b"),
        ("foreshore", r"\b(foreshore|beach|sand|shingle)"),
        ("water", r"\b(water|lake|river|reservoir|pond|canal|lagoon|dock|basin)"),
        ("building", r"\b(building|glasshouse)"),
        ("area", r"\bcar park"),
        ("woodland", r"\b(wood|forest|orchard)"),
        (
            "park",
            r"\b(parks?|gardens?|grass\w*|recreation|playing|commons?|cemeter\w*|allotments?"
            r"|green)\b",
        ),
    ),
    "line": (
        ("railway", r"\b(rail|tram)"),
        ("path", r"\b(path|foot|cycle|track|towpath|pedestrian|steps|bridleway|trail|alley)"),
        ("waterway", r"\b(water|river|stream|canal|drain|brook)"),
        ("major_road", r"\b(motorway|trunk|primary|major|a road)\b"),
        ("street", r"\b(streets?|local|residential|service|access|private|unclassified)\b"),
        ("road", r"\b(road|lane|way|avenue|highway|minor|b road|secondary|tertiary)"),
    ),
    "point": (
        ("station", r"\bstation"),
        ("place", r"\b(place|named|settlement|town|village|hamlet|suburb|locality)"),
    ),
}
_DEFAULT: Final[dict[Shape, str]] = {"area": "area", "line": "road", "point": "place"}
_SKIP: Final = re.compile(
    r"\b(tunnel|junction|electricity|transmission|charging|roundabout|boundar|contour|spot"
    r"|height|grid|control|annotation)"
)


def words(text: object) -> str:
    """``text`` in lower-case words: "SurfaceWater_Area" -> "surface water area".

    >>> words("RailwayTrack")
    'railway track'
    >>> words("A Road")
    'a road'
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(text))
    return re.sub(r"[\s_\-./]+", " ", spaced).strip().lower()


def rule_kind(text: object, shape: Shape) -> str | None:
    """The kind the words of ``text`` name for a feature of ``shape``, or None.

    >>> rule_kind("A Road", "line"), rule_kind("Minor Road", "line")
    ('major_road', 'road')
    >>> rule_kind("Local Street", "line")
    'street'
    >>> rule_kind("TidalWater", "area"), rule_kind("SurfaceWater_Area", "area")
    ('sea', 'water')
    >>> rule_kind("wards", "area") is None
    True
    """
    if text is None or text != text:  # None or NaN
        return None
    said = words(text)
    for kind, pattern in _RULES[shape]:
        if re.search(pattern, said):
            return kind
    return None


def kind_of(value: object, layer: str, shape: Shape) -> str:
    """The kind of a feature: from its class ``value``, else its ``layer``'s name, else its
    ``shape``.

    >>> kind_of("Pedestrianised Street", "Road", "line")
    'path'
    >>> kind_of("Education Facility", "FunctionalSite", "area")
    'area'
    >>> kind_of(None, "NamedPlace", "point")
    'place'
    """
    return rule_kind(value, shape) or rule_kind(layer, shape) or _DEFAULT[shape]


def skipped_layer(layer: str) -> bool:
    """Whether a layer's name says it is not base map material (tunnels, boundaries...).

    >>> skipped_layer("RoadTunnel"), skipped_layer("TidalBoundary"), skipped_layer("Road")
    (True, True, False)
    """
    return bool(_SKIP.search(words(layer)))


def place_size(value: object) -> tuple[float, int]:
    """Text pixels and first zoom of a place name whose size column says ``value``."""
    said = words(value) if value is not None and value == value else ""
    for size, look in PLACE_SIZES.items():
        if size in said:
            return look
    return PLACE_SIZES["medium"]
