"""``python -m geo tension``: where people counted, ASB and public order rise together.

Ward context kept by ``import context`` is added after each ward's figures, as
``context: <measure>`` columns: beside the watch, never part of it.
"""

from __future__ import annotations

import argparse

from geo.analysis.context import beside
from geo.analysis.tension import DEFAULT_MONTHS, TENSION_CAVEAT, Tension
from geo.analysis.ward_figures import EMERGING_FLOOR
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date, print_figures
from geo.io.exports import suffixes
from geo.questions.context import ward_context
from geo.questions.tension import tension
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``tension``."""
    sub = add_command(
        subparsers,
        "tension",
        run,
        text="per ward and month: people counted, anti-social behaviour and public order, and"
        " the wards where two or more rise fast together (a prompt for partners, not a"
        " prediction)",
        example="python -m geo tension --by ward --period month --out tension.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--by", default="ward", choices=("ward",), help="areas (default: ward)")
    sub.add_argument(
        "--period",
        default="month",
        choices=("month",),
        help="calendar months, as police.uk publishes (default: month)",
    )
    sub.add_argument(
        "--months", type=int, default=DEFAULT_MONTHS, help="months shown (default: %(default)s)"
    )
    sub.add_argument(
        "--floor",
        type=int,
        default=EMERGING_FLOOR,
        help="least rise that counts as rising fast (default: %(default)s)",
    )
    sub.add_argument(
        "--threshold", type=int, help="councillors: counts from 1 to this are hidden (default 4)"
    )
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print the wards on watch, then (or write) every ward and month."""
    out = out_path(args.out, suffixes("table"))
    found = tension(
        open_store(args.store),
        role=args.role,
        months=args.months,
        end=parse_date(args.end, option="--to"),
        floor=args.floor,
        threshold=args.threshold,
    )
    lines = headline(found)
    store = open_store(args.store)
    table = beside(found.areas, ward_context(store, role=args.role))  # shown, never a trigger
    return print_figures(
        args,
        table,
        out,
        headline=lines,
        what="wards x months",
        first={"caveat": TENSION_CAVEAT},
    )


def headline(found: Tension) -> list[str]:
    """One line per ward and month on watch, most signals first."""
    watched = found.areas.loc[found.areas["watch"]]
    if watched.empty:
        months = ", ".join(found.months)
        return [f"no ward has two signals rising fast together in {months}"]
    return [
        f"{name} ward, {month}: {signals} rising fast"
        for name, month, signals in zip(
            watched["area_name"], watched["month"], watched["signals"], strict=True
        )
    ]
