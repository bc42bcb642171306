"""Map layers of the analyses: hot cells, persistent sites, coverage by agency, coverage gaps
and a patrol route with numbered stops. No Streamlit.

Each builder takes a frame :mod:`geo.questions` returned for a role (so a police frame is
already coarse and carries no needs) and returns one ``folium.FeatureGroup``, added to ``m``
unless ``m`` is None, like every layer in :mod:`layers.registry`. The rules:

- Only plain words reach the browser: a place as people name it ("Riverside towpath, Riverside
  ward"), counts as whole numbers, nights since a visit, dates as "24 Nov 2026"; never a record
  id, a site id, a hash or a raw float. Languages and needs are shown only where the frame
  holds them (a coordinator's).
- Every text is HTML-escaped before it leaves Python, and goes to the browser as JSON (a
  GeoJSON property or a ``tojson`` value), never pasted into a script (folium's ``Tooltip``
  pastes text into a JavaScript template string, so it is not used here).
- No layer sends an unbounded number of features: hot cells beyond :data:`MAX_CELLS` and gaps
  beyond :data:`MAX_GAPS` are left off, the hottest and most urgent kept.
- Coordinates are rounded to :data:`layers.maps.COORD_DECIMALS` places; coverage areas are
  simplified to :data:`SIMPLIFY_M` metres first.

:func:`add_map_key` puts one key in the map's corner naming the symbols of the layers shown
(a layer itself, so it can be sent with them);
:func:`add_ward_outlines` draws the wards, named, as quiet context beneath them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from geo.analysis.places_view import (
    KIND_WORDS,
    date_words,
    distance_words,
    minutes_words,
    needs_words,
    people_words,
    visit_words,
)
from geo.analysis.site_life_view import STATUS_WORDS
from geo.analysis.sites import SITE_WINDOW
from geo.io.exports import place_label
from geo.schema import DISPLAY_CRS, WORKING_CRS
from layers.maps import COORD_DECIMALS
from layers.overlays import SERVICE_COLOUR

__all__ = [
    "AGENCY_COLOURS",
    "MAX_CELLS",
    "MAX_GAPS",
    "STATUS_COLOURS",
    "add_agency_coverage",
    "add_coverage_gaps",
    "add_hotspot_cells",
    "add_map_key",
    "add_patrol_route",
    "add_persistent_sites",
    "add_ward_outlines",
    "agency_colours",
    "map_key",
]

#: Most hot cells a layer sends (the highest Gi* first).
MAX_CELLS: Final = 2_000
#: Most coverage gaps a layer numbers on the map (the most urgent first).
MAX_GAPS: Final = 50
#: Tolerance, in metres, to which coverage areas are simplified before they are sent.
SIMPLIFY_M: Final = 5.0
#: Hot cells: ColorBrewer OrRd's darkest but one, translucent.
HOT_COLOUR: Final = "#d7301f"
#: Persistent sites: purple, apart from the services' green and the route's blue.
SITE_COLOUR: Final = "#6a3d9a"
#: Persistent sites by status (site life): active keeps the sites' purple; back, the alarm, red.
STATUS_COLOURS: Final[dict[str, str]] = {
    "new": "#e66101",
    "active": SITE_COLOUR,
    "cleared": "#4dac26",
    "back": "#d01c8b",
    "unknown": "#969696",
}
#: Coverage gaps: near-black squares with white numbers.
GAP_COLOUR: Final = "#1a1a1a"
#: The patrol route and its numbered stops.
ROUTE_COLOUR: Final = "#0868ac"
#: Agencies' areas: Okabe-Ito, a palette readers with any common colour-vision deficiency can
#: tell apart; an agency keeps its colour whichever others are shown.
AGENCY_COLOURS: Final[tuple[str, ...]] = (
    "#e69f00",
    "#56b4e9",
    "#009e73",
    "#cc79a7",
    "#0072b2",
    "#d55e00",
    "#f0e442",
    "#999999",
)
HEAT_SWATCH: Final = "linear-gradient(90deg,#3b4cc0,#7fd34e,#f9e721,#e8452c)"

_NUMBER_STYLE: Final = (
    "display:flex;align-items:center;justify-content:center;width:{size}px;height:{size}px;"
    "border-radius:{radius};background:{colour};color:#fff;border:2px solid #fff;"
    "box-shadow:0 1px 3px rgba(0,0,0,.5);font:700 12px/1 system-ui,-apple-system,Segoe UI,"
    "Roboto,sans-serif"
)


# --- Layers ---------------------------------------------------------------------------------------


def add_hotspot_cells(
    m: folium.Map | folium.FeatureGroup | None,
    cells: gpd.GeoDataFrame,
    *,
    label: str = "Hot cells",
    max_cells: int = MAX_CELLS,
    show: bool = True,
) -> folium.FeatureGroup:
    """The cells whose Gi* is significantly high (``hotspot == "hot"``), as translucent squares.

    ``cells`` is what :func:`geo.questions.hotspot_cells` returns. The tooltip says how many
    people were counted in how many sightings there.
    """
    _check_frame(cells, ("hotspot", "people", "sightings"), argument="cells")
    hot = cells.loc[cells["hotspot"].to_numpy(object) == "hot"]
    if "gi_z" in hot.columns:
        hot = hot.sort_values("gi_z", ascending=False, kind="stable")
    hot = hot.iloc[: max(int(max_cells), 0)]
    people = [people_words(v) for v in hot["people"]]
    sightings = pd.to_numeric(hot["sightings"], errors="coerce").fillna(0).round().astype(int)
    tooltip = [
        "<b>Hot cell</b><br>"
        + (
            html.escape(f"{who} counted in {n:,} sighting{'' if n == 1 else 's'} here;")
            if n
            else "nobody counted in this square itself;"
        )
        + "<br>with the squares around it, busier than chance"
        for who, n in zip(people, sightings, strict=True)
    ]
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if len(hot):
        _geojson(hot, tooltip, style=_hot_style).add_to(group)
    return _attached(group, m)


def add_persistent_sites(
    m: folium.Map | folium.FeatureGroup | None,
    sites: pd.DataFrame,
    *,
    label: str = "Persistent sites",
    last_nights: int = SITE_WINDOW,
    show: bool = True,
) -> folium.FeatureGroup:
    """Persistent sites (:func:`geo.questions.sites`) as purple circles named for people; with
    a ``status`` (:func:`geo.questions.site_life.site_history`), coloured by it
    (:data:`STATUS_COLOURS`) and the tooltip says since when.

    The tooltip: the place and ward, the status, the nights it was seen on of the last
    ``last_nights``, the most people on a night, the last visit, and the needs where the frame
    has them.
    """
    _check_frame(sites, ("place_name", "nights_seen", "people"), argument="sites")
    lon, lat = _lonlat(sites)
    nights = pd.to_numeric(sites["nights_seen"], errors="coerce").fillna(0).round().astype(int)
    statuses = sites["status"].astype(object).tolist() if "status" in sites else [None] * len(sites)
    lines = [
        [
            f"<b>{_place(sites, i)}</b>",
            html.escape(_status_words(sites, i)),
            html.escape(
                f"Persistent site: seen on {nights.iloc[i]} of the last {last_nights} nights,"
            ),
            html.escape(f"up to {people_words(sites['people'].iloc[i])} on a night"),
            html.escape(_last_visit_date(sites, i)),
            *_needs_lines(sites, i),
        ]
        for i in range(len(sites))
    ]
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if len(sites):
        points = gpd.GeoDataFrame(
            {
                "tooltip": ["<br>".join(line for line in rows if line) for rows in lines],
                "colour": [STATUS_COLOURS.get(str(s), SITE_COLOUR) for s in statuses],
            },
            geometry=gpd.points_from_xy(lon, lat),
            crs=DISPLAY_CRS,
        )
        folium.GeoJson(
            points.__geo_interface__,
            marker=folium.CircleMarker(radius=9, color="#ffffff", weight=2, fill=True),
            style_function=_site_style,
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
            control=False,
        ).add_to(group)
    return _attached(group, m)


def add_agency_coverage(
    m: folium.Map | folium.FeatureGroup | None,
    agencies: gpd.GeoDataFrame,
    *,
    only: Iterable[str] | None = None,
    days: int | None = None,
    label: str = "Coverage by agency",
    show: bool = True,
) -> folium.FeatureGroup:
    """The area within reach of each agency's visits and contacts (``Coverage.agencies``).

    ``only`` names the agencies to draw (default all); each keeps the colour
    :func:`agency_colours` gives it among every agency of the frame, so switching one off
    does not repaint the others. ``days`` is the coverage window, for the tooltip.
    """
    _check_frame(agencies, ("agency", "visits", "contacts"), argument="agencies")
    colours = agency_colours(agencies["agency"])
    wanted = set(colours) if only is None else {str(a) for a in only}
    names = agencies["agency"].astype(str).to_numpy(object)
    keep = np.isin(names, list(wanted)) & ~agencies.geometry.is_empty.to_numpy()
    shown = agencies.loc[keep]
    window = f" in the last {days} nights" if days else ""
    tooltip = [
        f"<b>{html.escape(f'Within reach of {name}')}</b><br>"
        + html.escape(
            f"{int(visits):,} visit{'' if visits == 1 else 's'} and {int(contacts):,} "
            f"contact{'' if contacts == 1 else 's'}{window}"
        )
        + (
            f"<br>{html.escape('last out on the night of ' + when)}"
            if (when := date_words(last))
            else ""
        )
        for name, visits, contacts, last in zip(
            shown["agency"].astype(str),
            shown["visits"],
            shown["contacts"],
            shown["last_visit"] if "last_visit" in shown.columns else [None] * len(shown),
            strict=True,
        )
    ]
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if len(shown):
        simplified = shown.geometry.to_crs(WORKING_CRS).simplify(SIMPLIFY_M)
        frame = gpd.GeoDataFrame(
            {"fill": [colours[str(a)] for a in shown["agency"]]},
            geometry=simplified.to_numpy(),
            crs=WORKING_CRS,
        )
        _geojson(frame, tooltip, style=_agency_style, extra=["fill"]).add_to(group)
    return _attached(group, m)


def add_coverage_gaps(
    m: folium.Map | folium.FeatureGroup | None,
    gaps: pd.DataFrame,
    *,
    label: str = "Coverage gaps",
    max_gaps: int = MAX_GAPS,
    show: bool = True,
) -> folium.FeatureGroup:
    """Coverage gaps (``Coverage.gaps``) as black squares numbered by rank, 1 most urgent.

    The tooltip: rank, place, kind, people and when anyone last went.
    """
    _check_frame(gaps, ("rank", "place_name", "people", "days_since_visit"), argument="gaps")
    ranked = gaps.sort_values("rank", kind="stable").iloc[: max(int(max_gaps), 0)]
    lon, lat = _lonlat(ranked)
    rows = []
    for i in range(len(ranked)):
        row = ranked.iloc[i]
        kind = KIND_WORDS.get(str(row.get("demand", "")), "place of demand")
        lines = [
            f"<b>Gap {int(row['rank'])}: {_place(ranked, i)}</b>",
            html.escape(f"{kind[:1].upper()}{kind[1:]}, {people_words(row['people'])}"),
            html.escape(visit_words(row["days_since_visit"])),
            *_needs_lines(ranked, i),
        ]
        rows.append(_marker(lon[i], lat[i], str(int(row["rank"])), "<br>".join(lines)))
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if rows:
        _NumberedMarkers(rows, colour=GAP_COLOUR, round_=False).add_to(group)
    return _attached(group, m)


def add_patrol_route(
    m: folium.Map | folium.FeatureGroup | None,
    stops: pd.DataFrame,
    *,
    start: tuple[float, float] | None = None,
    starts_at_first_stop: bool = False,
    return_to_start: bool = False,
    label: str = "Patrol route",
    show: bool = True,
) -> folium.FeatureGroup:
    """A patrol (``Patrol.stops``, with ``start`` = ``Patrol.start`` as (lon, lat)) as a blue
    line through blue circles numbered in walking order, and the start marked "Start" (unless
    the patrol starts at stop 1, under 1 m from it)."""
    _check_frame(stops, ("stop", "lon", "lat"), argument="stops")
    lon = np.round(stops["lon"].to_numpy(float), COORD_DECIMALS)
    lat = np.round(stops["lat"].to_numpy(float), COORD_DECIMALS)
    path = [[float(y), float(x)] for x, y in zip(lon, lat, strict=True)]
    begin = None
    has_leg = len(stops) and "leg_m" in stops.columns
    first_leg = float(stops["leg_m"].iloc[0]) if has_leg else float("inf")
    if start is not None and not starts_at_first_stop and first_leg >= 1.0:
        begin = [round(float(start[1]), COORD_DECIMALS), round(float(start[0]), COORD_DECIMALS)]
        path = [begin, *path, *([begin] if return_to_start else [])]
    rows = []
    for i in range(len(stops)):
        row = stops.iloc[i]
        came_from = "the start" if i == 0 else "the last stop"
        leg = distance_words(row.get("leg_m"))
        arrive = minutes_words(row.get("arrive_minutes"))
        lines = [
            f"<b>Stop {int(row['stop'])}: {_place(stops, i)}</b>",
            html.escape(f"{leg} from {came_from}" + (f", about {arrive} in" if arrive else ""))
            if leg
            else "",
            html.escape(visit_words(row["days_since_visit"]))
            if "days_since_visit" in stops.columns
            else "",
            *_needs_lines(stops, i),
        ]
        text = "<br>".join(line for line in lines if line)
        rows.append(_marker(lon[i], lat[i], str(int(row["stop"])), text))
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if len(path) >= 2:
        folium.PolyLine(path, color=ROUTE_COLOUR, weight=4, opacity=0.85).add_to(group)
    if begin is not None:
        start_row = _marker(begin[1], begin[0], "Start", "<b>Start</b>")
        _NumberedMarkers(
            [start_row], colour="#ffffff", round_=False, text=ROUTE_COLOUR, border=ROUTE_COLOUR
        ).add_to(group)
    if rows:
        _NumberedMarkers(rows, colour=ROUTE_COLOUR, round_=True).add_to(group)
    return _attached(group, m)


# --- The key --------------------------------------------------------------------------------------


def agency_colours(agencies: Iterable[object]) -> dict[str, str]:
    """Each agency's colour: :data:`AGENCY_COLOURS` in agency-name order, round again if more."""
    names = sorted({str(a) for a in agencies})
    return {name: AGENCY_COLOURS[i % len(AGENCY_COLOURS)] for i, name in enumerate(names)}


def map_key(
    names: Sequence[str],
    *,
    agencies: dict[str, str] | None = None,
    site_statuses: bool = False,
) -> str:
    """The key of the layers called ``names`` (registry names), as escaped HTML.

    ``agencies`` maps the agencies drawn to their colours (see :func:`agency_colours`);
    ``site_statuses`` says persistent sites are coloured by status (one row each, in words).
    The key folds away: a ``<details>`` element, open at first, titled "Map key".
    """
    symbols = {
        "heat": (HEAT_SWATCH, "Heat of people seen", "2px"),
        "hotspot_cells": (HOT_COLOUR, "Hot cell: busier than chance", "2px"),
        "persistent_sites": (SITE_COLOUR, "Persistent site", "50%"),
        "coverage_gaps": (GAP_COLOUR, "Coverage gap, 1 = most urgent", "2px"),
        "patrol_route": (ROUTE_COLOUR, "Patrol stop, in walking order", "50%"),
        "services": (SERVICE_COLOUR, "Service", "50%"),
    }
    rows = []
    for name in names:
        if name == "persistent_sites" and site_statuses:
            rows.append('<div style="margin-top:3px;color:#555">Persistent sites:</div>')
            rows += [_key_row(STATUS_COLOURS[s], w, "50%") for s, w in STATUS_WORDS.items()]
        elif name in symbols:
            rows.append(_key_row(*symbols[name]))
    if "agency_coverage" in names and agencies:
        rows.append('<div style="margin-top:3px;color:#555">Within reach of:</div>')
        rows += [_key_row(colour, agency, "2px", faint=True) for agency, colour in agencies.items()]
    return (
        '<details class="atlas-legend" open style="background:rgba(255,255,255,0.92);'
        "padding:4px 8px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3);color:#222;"
        'max-width:240px;font:11px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif">'
        '<summary style="font-weight:600;cursor:pointer">Map key</summary>'
        + "".join(rows)
        + "</details>"
    )


def _key_row(background: str, label: str, radius: str, *, faint: bool = False) -> str:
    style = (
        f"display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;"
        f"border-radius:{radius};background:{background};"
        + (f"opacity:.55;border:1px solid {background}" if faint else "border:1px solid #fff")
    )
    return f'<div><span style="{html.escape(style)}"></span>{html.escape(label)}</div>'


def add_map_key(
    m: folium.Map | None,
    names: Sequence[str],
    *,
    agencies: dict[str, str] | None = None,
    site_statuses: bool = False,
) -> folium.FeatureGroup | None:
    """:func:`map_key` in the map's upper right corner, as a layer; None when ``names`` is empty.

    The key is a FeatureGroup (left out of layer controls), added to ``m`` unless ``m`` is
    None: sent as an overlay with the layers it names, it comes, changes and goes with them
    without the base map being drawn again.
    """
    if not names:
        return None
    group = folium.FeatureGroup(name="Map key", control=False)
    _MapKey(map_key(names, agencies=agencies, site_statuses=site_statuses)).add_to(group)
    return _attached(group, m)


def add_ward_outlines(m: folium.Map, wards: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Wards as thin grey outlines, lightened inside, each named in small grey letters.

    Context under the analyses (not a registry layer): ``wards`` is the store's ward layer
    (``area_name`` and geometry); hovering a ward gives its name too.
    """
    _check_frame(wards, ("area_name",), argument="wards")
    names = [html.escape(str(name)) for name in wards["area_name"]]
    group = folium.FeatureGroup(name="Wards", show=True)
    if len(wards):
        frame = gpd.GeoDataFrame(geometry=wards.geometry.to_numpy(), crs=wards.crs)
        _geojson(frame, [f"<b>{name}</b>" for name in names], style=_ward_style).add_to(group)
        inside = wards.geometry.to_crs(WORKING_CRS).representative_point().to_crs(DISPLAY_CRS)
        rows = [
            {
                "lat": round(float(p.y), COORD_DECIMALS),
                "lon": round(float(p.x), COORD_DECIMALS),
                "text": name,
            }
            for p, name in zip(inside, names, strict=True)
        ]
        _Labels(rows).add_to(group)
    group.add_to(m)
    return group


class _MapKey(folium.MacroElement):
    """A Leaflet control in the map's corner holding the key's HTML (escaped already), folded
    at first on a map narrower than ``fold_below_px`` (a phone), where it would hide the map.

    On a map it stays; on a layer it is shown while the layer is on a map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (parent) {
            var key = L.control({position: "topright"});
            key.onAdd = function (map) {
                var div = L.DomUtil.create("div", "atlas-legend-control");
                div.innerHTML = {{ this.legend|tojson }};
                var details = div.querySelector("details");
                if (details && map.getSize().x < {{ this.fold_below_px }}) { details.open = false; }
                return div;
            };
            if (parent instanceof L.Map) { key.addTo(parent); return; }
            parent.on("add", function () { key.addTo(parent._map); });
            parent.on("remove", function () { key.remove(); });
            if (parent._map) { key.addTo(parent._map); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, *, fold_below_px: int = 420) -> None:
        super().__init__()
        self._name = "MapKey"
        self.legend = legend
        self.fold_below_px = int(fold_below_px)


class _Labels(folium.MacroElement):
    """Small grey names at points (``lat``, ``lon``, ``text`` escaped), beneath every marker;
    they take no clicks or hovers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer) {
            {{ this.rows|tojson }}.forEach(function (row) {
                L.marker([row.lat, row.lon], {
                    icon: L.divIcon({
                        className: "atlas-ward-label",
                        html: '<div style="' + {{ this.style|tojson }} + '">' + row.text + "</div>",
                        iconSize: [0, 0]
                    }),
                    interactive: false,
                    keyboard: false,
                    zIndexOffset: -1000
                }).addTo(layer);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[dict[str, object]]) -> None:
        super().__init__()
        self._name = "Labels"
        self.rows = rows
        self.style = (
            "position:absolute;transform:translate(-50%,-50%);width:max-content;"
            "font:italic 11px/1 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#666;"
            "text-shadow:0 0 2px #fff,0 0 2px #fff;pointer-events:none"
        )


class _NumberedMarkers(folium.MacroElement):
    """Markers drawn as numbered squares or circles, from rows of ``lat``, ``lon``, ``label``
    (escaped) and ``tip`` (escaped HTML), sent as one JSON array."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer) {
            var style = {{ this.style|tojson }};
            {{ this.rows|tojson }}.forEach(function (row) {
                var icon = L.divIcon({
                    className: "atlas-number",
                    html: '<div style="' + style + '">' + row.label + "</div>",
                    iconSize: [{{ this.size }}, {{ this.size }}],
                    iconAnchor: [{{ this.size // 2 }}, {{ this.size // 2 }}]
                });
                L.marker([row.lat, row.lon], {icon: icon, keyboard: false})
                    .bindTooltip(row.tip, {sticky: true})
                    .addTo(layer);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[dict[str, object]],
        *,
        colour: str,
        round_: bool,
        text: str = "#fff",
        border: str = "#fff",
    ) -> None:
        super().__init__()
        self._name = "NumberedMarkers"
        wide = any(len(str(row["label"])) > 2 for row in rows)
        self.size = 24
        self.rows = rows
        style = _NUMBER_STYLE.format(
            size=self.size, radius="50%" if round_ else "3px", colour=colour
        )
        if wide:
            style = style.replace(f"width:{self.size}px", "width:auto;padding:0 5px")
        self.style = style.replace("color:#fff;", f"color:{text};").replace(
            "2px solid #fff", f"2px solid {border}"
        )


# --- Helpers --------------------------------------------------------------------------------------


def _check_frame(frame: object, columns: tuple[str, ...], *, argument: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{argument} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{argument} has no column {', '.join(missing)}; columns are "
            f"{sorted(map(str, frame.columns))}. Pass the frame geo.questions returns"
        )


def _attached(
    group: folium.FeatureGroup, m: folium.Map | folium.FeatureGroup | None
) -> folium.FeatureGroup:
    if m is not None:
        group.add_to(m)
    return group


def _lonlat(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rounded lon/lat from the ``lon``/``lat`` columns, else from the geometry."""
    if {"lon", "lat"} <= set(frame.columns):
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float)
    elif isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        points = frame.geometry.to_crs(DISPLAY_CRS)
        lon, lat = points.x.to_numpy(float), points.y.to_numpy(float)
    else:
        raise ValueError(
            "the frame has neither lon/lat columns nor a geometry with a CRS; pass the frame "
            "geo.questions returns"
        )
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


def _place(frame: pd.DataFrame, i: int) -> str:
    """Row ``i``'s place as people name it, escaped."""
    place = frame["place_name"].iloc[i] if "place_name" in frame.columns else None
    ward = frame["ward_name"].iloc[i] if "ward_name" in frame.columns else None
    return html.escape(place_label(place, ward=ward, fallback="an unnamed place"))


def _last_visit_date(frame: pd.DataFrame, i: int) -> str:
    column = next((c for c in ("last_visit", "last_visited") if c in frame.columns), None)
    if column is None:
        return ""
    when = date_words(frame[column].iloc[i])
    return f"last visit on the night of {when}" if when else "never visited"


def _status_words(frame: pd.DataFrame, i: int) -> str:
    """ "Cleared since the night of 17 Nov 2026"; "" without a status."""
    if "status" not in frame.columns:
        return ""
    status = STATUS_WORDS.get(str(frame["status"].iloc[i]), str(frame["status"].iloc[i]))
    since = date_words(frame["status_since"].iloc[i]) if "status_since" in frame.columns else ""
    return f"{status} since the night of {since}" if since else status


def _site_style(feature: dict) -> dict:
    colour = feature["properties"]["colour"]
    return {"fillColor": colour, "color": "#ffffff", "weight": 2, "fillOpacity": 0.95}


def _needs_lines(frame: pd.DataFrame, i: int) -> list[str]:
    """Escaped lines of the languages and needs at row ``i`` (where the frame has them)."""
    lines = []
    if "languages" in frame.columns:
        spoken = frame["languages"].iloc[i]
        if isinstance(spoken, str) and spoken.strip():
            lines.append(html.escape(f"Languages needed: {spoken.strip()}"))
    if "flags" in frame.columns:
        needs = needs_words(frame["flags"].iloc[i])
        if needs:
            lines.append(html.escape(f"Needs seen: {needs}"))
    return lines


def _marker(lon: float, lat: float, label: str, tip: str) -> dict[str, object]:
    return {
        "lon": round(float(lon), COORD_DECIMALS),
        "lat": round(float(lat), COORD_DECIMALS),
        "label": html.escape(label),
        "tip": tip,
    }


def _geojson(
    frame: gpd.GeoDataFrame,
    tooltip: list[str],
    *,
    style: object,
    extra: Sequence[str] = (),
) -> folium.GeoJson:
    """Polygons of ``frame`` in EPSG:4326, rounded, with only ``tooltip`` and ``extra`` sent."""
    if frame.crs is None:
        raise ValueError("the frame has no CRS; pass the frame geo.questions returns")
    shapes = frame.geometry.to_crs(DISPLAY_CRS).to_numpy()
    rounded = shapely.transform(shapes, lambda xy: np.round(xy, COORD_DECIMALS))
    data = {"tooltip": tooltip, **{name: frame[name].to_numpy(object) for name in extra}}
    features = gpd.GeoDataFrame(data, geometry=rounded, crs=DISPLAY_CRS)
    features.index = pd.RangeIndex(len(features)).map(str)
    return folium.GeoJson(
        features.__geo_interface__,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        control=False,
    )


def _hot_style(feature: dict) -> dict:
    return {"fillColor": HOT_COLOUR, "color": HOT_COLOUR, "weight": 0.5, "fillOpacity": 0.45}


def _ward_style(feature: dict) -> dict:
    return {"fillColor": "#ffffff", "color": "#8c8c8c", "weight": 1, "fillOpacity": 0.55}


def _agency_style(feature: dict) -> dict:
    colour = feature["properties"]["fill"]
    return {"fillColor": colour, "color": colour, "weight": 1.5, "fillOpacity": 0.12}
