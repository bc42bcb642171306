"""``python -m geo status``: count what the store holds."""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``status``."""
    add_command(
        subparsers,
        "status",
        run,
        text="count what the store holds",
        example="python -m geo status --json",
        parents=[parents.common],
    )


def run(args: argparse.Namespace) -> int:
    """Print the store's location and its counts."""
    store = open_store(args.store)
    counts = store.counts()
    if args.json:
        print(json.dumps({"store": store.location, **counts}))
    else:
        print(f"{store.location}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
