"""``python -m geo links``: the records counted as one person, and unlinking them (coordinators).

Without ``--unlink``/``--relink`` it lists every link the street-count rule makes, group by
group, in words. ``--unlink A B`` keeps a decision that records A and B are different people
(B is counted on its own if they stay joined through others); ``--relink A B`` undoes it. Each
prints how the people counted that night change. There is no sign-in yet: ``--by`` names who
decided, by default the operating-system user; sign-in will supply it.
"""

from __future__ import annotations

import argparse
import getpass
import json

import pandas as pd

from geo.analysis.links import in_words
from geo.analysis.places_view import date_words
from geo.cli._common import Parents, Subparsers, add_command, out_path, parse_date
from geo.errors import AtlasError
from geo.io.exports import suffixes, table_json, write_table
from geo.questions.links import LinkChange, links, relink, unlink
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``links``."""
    sub = add_command(
        subparsers,
        "links",
        run,
        text="records counted as one person by the street-count rule; unlink or relink them",
        example="python -m geo links --from 2026-11-01 --to 2026-11-14\n"
        "  python -m geo links --unlink r_123 r_456 --reason 'two different men'",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument("--from", dest="start", metavar="DATE", help="first night")
    sub.add_argument("--out", metavar="FILE.csv|.json", help="write the list here")
    change = sub.add_mutually_exclusive_group()
    change.add_argument(
        "--unlink", nargs=2, metavar=("A", "B"), help="records A and B are different people"
    )
    change.add_argument("--relink", nargs=2, metavar=("A", "B"), help="undo an unlink")
    sub.add_argument(
        "--by",
        metavar="NAME",
        help="who decides (default: the operating-system user; sign-in will supply it)",
    )
    sub.add_argument("--reason", metavar="TEXT", help="why, kept with the decision")


def run(args: argparse.Namespace) -> int:
    """List the links, or keep an unlink or relink and say what it changed."""
    store = open_store(args.store)
    pair = args.unlink or args.relink
    if pair is not None:
        decide = unlink if args.unlink else relink
        change = decide(
            store,
            *pair,
            role=args.role,
            by=args.by or getpass.getuser(),
            reason=args.reason,
        )
        _print_change(change, as_json=args.json)
        return 0
    if args.by or args.reason:
        raise AtlasError("--by and --reason go with --unlink A B or --relink A B")
    out = out_path(args.out, suffixes("table"))
    found = links(
        store,
        role=args.role,
        start=parse_date(args.start, option="--from"),
        end=parse_date(args.end, option="--to"),
    )
    if args.json:
        print(table_json(found))
    elif out is None:
        _print_groups(found)
    if out is not None:
        rows = write_table(found, out)
        print(f"{out}: {rows} links in {found['group'].nunique()} groups")
    return 0


def _print_groups(found: pd.DataFrame) -> None:
    if found.empty:
        print("No records are counted as one person in these nights.")
        return
    lines = found["record_a"] + " and " + found["record_b"] + ": " + in_words(found)
    for group, rows in found.groupby("group", sort=True):
        first = rows.iloc[0]
        ward = first["ward_name"]
        where = (
            first["place"]
            if pd.notna(first["place"])
            else (f"a place in {ward} ward" if pd.notna(ward) else "an unnamed place")
        )
        print(f"Group {group}, night of {date_words(first['night'])}, {where}:")
        print("\n".join("  " + line for line in lines.loc[rows.index]))


def _print_change(change: LinkChange, *, as_json: bool) -> None:
    decision = change.decision
    if as_json:
        print(
            json.dumps(
                {
                    **decision.__dict__,
                    "night": change.night.isoformat(),
                    "people_before": change.people_before,
                    "people_after": change.people_after,
                }
            )
        )
        return
    done = "unlinked" if decision.action == "unlink" else "linked again"
    print(
        f"Records {decision.record_a} and {decision.record_b} {done} by {decision.decided_by}"
        f" at {decision.decided_at} (UTC)."
    )
    print(
        f"People counted on the night of {date_words(change.night)}:"
        f" {change.people_before} before, {change.people_after} now."
    )
