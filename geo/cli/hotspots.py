"""``python -m geo hotspots``: grid cells where people are significantly concentrated."""

from __future__ import annotations

import argparse
from typing import Final

import geopandas as gpd

from geo import questions
from geo.analysis.hotspots import COLD, HOT, NOT_SIGNIFICANT
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date, print_features
from geo.cli._dask import add_dask_options, run_maybe_on_dask
from geo.io.exports import suffixes, write_features
from geo.store import open_store

# geo.questions.hotspot_cells and geo.analysis.hotspots.hotspots default to these but name no
# constant for them (hotspots.py belongs to another change); keep them equal.
CELL_M: Final = 100.0
ALPHA: Final = 0.05


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``hotspots``."""
    sub = add_command(
        subparsers,
        "hotspots",
        run,
        text="grid cells where people are significantly concentrated (Gi* with false discovery"
        " rate)",
        example=f"python -m geo hotspots --nights {questions.DEMAND_NIGHTS} --out hotspots.geojson",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--nights",
        type=int,
        default=questions.DEMAND_NIGHTS,
        help="nights to look back (default %(default)s)",
    )
    sub.add_argument("--cell", type=float, default=CELL_M, help="cell size in metres (%(default)g)")
    sub.add_argument(
        "--alpha", type=float, default=ALPHA, help="false discovery rate (%(default)g)"
    )
    sub.add_argument("--all-cells", action="store_true", help="write every cell, not just hot/cold")
    sub.add_argument("--out", metavar="FILE.geojson", help="write the cells (EPSG:4326)")
    add_dask_options(sub)


def run(args: argparse.Namespace) -> int:
    """Count hot and cold cells; write them (or every cell) when asked."""
    out = out_path(args.out, suffixes("features"))
    store = open_store(args.store)
    asked = dict(
        role=args.role,
        nights=args.nights,
        end=parse_date(args.end, option="--to"),
        cell_m=args.cell,
        alpha=args.alpha,
    )

    def on_dask(**dask: object) -> gpd.GeoDataFrame:
        from geo.questions.scale import hotspot_cells_on_dask

        return hotspot_cells_on_dask(store, **dask, **asked)  # type: ignore[arg-type]

    cells = run_maybe_on_dask(
        args,
        lambda: questions.hotspot_cells(store, **asked),  # type: ignore[arg-type]
        on_dask,
    )
    classes = cells["hotspot"].value_counts()
    shown = cells if args.all_cells else cells.loc[cells["hotspot"] != NOT_SIGNIFICANT]
    if args.json:
        return print_features(shown, out)
    print(
        f"{len(cells)} cells of {args.cell:g} m: {classes.get(HOT, 0)} hot,"
        f" {classes.get(COLD, 0)} cold (Gi*, false discovery rate {args.alpha:g})"
    )
    if out is not None:
        print(f"{out}: {write_features(shown, out)} cells")
    return 0
