"""``python -m geo snapshot``: the autumn snapshot night per ward, in the submission's shape."""

from __future__ import annotations

import argparse
import sys

from geo.analysis.snapshot import RECENT_NIGHTS
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date
from geo.errors import AtlasError
from geo.io.exports import suffixes, table_csv, table_json, write_table
from geo.questions.snapshot import snapshot_night
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``snapshot``."""
    sub = add_command(
        subparsers,
        "snapshot",
        run,
        text="the autumn snapshot: people counted on one night per ward, by sex, age band and"
        " nationality group, with the people and sites seen lately but not that night",
        example="python -m geo snapshot --night 2026-11-12 --out snapshot.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--night", metavar="DATE", help="the night (default: --to, else latest)")
    sub.add_argument("--by", default="ward", choices=("ward", "lsoa"), help="stored layer")
    sub.add_argument(
        "--recent",
        type=int,
        default=RECENT_NIGHTS,
        metavar="NIGHTS",
        help="nights before whose sightings are the evidence (default: %(default)s)",
    )
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print (or write) the areas and a Total row; warn when the night is outside the window."""
    out = out_path(args.out, suffixes("table"))
    if args.recent < 3:
        raise AtlasError(f"--recent {args.recent}: give at least 3 nights")
    found = snapshot_night(
        open_store(args.store),
        role=args.role,
        night=parse_date(args.night, option="--night") or parse_date(args.end, option="--to"),
        layer=args.by,
        recent_nights=args.recent,
    )
    for warning in found.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    table = found.table()
    if args.json:
        print(table_json(table))
    elif out is None:
        print(table_csv(table), end="")
    if out is not None:
        rows = write_table(table, out)
        total = found.totals.iloc[0]
        print(
            f"{out}: {rows} rows ({rows - 1} areas and the total) for the night of"
            f" {found.night:%d %B %Y}: {total['people']} people counted;"
            f" {total['seen_recently_not_counted']} people seen in the {found.recent_nights}"
            " nights before but not that night"
        )
    return 0
