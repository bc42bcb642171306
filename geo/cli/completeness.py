"""``python -m geo completeness``: how completely each agency records what it sees."""

from __future__ import annotations

import argparse

from geo.analysis.completeness import headline
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
from geo.questions.completeness import recording_completeness
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``completeness``."""
    sub = add_command(
        subparsers,
        "completeness",
        run,
        text="share of each agency's records with nationality, language, needs, reference,"
        " time or a precise location missing, by period (police, councillors: the partnership)",
        example="python -m geo completeness --by agency --period month --out completeness.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--by",
        default="agency",
        choices=("agency", "partnership"),
        help="a row per agency and period (coordinators), or for all agencies (default:"
        " %(default)s)",
    )
    add_periods(sub, default="month", periods=DEFAULT_PERIODS, threshold=True)
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print the worst gap per agency, then (or write) the shares per agency and period."""
    out = out_path(args.out, suffixes("table"))
    found = recording_completeness(
        open_store(args.store),
        **period_options(args),
    )
    by_agency = args.by == "agency" and not found.agencies.empty
    table = found.agencies if by_agency else found.partnership
    what = "agencies x periods" if by_agency else "partnership periods"
    return print_figures(args, table, out, headline=headline(found), what=what)
