"""``python -m geo referrals``: were referrals followed up within 48 hours, and was anyone found?"""

from __future__ import annotations

import argparse

from geo.analysis.referrals import FOLLOW_UP_HOURS, FOLLOW_UP_WALK_M, headline
from geo.analysis.ward_figures import DEFAULT_PERIODS
from geo.cli._common import (
    Parents,
    Subparsers,
    add_command,
    add_periods,
    out_path,
    parse_date,
    print_figures,
)
from geo.io.exports import suffixes
from geo.questions.referrals import QUEUE_NIGHTS, referral_follow_up, referral_queue
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``referrals``."""
    sub = add_command(
        subparsers,
        "referrals",
        run,
        text="referrals followed up (an agency within 200 m within 48 hours) and found, by area;"
        " --queue: the referrals still waiting (coordinators)",
        example="python -m geo referrals --period month --role councillor --out referrals.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--by", default="ward", choices=("ward", "lsoa"), help="stored layer")
    add_periods(sub, default="month", periods=DEFAULT_PERIODS, threshold=True)
    sub.add_argument(
        "--walk",
        type=float,
        default=FOLLOW_UP_WALK_M,
        metavar="METRES",
        help="a follow-up is this close to the referral (default: %(default)g)",
    )
    sub.add_argument(
        "--hours",
        type=float,
        default=FOLLOW_UP_HOURS,
        help="and this many hours after it at most (default: %(default)g)",
    )
    sub.add_argument(
        "--queue",
        action="store_true",
        help="list the referrals not followed up, oldest first (coordinators only)",
    )
    sub.add_argument(
        "--nights",
        type=int,
        default=QUEUE_NIGHTS,
        help="with --queue: referrals of the last this many nights (default: %(default)s)",
    )
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Print (or write) the figures per area and period, or the queue with ``--queue``."""
    out = out_path(args.out, suffixes("table"))
    store = open_store(args.store)
    end = parse_date(args.end, option="--to")
    if args.queue:
        table = referral_queue(
            store,
            role=args.role,
            walk_m=args.walk,
            within_hours=args.hours,
            nights=args.nights,
            end=end,
        )
        still = int((~table["window_passed"]).sum())
        line = (
            f"{len(table)} referral{'' if len(table) == 1 else 's'} of the last"
            f" {args.nights} nights not followed up;"
            f" {still} still within {args.hours:g} hours"
        )
        what = "referrals waiting, oldest first"
    else:
        figures = referral_follow_up(
            store,
            role=args.role,
            layer=args.by,
            period=args.period,
            start=parse_date(args.start, option="--from"),
            end=end,
            periods=args.periods,
            walk_m=args.walk,
            within_hours=args.hours,
            threshold=args.threshold,
        )
        table, line = figures.areas, headline(figures)
        what = f"{table['area_code'].nunique()} areas x periods"
    return print_figures(args, table, out, headline=line, what=what)
