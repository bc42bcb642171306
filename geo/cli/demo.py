"""``python -m geo demo``: write the synthetic demo borough's files and import them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Final

from geo.cli._common import Parents, Subparsers, add_command
from geo.store import open_store

#: Where the demo's files are written unless ``--out`` says otherwise.
DEMO_FOLDER: Final = "data/demo"


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``demo``."""
    sub = add_command(
        subparsers,
        "demo",
        run,
        text="write the synthetic demo borough's files and import them",
        example="python -m geo demo --store var/demo.sqlite",
        parents=[parents.common],
    )
    sub.add_argument("--out", default=DEMO_FOLDER, help="folder for the demo files")


def run(args: argparse.Namespace) -> int:
    """Write and import the demo borough; print what each file stored."""
    from geo.demo import load_demo

    store = open_store(args.store)
    result = load_demo(store, directory=Path(args.out))
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(f"Demo borough (synthetic) written to {args.out} and imported into {store.location}:")
        for item in result["imports"]:
            print(f"  {item['source']}: stored {item['stored']} of {item['read']}")
    return 0
