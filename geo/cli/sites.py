"""``python -m geo sites``: persistent sites, places people were seen on k of the last n nights;
with ``--history``, every site persistent in a longer history and its status (site life)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo import questions
from geo.analysis import site_life_view
from geo.analysis.places_view import date_words
from geo.analysis.site_life import HISTORY_NIGHTS, QUIET_NIGHTS
from geo.analysis.sites import SITE_NIGHTS, SITE_RADIUS_M, SITE_WINDOW
from geo.cli._common import (
    SHOW,
    Parents,
    Subparsers,
    add_command,
    out_path,
    parse_date,
    print_features,
)
from geo.errors import AtlasError
from geo.io.exports import features_json, place_label, suffixes, table_json, write_features
from geo.questions.site_life import site_history
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``sites``."""
    sub = add_command(
        subparsers,
        "sites",
        run,
        text="persistent sites: places people were seen on at least k of the last n nights",
        example=f"python -m geo sites --min-nights {SITE_NIGHTS} --last-nights"
        f" {SITE_WINDOW} --out sites.geojson",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--min-nights", type=int, default=SITE_NIGHTS, help="k (default %(default)s)")
    sub.add_argument("--last-nights", type=int, default=SITE_WINDOW, help="n (default %(default)s)")
    sub.add_argument(
        "--radius", type=float, default=SITE_RADIUS_M, help="metres a site spans (%(default)g)"
    )
    sub.add_argument("--show", type=int, default=SHOW, help="how many to print (%(default)s)")
    sub.add_argument("--out", metavar="FILE.geojson", help="write the sites (EPSG:4326)")
    life = sub.add_argument_group("site life")
    life.add_argument(
        "--history",
        action="store_true",
        help="every site persistent in the last --history-nights nights, with its status"
        " (new, active, cleared, back, unknown) and the dates it changed",
    )
    life.add_argument(
        "--history-nights",
        type=int,
        default=HISTORY_NIGHTS,
        help="nights sites are looked for in, with --history (%(default)s)",
    )
    life.add_argument(
        "--quiet-nights",
        type=int,
        default=QUIET_NIGHTS,
        help="nights nobody is seen before a site is cleared or unknown (%(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the busiest sites with the nearest services; write them all when asked."""
    out = out_path(args.out, suffixes("features"))
    if args.history:
        return _history(args, out)
    found = questions.sites(
        open_store(args.store),
        role=args.role,
        min_nights=args.min_nights,
        last_nights=args.last_nights,
        radius_m=args.radius,
        end=parse_date(args.end, option="--to"),
    )
    if args.json:
        return print_features(found, out)
    print(
        f"{len(found)} persistent sites (seen on at least {args.min_nights} of the last"
        f" {args.last_nights} nights, within {args.radius:g} m)"
    )
    for site in found.head(args.show).to_dict("records"):
        where = place_label(site.get("place_name"), fallback=str(site["site_id"]))
        ward = site.get("ward_name")
        ward = ward if isinstance(ward, str) and ward.strip() else site["area_code"]
        print(
            f"  {where}: {site['people']} people, {site['nights_seen']} nights,"
            f" last seen {site['last_seen']:%Y-%m-%d}, ward {ward},"
            f" agencies: {site['agencies']}"
        )
        near = [
            f"{column[8:-2].replace('_', ' ')} {value:.0f} m"
            for column, value in site.items()
            if column.startswith("nearest_") and column.endswith("_m") and value == value
        ]
        if near:
            print("    nearest: " + ", ".join(near))
    if out is not None:
        print(f"{out}: {write_features(found, out)} sites")
    return 0


def _history(args: argparse.Namespace, out: Path | None) -> int:
    """Print each site with its status and the dates it changed; write the sites when asked."""
    given = {"--history-nights": args.history_nights, "--quiet-nights": args.quiet_nights}
    for option, value in given.items():
        if value < 1:
            raise AtlasError(f"{option} {value}: give a number of nights, at least 1")
    life = site_history(
        open_store(args.store),
        role=args.role,
        end=parse_date(args.end, option="--to"),
        history_nights=args.history_nights,
        quiet_nights=args.quiet_nights,
        radius_m=args.radius,
        min_nights=args.min_nights,
        last_nights=args.last_nights,
    )
    if out is not None:
        write_features(life.sites, out)
    if args.json:
        sites, changes = features_json(life.sites), table_json(life.changes)
        print(json.dumps({"sites": json.loads(sites), "changes": json.loads(changes)}))
        return 0
    print(site_life_view.life_summary(life))
    labels = site_life_view.site_labels(life.sites)
    rows = life.sites.head(args.show)
    for label, site in zip(labels, rows.to_dict("records"), strict=False):
        status = site_life_view.STATUS_WORDS[site["status"]].lower()
        since = date_words(site["status_since"])
        print(f"  {label}: {status} since {since}")
        print(f"    {site_life_view.changes_words(life, site['site_id'])}")
    if out is not None:
        print(
            f"{out}: {len(life.sites)} sites with their status, as the {args.role} role sees them"
        )
    return 0
