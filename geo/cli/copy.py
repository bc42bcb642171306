"""``python -m geo copy SOURCE TARGET``: move a store between backends, checked."""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command
from geo.store import open_store
from geo.store.copying import copy_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``copy``."""
    sub = add_command(
        subparsers,
        "copy",
        run,
        text="copy a whole store into a new, empty one (a file or a postgresql:// URL), then"
        " check both hold the same",
        example="python -m geo copy var/outreach-atlas.sqlite postgresql://atlas@db.example/atlas",
        parents=[],  # no --store: both stores are named in full
    )
    sub.add_argument("--json", action="store_true", help="print the result as one JSON object")
    sub.add_argument("source", help="the store to copy (a file or a postgresql:// URL)")
    sub.add_argument("target", help="an empty store: a new file, or a new database's URL")


def run(args: argparse.Namespace) -> int:
    """Copy, print what was copied and the checks' verdict; 1 if the checks found differences."""
    report = copy_store(open_store(args.source), open_store(args.target))
    print(json.dumps(report.to_dict()) if args.json else report.sentence())
    return 0 if report.equal else 1
