"""The command line, for analysts and scheduled jobs: ``python -m geo COMMAND ...``.

One module per command, each with ``add_parser(subparsers, parents)`` and ``run(args)``; the
parser is built from :data:`MODULES`, in the order ``--help`` lists them, importing only the
module of the command that runs. ``COMMANDS`` is every command module, imported. Expected errors
print one line starting ``error:`` and exit with status 2; a traceback means a bug. ``--json``
prints the result as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final

from geo.cli._common import parents
from geo.errors import AtlasError
from geo.store import STORE_ENV, default_store_location

#: Each command module (under ``geo.cli``) and the commands it adds, in the order ``--help``
#: lists them. A command's module is imported only when that command runs (or for ``--help``):
#: some pull in heavy analyses (the brief's PDF), which the other commands need not wait for.
MODULES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("demo", ("demo",)),
    ("imports", ("import",)),
    ("export", ("export",)),
    ("export_parquet", ("export-parquet",)),
    ("status", ("status",)),
    ("summary", ("summary",)),
    ("flow", ("flow",)),
    ("partnership", ("partnership",)),
    ("snapshot", ("snapshot",)),
    ("swep", ("swep",)),
    ("links", ("links",)),
    ("referrals", ("referrals",)),
    ("completeness", ("completeness",)),
    ("tension", ("tension",)),
    ("interpreters", ("interpreters",)),
    ("safeguarding", ("safeguarding",)),
    ("hotspots", ("hotspots",)),
    ("sites", ("sites",)),
    ("gaps", ("gaps",)),
    ("patrol", ("patrol",)),
    ("brief", ("brief",)),
    ("users", ("users", "settings", "audit")),
    ("sharing", ("sharing",)),
    ("rights", ("purge", "subject-access", "erase")),
    ("copy", ("copy",)),
)
_MODULE_OF: Final[dict[str, str]] = {
    command: module for module, commands in MODULES for command in commands
}


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    """``COMMANDS``: every command module, imported, in the order ``--help`` lists them."""
    if name == "COMMANDS":
        return tuple(_command_module(module) for module, _ in MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_EPILOG = f"""\
The store is {default_store_location()} unless --store or the {STORE_ENV} environment variable
says otherwise. Run a command with --help for an example."""


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (kept apart so tests and docs can read it).

    With ``only`` (a command's name), the parser knows that command alone and imports only
    its module: what :func:`main` uses to run a command it recognises.
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Outreach Atlas from the command line: import files, build the demo, and"
        " answer the questions: ward figures, hotspots, persistent sites, gaps, patrols.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = parents()
    if only is not None and only not in _MODULE_OF:
        raise ValueError(f"only={only!r} is not a command; choose from {', '.join(_MODULE_OF)}")
    modules = [module for module, _ in MODULES] if only is None else [_MODULE_OF[only]]
    for module in modules:
        _command_module(module).add_parser(subparsers, shared)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # the first word names the command (the main parser has no option but --help); anything
    # else (--help, a mistyped command) gets the whole parser and its full help
    only = argv[0] if argv and argv[0] in _MODULE_OF else None
    args = build_parser(only=only).parse_args(argv)
    try:
        return int(args.run(args))
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _command_module(name: str) -> ModuleType:
    """The command module ``geo.cli.<name>``, imported now if it was not yet."""
    return importlib.import_module(f"{__name__}.{name}")


__all__ = ["COMMANDS", "MODULES", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
