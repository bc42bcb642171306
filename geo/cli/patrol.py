"""``python -m geo patrol``: plan a walking patrol, most urgent places first, in a short order.

The patrol starts at ``--start LAT,LON``; without it, at the team's base when the environment
variable :data:`BASE_ENV` holds one (``OUTREACH_ATLAS_BASE=50.8278,-0.1680``), else at the
first stop (the most urgent place). The output says which.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Final

from geo import questions
from geo.analysis.coverage import DEFAULT_DAYS
from geo.analysis.patrol import DEFAULT_DWELL_MINUTES, Patrol
from geo.analysis.places_view import BASE_ENV, parse_base
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date
from geo.io.exports import (
    features_json,
    find_format,
    place_labels,
    printable,
    suffixes,
    write,
)
from geo.store import open_store

_EXAMPLE: Final = "50.8278,-0.1680"


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``patrol``."""
    sub = add_command(
        subparsers,
        "patrol",
        run,
        text="plan a walking patrol: uncovered persistent sites and hotspots first, in a short"
        " order",
        example=f"python -m geo patrol --start {_EXAMPLE} --stops 8 --out patrol.gpx",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--start",
        metavar="LAT,LON",
        help=f"where the patrol starts (default: the base in the {BASE_ENV} environment"
        f" variable, e.g. {BASE_ENV}={_EXAMPLE}; without one, the first stop, the most urgent"
        " place)",
    )
    amount = sub.add_mutually_exclusive_group(required=True)
    amount.add_argument("--stops", type=int, help="how many places to visit")
    amount.add_argument(
        "--minutes",
        type=float,
        help=f"time budget, walking plus {DEFAULT_DWELL_MINUTES:g} min a stop",
    )
    sub.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help="coverage window in nights (%(default)s)"
    )
    sub.add_argument("--round-trip", action="store_true", help="come back to the start")
    sub.add_argument(
        "--out",
        metavar="FILE.gpx",
        help="write the patrol: waypoints and route as GPX, or the sheet as .txt",
    )
    sub.add_argument("--sheet", metavar="FILE.txt", help="write the printable sheet here")


def run(args: argparse.Namespace) -> int:
    """Plan the patrol; print the sheet (or write it), write GPX when asked."""
    out = out_path(args.out, suffixes("patrol"))
    sheet = out_path(args.sheet, find_format(name="sheet").suffixes, "--sheet")
    start, source = _start(args.start)
    patrol = questions.plan(
        open_store(args.store),
        role=args.role,
        start_lonlat=start,  # None: start at the first stop
        stops=args.stops,
        budget_minutes=args.minutes,
        days=args.days,
        end=parse_date(args.end, option="--to"),
        return_to_start=args.round_trip,
    )
    if args.json:
        print(json.dumps(_as_json(patrol, source)))
    elif args.start is None:
        print(_starting(patrol, source))
    if sheet is not None:
        write(patrol, sheet, name="sheet")
    if out is not None:
        write(patrol, out)
        if not args.json:
            print(f"{out}: {len(patrol.stops)} stops, {patrol.total_m / 1000:.1f} km")
    if sheet is None and not args.json:
        print(printable(patrol), end="")
    return 0


def _start(given: str | None) -> tuple[tuple[float, float] | None, str]:
    """(lon, lat) to start from and where it came from: ``--start``, the base, or ``None`` for
    the first stop."""
    if given is not None:
        return parse_base(given, name="--start"), "--start"
    base = os.environ.get(BASE_ENV, "").strip()
    if base:
        return parse_base(base, name=BASE_ENV), BASE_ENV
    return None, "first stop"


def _starting(patrol: Patrol, source: str) -> str:
    """The line saying where a patrol without ``--start`` starts."""
    if source == BASE_ENV:
        lon, lat = patrol.start
        return f"Starting from the base in {BASE_ENV}, {lat:.5f}, {lon:.5f} (no --start given)"
    first = place_labels(patrol.stops)[0] if len(patrol.stops) else "no stop"
    return f"Starting from the first stop, {first}, the most urgent place (no --start given)"


def _as_json(patrol: Patrol, source: str) -> dict[str, object]:
    return {
        "start": {
            "lat": round(patrol.start[1], 6),
            "lon": round(patrol.start[0], 6),
            "from": source,
        },
        "stops": json.loads(features_json(patrol.stops)),
        "total_m": round(patrol.total_m, 1),
        "walking_minutes": round(patrol.walking_minutes, 1),
        "total_minutes": round(patrol.total_minutes, 1),
    }
