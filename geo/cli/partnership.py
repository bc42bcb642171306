"""``python -m geo partnership``: each council's figures side by side, as the role sees them;
councils are named as users read them ("Brighton and Hove"), by code only when no name is known.
"""

from __future__ import annotations

import argparse

from geo.cli._common import (
    Parents,
    Subparsers,
    add_command,
    add_periods,
    out_path,
    period_options,
    print_figures,
)
from geo.io.exports import suffixes
from geo.questions.partnership import PARTNERSHIP_PERIODS, partnership
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``partnership``."""
    sub = add_command(
        subparsers,
        "partnership",
        run,
        text="the councils of a partnership side by side: the ward figures' measures per council",
        example="python -m geo partnership --period month --role councillor --out councils.csv",
        parents=[parents.common, parents.analysis],
    )
    add_periods(sub, default="week", periods=PARTNERSHIP_PERIODS, choices=("week", "month"))
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print (or write) the figures per council and period."""
    out = out_path(args.out, suffixes("table"))
    found = partnership(open_store(args.store), **period_options(args))
    names = found.areas.drop_duplicates("area_code")["area_name"].astype(str).tolist()
    councils = len(names)
    lines = [
        f"{councils} council{'' if councils == 1 else 's'} ({', '.join(names)}), as the"
        f" {args.role} role sees them"
    ]
    return print_figures(
        args,
        found.areas,
        out,
        headline=lines,
        what=f"{councils} councils x periods",
        also={"totals": found.totals},
    )
