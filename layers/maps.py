"""Folium map builders: areas shaded by a value, points, heat, a layer control. No Streamlit.

Every builder takes frames in, adds one layer to a map and returns that layer; none changes
its input frames. All maps load their scripts from ``static/vendor/`` (:func:`base_map` points
folium there through :mod:`layers.offline_assets`) and draw no internet tiles: a plain light
background under the boundaries, or the base map tiles a page passes in (:class:`BaseTiles`:
the store's own, served by the app, or a council's own tile server; see :mod:`ui.basemap`).

Text from records (names, notes, place descriptions...) can contain ``<script>`` or
``<img onerror=...>``. Leaflet puts tooltip and popup content in the page as HTML, and folium's
``GeoJsonTooltip``/``GeoJsonPopup`` do not escape it, so every value is passed through
:func:`html.escape` here before it reaches the browser. Only the properties a layer shows are
sent: whatever goes into a map is readable by anyone who can open the page.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import FastMarkerCluster, HeatMap
from jinja2 import Template

from geo.io.basemap import BaseTiles
from geo.io.exports import shades
from geo.schema import DISPLAY_CRS
from layers import offline_assets

#: Attribution shown in the map corner for ONS/OS boundaries.
BOUNDARY_ATTRIBUTION: Final = "Boundaries: ONS / OS, OGL"
#: Background under the boundaries, and under base map tiles where they have nothing drawn.
BACKGROUND: Final = "#f4f3ef"
#: The base map's name in the layer control (where it can be switched off).
BASE_TILES_LABEL: Final = "Base map"
#: Leaflet needs a maximum zoom when the map has no tile layer (MarkerCluster relies on it).
MAX_ZOOM: Final = 19
#: Sequential scale, light to dark, interpolated for as many classes as needed.
SCALE_STOPS: Final[tuple[str, ...]] = ("#fff4e0", "#f59e42", "#b3261e", "#5c0a14")
#: Fill of areas whose value is missing or not a number (such as a suppressed "<5").
NO_DATA_COLOUR: Final = "#d9d9d9"
NO_DATA_LABEL: Final = "No data or not shown"
#: Decimal places of longitude/latitude sent to the browser: 5 is about 1 m, ample for display,
#: and halves the size of boundary layers compared with full float precision.
COORD_DECIMALS: Final = 5
#: Fill of areas when no value column is given.
AREA_COLOUR: Final = "#9ecae1"
#: Default point colour.
POINT_COLOUR: Final = "#1f5fa8"

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_AREA_TOOLTIP_DEFAULT: Final = ("area_name", "area_code")


# --- Colour scale and legend ------------------------------------------------------------------


@dataclass(frozen=True)
class ColourScale:
    """Classes of a numeric value: upper bounds, fill colours and legend labels.

    Class ``i`` holds values in ``(upper[i - 1], upper[i]]``; the first class starts at the
    smallest value.
    """

    upper: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]

    def colours_for(self, values: pd.Series) -> pd.Series:
        """Fill colour of each value; :data:`NO_DATA_COLOUR` where it is not a number."""
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        known = np.isfinite(numbers) if self.colours else np.zeros(len(numbers), dtype=bool)
        classes = np.searchsorted(np.asarray(self.upper), numbers[known], side="left")
        classes = np.minimum(classes, len(self.colours) - 1)
        out = np.full(len(numbers), NO_DATA_COLOUR, dtype=object)
        out[known] = np.asarray(self.colours, dtype=object)[classes]
        return pd.Series(out, index=values.index, dtype=object)


def count_scale(values: pd.Series, *, n_classes: int = 4) -> ColourScale:
    """Classes of whole counts as the ward maps draw them (:func:`shades.count_classes`).

    0 is its own lightest class, "none seen"; the rest are quantiles of the non-zero counts, so
    a skewed borough does not put most wards in the lowest class; ColorBrewer YlGnBu, which
    colour-blind readers can tell apart.
    """
    classes = shades.count_classes(values, n_classes=min(n_classes, shades.MAX_CLASSES))
    numbers = pd.to_numeric(values, errors="coerce")
    zero = bool((numbers == 0).any())
    return ColourScale(
        upper=((0.0,) if zero else ()) + tuple(float(u) for u in classes.upper),
        colours=((shades.ZERO_COLOUR,) if zero else ()) + tuple(classes.colours),
        labels=((shades.NONE_LABEL,) if zero else ()) + tuple(classes.labels),
    )


def colour_scale(values: pd.Series, *, n_classes: int = 5) -> ColourScale:
    """Equal-interval classes over the numeric values of ``values``.

    Non-numeric entries (``None``, ``"<5"``) are ignored here and drawn as no data. Whole-number
    data get whole-number classes (``"0–3"``, ``"4–7"``); there are never more classes than
    distinct values.
    """
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return ColourScale(upper=(), colours=(), labels=())
    low, high = float(numbers.min()), float(numbers.max())
    k = min(n_classes, np.unique(numbers).size)
    integral = bool(np.all(numbers == np.round(numbers)))
    edges = np.linspace(low, high, k + 1)[1:]
    if integral:
        upper = np.unique(np.floor(edges))
        upper[-1] = high
        lowers = np.concatenate([[low], upper[:-1] + 1])
        labels = tuple(
            _format_number(a) if a == b else f"{_format_number(a)}–{_format_number(b)}"
            for a, b in zip(lowers, upper, strict=True)
        )
    else:
        upper = edges
        lowers = np.concatenate([[low], upper[:-1]])
        labels = tuple(
            f"{_format_number(a)}–{_format_number(b)}" for a, b in zip(lowers, upper, strict=True)
        )
    return ColourScale(
        upper=tuple(float(u) for u in upper),
        colours=_scale_colours(len(upper)),
        labels=labels,
    )


def legend_html(scale: ColourScale, *, title: str, show_no_data: bool = True) -> str:
    """The legend of ``scale`` as a self-contained HTML fragment (inline styles, escaped text).

    :func:`add_areas` puts it in a corner of the map; a page can also show it beside the map.
    """
    rows = [
        Swatch(colour, label) for colour, label in zip(scale.colours, scale.labels, strict=True)
    ]
    if show_no_data:
        rows.append(Swatch(NO_DATA_COLOUR, NO_DATA_LABEL))
    return legend_box(title, rows)


@dataclass(frozen=True)
class Swatch:
    """One row of a legend: a fill (any CSS ``background`` value), its words, its outline."""

    background: str
    label: str
    dashed: bool = False


def legend_box(title: str, rows: Sequence[Swatch]) -> str:
    """A legend as a self-contained HTML fragment: ``title`` over one swatch per row, escaped.

    Inline styles only, so the fragment looks the same in a map corner, beside the map, and in
    a layer that streamlit-folium adds without the page's header.
    """
    swatch = (
        "display:inline-block;width:14px;height:14px;margin-right:6px;"
        "vertical-align:-2px;border:1px {border} #777;background:{background}"
    )
    lines = [
        '<div><span style="{}"></span>{}</div>'.format(
            html.escape(
                swatch.format(border="dashed" if row.dashed else "solid", background=row.background)
            ),
            html.escape(row.label),
        )
        for row in rows
    ]
    return (
        '<div class="atlas-legend" style="background:rgba(255,255,255,0.92);padding:6px 9px;'
        "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3);color:#222;"
        'font:12px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif">'
        f'<div style="font-weight:600;margin-bottom:3px">{html.escape(title)}</div>'
        + "".join(lines)
        + "</div>"
    )


def _scale_colours(n: int) -> tuple[str, ...]:
    stops = np.array([_hex_to_rgb(c) for c in SCALE_STOPS], dtype=float)
    positions = np.linspace(0.0, 1.0, len(stops))
    at = np.array([0.5]) if n == 1 else np.linspace(0.0, 1.0, n)
    rgb = np.column_stack([np.interp(at, positions, stops[:, i]) for i in range(3)])
    return tuple("#{:02x}{:02x}{:02x}".format(*row) for row in np.rint(rgb).astype(int))


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _format_number(value: float) -> str:
    if value == math.floor(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


# --- Map and layers ---------------------------------------------------------------------------


class _MapLook(folium.MacroElement):
    """Background colour and attribution of a map without tiles."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: {{ this.background }}; }
        .leaflet-control-attribution { font-size: 10px; line-height: 1.3; }
        @media (max-width: 480px) {  /* a phone: the key must not hide the map */
            .atlas-legend { font-size: 10px !important; padding: 3px 5px !important; }
        }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution(
            {{ this.attribution|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, *, background: str, attribution: str) -> None:
        super().__init__()
        self._name = "MapLook"
        self.background = background
        self.attribution = html.escape(attribution)


class _Legend(folium.MacroElement):
    """A Leaflet control in a map corner holding a legend's HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "atlas-legend-control");
            div.innerHTML = {{ this.legend|tojson }};
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.legend = legend
        self.position = position


class LayerLegend(folium.MacroElement):
    """A legend shown while its layer is on the map: add it to the layer's FeatureGroup.

    Unlike a legend added to the map, it comes and goes with the layer, including a layer that
    streamlit-folium adds or removes through ``feature_group_to_add`` without redrawing the map.
    ``legend`` is HTML (see :func:`legend_box`); escape any text in it first.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer) {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend-control");
                div.innerHTML = {{ this.legend|tojson }};
                return div;
            };
            layer.on("add", function () { legend.addTo(layer._map); });
            layer.on("remove", function () { legend.remove(); });
            if (layer._map) { legend.addTo(layer._map); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "LayerLegend"
        self.legend = legend
        self.position = position


def base_map(
    bounds: tuple[float, float, float, float],
    *,
    tiles: BaseTiles | None = None,
    attribution: str = BOUNDARY_ATTRIBUTION,
    background: str = BACKGROUND,
) -> folium.Map:
    """A map fitted to ``bounds`` = (min lon, min lat, max lon, max lat), over ``tiles``.

    ``bounds`` is in EPSG:4326, as ``GeoDataFrame.to_crs("EPSG:4326").total_bounds`` gives.
    ``tiles`` (from :func:`ui.basemap.base_tiles`) go under every other layer, as an overlay
    named :data:`BASE_TILES_LABEL` that the layer control can switch off; with None the map
    has no tiles. ``attribution`` is shown as plain text in the corner, beside the tiles' own.
    Points folium at the vendored scripts first (:func:`layers.offline_assets.patch`,
    idempotent), so no map made here links a CDN.
    """
    offline_assets.patch()
    min_lon, min_lat, max_lon, max_lat = _check_bounds(bounds)
    _check_colour(background, "background")
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=12,
        tiles=None,
        maxZoom=MAX_ZOOM,
        zoomSnap=0.5,  # half zoom steps: a borough fits a phone's width without half of it empty
        control_scale=True,
    )
    if tiles is not None:
        _tile_layer(tiles).add_to(m)
    _MapLook(background=background, attribution=attribution).add_to(m)
    pad = 0.002  # degrees, so a single point or a tiny area does not zoom to street level
    m.fit_bounds([[min_lat - pad, min_lon - pad], [max_lat + pad, max_lon + pad]])
    return m


def add_areas(
    m: folium.Map,
    areas: gpd.GeoDataFrame,
    *,
    value_column: str | None = None,
    label: str = "Wards",
    tooltip_fields: Sequence[str] = _AREA_TOOLTIP_DEFAULT,
    legend_title: str | None = None,
    n_classes: int = 5,
    classes: Literal["equal", "counts"] = "equal",
    show: bool = True,
) -> folium.FeatureGroup:
    """Draw area polygons, shaded by ``value_column`` when given, with a legend in the map.

    ``classes="counts"`` shades whole counts as the ward maps do (:func:`count_scale`);
    ``"equal"`` uses equal intervals (:func:`colour_scale`), for measures that are not counts.

    Tooltips show ``tooltip_fields`` (those present in ``areas``) and the value, escaped.
    Values that are not numbers (``None``, a suppressed ``"<5"``) are drawn grey and shown as
    they are in the tooltip. Only geometry, tooltip text and fill colour are sent to the browser;
    each feature's id is the frame's index (area codes, where the frame is indexed by them).
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError(f"areas must be a GeoDataFrame, got {type(areas).__name__}")
    if areas.crs is None:
        raise ValueError(
            "areas has no CRS: set it with areas.set_crs(...) (EPSG:27700 for British National "
            "Grid, EPSG:4326 for longitude/latitude)"
        )
    if value_column is not None and value_column not in areas.columns:
        raise ValueError(
            f"value_column {value_column!r} is not a column of areas; "
            f"columns are {sorted(map(str, areas.columns))}"
        )
    missing = areas.geometry.isna() | areas.geometry.is_empty
    if missing.any():
        raise ValueError(
            f"{int(missing.sum())} area(s) have no geometry (first index: "
            f"{areas.index[missing][0]!r}); drop or repair them before drawing"
        )

    shown_fields = [f for f in tooltip_fields if f in areas.columns and f != value_column]
    tooltip = _tooltip_html(areas, shown_fields, value_column, legend_title)
    if value_column is None:
        scale = None
        fill = pd.Series(AREA_COLOUR, index=areas.index, dtype=object)
    else:
        make = count_scale if classes == "counts" else colour_scale
        scale = make(areas[value_column], n_classes=n_classes)
        fill = scale.colours_for(areas[value_column])

    features = gpd.GeoDataFrame(
        {"tooltip": tooltip.to_numpy(), "fill": fill.to_numpy()},
        geometry=_rounded(areas.geometry.to_crs(DISPLAY_CRS).to_numpy()),
        crs=DISPLAY_CRS,
        index=_feature_ids(areas.index),
    )
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    folium.GeoJson(
        features.__geo_interface__,
        name=html.escape(label),
        style_function=_area_style,
        highlight_function=_area_highlight,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        control=False,
    ).add_to(group)
    group.add_to(m)
    if scale is not None:
        has_no_data = bool((fill == NO_DATA_COLOUR).any())
        title = legend_title or value_column or ""
        _Legend(legend_html(scale, title=title, show_no_data=has_no_data)).add_to(m)
    return group


def add_points(
    m: folium.Map | folium.FeatureGroup | None,
    points: pd.DataFrame,
    *,
    label: str,
    popup_columns: Sequence[str] = (),
    cluster: bool = True,
    colour: str = POINT_COLOUR,
    radius: int = 7,
    show: bool = True,
) -> folium.FeatureGroup:
    """Draw points from the ``lon`` and ``lat`` columns (EPSG:4326) as circle markers.

    Clicking a point opens a popup of ``popup_columns`` (``column: value`` lines, escaped).
    With ``cluster`` the markers are grouped by Leaflet.markercluster, built in the browser
    from one array, so thousands of points stay quick. With ``m=None`` the layer is returned
    without being added anywhere (for streamlit-folium's ``feature_group_to_add``).
    """
    _check_points(points)
    missing = [c for c in popup_columns if c not in points.columns]
    if missing:
        raise ValueError(
            f"popup_columns {missing} are not columns of points; "
            f"columns are {sorted(map(str, points.columns))}"
        )
    _check_colour(colour, "colour")
    lon = np.round(points["lon"].to_numpy(dtype=float), COORD_DECIMALS)
    lat = np.round(points["lat"].to_numpy(dtype=float), COORD_DECIMALS)
    popups = _popup_html(points, list(popup_columns))
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    if cluster:
        data = pd.DataFrame({"lat": lat, "lon": lon, "popup": popups.to_numpy()})
        FastMarkerCluster(
            data.to_numpy().tolist(),
            callback=_cluster_callback(colour=colour, radius=radius),
            control=False,
        ).add_to(group)
    else:
        features = gpd.GeoDataFrame(
            {"popup": popups.to_numpy()},
            geometry=gpd.points_from_xy(lon, lat),
            crs=DISPLAY_CRS,
        )
        folium.GeoJson(
            features.__geo_interface__,
            marker=folium.CircleMarker(
                radius=radius,
                color="#ffffff",
                weight=1.5,
                fill=True,
                fill_color=colour,
                fill_opacity=0.9,
            ),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False) if popup_columns else None,
            control=False,
        ).add_to(group)
    if m is not None:
        group.add_to(m)
    return group


def add_heat(
    m: folium.Map | folium.FeatureGroup | None,
    points: pd.DataFrame,
    *,
    weight_column: str | None = None,
    label: str = "Heat",
    radius: int = 18,
    show: bool = True,
) -> folium.FeatureGroup:
    """Add a heat layer from the ``lon``/``lat`` columns, optionally weighted (weights >= 0).

    The heat is drawn inside a FeatureGroup named ``label``, which is returned (and added to
    ``m`` unless ``m`` is None), like every other layer here.
    """
    _check_points(points)
    columns = [
        np.round(points["lat"].to_numpy(dtype=float), COORD_DECIMALS),
        np.round(points["lon"].to_numpy(dtype=float), COORD_DECIMALS),
    ]
    if weight_column is not None:
        if weight_column not in points.columns:
            raise ValueError(f"weight_column {weight_column!r} is not a column of points")
        weights = pd.to_numeric(points[weight_column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(weights) | (weights < 0)
        if bad.any():
            raise ValueError(
                f"weight_column {weight_column!r} has {int(bad.sum())} value(s) that are not "
                f"numbers >= 0 (first: {points[weight_column].to_numpy()[bad][0]!r}); "
                "fill or drop them first"
            )
        columns.append(weights)
    group = folium.FeatureGroup(name=html.escape(label), show=show)
    HeatMap(
        np.column_stack(columns).tolist(),
        name=html.escape(label),
        radius=radius,
        min_opacity=0.3,
        max_zoom=MAX_ZOOM,
        control=False,
    ).add_to(group)
    if m is not None:
        group.add_to(m)
    return group


def add_layer_control(m: folium.Map, *, collapsed: bool = False) -> folium.LayerControl:
    """Add the layer switcher; call it after every layer is added."""
    control = folium.LayerControl(collapsed=collapsed)
    control.add_to(m)
    return control


# --- Helpers ----------------------------------------------------------------------------------


def _tile_layer(tiles: BaseTiles) -> folium.TileLayer:
    """The base map's tiles: asked for only inside their bounds and zooms, so the browser never
    asks for a tile that is not there; deeper zooms than the tiles have scale up the deepest.
    The tiles lie in Leaflet's tile pane, under the wards and their names."""
    if not isinstance(tiles, BaseTiles):
        raise TypeError(
            f"tiles must be a BaseTiles (see ui.basemap.base_tiles), got {type(tiles).__name__}"
        )
    options: dict[str, object] = {}
    if tiles.bounds is not None:
        west, south, east, north = tiles.bounds
        options["bounds"] = [[south, west], [north, east]]
    return folium.TileLayer(
        tiles=tiles.url,
        attr=html.escape(tiles.attribution),
        name=BASE_TILES_LABEL,
        overlay=True,
        control=True,
        min_zoom=tiles.min_zoom,
        max_zoom=MAX_ZOOM,
        max_native_zoom=min(tiles.max_zoom, MAX_ZOOM),
        **options,
    )


def _check_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    try:
        min_lon, min_lat, max_lon, max_lat = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(
            f"bounds must be four numbers (min lon, min lat, max lon, max lat), got {bounds!r}"
        ) from None
    values = (min_lon, min_lat, max_lon, max_lat)
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"bounds must be finite numbers, got {values!r}")
    if not (
        -180 <= min_lon <= 180
        and -180 <= max_lon <= 180
        and -90 <= min_lat <= 90
        and -90 <= max_lat <= 90
    ):
        raise ValueError(
            f"bounds {values!r} are not longitude/latitude; they look projected (British "
            "National Grid?): reproject with .to_crs('EPSG:4326') before taking total_bounds"
        )
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(
            f"bounds {values!r} must be ordered (min lon, min lat, max lon, max lat), as "
            "GeoDataFrame.total_bounds gives"
        )
    return values


def _check_colour(colour: str, name: str) -> None:
    if not isinstance(colour, str) or not _HEX_COLOUR.match(colour):
        raise ValueError(f"{name} must be a hex colour such as '#1f5fa8', got {colour!r}")


def _check_points(points: pd.DataFrame) -> None:
    if not isinstance(points, pd.DataFrame):
        raise TypeError(f"points must be a DataFrame, got {type(points).__name__}")
    absent = [c for c in ("lon", "lat") if c not in points.columns]
    if absent:
        raise ValueError(
            f"points has no {' or '.join(absent)} column; columns are "
            f"{sorted(map(str, points.columns))}. Geocode the rows first (EPSG:4326 lon/lat)"
        )
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if bad.any():
        first = points.index[bad][0]
        raise ValueError(
            f"{int(bad.sum())} point(s) have no valid lon/lat (first: index {first!r}, "
            f"lon={points.at[first, 'lon']!r}, lat={points.at[first, 'lat']!r}); drop rows "
            "without a location, or convert easting/northing to EPSG:4326, before mapping"
        )


def _escaped_text(values: pd.Series) -> pd.Series:
    """Each value as escaped display text; missing values become an empty string."""
    text = values.astype(object).where(values.notna(), "")
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    if numeric:
        text = text.map(lambda v: v if v == "" else _format_number(float(v)))
    return text.map(lambda v: html.escape(str(v)))


def _tooltip_html(
    areas: pd.DataFrame,
    fields: list[str],
    value_column: str | None,
    value_label: str | None,
) -> pd.Series:
    parts: list[pd.Series] = []
    for i, field in enumerate(fields):
        text = _escaped_text(areas[field])
        parts.append("<b>" + text + "</b>" if i == 0 else text)
    if value_column is not None:
        title = html.escape(value_label or value_column)
        parts.append(title + ": <b>" + _escaped_text(areas[value_column]) + "</b>")
    if not parts:
        return pd.Series("", index=areas.index, dtype=object)
    out = parts[0]
    for part in parts[1:]:
        out = out + "<br>" + part
    return out


def _popup_html(points: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("", index=points.index, dtype=object)
    lines = [
        "<b>" + html.escape(str(column)) + ":</b> " + _escaped_text(points[column])
        for column in columns
    ]
    out = lines[0]
    for line in lines[1:]:
        out = out + "<br>" + line
    return '<div style="max-width:300px;overflow-wrap:anywhere">' + out + "</div>"


def _rounded(geometries: np.ndarray) -> np.ndarray:
    """The same geometries with coordinates rounded to :data:`COORD_DECIMALS` (display only)."""
    return shapely.transform(geometries, lambda xy: np.round(xy, COORD_DECIMALS))


def _feature_ids(index: pd.Index) -> pd.Index:
    if index.is_unique:
        return pd.Index(index.map(str))
    return pd.RangeIndex(len(index)).map(str)


def _area_style(feature: dict) -> dict:
    return {
        "fillColor": feature["properties"]["fill"],
        "color": "#4d4d4d",
        "weight": 1,
        "fillOpacity": 0.65,  # the base map shows through
    }


def _area_highlight(feature: dict) -> dict:
    return {"weight": 3, "color": "#111111", "fillOpacity": 0.85}


def _cluster_callback(*, colour: str, radius: int) -> str:
    # A JavaScript function expression (folium writes "var callback = <this>;"). Rows are
    # [lat, lon, popup html]; the popup html is escaped already; colour is a checked hex code.
    return f"""function (row) {{
        var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {{
            radius: {int(radius)}, color: "#ffffff", weight: 1.5,
            fillColor: "{colour}", fillOpacity: 0.9
        }});
        if (row[2]) {{ marker.bindPopup(row[2], {{maxWidth: 320}}); }}
        return marker;
    }}"""
