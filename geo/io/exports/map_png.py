"""A ward map as a PNG with no tiles, for a report or a slide: shaded, named, marked.

Drawn with matplotlib (Agg, no screen, no network) from the ward outlines and the figures a
role may see, shaded as on screen (:mod:`~geo.io.exports.shades`: YlGnBu classes of the
non-zero counts, zero its own lightest class, ``"<5"`` and ``"*"`` their own fills and legend
rows "fewer than 5" and "hidden", never drawn as 0). Each ward carries its name and its value
as shown, in black or white, whichever reads better on its fill. The title names the measure
and the period, the marking is printed above and below the map, and the boundaries are
credited ("Boundaries: ONS / OS, OGL"). Wards are drawn in British National Grid, so they
keep their shape.
"""

from __future__ import annotations

import io
import textwrap
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.io.exports.shades import Shades, figures_of_one_period, figures_title, shade
from geo.io.exports.stamp import MARKING
from geo.schema import WORKING_CRS

__all__ = ["ATTRIBUTION", "ward_map_png"]

#: The credit every printed map of ward boundaries carries (Open Government Licence).
ATTRIBUTION: Final = "Boundaries: ONS / OS, OGL"
#: Legend words of the counts a ward map usually shows.
MEASURES: Final[dict[str, str]] = {
    "people": "People counted",
    "sightings": "Sightings",
    "distinct_people": "Different people seen",
    "contacts": "Contacts",
}
_EDGE: Final = "#4d4d4d"
_DARK_TEXT: Final = "#1a1a1a"
_LIGHT_TEXT: Final = "#ffffff"
#: Fills darker than this (relative luminance, 0 black to 1 white) get white names.
_DARK_FILL: Final = 0.30
_LABEL_CHARS: Final = 16


def ward_map_png(
    wards: gpd.GeoDataFrame,
    figures: pd.DataFrame,
    *,
    value_column: str = "people",
    period: str | None = None,
    title: str | None = None,
    marking: str = MARKING,
    width_px: int = 1600,
    height_px: int = 1200,
    dpi: int = 200,
    n_classes: int = 4,
) -> bytes:
    """The ward map as the bytes of a ``width_px`` by ``height_px`` PNG.

    Parameters
    ----------
    wards
        Ward outlines with ``area_code`` (and ``area_name``), any CRS that is set: every
        ward is drawn, those without a figure as "no figure".
    figures
        The figures as the role sees them (``area_summary(...).areas``): ``area_code``, the
        ``value_column`` (whole numbers, ``"<5"`` or ``"*"``) and optionally ``area_name``,
        ``period``, ``period_end`` and ``nights``. Several periods are allowed; one is drawn.
    period
        A value of the ``period`` column; by default the latest.
    title
        By default the measure and the period: "People counted, week to 22 Nov 2026".
    marking
        Printed above and below the map.
    """
    if not isinstance(wards, gpd.GeoDataFrame) or "area_code" not in wards.columns:
        raise ValueError(
            "wards must be a GeoDataFrame with an area_code column, as "
            "store.areas(layer='ward') returns"
        )
    if wards.crs is None:
        raise ValueError(
            "the ward outlines have no CRS: set it with .set_crs(...) (EPSG:4326 for "
            "longitude/latitude, EPSG:27700 for British National Grid)"
        )
    if width_px < 200 or height_px < 150 or dpi < 50:
        raise ValueError(
            f"width_px={width_px}, height_px={height_px}, dpi={dpi}: a readable map needs at "
            "least 200 by 150 pixels at 50 dpi"
        )
    rows = figures_of_one_period(figures, value_column=value_column, period=period)
    drawn = _joined(wards, rows, value_column=value_column)
    shades = shade(drawn[value_column], n_classes=n_classes)
    measure = MEASURES.get(value_column, value_column.replace("_", " ").capitalize())
    heading = title if title is not None else figures_title(measure, rows)
    return _draw(
        drawn,
        shades,
        title=heading,
        legend_title=measure,
        marking=marking,
        size=(width_px, height_px),
        dpi=dpi,
    )


# --------------------------------------------------------------------------- checks and frames


def _joined(wards: gpd.GeoDataFrame, rows: pd.DataFrame, *, value_column: str) -> gpd.GeoDataFrame:
    """Every ward's outline (British National Grid), name and value; input left unchanged."""
    shapes = wards.loc[:, [c for c in ("area_code", "area_name") if c in wards.columns]]
    columns = ["area_code", value_column] + (
        ["area_name"] if "area_name" in rows.columns and "area_name" not in shapes.columns else []
    )
    table = shapes.merge(pd.DataFrame(rows.loc[:, columns]), on="area_code", how="left")
    names = table["area_name"] if "area_name" in table.columns else table["area_code"]
    names = names.where(names.notna(), table["area_code"]).astype(str)
    outlines = wards.geometry.to_crs(WORKING_CRS).to_numpy()
    empty = shapely.is_missing(outlines) | shapely.is_empty(outlines)
    if empty.any():
        raise ValueError(
            f"{int(empty.sum())} ward(s) have no outline (first: "
            f"{table['area_code'][empty].iloc[0]!r}); re-import the ward boundary file"
        )
    return gpd.GeoDataFrame(
        {"name": names.to_numpy(object), value_column: table[value_column].to_numpy(object)},
        geometry=outlines,
        crs=WORKING_CRS,
    )


# --------------------------------------------------------------------------- drawing


def _draw(
    wards: gpd.GeoDataFrame,
    shades: Shades,
    *,
    title: str,
    legend_title: str,
    marking: str,
    size: tuple[int, int],
    dpi: int,
) -> bytes:
    # The object API (no pyplot): no global figure state, safe in a threaded app server.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch

    width, height = size
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    # text sizes are set for an 8 by 6 inch map, and scaled with the map's size in inches
    scale = float(np.clip(min(width / dpi / 8, height / dpi / 6), 0.5, 2.0))
    for x, y, text, align, size, weight in (
        (0.5, 0.975, marking, ("center", "top"), 9, "bold"),
        (0.5, 0.025, marking, ("center", "bottom"), 9, "bold"),
        (0.03, 0.925, title, ("left", "top"), 13, "bold"),
        (0.97, 0.025, ATTRIBUTION, ("right", "bottom"), 7, "normal"),
    ):
        figure.text(
            x,
            y,
            text,
            ha=align[0],
            va=align[1],
            fontsize=size * scale,
            weight=weight,
            parse_math=False,  # a "$" in a title is a dollar, not mathematics
        )
    axes = figure.add_axes((0.03, 0.08, 0.68, 0.80))
    axes.set_axis_off()
    axes.set_aspect("equal")

    for geometry, kind, fill in zip(wards.geometry, shades.kinds, shades.fills, strict=True):
        hidden = kind == "hidden"
        axes.add_patch(
            PathPatch(
                _path(geometry),
                facecolor=fill,
                edgecolor=_EDGE,
                linewidth=0.6 * scale,
                linestyle="--" if kind in ("small", "hidden") else "-",
                hatch="///" if hidden else None,
            )
        )
    west, south, east, north = wards.total_bounds
    pad = 0.02 * max(east - west, north - south, 1.0)
    axes.set_xlim(west - pad, east + pad)
    axes.set_ylim(south - pad, north + pad)
    _label(axes, wards, shades, scale=scale)

    handles = [
        Patch(
            facecolor=colour,
            edgecolor=_EDGE,
            linestyle="--" if kind in ("small", "hidden") else "-",
            hatch="///" if kind == "hidden" else None,
            label=label,
        )
        for kind, colour, label in shades.legend
    ]
    if handles:
        figure.legend(
            handles=handles,
            title=legend_title,
            loc="upper left",
            bbox_to_anchor=(0.73, 0.86),
            frameon=False,
            fontsize=8 * scale,
            title_fontsize=9 * scale,
            alignment="left",
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _label(axes: object, wards: gpd.GeoDataFrame, shades: Shades, *, scale: float) -> None:
    """Each ward's name and value at a point inside it, in the colour that reads on its fill."""
    from matplotlib import patheffects

    anchors = shapely.get_coordinates(shapely.point_on_surface(wards.geometry.to_numpy()))
    for (x, y), name, shown, fill, kind in zip(
        anchors, wards["name"], shades.shown, shades.fills, shades.kinds, strict=True
    ):
        dark = _luminance(fill) < _DARK_FILL
        # the halo is the fill itself (it keeps text clear of outlines), white over hatching
        colour, halo = (_LIGHT_TEXT if dark else _DARK_TEXT), fill
        if kind == "hidden":
            colour, halo = _DARK_TEXT, "#ffffff"
        text = "\n".join(textwrap.wrap(name, _LABEL_CHARS) or [name]) + f"\n{shown}"
        axes.text(  # type: ignore[attr-defined]
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=6.5 * scale,
            color=colour,
            linespacing=1.1,
            parse_math=False,
            path_effects=[patheffects.withStroke(linewidth=1.8 * scale, foreground=halo)],
        )


def _path(geometry: shapely.Geometry) -> object:
    """A polygon or multipolygon as one matplotlib path, holes kept (rings wound opposite)."""
    from matplotlib.path import Path

    oriented = shapely.orient_polygons(geometry)
    rings = []
    for polygon in shapely.get_parts(oriented):
        rings.append(np.asarray(polygon.exterior.coords))
        rings += [np.asarray(ring.coords) for ring in polygon.interiors]
    return Path.make_compound_path(*(Path(ring, closed=True) for ring in rings))


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a ``#rrggbb`` colour: 0 black, 1 white."""
    channels = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))
