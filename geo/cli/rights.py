"""``python -m geo purge``, ``subject-access`` and ``erase``: retention and the people's rights.

The command line runs on the server, by someone who already holds the store file, so it acts
as an admin (as ``users`` does); every purge, export and erasure is audited under the
operating-system user who ran it. The work is :mod:`geo.privacy.rights`'s.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo.cli._common import Parents, Subparsers, add_command, out_path
from geo.errors import AtlasError
from geo.io.exports import suffixes, write_table
from geo.privacy import rights
from geo.store import open_store

#: What the command line acts as.
_ADMIN = "admin"

_PURGE_HOW = f"""\
Deletes every record whose night is before the first night kept: today (Europe/London) less
the period. With 24m on 28 November 2026 the first night kept is 28 November 2024; the night
of 27 November 2024 and earlier are deleted. The link decisions naming those records, closed
safeguarding items about them, and the column cache go too; services and police.uk incidents
are not about anyone and stay. One audit row, 'records purged', holds the counts. Without
--older-than the period is the {rights.RETENTION_ENV} environment variable, else
{rights.DEFAULT_RETENTION}. Try --dry-run first: it counts and changes nothing."""

_REF_HOW = """\
The reference is hashed with the store's key as the import hashed it: in the agency's own
scope, or with --ref-namespace (as given at import; a 'CHAIN ID' column is CHAIN) in the
shared system, where every agency's records with that reference are the person's. The
reference is never written to the audit log."""


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``purge``, ``subject-access`` and ``erase``."""
    purge = add_command(
        subparsers,
        "purge",
        run,
        text="delete records older than the retention period, and what came from them",
        example="python -m geo purge --older-than 24m --dry-run",
        parents=[parents.common],
    )
    purge.epilog = f"{_PURGE_HOW}\n\n{purge.epilog}"
    purge.add_argument(
        "--older-than",
        metavar="PERIOD",
        help="months, years or days: 24m, 2y, 730d (default: $"
        f"{rights.RETENTION_ENV}, else {rights.DEFAULT_RETENTION})",
    )
    purge.add_argument("--dry-run", action="store_true", help="count only; change nothing")

    access = add_command(
        subparsers,
        "subject-access",
        run,
        text="export every record held for one person's reference (audited)",
        example="python -m geo subject-access --ref C-1042 --agency 'Outreach' --out c1042.csv",
        parents=[parents.common],
    )
    access.epilog = f"{_REF_HOW}\n\n{access.epilog}"
    _person_options(access)
    access.add_argument(
        "--out",
        required=True,
        metavar="FILE.csv|.json|.xlsx",
        help="write the records here (formulas neutralised)",
    )

    erase = add_command(
        subparsers,
        "erase",
        run,
        text="erase every record held for one person's reference (audited; needs --yes)",
        example="python -m geo erase --ref C-1042 --agency 'Outreach' --yes",
        parents=[parents.common],
    )
    erase.epilog = (
        f"Without --yes it says what would be erased and changes nothing.\n{_REF_HOW}"
        f"\n\n{erase.epilog}"
    )
    _person_options(erase)
    erase.add_argument("--yes", action="store_true", help="really erase them")


def _person_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ref", required=True, help="the reference as the agency knows it")
    parser.add_argument("--agency", required=True, help="the agency, as its files were imported")
    parser.add_argument(
        "--ref-namespace", metavar="NAME", help="the shared reference system (e.g. CHAIN)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``purge``, ``subject-access`` or ``erase``."""
    return {"purge": _purge, "subject-access": _subject_access, "erase": _erase}[args.command](args)


def _purge(args: argparse.Namespace) -> int:
    done = rights.purge(
        open_store(args.store), role=_ADMIN, older_than=args.older_than, dry_run=args.dry_run
    )
    if args.json:
        print(
            json.dumps(
                {
                    "older_than": done.older_than,
                    "first_night_kept": done.kept_from.isoformat(),
                    "dry_run": done.dry_run,
                    "deleted": done.deleted,
                }
            )
        )
        return 0
    verb = "would delete" if done.dry_run else "deleted"
    print(
        f"Records older than {done.older_than}: nights before {done.kept_from:%d %B %Y} (kept"
        f" from that night on). {verb.capitalize()} {_counts(done.deleted)}."
    )
    if done.dry_run:
        print("Nothing was changed: run again without --dry-run to delete them.")
    return 0


def _subject_access(args: argparse.Namespace) -> int:
    out = out_path(args.out, suffixes("table")) or Path(args.out)
    table = rights.subject_access(
        open_store(args.store),
        role=_ADMIN,
        ref=args.ref,
        agency=args.agency,
        ref_namespace=args.ref_namespace,
    )
    written = write_table(table, out)
    if args.json:
        print(json.dumps({"file": str(out), "records": written}))
    else:
        print(f"{out}: {written} record{'' if written == 1 else 's'} held for that reference")
    return 0


def _erase(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    person = {"ref": args.ref, "agency": args.agency, "ref_namespace": args.ref_namespace}
    counts = rights.erase_person(store, role=_ADMIN, dry_run=True, **person)
    if counts["records"] == 0:
        raise AtlasError(
            f"no records are held for that reference of {args.agency.strip()!r}; nothing to"
            " erase (was it imported from a shared system? give --ref-namespace)"
        )
    if args.yes:
        counts = rights.erase_person(store, role=_ADMIN, **person)
    if args.json:
        print(json.dumps({"erased": args.yes, "deleted": counts}))
    elif args.yes:
        print(f"Erased {_counts(counts)}.")
    else:
        print(f"Would erase {_counts(counts)}. Nothing was changed: add --yes to erase them.")
    return 0


def _counts(counts: dict[str, int]) -> str:
    """``{"records": 3, ...}`` as "3 records, 1 link decision and 0 closed safeguarding
    items"."""
    words = {
        "records": ("record", "records"),
        "link_decisions": ("link decision", "link decisions"),
        "safeguarding_closures": ("closed safeguarding item", "closed safeguarding items"),
    }
    parts = [f"{n} {words[name][n != 1]}" for name, n in counts.items() if name in words]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
