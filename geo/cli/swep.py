"""``python -m geo swep``: the cold-weather list, its patrol, and SWEP activations.

Without options it prints a headline, then the people seen in the last ``--nights`` nights
(longest unseen first, in words), then the persistent sites. ``--patrol`` plans a walk through
them (every stop unless ``--stops`` or ``--budget``), ``--gpx`` writes it. ``--activate FROM
TO`` records an activation (``--by``: who, by default the operating-system user until sign-in
supplies it); ``--activations`` lists those recorded.
"""

from __future__ import annotations

import argparse
import getpass
import json

import pandas as pd

from geo.analysis.swep import SWEP_NIGHTS, ColdWeatherList
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date
from geo.cli.patrol import _as_json, _start
from geo.errors import AtlasError
from geo.io.exports import (
    printable,
    suffixes,
    table_csv,
    table_json,
    write,
    write_features,
    write_table,
)
from geo.questions import swep
from geo.store import open_store

_TABLES = suffixes("table")
_FEATURES = (".geojson",)


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``swep``."""
    sub = add_command(
        subparsers,
        "swep",
        run,
        text="the cold-weather list: everyone and every site seen lately, longest unseen first,"
        " and a patrol through them; record SWEP activations",
        example="python -m geo swep --night 2026-11-19 --nights 14 --patrol --gpx swep.gpx",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--night", metavar="DATE", help="the night (default: --to, else latest)")
    sub.add_argument(
        "--nights",
        type=int,
        default=SWEP_NIGHTS,
        help="nights looked back over, the night included (default: %(default)s)",
    )
    sub.add_argument(
        "--out", metavar="FILE.csv|.json|.geojson", help="write the people and sites here"
    )
    sub.add_argument("--patrol", action="store_true", help="plan a patrol through the list")
    amount = sub.add_mutually_exclusive_group()
    amount.add_argument("--stops", type=int, help="with --patrol: how many stops (default: all)")
    amount.add_argument("--budget", type=float, metavar="MINUTES", help="with --patrol: minutes")
    sub.add_argument("--start", metavar="LAT,LON", help="with --patrol: where it starts")
    sub.add_argument("--gpx", metavar="FILE.gpx", help="with --patrol: write it as GPX")
    sub.add_argument("--activate", nargs=2, metavar=("FROM", "TO"), help="record a SWEP activation")
    sub.add_argument("--by", help="with --activate: who records it (default: the OS user)")
    sub.add_argument("--note", help="with --activate: a note (why, who called it)")
    sub.add_argument("--activations", action="store_true", help="list recorded activations")


def run(args: argparse.Namespace) -> int:
    """Record or list activations, or print (or write) the list and its patrol."""
    store = open_store(args.store)
    if args.activate:
        first, last = (parse_date(value, option="--activate") for value in args.activate)
        found = swep.record_activation(
            store, first, last, role=args.role, by=args.by or getpass.getuser(), note=args.note
        )
        print(
            f"SWEP activation recorded: the nights of {first:%d %B %Y} to {last:%d %B %Y}"
            f" ({(last - first).days + 1} nights), by {found.recorded_by}"
        )
        return 0
    if args.by or args.note:
        raise AtlasError("--by and --note go with --activate FROM TO")
    if args.activations:
        return _list_activations(swep.activations(store, role=args.role), as_json=args.json)
    if not args.patrol and (args.stops or args.budget or args.gpx or args.start):
        raise AtlasError("--stops, --budget, --start and --gpx go with --patrol")
    out = out_path(args.out, (*_TABLES, *_FEATURES))
    gpx = out_path(args.gpx, (".gpx",), "--gpx")
    night = parse_date(args.night, option="--night") or parse_date(args.end, option="--to")
    if args.patrol:
        return _patrol(args, store, night=night, gpx=gpx)
    found = swep.cold_weather_list(store, role=args.role, night=night, nights=args.nights)
    if out is not None:
        if out.suffix.lower() in _FEATURES:
            rows = write_features(found.features(), out)
        else:
            rows = write_table(found.table(), out)
        print(f"{out}: {rows} rows ({len(found.people)} people, {len(found.sites)} sites)")
    if args.json:
        print(table_json(found.table()))
    elif out is None:
        print("\n".join(_in_words(found)))
    return 0


def _patrol(args: argparse.Namespace, store: object, *, night: object, gpx: object) -> int:
    start, source = _start(args.start)
    planned = swep.swep_patrol(
        store,  # type: ignore[arg-type]
        role=args.role,
        night=night,  # type: ignore[arg-type]
        nights=args.nights,
        start_lonlat=start,
        stops=args.stops,
        budget_minutes=args.budget,
    )
    if gpx is not None:
        write(planned, gpx)  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(_as_json(planned, source)))
        return 0
    if gpx is not None:
        print(f"{gpx}: {len(planned.stops)} stops, {planned.total_m / 1000:.1f} km")
    print(printable(planned), end="")
    return 0


def _in_words(found: ColdWeatherList) -> list[str]:
    """The headline, then each person and site in a line."""
    people, sites = found.people, found.sites
    lines = [_headline(found)]
    if len(people):
        lines.append("")
        lines.append("People, longest unseen first:")
        who = people["person_ref"] if "person_ref" in people.columns else None
        for i, row in enumerate(people.to_dict("records")):
            name = f"{who.iloc[i]}" if who is not None else f"person {i + 1}"
            seen = pd.Timestamp(row["last_seen"])
            line = (
                f"  {name}: {_since(row['nights_since'])}, last seen {seen:%d %b %Y %H:%M}"
                f" at {row['place_name']} by {row['agency']}"
            )
            extra = [
                f"{label}: {row[column]}"
                for column, label in (
                    ("last_outcome", "last outcome"),
                    ("languages", "interpreter"),
                    ("flags", "flags"),
                )
                if row.get(column)
            ]
            lines.append(line + ("; " + "; ".join(extra) if extra else ""))
    if len(sites):
        lines.append("")
        lines.append("Persistent sites, longest unseen first:")
        for row in sites.to_dict("records"):
            needs = [f"{k}: {row[k]}" for k in ("languages", "flags") if row.get(k)]
            lines.append(
                f"  {row['place_name']}: {_since(row['nights_since'])}, seen on"
                f" {row['nights_seen']} nights, up to {row['people']} people"
                + ("; " + "; ".join(needs) if needs else "")
            )
    return lines


def _headline(found: ColdWeatherList) -> str:
    people, sites = len(found.people), len(found.sites)
    head = (
        f"{people} {'person' if people == 1 else 'people'} and {sites}"
        f" site{'' if sites == 1 else 's'} seen in the {found.nights} nights to"
        f" {found.night:%d %b %Y}"
    )
    longest = pd.concat([found.people["nights_since"], found.sites["nights_since"]])
    if longest.empty:
        return head
    return f"{head}; the longest unseen: {_since(int(longest.max()))}"


def _since(nights: int) -> str:
    return {0: "seen that night", 1: "1 night"}.get(int(nights), f"{int(nights)} nights")


def _list_activations(found: pd.DataFrame, *, as_json: bool) -> int:
    if as_json:
        print(table_json(found))
    elif found.empty:
        print("no SWEP activation is recorded; record one with --activate FROM TO")
    else:
        print(table_csv(found), end="")
    return 0
