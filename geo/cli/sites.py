"""``python -m geo sites``: persistent sites, places people were seen on k of the last n nights."""

from __future__ import annotations

import argparse

from geo import questions
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
from geo.io.exports import place_label, suffixes, write_features
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


def run(args: argparse.Namespace) -> int:
    """Print the busiest sites with the nearest services; write them all when asked."""
    out = out_path(args.out, suffixes("features"))
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
