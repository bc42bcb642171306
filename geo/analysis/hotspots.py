"""Where people sleep out: grid counts, Getis-Ord Gi* hotspots and a heat surface.

Everything here works in British National Grid metres (:data:`~geo.schema.WORKING_CRS`) from
the ``easting``/``northing`` columns of the records, so it takes the frames
``store.records(role=...)`` gives to coordinators and police alike (and GeoDataFrames: the
geometry column is not read). Demand is every record that is not a ``visit``; visits and
contacts say that an agency went somewhere. Records without a position are left out. Inputs are
never changed.

The grid
    Square cells of ``cell_m`` metres whose corners are multiples of ``cell_m`` in BNG, so two
    grids of the same size always line up (and the police view, snapped to 100 m centres,
    falls in the middle of 100 m cells). ``col``/``row`` are ``floor(easting / cell_m)`` and
    ``floor(northing / cell_m)``; ``cell_id`` names the lower-left corner (``E530100N104200``).

Hotspots
    Local Getis-Ord Gi* with binary weights (the cell itself plus its ``queen``, ``rook`` or
    within-``distance_m`` neighbours), the classic statistic of Getis and Ord (1995) and exactly
    ``esda.G_Local(y, w, transform="B", star=True)``; two-sided p-values from the normal
    approximation (no permutations); Benjamini-Hochberg false discovery rate over every cell of
    the grid, zeros included. The window sums are computed on the grid as an image (neighbours
    are index arithmetic), not through a weights object.

Density
    A Gaussian kernel density of the people (or sightings) on a fine grid, for the map's heat
    layer; see :func:`density`.

Persistent sites (places seen night after night) are :mod:`geo.analysis.sites`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from geo.crs import to_lonlat
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, night_number, night_numbers
from geo.schema import WORKING_CRS, is_demand

Neighbours = Literal["queen", "rook"]
Weight = Literal["people", "sightings"]
Extent = tuple[float, float, float, float]

#: Largest grid built (cells); 1,000,000 cells of 100 m cover 100 km by 100 km.
MAX_GRID_CELLS: Final = 1_000_000
#: Kernels with more cells than this are summed by FFT instead of directly.
_FFT_KERNEL_CELLS: Final = 169
#: Columns every function here reads.
_GRID_COLUMNS: Final = ("kind", "night", "easting", "northing", "people")

HOT: Final = "hot"
COLD: Final = "cold"
NOT_SIGNIFICANT: Final = "not significant"

GRID_COLUMNS: Final[tuple[str, ...]] = (
    "col",
    "row",
    "easting",
    "northing",
    "sightings",
    "people",
    "geometry",
)
HOTSPOT_COLUMNS: Final[tuple[str, ...]] = (
    *GRID_COLUMNS[:-1],
    "gi_z",
    "gi_p",
    "gi_q",
    "hotspot",
    "geometry",
)
DENSITY_COLUMNS: Final[tuple[str, ...]] = (
    "col",
    "row",
    "easting",
    "northing",
    "lon",
    "lat",
    "density",
    "heat",
    "geometry",
)


# --------------------------------------------------------------------------- public functions


def grid_counts(
    records: pd.DataFrame,
    *,
    cell_m: float = 100.0,
    start: date | None = None,
    end: date | None = None,
    extent: Extent | None = None,
    max_cells: int = MAX_GRID_CELLS,
) -> gpd.GeoDataFrame:
    """Demand sightings and people counted in every cell of a regular grid, zeros included.

    Parameters
    ----------
    records
        Records as the store gives them (any role that sees records).
    cell_m
        Side of a cell in metres, a whole number (corners are multiples of it).
    start, end
        First and last night counted (inclusive); ``None`` means no limit.
    extent
        ``(min_easting, min_northing, max_easting, max_northing)``, widened to whole cells;
        sightings outside it are not counted. Default: the bounds of the demand sightings,
        widened to whole cells, plus one cell on every side. With no sightings and no extent
        the result is empty.
    max_cells
        Refuse to build a bigger grid (the message says how to make it smaller).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``cell_id``; columns ``col``, ``row`` (cell numbers), ``easting``, ``northing``
        (centre), ``sightings`` (demand records), ``people`` (their ``people`` summed, so one
        person seen on three nights counts three times); square polygons in EPSG:27700. Rows
        go west to east, then south to north.
    """
    cell = _check_cell(cell_m, name="cell_m")
    first, last = _check_period(start, end)
    box = _check_extent(extent)
    check_positive_int(max_cells, name="max_cells")
    demand = _demand(check_records(records, _GRID_COLUMNS), first=first, last=last)
    grid = _grid_for(demand, cell=cell, extent=box, margin=1, max_cells=max_cells)
    if grid is None:
        return _empty(GRID_COLUMNS)
    sightings, people = _bin(demand, grid)
    return _cells_frame(grid, {"sightings": sightings.ravel(), "people": people.ravel()})


def hotspots(
    records: pd.DataFrame,
    *,
    cell_m: float = 100.0,
    start: date | None = None,
    end: date | None = None,
    neighbours: Neighbours | float = "queen",
    alpha: float = 0.05,
    weight: Weight = "people",
    extent: Extent | None = None,
    max_cells: int = MAX_GRID_CELLS,
    only: str | None = None,
) -> gpd.GeoDataFrame:
    """Grid cells with their local Getis-Ord Gi*, significance after FDR, and a class.

    Parameters
    ----------
    records, cell_m, start, end, extent, max_cells
        As for :func:`grid_counts`, whose columns the result keeps.
    neighbours
        Which cells share a cell's window besides itself: ``"queen"`` (the 8 around it),
        ``"rook"`` (the 4 sharing a side) or a distance in metres (cells whose centres are
        at most that far apart; ``cell_m * 1.5`` is the same as ``"queen"``).
    alpha
        False discovery rate: a cell is significant when its Benjamini-Hochberg q-value
        (``gi_q``) is at most ``alpha``.
    weight
        What is summed: ``"people"`` counted or ``"sightings"`` (records).
    only
        A class (e.g. ``"hot"``): only the cells of that class, the same rows as the whole
        grid's of that class, without making every other cell's square (a city's grid holds
        hundreds of thousands).

    Returns
    -------
    geopandas.GeoDataFrame
        The grid with ``gi_z`` (Gi* as a z-score), ``gi_p`` (two-sided p-value, normal
        approximation), ``gi_q`` (BH-adjusted p-value over all cells) and ``hotspot``:
        ``"hot"`` (significant, z > 0), ``"cold"`` (significant, z < 0) or
        ``"not significant"``. A grid whose values are all equal (e.g. all zero) has z 0 and
        p 1 everywhere.

    Notes
    -----
    Gi* compares each cell's window with the whole grid, so the grid's extent is part of the
    question: to compare periods or agencies, pass the same ``extent`` (e.g. the borough's
    bounds) each time. Every cell next to a busy cell shares its window, so a single busy
    cell shows as a 3 by 3 block of hot cells with queen neighbours.
    """
    ask = hotspot_ask(
        cell_m=cell_m, start=start, end=end, neighbours=neighbours, alpha=alpha, weight=weight,
        extent=extent, max_cells=max_cells,
    )  # fmt: skip
    demand = _demand(check_records(records, _GRID_COLUMNS), first=ask.first, last=ask.last)
    grid = _grid_for(demand, cell=ask.cell, extent=ask.box, margin=1, max_cells=max_cells)
    if only is not None and only not in (HOT, COLD, NOT_SIGNIFICANT):
        raise AnalysisError(f"only must be {HOT!r}, {COLD!r} or {NOT_SIGNIFICANT!r}; got {only!r}")
    if grid is None:
        return _empty(HOTSPOT_COLUMNS)
    return finish_hotspots(np.stack(_bin(demand, grid)), grid, ask, only=only)


# -- hotspots() is ask, grid, counts, then finish: a partitioned run finds the grid from every
# partition's bounds, adds the partitions' counts on it, and finishes with the same code


@dataclass(frozen=True)
class HotspotAsk:
    """:func:`hotspots`' options, checked: first and last night numbers, the extent, the
    kernel."""

    cell: float
    first: int | None
    last: int | None
    box: Extent | None
    kernel: np.ndarray
    alpha: float
    weight: Weight
    max_cells: int


def hotspot_ask(
    *,
    cell_m: float = 100.0,
    start: date | None = None,
    end: date | None = None,
    neighbours: Neighbours | float = "queen",
    alpha: float = 0.05,
    weight: Weight = "people",
    extent: Extent | None = None,
    max_cells: int = MAX_GRID_CELLS,
) -> HotspotAsk:
    """Check :func:`hotspots`' options (the same messages)."""
    cell = _check_cell(cell_m, name="cell_m")
    first, last = _check_period(start, end)
    box = _check_extent(extent)
    check_positive_int(max_cells, name="max_cells")
    kernel = _kernel(neighbours, cell=cell)
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise AnalysisError(
            f"alpha must be a false discovery rate between 0 and 1, got {alpha!r}; e.g. 0.05"
        )
    _check_choice(weight, ("people", "sightings"), name="weight")
    return HotspotAsk(cell, first, last, box, kernel, float(alpha), weight, max_cells)


def demand_bounds(records: pd.DataFrame, ask: HotspotAsk) -> np.ndarray:
    """``[min_x, min_y, max_x, max_y]`` of the demand ``ask`` counts (NaN: none)."""
    demand = _demand(check_records(records, _GRID_COLUMNS), first=ask.first, last=ask.last)
    if not demand.x.size:
        return np.full(4, np.nan)
    return np.array([demand.x.min(), demand.y.min(), demand.x.max(), demand.y.max()])


def hotspot_grid(bounds: np.ndarray, ask: HotspotAsk) -> _Grid | None:
    """The grid :func:`hotspots` counts on, from the bounds of all the demand (the least and
    greatest of every partition's :func:`demand_bounds`); None when there is none."""
    known = bool(np.isfinite(bounds).all())
    corners = _Demand(
        x=bounds[[0, 2]] if known else np.empty(0),
        y=bounds[[1, 3]] if known else np.empty(0),
        people=np.zeros(2 if known else 0),
    )
    return _grid_for(corners, cell=ask.cell, extent=ask.box, margin=1, max_cells=ask.max_cells)


def grid_parts(records: pd.DataFrame, ask: HotspotAsk, grid: _Grid) -> np.ndarray:
    """Sightings and people per cell of ``grid`` (``[2, nrows, ncols]``): they add up."""
    demand = _demand(check_records(records, _GRID_COLUMNS), first=ask.first, last=ask.last)
    return np.stack(_bin(demand, grid))


def finish_hotspots(
    counts: np.ndarray, grid: _Grid | None, ask: HotspotAsk, *, only: str | None = None
) -> gpd.GeoDataFrame:
    """Gi*, false discovery rate and a class for every cell, from all the demand's counts
    (only the cells of the class ``only``, if given)."""
    if grid is None:
        return _empty(HOTSPOT_COLUMNS)
    sightings, people = counts[0], counts[1]
    z, p = gi_star(people if ask.weight == "people" else sightings, ask.kernel)
    q = _false_discovery(p)
    significant = q <= ask.alpha
    label = np.full(z.size, NOT_SIGNIFICANT, dtype=object)
    label[significant & (z > 0)] = HOT
    label[significant & (z < 0)] = COLD
    return _cells_frame(
        grid,
        {
            "sightings": sightings.ravel(),
            "people": people.ravel(),
            "gi_z": z,
            "gi_p": p,
            "gi_q": q,
            "hotspot": label,
        },
        keep=None if only is None else np.flatnonzero(label == only),
    )


def density(
    records: pd.DataFrame,
    *,
    cell_m: float = 25.0,
    bandwidth_m: float = 100.0,
    start: date | None = None,
    end: date | None = None,
    weight: Weight = "people",
    min_share: float = 0.001,
    max_cells: int = MAX_GRID_CELLS,
) -> gpd.GeoDataFrame:
    """A kernel density surface of demand for the map's heat layer.

    The people (or sightings) are counted on a grid of ``cell_m`` cells, then smoothed with a
    Gaussian of standard deviation ``bandwidth_m`` (cut at three standard deviations; the grid
    has that much margin, so nothing is lost at its edge).

    Parameters
    ----------
    bandwidth_m
        Standard deviation of the Gaussian, in metres; at least ``cell_m``.
    min_share
        Cells below this share of the peak are left out (they would not show on a heat map).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell shown, index ``cell_id`` as in :func:`grid_counts`: ``col``, ``row``,
        ``easting``, ``northing`` and ``lon``, ``lat`` of the centre; ``density`` (people, or
        sightings, per square kilometre summed over the nights of the period, so the sum of
        ``density * cell area`` over all cells is the total counted); ``heat`` (density over
        the peak, in (0, 1]: the weight for folium's ``HeatMap`` at ``[lat, lon]``); square
        polygons in EPSG:27700. Empty when nothing was counted.
    """
    cell = _check_cell(cell_m, name="cell_m")
    if not (isinstance(bandwidth_m, int | float) and np.isfinite(bandwidth_m)):
        raise AnalysisError(f"bandwidth_m must be metres, got {bandwidth_m!r}; e.g. 100")
    if bandwidth_m < cell:
        raise AnalysisError(
            f"bandwidth_m={bandwidth_m!r} is smaller than cell_m={cell_m!r}; "
            "make the cells smaller or the bandwidth larger"
        )
    if not (isinstance(min_share, int | float) and 0 <= min_share < 1):
        raise AnalysisError(f"min_share must be from 0 to below 1, got {min_share!r}")
    first, last = _check_period(start, end)
    _check_choice(weight, ("people", "sightings"), name="weight")
    check_positive_int(max_cells, name="max_cells")
    demand = _demand(check_records(records, _GRID_COLUMNS), first=first, last=last)
    sigma = bandwidth_m / cell
    margin = int(np.ceil(3 * sigma))
    grid = _grid_for(demand, cell=cell, extent=None, margin=margin, max_cells=max_cells)
    if grid is None:
        return _empty(DENSITY_COLUMNS)
    sightings, people = _bin(demand, grid)
    counted = (people if weight == "people" else sightings).astype(float)
    smooth = ndimage.gaussian_filter(counted, sigma=sigma, mode="constant", cval=0.0, truncate=3.0)
    per_km2 = smooth.ravel() * (1e6 / (cell * cell))
    peak = per_km2.max()
    if peak <= 0:
        return _empty(DENSITY_COLUMNS)
    keep = np.flatnonzero(per_km2 >= peak * max(min_share, 1e-12))
    frame = _cells_frame(grid, {"density": per_km2, "heat": per_km2 / peak}, keep=keep)
    lon, lat = to_lonlat(frame["easting"].to_numpy(), frame["northing"].to_numpy())
    frame.insert(4, "lon", lon)
    frame.insert(5, "lat", lat)
    return frame


def gi_star(values: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local Getis-Ord Gi* z-scores and two-sided p-values of a grid of counts.

    Parameters
    ----------
    values
        2-D array of whole-number counts (rows by columns); cells outside it do not exist.
    kernel
        Odd-sized 2-D 0/1 array centred on the cell, its centre 1: which cells are summed.

    Returns
    -------
    (z, p)
        Flat arrays in ``values.ravel()`` order. Equal to ``esda.G_Local(y, w, star=True,
        transform="B")`` with the same binary weights; where every value is equal, or a
        window covers the whole grid, z is 0 and p is 1.

    Examples
    --------
    A single count in the middle of a 3 by 3 grid, queen windows. A corner's window (4 cells)
    holds it: z = 5 / sqrt(20); an edge's (6 cells): 1 / sqrt(2); the centre's window is the
    whole grid, so there is nothing to compare it with (z 0).

    >>> z, p = gi_star(np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]]), np.ones((3, 3)))
    >>> np.round(z, 3).reshape(3, 3)
    array([[1.118, 0.707, 1.118],
           [0.707, 0.   , 0.707],
           [1.118, 0.707, 1.118]])
    """
    y = np.asarray(values, dtype=float)
    n = y.size
    lag = _window_sum(y, kernel).ravel()
    cardinality = _window_sum(np.ones_like(y), kernel).ravel()
    flat = y.ravel()
    mean = flat.mean() if n else 0.0
    spread = flat.std() if n else 0.0
    z = np.zeros(n)
    if n > 1 and spread > 0:
        scale = spread * np.sqrt(cardinality * (n - cardinality) / (n - 1))
        ok = scale > 0
        z[ok] = (lag[ok] - cardinality[ok] * mean) / scale[ok]
    from scipy import stats  # here, not at the top: it adds 0.3 s to every command's start

    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


def _false_discovery(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (scipy.stats imported only when asked)."""
    if not p.size:
        return p
    from scipy import stats

    return stats.false_discovery_control(p, method="bh")


# --------------------------------------------------------------------------- checks


def check_records(records: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``records`` if it is a DataFrame with ``columns``; else an error naming what is missing."""
    if not isinstance(records, pd.DataFrame):
        raise AnalysisError(
            f"records must be a DataFrame of records (store.records(role=...)), "
            f"got {type(records).__name__}"
        )
    missing = [c for c in columns if c not in records.columns]
    if missing:
        raise AnalysisError(
            f"records lack the column(s) {', '.join(missing)}; pass the frame "
            "store.records(role=...) gives (it has them)"
        )
    return records


def _check_cell(value: float, *, name: str) -> float:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not np.isfinite(value)
        or value < 1
        or value != int(value)
    ):
        raise AnalysisError(
            f"{name} must be a whole number of metres, at least 1, got {value!r}; e.g. {name}=100"
        )
    return float(value)


def check_positive_int(value: int, *, name: str) -> None:
    """Refuse anything but a whole number of at least 1 for the argument ``name``."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise AnalysisError(f"{name} must be a whole number, at least 1, got {value!r}")


def _check_choice(value: str, choices: Sequence[str], *, name: str) -> None:
    if value not in choices:
        raise AnalysisError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def _check_period(start: object, end: object) -> tuple[int | None, int | None]:
    first = night_number(start, name="start")
    last = night_number(end, name="end")
    if first is not None and last is not None and first > last:
        raise AnalysisError(f"start {start} is after end {end}; give the earlier night as start")
    return first, last


def _check_extent(extent: object) -> tuple[float, float, float, float] | None:
    if extent is None:
        return None
    try:
        box = tuple(float(v) for v in extent)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        box = ()
    if len(box) != 4 or not all(np.isfinite(box)) or box[0] >= box[2] or box[1] >= box[3]:
        raise AnalysisError(
            f"extent must be (min_easting, min_northing, max_easting, max_northing) in metres "
            f"with min < max, got {extent!r}"
        )
    return box  # type: ignore[return-value]


def _kernel(neighbours: object, *, cell: float) -> np.ndarray:
    """The 0/1 window of a cell (itself included) for ``neighbours``."""
    if neighbours == "queen":
        return np.ones((3, 3))
    if neighbours == "rook":
        return np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    if isinstance(neighbours, int | float) and not isinstance(neighbours, bool):
        reach = float(neighbours)
        if np.isfinite(reach) and cell <= reach <= 100 * cell:
            k = int(np.floor(reach / cell + 1e-9))
            offsets = np.arange(-k, k + 1)
            dx, dy = np.meshgrid(offsets, offsets)
            return (np.hypot(dx, dy) * cell <= reach * (1 + 1e-9)).astype(float)
    raise AnalysisError(
        f"neighbours must be 'queen', 'rook' or a distance in metres from cell_m ({cell:g}) "
        f"to 100 cells, got {neighbours!r}; e.g. neighbours='queen'"
    )


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class _Grid:
    cell: float
    col0: int
    row0: int
    ncols: int
    nrows: int


@dataclass(frozen=True)
class _Demand:
    x: np.ndarray
    y: np.ndarray
    people: np.ndarray


def _demand(records: pd.DataFrame, *, first: int | None, last: int | None) -> _Demand:
    x = records["easting"].to_numpy(float)
    y = records["northing"].to_numpy(float)
    keep = is_demand(records["kind"]) & np.isfinite(x) & np.isfinite(y)
    if first is not None or last is not None:
        nights = night_numbers(records)
        keep &= nights != NO_NIGHT
        if first is not None:
            keep &= nights >= first
        if last is not None:
            keep &= nights <= last
    return _Demand(x=x[keep], y=y[keep], people=people_of(records)[keep])


def people_of(records: pd.DataFrame) -> np.ndarray:
    """The ``people`` column as floats, missing or unreadable counts as 0."""
    return pd.to_numeric(records["people"], errors="coerce").fillna(0).to_numpy(float)


def _grid_for(
    demand: _Demand,
    *,
    cell: float,
    extent: tuple[float, float, float, float] | None,
    margin: int,
    max_cells: int,
) -> _Grid | None:
    if extent is not None:
        col0 = int(np.floor(extent[0] / cell))
        row0 = int(np.floor(extent[1] / cell))
        ncols = max(int(np.ceil(extent[2] / cell)) - col0, 1)
        nrows = max(int(np.ceil(extent[3] / cell)) - row0, 1)
    elif demand.x.size:
        col0 = int(np.floor(demand.x.min() / cell)) - margin
        row0 = int(np.floor(demand.y.min() / cell)) - margin
        ncols = int(np.floor(demand.x.max() / cell)) + margin - col0 + 1
        nrows = int(np.floor(demand.y.max() / cell)) + margin - row0 + 1
    else:
        return None
    if ncols * nrows > max_cells:
        raise AnalysisError(
            f"a {cell:g} m grid over this area has {ncols * nrows:,} cells, more than "
            f"max_cells={max_cells:,}; use a larger cell size, a smaller extent or fewer records "
            "(e.g. one borough's)"
        )
    return _Grid(cell=cell, col0=col0, row0=row0, ncols=ncols, nrows=nrows)


def _bin(demand: _Demand, grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """Sightings and people per cell, as (nrows, ncols) arrays; points off the grid dropped."""
    col = np.floor(demand.x / grid.cell).astype(np.int64) - grid.col0
    row = np.floor(demand.y / grid.cell).astype(np.int64) - grid.row0
    inside = (col >= 0) & (col < grid.ncols) & (row >= 0) & (row < grid.nrows)
    flat = row[inside] * grid.ncols + col[inside]
    size = grid.ncols * grid.nrows
    sightings = np.bincount(flat, minlength=size).astype(np.int64)
    people = np.rint(np.bincount(flat, weights=demand.people[inside], minlength=size))
    shape = (grid.nrows, grid.ncols)
    return sightings.reshape(shape), people.astype(np.int64).reshape(shape)


def _cells_frame(
    grid: _Grid, columns: dict[str, np.ndarray], *, keep: np.ndarray | None = None
) -> gpd.GeoDataFrame:
    index = np.arange(grid.ncols * grid.nrows) if keep is None else keep
    col = grid.col0 + index % grid.ncols
    row = grid.row0 + index // grid.ncols
    west, south = col * grid.cell, row * grid.cell
    half = grid.cell / 2
    cell_id = (
        "E"
        + pd.Series(west.astype(np.int64)).astype(str)
        + "N"
        + pd.Series(south.astype(np.int64)).astype(str)
    )
    data = {"col": col, "row": row, "easting": west + half, "northing": south + half}
    data.update({name: values[index] for name, values in columns.items()})
    frame = pd.DataFrame(data, index=pd.Index(cell_id.to_numpy(object), name="cell_id"))
    geometry = shapely.box(west, south, west + grid.cell, south + grid.cell)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WORKING_CRS)


def _empty(columns: Sequence[str]) -> gpd.GeoDataFrame:
    dtypes = {
        "col": "int64",
        "row": "int64",
        "sightings": "int64",
        "people": "int64",
        "hotspot": object,
    }
    frame = pd.DataFrame(
        {c: pd.Series(dtype=dtypes.get(c, "float64")) for c in columns if c != "geometry"}
    )
    frame.index = pd.Index([], dtype=object, name="cell_id")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WORKING_CRS), crs=WORKING_CRS)


# --------------------------------------------------------------------------- Gi*


def _window_sum(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each cell's window (cells off the grid count as absent).

    Direct for small windows, FFT for large ones (rounded: every value here is a whole number).
    """
    weights = np.asarray(kernel, dtype=float)
    if values.size == 0:
        return values.astype(float)
    if weights.size <= _FFT_KERNEL_CELLS:
        return ndimage.correlate(values, weights, mode="constant", cval=0.0)
    from scipy import signal  # here, not at the top: it adds 0.6 s to every command's start

    return np.rint(signal.fftconvolve(values, weights[::-1, ::-1], mode="same"))
