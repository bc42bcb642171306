"""The ward figures, flow and hotspots on Dask, for a role: the same answers as one process.

Each function asks what its one-process question asks (:func:`geo.questions.area_summary`,
:func:`geo.questions.people.people_flow`, :func:`geo.questions.hotspot_cells`) of the role,
reads the same records (from the store, cut into partitions of whole nights, or from a folder
of Parquet files written by :func:`export_parquet`), works out the exact figures on the
cluster (:mod:`geo.scale`) and applies the role's view afterwards with the same code. Filters,
SWEP activation nights and a coordinator's cut by agency are not offered here.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geo.analysis.flow import FLOW_READS, Flow
from geo.analysis.ward_figures import DEFAULT_PERIODS, SUMMARY_COLUMNS, AreaSummary, Period
from geo.errors import AccessDenied, AnalysisError
from geo.nights import NO_NIGHT, night_numbers, nights_ending
from geo.privacy import view_records
from geo.privacy.figures import view_flow, view_summary
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.privacy.users import withheld
from geo.questions import DEMAND_NIGHTS, check_period_for, figure_layer, stored_layer
from geo.questions.people import DEFAULT_FLOW_PERIODS
from geo.scale import partitioned
from geo.schema import empty_frame
from geo.store import Store
from geo.store.audit import current_actor

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

#: Columns hotspots read of each record.
HOTSPOT_READS = ("kind", "night", "easting", "northing", "people")


def area_summary_on_dask(
    store: Store,
    *,
    role: Role,
    client: Client,
    layer: str | gpd.GeoDataFrame = "ward",
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    threshold: int | None = None,
    parquet: str | Path | None = None,
    partitions: int | None = None,
) -> AreaSummary:
    """:func:`geo.questions.area_summary` worked out on ``client``'s cluster.

    Records come from ``parquet`` (a folder of files by month of night) when given, else from
    the store, cut into ``partitions`` of whole nights (default: about 500,000 records each,
    and at least one per worker thread). Areas, unlinked pairs and the role's settings always
    come from the store.
    """
    role = check_role(role)
    check_can_see_figures(role)
    areas, placed = figure_layer(store, layer, role=role)
    check_period_for(role, period)
    unlinked = store.unlinked_pairs()
    columns = [*SUMMARY_COLUMNS, *([] if placed else ["lon", "lat"])]
    columns += ["record_id"] if unlinked else []
    records = _figure_records(store, role, columns, client, parquet, partitions)
    exact = partitioned.summarise_on_dask(
        records, areas, client=client, period=period, start=start, end=end, periods=periods,
        placed=placed, aligned=role != "coordinator", unlinked=unlinked,
    )  # fmt: skip
    return view_summary(exact, role=role, threshold=threshold, withheld=withheld(store, role))


def people_flow_on_dask(
    store: Store,
    *,
    role: Role,
    client: Client,
    layer: str = "ward",
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_FLOW_PERIODS,
    lookback_months: int | None = None,
    threshold: int | None = None,
    parquet: str | Path | None = None,
    partitions: int | None = None,
) -> Flow:
    """:func:`geo.questions.people.people_flow` worked out on ``client``'s cluster."""
    role = check_role(role)
    check_can_see_figures(role)
    check_period_for(role, period)
    areas = stored_layer(store, layer)
    placed = layer == "ward"
    columns = list(dict.fromkeys([*FLOW_READS, *(["area_code"] if placed else ["lon", "lat"])]))
    records = _figure_records(store, role, columns, client, parquet, partitions)
    exact = partitioned.flow_on_dask(
        records, areas, client=client, period=period, start=start, end=end, periods=periods,
        placed=placed, lookback_months=lookback_months, aligned=role != "coordinator",
    )  # fmt: skip
    return view_flow(exact, role=role, threshold=threshold)


def hotspot_cells_on_dask(
    store: Store,
    *,
    role: Role,
    client: Client,
    nights: int = DEMAND_NIGHTS,
    end: date | None = None,
    cell_m: float = 100.0,
    alpha: float = 0.05,
    parquet: str | Path | None = None,
    partitions: int | None = None,
) -> gpd.GeoDataFrame:
    """:func:`geo.questions.hotspot_cells` worked out on ``client``'s cluster: records as the
    role sees them (police: places snapped to 100 m; councillors are refused)."""
    if nights < 1:
        raise AnalysisError(f"nights must be at least 1; got {nights}")
    role = check_role(role)
    if parquet is not None:
        view_records(empty_frame("records"), role=role)  # councillors are refused here
        _check_unbound(parquet)
        exact = partitioned.parquet_partitions(parquet)
        seen = exact.map_partitions(_as_seen_by, role=role, meta=_as_seen_by(exact._meta, role))
        records = partitioned.on_cluster(seen, client=client)
    else:
        seen = store.records(role=role, columns=list(HOTSPOT_READS))
        records = partitioned.night_partitions(
            seen, partitions=_partitions(seen, client, partitions), client=client
        )
    last = end if end is not None else partitioned.latest_night_on_dask(records, client=client)
    start = None if last is None else nights_ending(last, nights)[0]
    return partitioned.hotspots_on_dask(
        records, client=client, cell_m=cell_m, start=start, end=last, alpha=alpha
    )


def export_parquet(store: Store, folder: str | Path, *, role: Role) -> dict[str, int]:
    """Write the store's records to ``folder`` as Parquet files by month of night
    (``records-2026-11.parquet``; ``records-no-night.parquet`` for records without one), in
    the store's order, without the geometry column (``lon``/``lat`` and ``easting``/
    ``northing`` place them). Coordinators only: these are exact records. Returns rows per
    file written."""
    role = check_role(role)
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role may not export exact records; a coordinator can write the"
            " Parquet files"
        )
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"{folder} is a file; give a folder for the Parquet files")
    if out.is_dir() and any(out.glob("*.parquet")):
        raise AnalysisError(f"{folder} already holds Parquet files; give an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    records = pd.DataFrame(store.records(role=role))
    records = records.drop(columns=[c for c in ("geometry",) if c in records.columns])
    nights = night_numbers(records)
    month = pd.Series(nights.astype("datetime64[D]")).dt.strftime("%Y-%m").to_numpy(object)
    month[nights == NO_NIGHT] = "no-night"
    written = {}
    for name in sorted(set(month.tolist())):
        path = out / f"records-{name}.parquet"
        records.loc[month == name].to_parquet(path, index=False)
        written[path.name] = int((month == name).sum())
    return written


def _figure_records(
    store: Store,
    role: Role,
    columns: list[str],
    client: Client,
    parquet: str | Path | None,
    partitions: int | None,
) -> dd.DataFrame:
    """The records the figures read, loaded on the cluster once: the workers read the Parquet
    files themselves, or this process scatters the store's records to them."""
    if parquet is not None:
        _check_unbound(parquet)
        found = partitioned.parquet_partitions(parquet, columns=columns)
        return partitioned.on_cluster(found, client=client)
    records = store.records_for_figures(role=role, columns=columns)
    return partitioned.night_partitions(
        records, partitions=_partitions(records, client, partitions), client=client
    )


def _check_unbound(parquet: str | Path) -> None:
    """Refuse Parquet files to an actor bound to a council: they hold what was exported, not
    narrowed to the councils that actor reads, as the store's records are."""
    council = current_actor().council
    if council is not None:
        raise AccessDenied(
            f"a user bound to council {council} reads records from the store only, narrowed to"
            f" their council's; the Parquet files in {parquet} are read whole: leave out the"
            " files, or write that council's own (export-parquet DIR --council CODE) and read"
            " them without --council"
        )


def _partitions(records: pd.DataFrame, client: Client, partitions: int | None) -> int:
    if partitions is not None:
        return partitions
    threads = sum(client.nthreads().values()) or 1
    return max(threads, math.ceil(len(records) / partitioned.ROWS_PER_PARTITION))


def _as_seen_by(frame: pd.DataFrame, role: Role) -> pd.DataFrame:
    seen = view_records(frame, role=role)
    return seen.loc[:, [c for c in HOTSPOT_READS if c in seen.columns]]


__all__ = [
    "area_summary_on_dask",
    "export_parquet",
    "hotspot_cells_on_dask",
    "people_flow_on_dask",
]
