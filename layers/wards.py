"""The ward map: figures per ward, as a role may see them, shaded with small numbers kept hidden.

Draws one period of the area table that :func:`geo.questions.area_summary` returns (its
``areas`` frame: ``area_code``, ``area_name`` and the counts). A count cell holds a whole
number, the text ``"<5"`` (a count from 1 to 4, hidden because it is small) or ``"*"`` (hidden
so that a small count elsewhere cannot be worked out). The rules:

- A hidden cell is never drawn as 0 or as the lowest class. ``"<5"`` has its own fill (light
  purple, dashed outline), legend row ``"fewer than 5"``; ``"*"`` is hatched grey, ``"hidden"``.
- 0 is its own, lightest class, ``"none seen"``.
- The other counts (1 and up) are shaded on ColorBrewer's YlGnBu, a sequential scale that
  readers with any common colour-vision deficiency can tell apart and that prints in grey.
  Class breaks are quantiles of the non-zero counts shown (see :func:`count_classes`), so a
  borough where most wards are quiet does not put most wards in one class; zeros and hidden
  cells take no part in the breaks.
- Each ward's name is written at a point inside it while the ward is big enough on screen to
  hold it, and the tooltip gives the name and the value as shown ("12 people", "fewer than 5
  people", "hidden").

Only each ward's outline (coordinates rounded as :mod:`layers.maps` does), its code (the
feature id) and its tooltip text go to the browser; every text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from geo.io.exports.shades import (
    HIDDEN_COLOUR,
    HIDDEN_LABEL,
    NO_FIGURE_COLOUR,
    NO_FIGURE_LABEL,
    NONE_LABEL,
    SMALL_COLOUR,
    ZERO_COLOUR,
    CountClasses,
    count_classes,
    figures_of_one_period,
    figures_title,
)
from geo.schema import DISPLAY_CRS
from layers.maps import COORD_DECIMALS, LayerLegend, Swatch, legend_box

#: The fills, classes and words of a ward shaded by a count are geo's (one rule for maps and
#: PNG exports): ColorBrewer YlGnBu, zero its own class, "<5" and "*" their own fills.
HATCH_ID: Final = "atlas-hatch"
HIDDEN_FILL: Final = f"url(#{HATCH_ID}) {HIDDEN_COLOUR}"
HIDDEN_SWATCH: Final = "repeating-linear-gradient(45deg,#8c8c8c 0 2px,#e0e0e0 2px 5px)"
#: A ward's name is written while the ward is at least this many pixels wide and high on screen.
NAME_MIN_WIDTH_PX: Final = 70
NAME_MIN_HEIGHT_PX: Final = 18

#: Legend words and units of the counts a ward map usually shows.
_MEASURES: Final[dict[str, tuple[str, str, str]]] = {
    "people": ("People counted", "person", "people"),
    "sightings": ("Sightings", "sighting", "sightings"),
    "distinct_people": ("Different people seen", "person", "people"),
    "contacts": ("Contacts", "contact", "contacts"),
}
_SMALL = re.compile(r"^<(\d+)$")
_SECONDARY: Final = "*"
_LABEL_STYLE: Final = (
    "position:absolute;transform:translate(-50%,-50%);width:max-content;max-width:120px;"
    "text-align:center;font:600 11px/1.15 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
    "color:#1a1a1a;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none"
)


# --- The layer --------------------------------------------------------------------------------


def add_ward_figures(
    m: folium.Map | folium.FeatureGroup | None,
    figures: pd.DataFrame,
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    value_column: str = "people",
    period: str | None = None,
    title: str | None = None,
    label: str = "Wards: people counted",
    n_classes: int = 4,
    ward_names: bool = True,
    show: bool = True,
) -> folium.FeatureGroup:
    """Shade each ward by one count of ``figures``, with ward names, tooltips and a legend.

    Parameters
    ----------
    m
        The map (or group) to add the layer to; ``None`` returns it unattached, to hand to
        streamlit-folium's ``feature_group_to_add``.
    figures
        ``area_summary(...).areas`` for the role: ``area_code``, ``area_name`` (optional when
        ``boundaries`` has it) and ``value_column``; several periods are allowed (see
        ``period``). A GeoDataFrame with ward outlines needs no ``boundaries``.
    boundaries
        The ward outlines (``store.areas(layer="ward")``), joined on ``area_code``: every ward
        in it is drawn, those without a figure as "no figure".
    period
        A value of the ``period`` column; by default the latest (largest ``period_start``).
    title
        The legend's title; by default the measure and the period, such as
        ``"People counted, week to 22 Nov 2026"``.
    label
        The layer's name in a layer control.
    ward_names
        Write each ward's name inside it while the ward is at least
        :data:`NAME_MIN_WIDTH_PX` by :data:`NAME_MIN_HEIGHT_PX` on screen (so small central
        wards are named as the reader zooms in); the tooltip always names the ward.
    """
    rows = figures_of_one_period(figures, value_column=value_column, period=period)
    wards = _with_outlines(rows, boundaries, value_column=value_column)
    measure, one, many = _MEASURES.get(
        value_column, (value_column.replace("_", " ").capitalize(), "", "")
    )
    values = wards[value_column]
    small_floor = _small_floor(values)
    classes = count_classes(values, n_classes=n_classes, start=small_floor or 1)
    cells = _cells(values, classes, small_floor=small_floor, one=one, many=many)
    names = wards["area_name"].where(wards["area_name"].notna(), wards["area_code"]).astype(str)

    group = folium.FeatureGroup(name=html.escape(label), show=show)
    _HatchPattern().add_to(group)
    outlines = _rounded(wards.geometry.to_crs(DISPLAY_CRS).to_numpy())
    _add_shapes(group, outlines, wards["area_code"], names, cells, label=label)
    if ward_names:
        _add_names(group, outlines, names)
    legend_title = title if title is not None else figures_title(measure, rows)
    LayerLegend(legend_box(legend_title, _legend_rows(cells, classes, small_floor))).add_to(group)
    if m is not None:
        group.add_to(m)
    return group


def _add_shapes(
    group: folium.FeatureGroup,
    outlines: np.ndarray,
    codes: pd.Series,
    names: pd.Series,
    cells: pd.DataFrame,
    *,
    label: str,
) -> None:
    """The ward outlines, filled; each feature is its area code and an escaped tooltip."""
    tooltip = "<b>" + names.map(html.escape) + "</b><br>" + cells["text"].map(html.escape)
    features = gpd.GeoDataFrame(
        {"tooltip": tooltip.to_numpy()},
        geometry=outlines,
        crs=DISPLAY_CRS,
        index=pd.Index(codes.astype(str).to_numpy()),
    )
    styles = dict(zip(features.index, cells["style"], strict=True))
    folium.GeoJson(
        features.__geo_interface__,
        name=html.escape(label),
        style_function=lambda feature: styles[feature["id"]],
        highlight_function=_highlight,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        control=False,
    ).add_to(group)


def _add_names(group: folium.FeatureGroup, outlines: np.ndarray, names: pd.Series) -> None:
    """Each ward's escaped name at a point inside it, with the ward's bounding box."""
    points = shapely.get_coordinates(_rounded(shapely.point_on_surface(outlines)))
    boxes = np.round(shapely.bounds(outlines), COORD_DECIMALS)
    rows = [
        [
            float(lat),
            float(lon),
            f'<div style="{_LABEL_STYLE}">{html.escape(name)}</div>',
            float(south),
            float(west),
            float(north),
            float(east),
        ]
        for (lon, lat), (west, south, east, north), name in zip(points, boxes, names, strict=True)
    ]
    _WardNames(rows, min_width=NAME_MIN_WIDTH_PX, min_height=NAME_MIN_HEIGHT_PX).add_to(group)


# --- Checks and frames ------------------------------------------------------------------------


def _with_outlines(
    rows: pd.DataFrame, boundaries: gpd.GeoDataFrame | None, *, value_column: str
) -> gpd.GeoDataFrame:
    """One row per ward to draw: code, name, value and outline, in the order of the outlines."""
    if boundaries is None:
        if not isinstance(rows, gpd.GeoDataFrame):
            raise ValueError(
                "figures have no ward outlines: pass boundaries=store.areas(layer='ward')"
            )
        wards = rows
    else:
        if not isinstance(boundaries, gpd.GeoDataFrame) or "area_code" not in boundaries:
            raise ValueError(
                "boundaries must be a GeoDataFrame with an area_code column, as "
                "store.areas(layer='ward') returns"
            )
        columns = ["area_code", value_column]
        if "area_name" in rows.columns:
            columns.append("area_name")
        shapes = boundaries.loc[:, ["area_code", "geometry"]]
        if "area_name" not in rows.columns and "area_name" in boundaries.columns:
            shapes = boundaries.loc[:, ["area_code", "area_name", "geometry"]]
        wards = shapes.merge(pd.DataFrame(rows.loc[:, columns]), on="area_code", how="left")
    if wards.crs is None:
        raise ValueError(
            "the ward outlines have no CRS: set it with .set_crs(...) (EPSG:4326 for "
            "longitude/latitude, EPSG:27700 for British National Grid)"
        )
    empty = wards.geometry.isna() | wards.geometry.is_empty
    if empty.any():
        raise ValueError(
            f"{int(empty.sum())} ward(s) have no outline (first: "
            f"{wards['area_code'][empty].iloc[0]!r}); re-import the ward boundary file"
        )
    if "area_name" not in wards.columns:
        wards = wards.assign(area_name=wards["area_code"])
    return wards.reset_index(drop=True)


def _small_floor(values: pd.Series) -> int | None:
    """``N`` of the ``"<N"`` cells, if there are any (all from one threshold)."""
    floors = {int(match[1]) for v in values if isinstance(v, str) and (match := _SMALL.match(v))}
    if len(floors) > 1:
        raise ValueError(f"small counts are hidden at several thresholds: {sorted(floors)}")
    return floors.pop() if floors else None


def _cells(
    values: pd.Series, classes: CountClasses, *, small_floor: int | None, one: str, many: str
) -> pd.DataFrame:
    """Per ward: its kind of cell, its tooltip text and its style."""
    text = values.astype(object)
    is_small = text.map(lambda v: isinstance(v, str) and bool(_SMALL.match(v))).to_numpy(bool)
    is_hidden = text.map(lambda v: isinstance(v, str) and v == _SECONDARY).to_numpy(bool)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(bool)
    missing = values.isna().to_numpy(bool) & ~is_text
    numbers = pd.to_numeric(text.where(~is_text), errors="coerce").to_numpy(dtype=float)
    bad = ~(is_small | is_hidden | missing) & ~(
        np.isfinite(numbers) & (numbers >= 0) & (numbers == np.floor(numbers))
    )
    if bad.any():
        raise ValueError(
            f"value {text[bad].iloc[0]!r} is not a count: a ward map shows whole numbers >= 0, "
            f"'<N' (a small number hidden) or '*' (hidden), as area_summary gives them"
        )
    counted = ~(is_small | is_hidden | missing)
    kind = np.full(len(values), "missing", dtype=object)
    kind[is_small], kind[is_hidden] = "small", "hidden"
    kind[counted & (numbers == 0)] = "zero"
    positive = counted & (numbers > 0)
    klass = np.full(len(values), -1)
    klass[positive] = classes.classify(numbers[positive].astype(np.int64))
    kind[positive] = "count"

    unit = f" {many}" if many else ""
    words = np.full(len(values), NO_FIGURE_LABEL, dtype=object)
    words[is_small] = f"fewer than {small_floor}{unit}"
    words[is_hidden] = HIDDEN_LABEL
    words[kind == "zero"] = NONE_LABEL
    words[positive] = [
        f"{int(n):,}" + (f" {one if n == 1 else many}" if many else "") for n in numbers[positive]
    ]
    styles = np.empty(len(values), dtype=object)
    for i, (k, c) in enumerate(zip(kind, klass, strict=True)):
        styles[i] = _style(k, classes.colours[c] if k == "count" else None)
    return pd.DataFrame({"kind": kind, "klass": klass, "text": words, "style": styles})


def _style(kind: str, colour: str | None) -> dict[str, object]:
    fill = {
        "count": colour,
        "zero": ZERO_COLOUR,
        "small": SMALL_COLOUR,
        "hidden": HIDDEN_FILL,
        "missing": NO_FIGURE_COLOUR,
    }[kind]
    style: dict[str, object] = {
        "fillColor": fill,
        "color": "#4d4d4d",
        "weight": 1,
        "fillOpacity": 0.9 if kind == "hidden" else 0.65,  # the base map shows through
    }
    if kind in ("small", "hidden"):
        style["dashArray"] = "4 3"
    return style


def _highlight(feature: dict) -> dict[str, object]:
    return {"weight": 3, "color": "#111111", "fillOpacity": 0.9}


def _legend_rows(
    cells: pd.DataFrame, classes: CountClasses, small_floor: int | None
) -> list[Swatch]:
    """The legend, lightest first; a row for zeros and hidden cells only when there are some."""
    kinds = set(cells["kind"])
    rows = [Swatch(ZERO_COLOUR, NONE_LABEL)] if "zero" in kinds else []
    rows += [Swatch(c, label) for c, label in zip(classes.colours, classes.labels, strict=True)]
    if "small" in kinds:
        rows.append(Swatch(SMALL_COLOUR, f"fewer than {small_floor}", dashed=True))
    if "hidden" in kinds:
        rows.append(Swatch(HIDDEN_SWATCH, HIDDEN_LABEL, dashed=True))
    if "missing" in kinds:
        rows.append(Swatch(NO_FIGURE_COLOUR, NO_FIGURE_LABEL))
    return rows


def _rounded(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, COORD_DECIMALS))


# --- Browser pieces ---------------------------------------------------------------------------


class _HatchPattern(folium.MacroElement):
    """Puts the SVG hatch that hidden wards are filled with into the page, once."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (!document.getElementById({{ this.pattern_id|tojson }})) {
            var holder = document.createElement("div");
            holder.innerHTML = {{ this.svg|tojson }};
            document.body.appendChild(holder.firstChild);
        }
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HatchPattern"
        self.pattern_id = HATCH_ID
        self.svg = (
            '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
            f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0e0e0"></rect>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2.5"></line>'
            "</pattern></defs></svg>"
        )


class _WardNames(folium.MacroElement):
    """Ward names at a point inside each ward, each written while its ward is big enough.

    ``rows`` are ``[lat, lon, html, south, west, north, east]`` with the html escaped already.
    A name shows while its ward's bounding box is at least ``min_width`` by ``min_height``
    pixels, so zooming in names the small central wards and zooming out does not pile names
    on each other. The names take no clicks or hovers: the ward under them keeps its tooltip.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer, rows, minWidth, minHeight) {
            var shown = L.layerGroup();
            var names = rows.map(function (row) {
                return {
                    marker: L.marker([row[0], row[1]], {
                        icon: L.divIcon({
                            className: "atlas-ward-name", html: row[2], iconSize: [0, 0]
                        }),
                        interactive: false,
                        keyboard: false
                    }),
                    bounds: L.latLngBounds([row[3], row[4]], [row[5], row[6]])
                };
            });
            layer.addLayer(shown);
            var map = null;
            function fit() {
                if (!map) { return; }
                names.forEach(function (name) {
                    var sw = map.latLngToLayerPoint(name.bounds.getSouthWest());
                    var ne = map.latLngToLayerPoint(name.bounds.getNorthEast());
                    if (ne.x - sw.x >= minWidth && sw.y - ne.y >= minHeight) {
                        shown.addLayer(name.marker);
                    } else {
                        shown.removeLayer(name.marker);
                    }
                });
            }
            function attach() { map = layer._map; map.on("zoomend", fit); fit(); }
            function detach() { if (map) { map.off("zoomend", fit); } map = null; }
            layer.on("add", attach);
            layer.on("remove", detach);
            if (layer._map) { attach(); }
        })(
            {{ this._parent.get_name() }},
            {{ this.rows|tojson }},
            {{ this.min_width|tojson }},
            {{ this.min_height|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[object]], *, min_width: int, min_height: int) -> None:
        super().__init__()
        self._name = "WardNames"
        self.rows = rows
        self.min_width = int(min_width)
        self.min_height = int(min_height)
