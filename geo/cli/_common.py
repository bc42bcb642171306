"""What the commands share: the option groups every command takes, and small helpers.

Each command module has the same two functions: ``add_parser(subparsers, parents)`` adds its
subcommand (built with :func:`add_command`), and ``run(args) -> int`` runs it. The exports and
the privacy figures are imported by the helpers that use them: ``import records`` uses neither,
and would wait a fifth of a second for them (scipy's optimiser, the PDF templates).
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.analysis.completeness import file_line
from geo.analysis.ward_figures import PERIODS
from geo.errors import AtlasError
from geo.privacy.roles import ROLES
from geo.store import default_store_location, open_store
from geo.store.audit import acting_as, current_actor
from geo.store.registers import normalise_council

#: How many sites or gaps a command prints (``--show``).
SHOW: Final = 20
#: The role a command reads as unless ``--role`` says otherwise.
DEFAULT_ROLE: Final = "coordinator"

Subparsers = argparse._SubParsersAction  # what add_subparsers() returns


@dataclass(frozen=True)
class Parents:
    """Option groups, as argparse parent parsers.

    Attributes
    ----------
    common
        ``--store`` and ``--json``: every command.
    rows
        ``FILE`` and ``--rejects``: imports of a file of rows.
    analysis
        ``--role``, ``--to`` and ``--council``: the questions (summary, hotspots, sites, gaps,
        patrol).
    """

    common: argparse.ArgumentParser
    rows: argparse.ArgumentParser
    analysis: argparse.ArgumentParser


def parents() -> Parents:
    """The shared option groups."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        default=default_store_location(),
        help="store file, or postgresql:// URL of a shared store (default: %(default)s)",
    )
    common.add_argument("--json", action="store_true", help="print the result as one JSON object")
    rows = argparse.ArgumentParser(add_help=False)
    rows.add_argument("file")
    rows.add_argument("--rejects", metavar="FILE.csv", help="write rejected rows with reasons")
    analysis = argparse.ArgumentParser(add_help=False)
    add_role(analysis, text="whose view: small numbers and places follow that role's rules")
    analysis.add_argument("--to", dest="end", metavar="DATE", help="last night (default: latest)")
    add_council(analysis)
    return Parents(common=common, rows=rows, analysis=analysis)


def add_role(parser: argparse.ArgumentParser, *, text: str) -> None:
    """``--role``, one of the roles, :data:`DEFAULT_ROLE` unless given."""
    parser.add_argument(
        "--role", default=DEFAULT_ROLE, choices=ROLES, help=f"{text} (default: %(default)s)"
    )


def add_council(parser: argparse.ArgumentParser) -> None:
    """``--council CODE``: act as a user bound to that council (see :func:`add_command`)."""
    parser.add_argument(
        "--council",
        dest="acting_council",  # not the council an import or a user is given
        metavar="CODE",
        help="act as a user bound to this council of a partnership: its records and those"
        " shared with it; other councils' only as figures with small numbers hidden",
    )


def add_command(
    subparsers: Subparsers,
    name: str,
    run: Callable[[argparse.Namespace], int],
    *,
    text: str,
    example: str,
    parents: Sequence[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """A subcommand with a one-line ``text``, an ``example`` under its help, and ``run``."""
    sub = subparsers.add_parser(
        name,
        parents=list(parents),
        help=text,
        description=text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.set_defaults(run=_for_council(run))
    return sub


def _for_council(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``run``, acting as a user bound to the council ``--council`` names (when the command
    has the option and it is given): every read is narrowed as the app narrows that user's."""

    @functools.wraps(run)
    def for_council(args: argparse.Namespace) -> int:
        council = getattr(args, "acting_council", None)
        if council is None:
            return run(args)
        code = normalise_council(council)
        known = sorted(set(open_store(args.store).ward_councils().dropna()))
        if code not in known:
            raise AtlasError(
                f"--council {code}: the store holds no wards of that council; its councils are"
                f" {', '.join(known) or 'none (no ward carries a council code)'}"
            )
        actor = replace(current_actor(), role=args.role, council=code)
        with acting_as(actor):
            return run(args)

    return for_council


def column_map(values: Sequence[str] | None) -> dict[str, str]:
    """``--column FIELD=COLUMN`` options as a mapping."""
    mapping: dict[str, str] = {}
    for value in values or ():
        field, sep, column = value.partition("=")
        if not sep:
            raise AtlasError(f"--column {value!r}: write it as FIELD=COLUMN (e.g. date='Seen on')")
        mapping[field.strip()] = column.strip()
    return mapping


def parse_date(value: str | None, *, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option as a date (``None`` stays ``None``)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AtlasError(
            f"{option} {value!r}: write dates as YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def out_path(path: str | None, allowed: Sequence[str], option: str = "--out") -> Path | None:
    """``path`` if it ends in one of ``allowed`` (checked before any work is done), else an
    error naming the endings that would do."""
    if path is None:
        return None
    if Path(path).suffix.lower() not in allowed:
        either = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
        raise AtlasError(f"{option} {path}: the file name must end in {either}")
    return Path(path)


def print_features(frame: gpd.GeoDataFrame, path: Path | None) -> int:
    """Write ``frame`` to ``path`` if asked, and print it as JSON (for --json)."""
    from geo.io.exports import features_json, write_features

    if path is not None:
        write_features(frame, path)
    print(features_json(frame))
    return 0


def print_report(report: dict[str, object], *, as_json: bool) -> None:
    """An import's accounting: one line, then reasons and warnings (or one JSON object)."""
    if as_json:
        print(json.dumps(report, default=str))
        return
    kind = report.get("kind")
    placed = kind not in {"postcodes", "places", "context"}  # lookups are not in wards
    print(
        f"{report['source']}: read {report['read']}, stored {report['stored']},"
        f" skipped {report['skipped']} as duplicates, rejected {report['rejected']}"
        + (f", outside every ward {report['outside_areas']}" if placed else "")
    )
    for reason, count in dict(report.get("rejected_by_reason", {})).items():  # type: ignore[arg-type]
        print(f"  rejected {count}: {reason}")
    for reason, count in dict(report.get("skipped_by_reason", {})).items():  # type: ignore[arg-type]
        print(f"  skipped {count}: {reason}")
    for column, note in dict(report.get("columns_not_stored", {})).items():  # type: ignore[arg-type]
        if note["reason"] == "personal" or kind == "context":
            print(f"  column {column!r} not stored: {note['text']}")
    if kind == "context":
        kept = [c for c in dict(report.get("columns", {})) if c != "area_code"]  # type: ignore[call-overload]
        print(f"  kept for each ward: {', '.join(kept)}")
    if report.get("ref_namespace"):
        print(f"  references from the shared system {report['ref_namespace']!r}")
    completeness = file_line(dict(report.get("completeness") or {}))  # type: ignore[call-overload]
    if completeness:
        print(f"  {completeness}")
    for warning in report.get("warnings", []):  # type: ignore[union-attr]
        print(f"  warning: {warning['text']}")


def write_rejects(report: object, path: str | None) -> None:
    """Write an import's rejected rows with reasons to ``path`` (when given)."""
    if path:
        Path(path).write_bytes(report.rejects_csv())  # type: ignore[attr-defined]


def add_periods(
    parser: argparse.ArgumentParser,
    *,
    default: str,
    periods: int,
    threshold: bool = True,
    choices: Sequence[str] = PERIODS,
) -> None:
    """``--period`` (one of ``choices``), ``--from`` (when a range is one of them) and
    ``--periods`` (and ``--threshold``): figures per area and period, as the ward figures
    count them."""
    ranged = "range" in choices
    text = (
        "blocks of 1, 7 or 30 nights ending on --to, or --from..--to"
        if ranged
        else f"{' or '.join(choices)} blocks ending on --to"
    )
    parser.add_argument(
        "--period", default=default, choices=choices, help=f"{text} (default: %(default)s)"
    )
    if ranged:
        parser.add_argument("--from", dest="start", metavar="DATE", help="first night")
    parser.add_argument(
        "--periods",
        type=int,
        default=periods,
        help=f"how many periods{' without --from' if ranged else ''} (default: %(default)s)",
    )
    if threshold:
        from geo.privacy.figures import SUPPRESSION_THRESHOLD

        parser.add_argument(
            "--threshold",
            type=int,
            help=f"hide counts from 1 to this (default {SUPPRESSION_THRESHOLD})",
        )


def period_options(args: argparse.Namespace) -> dict[str, object]:
    """The role and what :func:`add_periods` (and ``--to``) gave, as a question's keywords:
    ``role``, ``period``, ``start``, ``end``, ``periods`` and ``threshold``."""
    return {
        "role": args.role,
        "period": args.period,
        "start": parse_date(getattr(args, "start", None), option="--from"),
        "end": parse_date(args.end, option="--to"),
        "periods": args.periods,
        "threshold": getattr(args, "threshold", None),
    }


def print_figures(
    args: argparse.Namespace,
    table: pd.DataFrame,
    out: Path | None,
    *,
    headline: str | Sequence[str],
    what: str,
    first: Mapping[str, str] | None = None,
    also: Mapping[str, pd.DataFrame] | None = None,
) -> int:
    """A figures command's answer. With ``--json``: one object, ``first``'s items, then
    ``headline`` and the table's ``rows``, then each of ``also`` as rows. Otherwise ``first``'s
    texts and the headline as lines, then the table as CSV unless ``--out`` names a file, which
    gets the table and a line saying how many rows of ``what`` it holds, as whose view."""
    from geo.io.exports import table_csv, table_json, write_table

    if args.json:
        tables = {"rows": table, **(also or {})}
        rows = {name: json.loads(table_json(frame)) for name, frame in tables.items()}
        print(json.dumps({**(first or {}), "headline": headline, **rows}))
    else:
        lines = [headline] if isinstance(headline, str) else list(headline)
        for line in [*(first or {}).values(), *lines]:
            print(line)
        if out is None:
            print(table_csv(table), end="")
    if out is not None:
        written = write_table(table, out)
        print(f"{out}: {written} rows ({what}), as the {args.role} role sees them")
    return 0
