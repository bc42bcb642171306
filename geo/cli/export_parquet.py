"""``python -m geo export-parquet``: the store's records as Parquet files by month of night."""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command, add_council, add_role
from geo.questions.scale import export_parquet
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``export-parquet``."""
    sub = add_command(
        subparsers,
        "export-parquet",
        run,
        text="write the records as Parquet files by month of night, for --dask --parquet DIR"
        " (coordinators: these are exact records)",
        example="python -m geo export-parquet /data/records --role coordinator",
        parents=[parents.common],
    )
    sub.add_argument("folder", metavar="DIR", help="an empty or new folder to write the files in")
    add_role(sub, text="who is exporting; only a coordinator may")
    add_council(sub)


def run(args: argparse.Namespace) -> int:
    """Write the files; print each file's records and the total."""
    written = export_parquet(open_store(args.store), args.folder, role=args.role)
    if args.json:
        print(json.dumps(written))
        return 0
    for name, rows in written.items():
        print(f"{name}: {rows:,} records")
    total = sum(written.values())
    print(f"{args.folder}: {total:,} records in {len(written)} files by month of night")
    return 0
