"""``python -m geo users``, ``settings`` and ``audit``: who may sign in, the settings only
admins change, and the audit log.

The command line runs on the server, by someone who already holds the store file, so it acts
as an admin; this is how the first admin is made. Every change is audited under the operating-
system user who ran it (:func:`geo.store.audit.current_actor`).
"""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command, out_path, print_figures
from geo.errors import AtlasError
from geo.io.exports import suffixes
from geo.privacy import ROLES
from geo.privacy import users as people
from geo.store import open_store

#: What the command line acts as.
_ADMIN = "admin"


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``users``, ``settings`` and ``audit``."""
    users = subparsers.add_parser("users", help="who may sign in, with which role and agency")
    what = users.add_subparsers(dest="users_what", required=True, metavar="ACTION")
    add = add_command(
        what,
        "add",
        run,
        text="let EMAIL sign in with ROLE (or change their role and agency)",
        example="python -m geo users add ana.silva@council.example --role admin",
        parents=[parents.common],
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--agency", help="the agency they belong to")
    binding = add.add_mutually_exclusive_group()
    binding.add_argument(
        "--council",
        metavar="CODE",
        help="bind them to a council (its wards' parent code): they read only its records and"
        " those shared with it",
    )
    binding.add_argument(
        "--no-council",
        action="store_true",
        help="take away the council they are bound to: they read every council's records",
    )
    add_command(
        what,
        "list",
        run,
        text="everyone who may sign in",
        example="python -m geo users list",
        parents=[parents.common],
    )
    remove = add_command(
        what,
        "remove",
        run,
        text="stop EMAIL signing in (takes effect at their next click)",
        example="python -m geo users remove ana.silva@council.example",
        parents=[parents.common],
    )
    remove.add_argument("email")

    setting = add_command(
        subparsers,
        "settings",
        run,
        text="show the settings, or change one with a reason (audited)",
        example="python -m geo settings police_see_nationality on --reason 'DPIA 2026-14'",
        parents=[parents.common],
    )
    setting.add_argument("name", nargs="?", choices=tuple(people.SETTINGS))
    setting.add_argument("value", nargs="?", choices=("on", "off"))
    setting.add_argument("--reason", help="why (turning on: the DPIA's reference)")

    audit = add_command(
        subparsers,
        "audit",
        run,
        text="the audit log: sign-ins, views, imports, exports, changes (who, when, what)",
        example="python -m geo audit --out audit.csv",
        parents=[parents.common],
    )
    audit.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")


def run(args: argparse.Namespace) -> int:
    """Run ``users ACTION``, ``settings`` or ``audit``."""
    if args.command == "users":
        return {"add": _add, "list": _list, "remove": _remove}[args.users_what](args)
    return {"settings": _settings, "audit": _audit}[args.command](args)


def _add(args: argparse.Namespace) -> int:
    user = people.add_user(
        open_store(args.store),
        args.email,
        role=_ADMIN,
        new_role=args.role,
        agency=args.agency,
        council=args.council,
        unbind=args.no_council,
    )
    if args.json:
        print(json.dumps(user.__dict__))
    else:
        agency = f" ({user.agency})" if user.agency else ""
        council = f", bound to council {user.council}" if user.council else ""
        print(f"{user.email} may sign in as {user.role}{agency}{council}")
    return 0


def _list(args: argparse.Namespace) -> int:
    table = people.users(open_store(args.store), role=_ADMIN)
    args.role = _ADMIN
    lines = [f"{len(table)} user{'' if len(table) == 1 else 's'}"]
    return print_figures(args, table, None, headline=lines, what="users")


def _remove(args: argparse.Namespace) -> int:
    if not people.remove_user(open_store(args.store), args.email, role=_ADMIN):
        raise AtlasError(f"no user {args.email!r}; 'python -m geo users list' shows them")
    print(f"{args.email.strip().lower()} can no longer sign in")
    return 0


def _settings(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    if args.name is not None and args.value is not None:
        people.change_setting(store, args.name, args.value == "on", role=_ADMIN, reason=args.reason)
    elif args.name is not None or args.reason is not None:
        raise AtlasError("give a setting, on or off, and --reason: e.g. police_see_nationality off")
    kept = store.settings()
    for name, (_default, words) in people.SETTINGS.items():
        value, changed = people.setting(store, name), kept.get(name)
        how = "default" if changed is None else f"{changed.changed_by}, {changed.changed_at}"
        why = f", reason: {changed.reason}" if changed is not None and changed.reason else ""
        print(f"{name}: {'on' if value else 'off'} ({words}; {how}{why})")
    return 0


def _audit(args: argparse.Namespace) -> int:
    out = out_path(args.out, suffixes("table"))
    table = people.audit_log(open_store(args.store), role=_ADMIN)
    args.role = _ADMIN
    lines = [f"{len(table)} entries in the audit log"]
    return print_figures(args, table, out, headline=lines, what="entries")
