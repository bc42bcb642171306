"""Drawing base map features as 256-pixel PNG tiles, zoom by zoom, with matplotlib's Agg.

Each zoom is drawn as a few large images aligned to the tile grid, :data:`BLOCK` tiles a side
at most (64 MB of pixels), each cut into tiles; a tile with nothing on it is left out (the map's
own pale background shows there). Only the features that reach a block are drawn in it.
Before drawing, shapes are simplified to half a pixel of the zoom, so low zooms stay quick.

Names are placed once per zoom, over the whole zoom, so a name that crosses a block's edge is
drawn the same in both blocks and no two names overlap: places first, then water, stations,
roads, parks, each kind by its :attr:`~geo.io.basemap.style.Look.label_rank`; a road's name
runs along the road where it is long and straight enough to hold it, repeated every
:data:`LABEL_SPACING` pixels. Names are DejaVu Sans (bundled with matplotlib), grey with a
white halo.

The same features give the same bytes: drawing and PNG encoding are deterministic.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import geopandas as gpd
import numpy as np
import shapely

from geo.io.basemap.grid import HALF_WORLD, TILE_SIZE, Box, tile_range, tile_width
from geo.io.basemap.style import (
    HALO,
    HALO_COLOUR,
    LOOKS,
    RAILWAY_DASH_ZOOM,
    Look,
    place_size,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Tiles a side of one drawing.
BLOCK: Final = 16
#: Matplotlib dots per inch: a tile is one inch, so sizes in pixels are ``pixels * PT`` points.
DPI: Final = TILE_SIZE
PT: Final = 72 / DPI
#: A road's name is repeated along it every this many pixels.
LABEL_SPACING: Final = 480
#: The font of every name.
FONT: Final = "DejaVu Sans"
#: How far beyond a block a shape can reach into it, in pixels: the widest line's half width.
_MARGIN_PX: Final = 40
#: How far beyond a block a name can reach into it, turned, in pixels: the longest name's width.
_LABEL_REACH_PX: Final = 320
#: Colours of a tile's palette.
PALETTE: Final = 128
#: Average width of a character, in ems, for placing names before they are drawn.
_CHAR_EM: Final = 0.62


@dataclass(frozen=True)
class _Label:
    """A name placed at a zoom: where (Web Mercator), at what angle, how it looks."""

    x: float
    y: float
    text: str
    angle: float
    size: float
    colour: str
    italic: bool
    align: Literal["center", "left"]
    box: Box  # the Web Mercator box the name covers, halo included


@dataclass(frozen=True)
class _Kind:
    """One kind of feature, ready to draw at one zoom."""

    look: Look
    geometry: np.ndarray
    names: np.ndarray
    sizes: np.ndarray
    tree: shapely.STRtree


def tile_count(box: Box, *, min_zoom: int, max_zoom: int) -> int:
    """How many grid tiles cover ``box`` (Web Mercator) from ``min_zoom`` to ``max_zoom``."""
    total = 0
    for zoom in range(min_zoom, max_zoom + 1):
        x0, y0, x1, y1 = tile_range(box, zoom)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def render_tiles(
    features: gpd.GeoDataFrame, *, box: Box, min_zoom: int, max_zoom: int
) -> Iterator[tuple[int, int, int, bytes]]:
    """Draw ``features`` (kind, name, size, geometry in Web Mercator) within ``box`` as tiles.

    Yields ``(z, x, y, png)`` with XYZ rows, zoom by zoom, for every tile of the grid over
    ``box`` that has something on it.
    """
    solid: dict[bytes, bytes] = {}  # tiles of one colour all over (open sea): encoded once
    for zoom in range(min_zoom, max_zoom + 1):
        kinds = _prepare(features, zoom)
        labels = _place_labels(kinds, zoom)
        x0, y0, x1, y1 = tile_range(box, zoom)
        for by in range(y0, y1 + 1, BLOCK):
            for bx in range(x0, x1 + 1, BLOCK):
                block = _Block(zoom, bx, by, min(BLOCK, x1 - bx + 1), min(BLOCK, y1 - by + 1))
                for row, column, pixels, colour in _block_tiles(kinds, labels, block):
                    if colour is None:
                        png = _png(pixels)
                    elif colour in solid:
                        png = solid[colour]
                    else:
                        png = solid[colour] = _png(_filled(colour))
                    yield zoom, bx + column, by + row, png


@dataclass(frozen=True)
class _Block:
    """``columns`` x ``rows`` tiles from XYZ tile ``(x, y)`` at ``zoom``, drawn as one image."""

    zoom: int
    x: int
    y: int
    columns: int
    rows: int

    @property
    def pixel(self) -> float:
        """Web Mercator metres a pixel."""
        return tile_width(self.zoom) / TILE_SIZE

    def box(self, margin_px: float = 0.0) -> Box:
        """The block's Web Mercator box, ``margin_px`` pixels wider on every side."""
        width = tile_width(self.zoom)
        margin = margin_px * self.pixel
        left = -HALF_WORLD + self.x * width
        top = HALF_WORLD - self.y * width
        return (
            left - margin,
            top - self.rows * width - margin,
            left + self.columns * width + margin,
            top + margin,
        )


def _block_tiles(
    kinds: list[_Kind], labels: list[_Label], block: _Block
) -> Iterator[tuple[int, int, np.ndarray, bytes | None]]:
    """The tiles of a block with something on them: ``(row, column, pixels, colour)``;
    ``colour`` is the RGBA bytes of a tile of one colour all over (then ``pixels`` may be
    empty), else None."""
    filled = _one_colour(kinds, labels, block)
    if filled is not None:  # open sea, a big wood: nothing to draw
        for row in range(block.rows):
            for column in range(block.columns):
                yield row, column, _NO_PIXELS, filled
        return
    image = _draw_block(kinds, labels, block)
    shape = (block.rows, TILE_SIZE, block.columns, TILE_SIZE)
    packed = image.view(np.uint32).reshape(shape)
    alpha = image[..., 3].reshape(shape).max(axis=(1, 3))
    lowest = packed.min(axis=(1, 3))
    uniform = lowest == packed.max(axis=(1, 3))
    for row, column in zip(*np.nonzero(alpha), strict=True):
        top, left = row * TILE_SIZE, column * TILE_SIZE
        pixels = image[top : top + TILE_SIZE, left : left + TILE_SIZE]
        colour = lowest[row, column].tobytes() if uniform[row, column] else None
        yield int(row), int(column), pixels, colour


_NO_PIXELS: Final = np.zeros((0, 0, 4), dtype=np.uint8)


def _filled(colour: bytes) -> np.ndarray:
    """A tile of one RGBA colour."""
    return np.broadcast_to(np.frombuffer(colour, dtype=np.uint8), (TILE_SIZE, TILE_SIZE, 4))


# --- Preparing a zoom -------------------------------------------------------------------------


def _prepare(features: gpd.GeoDataFrame, zoom: int) -> list[_Kind]:
    pixel = tile_width(zoom) / TILE_SIZE
    kinds = []
    for look in LOOKS:
        if zoom < look.min_zoom:
            continue
        chosen = features[features["kind"].to_numpy() == look.kind]
        if chosen.empty:
            continue
        geometry = chosen.geometry.to_numpy()
        if look.shape == "area":
            geometry = shapely.simplify(geometry, pixel / 2, preserve_topology=True)
            keep = shapely.area(geometry) >= (pixel * pixel) / 2  # under half a pixel: unseen
        elif look.shape == "line":
            geometry = shapely.simplify(geometry, pixel / 2, preserve_topology=False)
            keep = ~shapely.is_empty(geometry)
        else:
            keep = np.ones(len(geometry), dtype=bool)
        geometry = geometry[keep]
        if len(geometry) == 0:
            continue
        kinds.append(
            _Kind(
                look=look,
                geometry=geometry,
                names=chosen["name"].to_numpy(dtype=object)[keep],
                sizes=chosen["size"].to_numpy(dtype=object)[keep],
                tree=shapely.STRtree(geometry),
            )
        )
    return kinds


# --- Names ------------------------------------------------------------------------------------


def _place_labels(kinds: list[_Kind], zoom: int) -> list[_Label]:
    """Every name drawn at ``zoom``, none overlapping another, most important first."""
    pixel = tile_width(zoom) / TILE_SIZE
    candidates: list[tuple[int, float, int, _Label]] = []
    for kind in kinds:
        look = kind.look
        if look.label_zoom is None or zoom < look.label_zoom:
            continue
        if look.shape == "point":
            found = _point_labels(kind, zoom, pixel)
        elif look.shape == "line":
            found = _line_labels(kind, pixel)
        else:
            found = _area_labels(kind, pixel)
        candidates += [(look.label_rank, -label.size, len(candidates) + i, label)
                       for i, label in enumerate(found)]  # fmt: skip
    candidates.sort(key=lambda c: c[:3])
    placed: list[_Label] = []
    shapes: dict[tuple[int, int], list[shapely.Polygon]] = defaultdict(list)
    cell = TILE_SIZE * pixel
    for *_, label in candidates:
        outline = _outline(label)
        min_x, min_y, max_x, max_y = outline.bounds
        cells = [
            (cx, cy)
            for cx in range(math.floor(min_x / cell), math.floor(max_x / cell) + 1)
            for cy in range(math.floor(min_y / cell), math.floor(max_y / cell) + 1)
        ]
        if any(outline.intersects(other) for c in cells for other in shapes[c]):
            continue
        for c in cells:
            shapes[c].append(outline)
        placed.append(label)
    return placed


def _text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height of ``text`` in pixels, halo included (an estimate before drawing)."""
    return _CHAR_EM * size * len(text) + 2 * HALO, 1.25 * size + 2 * HALO


def _label(
    x: float,
    y: float,
    text: str,
    look: Look,
    pixel: float,
    *,
    size: float | None = None,
    angle: float = 0.0,
    align: Literal["center", "left"] = "center",
) -> _Label:
    size = look.label_size if size is None else size
    width, height = _text_size(text, size)
    left = 0.0 if align == "left" else width / 2
    return _Label(
        x=x,
        y=y,
        text=text,
        angle=angle,
        size=size,
        colour=look.label_colour,
        italic=look.italic,
        align=align,
        box=(x - left * pixel, y - height / 2 * pixel, x + (width - left) * pixel,
             y + height / 2 * pixel),
    )  # fmt: skip


def _outline(label: _Label) -> shapely.Polygon:
    """The space a name takes, turned with it."""
    outline = shapely.box(*label.box)
    if label.angle:
        from shapely import affinity

        outline = affinity.rotate(outline, label.angle, origin=(label.x, label.y))
    return outline


def _point_labels(kind: _Kind, zoom: int, pixel: float) -> list[_Label]:
    look = kind.look
    labels = []
    marker = look.width(zoom) if look.kind == "station" else 0.0
    xy = shapely.get_coordinates(shapely.point_on_surface(kind.geometry))
    for (x, y), name, size_word in zip(xy, kind.names, kind.sizes, strict=True):
        if not name:
            continue
        if look.kind == "station":
            labels.append(_label(x + (marker / 2 + 3) * pixel, y, name, look, pixel, align="left"))
            continue
        size, first_zoom = place_size(size_word or None)
        if zoom >= first_zoom:
            labels.append(_label(x, y, name, look, pixel, size=size))
    return labels


def _area_labels(kind: _Kind, pixel: float) -> list[_Label]:
    look = kind.look
    labels = []
    named = np.flatnonzero(kind.names.astype(bool))
    for i in named:
        shape = kind.geometry[i]
        width, height = _text_size(kind.names[i], look.label_size)
        if shapely.area(shape) < 3 * width * height * pixel * pixel:
            continue
        point = shapely.point_on_surface(shape)
        labels.append(_label(point.x, point.y, kind.names[i], look, pixel))
    return labels


def _line_labels(kind: _Kind, pixel: float) -> list[_Label]:
    """Names along lines: one run per line of a name, every :data:`LABEL_SPACING` pixels."""
    look = kind.look
    labels = []
    named = kind.names.astype(bool)
    for name in sorted(set(kind.names[named])):
        lines = shapely.line_merge(shapely.union_all(kind.geometry[kind.names == name]))
        width, _ = _text_size(name, look.label_size)
        need = width * pixel
        for part in shapely.get_parts(lines):
            length = part.length
            if length < 1.3 * need:
                continue
            runs = max(1, int(length / (LABEL_SPACING * pixel)))
            for k in range(runs):
                at = length * (k + 0.5) / runs
                start = part.interpolate(max(at - need / 2, 0.0))
                end = part.interpolate(min(at + need / 2, length))
                if start.distance(end) < 0.92 * need:  # too curved here to hold the name
                    continue
                angle = math.degrees(math.atan2(end.y - start.y, end.x - start.x))
                if angle > 90:
                    angle -= 180
                elif angle <= -90:
                    angle += 180
                middle = part.interpolate(at)
                labels.append(_label(middle.x, middle.y, name, look, pixel, angle=angle))
    return labels


# --- Drawing a block --------------------------------------------------------------------------


def _one_colour(kinds: list[_Kind], labels: list[_Label], block: _Block) -> bytes | None:
    """The RGBA bytes of a block that lies wholly inside one area and nothing else, else None."""
    reach = shapely.box(*block.box(_MARGIN_PX))
    hits = [(kind, kind.tree.query(reach)) for kind in kinds]
    hits = [(kind, found) for kind, found in hits if len(found)]
    if len(hits) != 1 or len(hits[0][1]) != 1 or hits[0][0].look.shape != "area":
        return None
    kind, found = hits[0]
    if not shapely.contains(kind.geometry[found[0]], reach):
        return None
    near = block.box(_LABEL_REACH_PX)  # a turned name reaches further than its box
    if any(_overlaps(label.box, near) for label in labels):
        return None
    colour = kind.look.colour.lstrip("#")
    return bytes((int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), 255))


def _draw_block(kinds: list[_Kind], labels: list[_Label], block: _Block) -> np.ndarray:
    """The RGBA pixels of a block: every shape and name that reaches it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    zoom = block.zoom
    left, bottom, right, top = block.box()
    figure = Figure(figsize=(block.columns, block.rows), dpi=DPI)
    figure.patch.set_alpha(0.0)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.patch.set_visible(False)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    cut = block.box(_MARGIN_PX)
    reach = shapely.box(*cut)
    shown = [(kind, kind.geometry[kind.tree.query(reach)]) for kind in kinds]
    for kind, geometry in shown:
        if kind.look.shape == "area" and len(geometry):
            _draw_areas(ax, kind.look, shapely.clip_by_rect(geometry, *cut))
    lines = [(k, shapely.clip_by_rect(g, *cut)) for k, g in shown if k.look.shape == "line"]
    for kind, geometry in lines:
        if kind.look.casing and len(geometry):
            _draw_lines(
                ax, geometry, kind.look.casing, kind.look.width(zoom) + kind.look.casing_extra
            )
    for kind, geometry in lines:
        if len(geometry):
            _draw_lines(ax, geometry, kind.look.colour, kind.look.width(zoom), kind.look.dashes)
            if kind.look.kind == "railway" and zoom >= RAILWAY_DASH_ZOOM:
                _draw_lines(ax, geometry, "#ffffff", kind.look.width(zoom) * 0.45, (4.0, 4.0))
    for kind, geometry in shown:
        if kind.look.shape == "point" and kind.look.kind == "station" and len(geometry):
            _draw_markers(ax, geometry, kind.look, zoom)
    near = block.box(_LABEL_REACH_PX)
    for label in labels:
        if _overlaps(label.box, near):
            _draw_label(ax, label)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _draw_areas(ax: Axes, look: Look, geometry: np.ndarray) -> None:
    from matplotlib.patches import PathPatch

    path = _area_path(geometry)
    if path is None:
        return
    ax.add_artist(  # not add_patch: that walks every curve to widen the axes' limits
        PathPatch(
            path,
            facecolor=look.colour,
            edgecolor=look.edge or "none",
            linewidth=0.7 * PT if look.edge else 0.0,
        )
    )


def _draw_lines(
    ax: Axes,
    geometry: np.ndarray,
    colour: str,
    width: float,
    dashes: tuple[float, float] | None = None,
) -> None:
    from matplotlib.patches import PathPatch

    path = _line_path(geometry)
    if path is None:
        return
    patch = PathPatch(
        path,
        facecolor="none",
        edgecolor=colour,
        linewidth=width * PT,
        capstyle="butt" if dashes else "round",
        joinstyle="round",
    )
    if dashes:
        patch.set_linestyle((0, (dashes[0] / width, dashes[1] / width)))
    ax.add_artist(patch)


def _draw_markers(ax: Axes, geometry: np.ndarray, look: Look, zoom: int) -> None:
    xy = shapely.get_coordinates(shapely.point_on_surface(geometry))
    size = look.width(zoom) * PT
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size * size,
        marker="s",
        c=look.colour,
        edgecolors="#ffffff",
        linewidths=1.2 * PT,
        zorder=3,
    )


def _draw_label(ax: Axes, label: _Label) -> None:
    from matplotlib import patheffects

    ax.text(
        label.x,
        label.y,
        label.text,
        rotation=label.angle,
        rotation_mode="anchor",
        ha=label.align,
        va="center",
        fontsize=label.size * PT,
        fontfamily=FONT,
        fontstyle="italic" if label.italic else "normal",
        color=label.colour,
        zorder=4,
        parse_math=False,
        path_effects=[patheffects.withStroke(linewidth=2 * HALO * PT, foreground=HALO_COLOUR)],
    )


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _area_path(geometry: np.ndarray):  # -> matplotlib.path.Path | None
    """Polygons as one path: exteriors anticlockwise, holes clockwise, so holes stay open."""
    from matplotlib.path import Path

    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == int(shapely.GeometryType.POLYGON)]
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return None
    rings = shapely.get_rings(shapely.orient_polygons(parts, exterior_cw=False))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(xy), Path.LINETO, dtype=np.uint8)
    starts = np.flatnonzero(np.diff(ring, prepend=-1))
    codes[starts] = Path.MOVETO
    codes[np.append(starts[1:] - 1, len(xy) - 1)] = Path.CLOSEPOLY
    return Path(xy, codes)


def _line_path(geometry: np.ndarray):  # -> matplotlib.path.Path | None
    """Lines (and the lines of collections) as one path of separate strokes."""
    from matplotlib.path import Path

    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == int(shapely.GeometryType.LINESTRING)]
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0:
        return None
    xy, line = shapely.get_coordinates(parts, return_index=True)
    codes = np.full(len(xy), Path.LINETO, dtype=np.uint8)
    codes[np.flatnonzero(np.diff(line, prepend=-1))] = Path.MOVETO
    return Path(xy, codes)


def _png(pixels: np.ndarray) -> bytes:
    """A tile as a PNG of :data:`PALETTE` colours (a third of the bytes of full colour, and
    quicker to write; the quiet colours of a base map lose nothing visible)."""
    from PIL import Image

    out = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    image.quantize(PALETTE, method=Image.Quantize.FASTOCTREE).save(out, "PNG", compress_level=6)
    return out.getvalue()
