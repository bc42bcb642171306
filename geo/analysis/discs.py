"""The area of a union of equal circles, worked out exactly and without drawing them.

An agency's covered area is the union of a circle of the walking distance round each of its
visits. Drawing every circle as a polygon and merging them (``shapely.union_all``) is what a
map needs, but a table that only says "2.4 km²" does not: :func:`union_area` gives that number
from the circles themselves, by Green's theorem, and it is the true circles' area, where the
drawn 32-gons come out 0.6 % under.

How: the union's boundary is made of arcs of the circles, each the part of a circle no other
circle covers. For every pair of circles less than two radii apart, the arc of one that the
other covers is found (centred on the direction to the other circle, ``acos(d / 2r)`` to each
side); each circle's covered arcs are merged; what is left is on the boundary, and the area
is half the integral of ``x dy - y dx`` along those arcs, which for an arc from angle ``a`` to
``b`` of the circle centred on (cx, cy) is
``r cx (sin b - sin a) - r cy (cos b - cos a) + r^2 (b - a)``. Holes come out right: a hole's
edge is walked the other way round, so its area is taken off. Everything is done for all
circles at once with numpy; the pairs come from a KD-tree.

When circles crowd (hundreds overlapping each one) the pairs outnumber what merging the
polygons costs, so past :data:`CROWDED` pairs per circle the drawn union is measured instead
(32-gons drawn a touch wider than the circles, so each has a circle's area).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo.analysis.nearby import as_numbers, as_points
from geo.errors import AnalysisError

__all__ = ["CROWDED", "union_area"]

#: Overlapping pairs per circle past which the polygons are merged instead: measured on 2,000
#: to 8,000 random circles, the arcs take half the polygons' time at 47 pairs a circle, as long
#: at about 100 and 1.6 times as long at 115.
CROWDED: Final = 80
_TWO_PI: Final = 2 * np.pi
_QUAD_SEGS: Final = 8


def union_area(xy: np.ndarray, radius: float) -> float:
    """The area of the union of circles of ``radius`` centred on the rows of ``xy``, in the
    square units of the coordinates (metres: square metres).

    Examples
    --------
    Two circles of radius 1, one apart, overlap in a lens of ``2 acos(1/2) - sqrt(3)/2``:

    >>> round(union_area(np.array([[0.0, 0.0], [1.0, 0.0]]), 1.0), 6)
    5.054816
    >>> round(float(2 * np.pi - (2 * np.arccos(0.5) - np.sqrt(3) / 2)), 6)
    5.054816

    Twelve circles in a ring leave a hole in the middle, which is not counted:

    >>> union_area(np.array([[0.0, 0.0], [5.0, 0.0]]), 1.0) == 2 * np.pi  # apart
    True
    >>> angle = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    >>> round(union_area(3 * np.column_stack([np.cos(angle), np.sin(angle)]), 1.0), 3)
    33.08
    """
    if isinstance(radius, bool) or not isinstance(radius, int | float) or not radius > 0:
        raise AnalysisError(f"radius must be a distance above 0; got {radius!r}")
    points = np.asarray(xy, dtype=float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) == 0:
        return 0.0
    points = as_points(np.unique(as_numbers(points)))  # each point once, sorted as rows
    centred = points - points.mean(axis=0)  # small numbers: no precision lost in the sums
    r = float(radius)
    pairs = cKDTree(centred).query_pairs(2 * r, output_type="ndarray")
    if len(pairs) > CROWDED * len(points):
        # 32-gons a touch wider than the circles, so that each has the circle's area: the
        # union then comes within 0.001 % of the circles' (checked against 1,024-gons)
        sides = 4 * _QUAD_SEGS
        wider = r * np.sqrt(np.pi / (sides / 2 * np.sin(_TWO_PI / sides)))
        circles = shapely.buffer(shapely.points(centred), wider, quad_segs=_QUAD_SEGS)
        return float(shapely.union_all(circles).area)
    return _boundary_area(centred, pairs, r)


def _boundary_area(centres: np.ndarray, pairs: np.ndarray, r: float) -> float:
    """Green's theorem over the arcs no other circle covers (see the module docstring)."""
    towards = centres[pairs[:, 1]] - centres[pairs[:, 0]]
    apart = np.hypot(towards[:, 0], towards[:, 1])
    overlap = apart < 2 * r  # touching circles cover no arc of each other
    if not overlap.all():
        pairs, towards, apart = pairs[overlap], towards[overlap], apart[overlap]
    if len(pairs) == 0:  # no circle overlaps another
        return float(len(centres) * np.pi * r * r)
    # the arc of circle ``one`` the other circle covers, as [start, end) in [0, 2π): each pair
    # covers an arc of either circle, as wide, the second facing the opposite way
    half = np.arccos(apart / (2 * r))
    facing = np.arctan2(towards[:, 1], towards[:, 0])
    one = np.concatenate([pairs[:, 0], pairs[:, 1]])
    overlapped = np.zeros(len(centres), dtype=bool)
    overlapped[one] = True
    half = np.concatenate([half, half])
    facing = np.mod(np.concatenate([facing, facing + np.pi]), _TWO_PI)
    # a circle with another within 0.99 r in each sixth of the turn has no free arc: each
    # covers over 60 degrees to either side of its direction, so every sixth is covered with
    # room to spare. Its arcs are left out (most of a crowded agency's circles are such)
    close = np.concatenate([apart, apart]) <= 0.99 * r
    sixth = np.minimum(facing[close] // (_TWO_PI / 6), 5).astype(np.int64)
    filled = np.zeros(len(centres) * 6, dtype=bool)
    filled[one[close] * 6 + sixth] = True
    mine = ~filled.reshape(-1, 6).all(axis=1)[one]
    one, half, facing = one[mine], half[mine], facing[mine]
    start = np.mod(facing - half, _TWO_PI)
    end = start + 2 * half
    wraps = end > _TWO_PI  # split an arc through angle 0 into two
    owner = np.concatenate([one, one[wraps]])
    start = np.concatenate([start, np.zeros(int(wraps.sum()))])
    end = np.concatenate([np.minimum(end, _TWO_PI), end[wraps] - _TWO_PI])
    # merge each circle's covered arcs: shift each circle's angles clear of the others' (by
    # more than 2π), so one sort puts them in order of circle, then angle
    start, end = start + owner * 10.0, end + owner * 10.0
    order = np.argsort(start)
    start, end, owner = start[order], end[order], owner[order]
    reach = np.maximum.accumulate(end)
    begins = np.flatnonzero(np.r_[True, start[1:] > reach[:-1]])
    finishes = np.r_[begins[1:] - 1, len(start) - 1]
    circle = owner[begins]
    covered_from = start[begins] - circle * 10.0
    covered_to = reach[finishes] - circle * 10.0
    # the free arcs: between one covered arc and the next of the same circle, and from a
    # circle's last covered arc round to its first
    same = np.flatnonzero(circle[1:] == circle[:-1])
    first = np.r_[True, circle[1:] != circle[:-1]]
    last = np.r_[circle[1:] != circle[:-1], True]
    a = np.concatenate([covered_to[same], covered_to[last]])
    b = np.concatenate([covered_from[same + 1], covered_from[first] + _TWO_PI])
    free = np.concatenate([circle[same], circle[last]])
    cx, cy = centres[free, 0], centres[free, 1]
    arcs = r * cx * (np.sin(b) - np.sin(a)) - r * cy * (np.cos(b) - np.cos(a)) + r * r * (b - a)
    alone = len(centres) - int(overlapped.sum())  # circles no other overlaps: whole circles
    return float(0.5 * arcs.sum() + alone * np.pi * r * r)
