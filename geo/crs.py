"""The two coordinate systems every part of the tool uses, and the transforms between them.

Analysis happens in metres on the British National Grid (:data:`~geo.schema.WORKING_CRS`); the
store and the maps use longitude and latitude (:data:`~geo.schema.DISPLAY_CRS`). Hotspots,
patrols, privacy and the geocoder all need the same two transforms, so they live here rather
than in any one of them.

pyproj makes its PROJ transformer once per thread that uses it (about 35 ms each), and the app
runs every rerun of a page on a new thread: each rerun paid that again for each direction. The
transforms therefore run on a few long-lived threads of this process (:data:`TRANSFORM_THREADS`),
each of which makes its transformers once; the answers are the same transformer's.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Final

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from geo.schema import DISPLAY_CRS, WORKING_CRS

__all__ = ["TRANSFORM_THREADS", "to_bng", "to_lonlat", "transform"]

#: Threads the transforms run on (pyproj releases the GIL while it transforms): one a core, so
#: that a process transforming on many threads at once (a Dask worker) still can.
TRANSFORM_THREADS: Final = max(2, os.cpu_count() or 2)

_workers_lock = threading.Lock()
_workers: tuple[int, ThreadPoolExecutor] | None = None  # (the process that made them, them)


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    """One pyproj Transformer per pair of CRSs (pyproj >= 3.1 makes them safe across threads)."""
    return Transformer.from_crs(source, target, always_xy=True)


def transform(
    source: str, target: str, x: ArrayLike, y: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` from CRS ``source`` to CRS ``target``; NaN where pyproj cannot transform."""
    transformer = _transformer(source, target)
    xs, ys = (
        _workers_here()
        .submit(transformer.transform, np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        .result()
    )
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    failed = ~(np.isfinite(xs) & np.isfinite(ys))  # pyproj gives inf where it cannot transform
    return np.where(failed, np.nan, xs), np.where(failed, np.nan, ys)


def _workers_here() -> ThreadPoolExecutor:
    """The transform threads of this process, made when first asked (a forked child, a
    Dask worker say, makes its own: its parent's threads do not exist in it)."""
    global _workers
    with _workers_lock:
        if _workers is None or _workers[0] != os.getpid():
            pool = ThreadPoolExecutor(TRANSFORM_THREADS, thread_name_prefix="geo-crs")
            _workers = (os.getpid(), pool)
        return _workers[1]


def to_bng(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4326) to easting/northing in metres (EPSG:27700).

    NaN in, or a point pyproj cannot transform, gives NaN out.

    Examples
    --------
    >>> e, n = to_bng([-0.141588], [51.501009])  # SW1A 1AA in ONSPD: 529090, 179645
    >>> [round(float(e[0])), round(float(n[0]))]
    [529090, 179645]
    """
    return transform(DISPLAY_CRS, WORKING_CRS, lon, lat)


def to_lonlat(easting: ArrayLike, northing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing in metres (EPSG:27700) to longitude/latitude (EPSG:4326)."""
    return transform(WORKING_CRS, DISPLAY_CRS, easting, northing)
