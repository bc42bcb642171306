"""``python -m geo flow``: new, stock and returning people per area and period (CHAIN's flow)."""

from __future__ import annotations

import argparse

from geo.analysis.flow import FRAMEWORK_LOOKBACK_MONTHS, Flow
from geo.cli._common import Parents, Subparsers, add_command, add_periods, out_path, period_options
from geo.cli._dask import add_dask_options, run_maybe_on_dask
from geo.errors import AtlasError
from geo.io.exports import suffixes, table_csv, table_json, write_table
from geo.questions.people import DEFAULT_FLOW_PERIODS, people_flow
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``flow``."""
    sub = add_command(
        subparsers,
        "flow",
        run,
        text="people new to the streets, still there (stock) and back (returners), by area",
        example="python -m geo flow --by ward --period month --role councillor --out flow.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--by", default="ward", choices=("ward", "lsoa"), help="stored layer")
    add_periods(sub, default="month", periods=DEFAULT_FLOW_PERIODS, threshold=True)
    sub.add_argument(
        "--lookback",
        type=int,
        metavar="MONTHS",
        help="'new' means not seen in this many months before the period (the government's"
        f" framework uses {FRAMEWORK_LOOKBACK_MONTHS}; default: the whole store)",
    )
    sub.add_argument(
        "--totals", action="store_true", help="one row per period for all areas instead"
    )
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")
    add_dask_options(sub)


def run(args: argparse.Namespace) -> int:
    """Print (or write) the figures per area and period, or the totals with ``--totals``."""
    out = out_path(args.out, suffixes("table"))
    if args.lookback is not None and args.lookback < 1:
        raise AtlasError(f"--lookback {args.lookback}: give a number of months, at least 1")
    store = open_store(args.store)
    asked = dict(layer=args.by, lookback_months=args.lookback, **period_options(args))

    def on_dask(**dask: object) -> Flow:
        from geo.questions.scale import people_flow_on_dask

        return people_flow_on_dask(store, **dask, **asked)  # type: ignore[arg-type]

    found = run_maybe_on_dask(args, lambda: people_flow(store, **asked), on_dask)  # type: ignore[arg-type]
    table = found.totals if args.totals else found.areas
    if args.json:
        print(table_json(table))
    elif out is None:
        print(table_csv(table), end="")
    if out is not None:
        rows = write_table(table, out)
        what = "periods" if args.totals else f"{table['area_code'].nunique()} areas x periods"
        print(f"{out}: {rows} rows ({what}), as the {args.role} role sees them")
    return 0
