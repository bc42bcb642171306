"""``python -m geo safeguarding``: flagged sightings not yet referred on, oldest first."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from geo.analysis.ward_figures import DEFAULT_PERIODS
from geo.cli._common import (
    Parents,
    Subparsers,
    add_command,
    add_periods,
    out_path,
    period_options,
    print_figures,
)
from geo.errors import AtlasError
from geo.io.exports import suffixes
from geo.questions.safeguarding import close_item, queue, queue_counts
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``safeguarding``."""
    sub = add_command(
        subparsers,
        "safeguarding",
        run,
        text="sightings flagged under 18 or trafficking concern with no referral yet, oldest"
        " first (coordinators); police and councillors: how many wait per ward and period",
        example="python -m geo safeguarding --queue --out queue.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--queue",
        action="store_true",
        help="the queue itself (coordinators; the default for them)",
    )
    sub.add_argument("--close", metavar="KEY", help="close this item (coordinators)")
    sub.add_argument("--reason", metavar="TEXT", help="why the item is closed (with --close)")
    sub.add_argument("--by", metavar="NAME", help="who closes it (with --close)")
    add_periods(sub, default="month", periods=DEFAULT_PERIODS, threshold=True)
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Close an item, or print (or write) the queue or the counts per ward and period."""
    store = open_store(args.store)
    if args.close is not None:
        if not args.reason or not args.by:
            raise AtlasError("--close needs --reason TEXT and --by NAME")
        closed = close_item(store, args.close, role=args.role, by=args.by, reason=args.reason)
        if args.json:
            print(json.dumps(asdict(closed)))
        else:
            print(f"closed {closed.key} by {closed.closed_by} at {closed.closed_at}")
        return 0
    out = out_path(args.out, suffixes("table"))
    if args.queue or args.role == "coordinator":
        table = queue(store, role=args.role)
        line = f"{len(table)} item{'' if len(table) == 1 else 's'} waiting for a referral"
        what = "items"
    else:
        figures = queue_counts(
            store,
            **period_options(args),
        )
        table = figures.areas
        line = f"items waiting per ward and {figures.period}, as the {args.role} role sees them"
        what = "wards x periods"
    return print_figures(args, table, out, headline=line, what=what)
