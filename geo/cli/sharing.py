"""``python -m geo sharing``: data-sharing agreements between the councils of a partnership.

``sharing add FROM TO --reason REF`` lets the users bound to council ``TO`` read council
``FROM``'s records (its wards'); ``sharing end FROM TO`` stops it; ``sharing list`` shows every
agreement, in force or ended. Like ``users``, the command line acts as an admin (whoever runs
it holds the store already), and every change is audited under the operating-system user.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from geo.cli._common import Parents, Subparsers, add_command, out_path, print_figures
from geo.io.exports import suffixes
from geo.privacy import users as people
from geo.store import open_store

#: What the command line acts as.
_ADMIN = "admin"


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``sharing``."""
    sharing = subparsers.add_parser(
        "sharing", help="data-sharing agreements between councils (who reads whose records)"
    )
    what = sharing.add_subparsers(dest="sharing_what", required=True, metavar="ACTION")
    add = add_command(
        what,
        "add",
        run,
        text="let council TO's users read council FROM's records (audited, with a reason)",
        example="python -m geo sharing add E06000043 E10000032 --reason 'DSA 2026-07'",
        parents=[parents.common],
    )
    add.add_argument("from_council", metavar="FROM", help="the council whose records are shared")
    add.add_argument("to_council", metavar="TO", help="the council whose users may read them")
    add.add_argument("--reason", required=True, help="the data-sharing agreement's reference")
    listed = add_command(
        what,
        "list",
        run,
        text="every agreement, in force or ended",
        example="python -m geo sharing list",
        parents=[parents.common],
    )
    listed.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")
    end = add_command(
        what,
        "end",
        run,
        text="end the agreement letting TO read FROM's records (takes effect at once)",
        example="python -m geo sharing end E06000043 E10000032",
        parents=[parents.common],
    )
    end.add_argument("from_council", metavar="FROM")
    end.add_argument("to_council", metavar="TO")


def run(args: argparse.Namespace) -> int:
    """Run ``sharing ACTION``."""
    return {"add": _add, "list": _list, "end": _end}[args.sharing_what](args)


def _add(args: argparse.Namespace) -> int:
    agreement = people.share(
        open_store(args.store),
        args.from_council,
        args.to_council,
        role=_ADMIN,
        reason=args.reason,
    )
    if args.json:
        print(json.dumps(asdict(agreement)))
    else:
        print(
            f"council {agreement.to_council}'s users may now read council"
            f" {agreement.from_council}'s records ({agreement.reason})"
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    out = out_path(args.out, suffixes("table"))
    table = people.agreements(open_store(args.store), role=_ADMIN)
    args.role = _ADMIN
    in_force = int(table["ended_at"].isna().sum())
    lines = [f"{len(table)} agreement{'' if len(table) == 1 else 's'}, {in_force} in force"]
    return print_figures(args, table, out, headline=lines, what="agreements")


def _end(args: argparse.Namespace) -> int:
    agreement = people.end_share(
        open_store(args.store), args.from_council, args.to_council, role=_ADMIN
    )
    if args.json:
        print(json.dumps(asdict(agreement)))
    else:
        print(
            f"council {agreement.to_council}'s users can no longer read council"
            f" {agreement.from_council}'s records"
        )
    return 0
