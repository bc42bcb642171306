"""National scale on Dask: the ward figures, flow and hotspots worked out partition by partition.

Each analysis is already written as plan, parts and finish (:mod:`geo.analysis.ward_counts`,
:func:`geo.analysis.flow.flow_parts`, :func:`geo.analysis.hotspots.grid_parts`); here the parts
run on the partitions of a Dask dataframe, are added up on the workers (a tree of sums), and the
same finish as the single-process path gives the same figures:

- ward figures: partitions hold whole nights (the street-count rule joins one night's records);
  every count per area and period is a sum, and ``distinct_people`` is made distinct from the
  (area and period, reference) pairs of every partition as they are added up;
- flow: records are shuffled by person reference, so each person's history is in one partition;
- hotspots: every partition's demand bounds give the grid, then its counts per cell add up; Gi*
  and the false discovery rate run once on the whole grid (they cannot be split: every cell is
  compared with the whole grid).

Dask is imported only when a run asks for it, so the rest of the app works without it.
"""

from __future__ import annotations

from geo.scale.cluster import dask_client
from geo.scale.partitioned import (
    flow_on_dask,
    hotspots_on_dask,
    night_partitions,
    on_cluster,
    parquet_partitions,
    summarise_on_dask,
)

__all__ = [
    "dask_client",
    "flow_on_dask",
    "hotspots_on_dask",
    "night_partitions",
    "on_cluster",
    "parquet_partitions",
    "summarise_on_dask",
]
