"""The command line, for analysts and scheduled jobs: ``python -m geo COMMAND ...``.

One module per command, each with ``add_parser(subparsers, parents)`` and ``run(args)``; the
parser is built from :data:`COMMANDS`, in the order ``--help`` lists them. Expected errors
print one line starting ``error:`` and exit with status 2; a traceback means a bug. ``--json``
prints the result as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final

from geo.cli import (
    brief,
    completeness,
    copy,
    demo,
    export,
    export_parquet,
    flow,
    gaps,
    hotspots,
    imports,
    interpreters,
    links,
    partnership,
    patrol,
    referrals,
    rights,
    safeguarding,
    sharing,
    sites,
    snapshot,
    status,
    summary,
    swep,
    tension,
    users,
)
from geo.cli._common import parents
from geo.errors import AtlasError
from geo.store import STORE_ENV, default_store_location

#: The commands, in the order ``--help`` lists them.
COMMANDS: Final[tuple[ModuleType, ...]] = (
    demo,
    imports,
    export,
    export_parquet,
    status,
    summary,
    flow,
    partnership,
    snapshot,
    swep,
    links,
    referrals,
    completeness,
    tension,
    interpreters,
    safeguarding,
    hotspots,
    sites,
    gaps,
    patrol,
    brief,
    users,
    sharing,
    rights,
    copy,
)

_EPILOG = f"""\
The store is {default_store_location()} unless --store or the {STORE_ENV} environment variable
says otherwise. Run a command with --help for an example."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept apart so tests and docs can read it)."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Outreach Atlas from the command line: import files, build the demo, and"
        " answer the questions: ward figures, hotspots, persistent sites, gaps, patrols.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = parents()
    for command in COMMANDS:
        command.add_parser(subparsers, shared)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


__all__ = ["COMMANDS", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
