"""``python -m geo gaps``: places of demand no agency has been near lately, and ward shares."""

from __future__ import annotations

import argparse

from geo import questions
from geo.analysis.coverage import DEFAULT_DAYS, DEFAULT_WALK_M, TIMES_OF_DAY
from geo.cli._common import (
    SHOW,
    Parents,
    Subparsers,
    add_command,
    out_path,
    parse_date,
    print_features,
)
from geo.io.exports import place_label, suffixes, write_features, write_table
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``gaps``."""
    sub = add_command(
        subparsers,
        "gaps",
        run,
        text="coverage gaps: sites, hotspots and recent sightings no agency has been near lately",
        example=f"python -m geo gaps --days {DEFAULT_DAYS} --out gaps.geojson --wards coverage.csv",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help="coverage window in nights (%(default)s)"
    )
    sub.add_argument(
        "--walk",
        type=float,
        default=DEFAULT_WALK_M,
        help="walking distance, metres (%(default)g)",
    )
    sub.add_argument(
        "--demand-nights",
        type=int,
        default=questions.DEMAND_NIGHTS,
        help="nights of sightings that count as recent demand (%(default)s)",
    )
    sub.add_argument("--time-of-day", default="any", choices=TIMES_OF_DAY)
    sub.add_argument("--show", type=int, default=SHOW, help="how many to print (%(default)s)")
    sub.add_argument("--out", metavar="FILE.geojson", help="write the gaps (EPSG:4326)")
    sub.add_argument("--wards", metavar="FILE.csv", help="write each ward's covered share")


def run(args: argparse.Namespace) -> int:
    """Print the gaps, most urgent first; write them and the ward shares when asked."""
    out = out_path(args.out, suffixes("features"))
    wards = out_path(args.wards, suffixes("table"), "--wards")
    found = questions.coverage_gaps(
        open_store(args.store),
        role=args.role,
        days=args.days,
        walk_m=args.walk,
        demand_nights=args.demand_nights,
        end=parse_date(args.end, option="--to"),
        time_of_day=args.time_of_day,
    )
    if args.json:
        if wards is not None:
            write_table(found.wards, wards)
        return print_features(found.gaps, out)
    kinds = found.gaps["demand"].value_counts().to_dict() if len(found.gaps) else {}
    print(
        f"{len(found.gaps)} coverage gaps (no agency within {args.walk:g} m in the last"
        f" {args.days} nights): " + ", ".join(f"{n} {k}" for k, n in kinds.items())
    )
    print(f"{len(found.overlaps)} places covered by several agencies while gaps exist")
    for gap in found.gaps.head(args.show).to_dict("records"):
        since = gap["days_since_visit"]
        when = "never visited" if since != since else f"{since:.0f} nights since a visit"
        people = f"{gap['people']:.0f} " + ("person" if gap["people"] == 1 else "people")
        where = place_label(
            gap.get("place_name"), ward=gap.get("ward_name"), fallback=str(gap["place_id"])
        )
        print(f"  {gap['rank']}. {gap['demand']} {where}: {people}, {when}")
    if out is not None:
        print(f"{out}: {write_features(found.gaps, out)} gaps")
    if wards is not None:
        print(f"{wards}: {write_table(found.wards, wards)} wards")
    return 0
