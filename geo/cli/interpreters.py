"""``python -m geo interpreters``: languages two or more agencies needed an interpreter for."""

from __future__ import annotations

import argparse

from geo.analysis.interpreters import headline
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
from geo.io.exports import suffixes
from geo.questions.interpreters import interpreter_sharing
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``interpreters``."""
    sub = add_command(
        subparsers,
        "interpreters",
        run,
        text="per ward and period, each language two or more agencies needed an interpreter"
        " for, with each agency's contacts; and where each language recurs",
        example="python -m geo interpreters --period week --out interpreters.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--by",
        default="language",
        choices=("language", "agency"),
        help="a row per ward, period and language (its agencies joined), or per agency too"
        " (default: %(default)s)",
    )
    add_periods(sub, default="week", periods=DEFAULT_PERIODS, threshold=True)
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print where each language recurs, then (or write) the shared languages."""
    out = out_path(args.out, suffixes("table"))
    found = interpreter_sharing(
        open_store(args.store),
        **period_options(args),
    )
    table = found.contacts if args.by == "agency" else found.shared
    what = "wards x periods x languages" + (" x agencies" if args.by == "agency" else "")
    return print_figures(
        args, table, out, headline=headline(found), what=what, also={"recurring": found.recurring}
    )
