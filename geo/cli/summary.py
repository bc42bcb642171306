"""``python -m geo summary``: ward figures per area and period, as the role may see them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import questions
from geo.analysis.ward_figures import DEFAULT_PERIODS
from geo.cli._common import Parents, Subparsers, add_command, add_periods, out_path, period_options
from geo.cli._dask import add_dask_options, run_maybe_on_dask
from geo.errors import AtlasError
from geo.io.boundaries import read_areas
from geo.io.exports import suffixes, table_csv, table_json, write_table
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``summary``."""
    sub = add_command(
        subparsers,
        "summary",
        run,
        text="ward figures per area and period: people, sightings, needs, change, emerging wards",
        example="python -m geo summary --by ward --period week --role councillor --out wards.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--by", default="ward", help="ward, lsoa, or a boundary FILE (a beat)")
    add_periods(sub, default="week", periods=DEFAULT_PERIODS, threshold=True)
    sub.add_argument(
        "--activation-nights",
        action="store_true",
        help="only the nights of recorded SWEP activations (coordinators; see 'swep --activate')",
    )
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")
    sub.add_argument("--languages", metavar="FILE.csv", help="interpreter languages per area")
    sub.add_argument("--contacts", metavar="FILE.csv", help="contacts by agency and outcome")
    add_dask_options(sub)


def run(args: argparse.Namespace) -> int:
    """Print (or write) the figures, and say on standard error what fell outside every area."""
    out = out_path(args.out, suffixes("table"))
    languages = out_path(args.languages, suffixes("table"), "--languages")
    contacts = out_path(args.contacts, suffixes("table"), "--contacts")
    layer: object = args.by
    if args.by not in ("ward", "lsoa") or Path(args.by).exists():
        if not Path(args.by).exists():
            raise AtlasError(f"--by {args.by}: give ward, lsoa, or a boundary file that exists")
        layer = read_areas(args.by).areas
    store = open_store(args.store)
    if args.dask and args.activation_nights:
        raise AtlasError("--activation-nights does not run on Dask; leave out --dask")

    def on_dask(**dask: object) -> questions.AreaSummary:
        from geo.questions.scale import area_summary_on_dask

        return area_summary_on_dask(store, layer=layer, **dask, **period_options(args))  # type: ignore[arg-type]

    summary = run_maybe_on_dask(
        args,
        lambda: questions.area_summary(
            store,
            layer=layer,  # type: ignore[arg-type]
            activation_nights=args.activation_nights,
            **period_options(args),
        ),
        on_dask,
    )
    if args.json:
        print(table_json(summary.areas))
    elif out is None:
        print(table_csv(summary.areas), end="")
    if out is not None:
        rows = write_table(summary.areas, out)
        print(
            f"{out}: {rows} rows ({summary.areas['area_code'].nunique()} areas x"
            f" {summary.areas['period'].nunique()} periods), as the {args.role} role sees them"
        )
    for path, table in ((languages, summary.languages), (contacts, summary.contacts)):
        if path is not None:
            print(f"{path}: {write_table(table, path)} rows")
    outside = summary.outside
    for row in outside.loc[outside["sightings"].astype(str) != "0"].to_dict("records"):
        print(
            f"outside every area, {row['period']}: {row['sightings']} sightings,"
            f" {row['people']} people",
            file=sys.stderr,
        )
    return 0
