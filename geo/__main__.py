"""The command line, for analysts and scheduled jobs: ``python -m geo COMMAND ...``.

Expected errors print one line starting ``error:`` and exit with status 2; a traceback means
a bug. ``--json`` prints the import's accounting as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo.errors import AtlasError
from geo.store import STORE_ENV, default_store_path, open_store

_EPILOG = f"""\
The store is {default_store_path()} unless --store or the {STORE_ENV} environment variable
says otherwise. Run a command with --help for an example."""


def _columns(values: Sequence[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values or ():
        field, sep, column = value.partition("=")
        if not sep:
            raise AtlasError(f"--column {value!r}: write it as FIELD=COLUMN (e.g. date='Seen on')")
        mapping[field.strip()] = column.strip()
    return mapping


def _print_report(report: dict[str, object], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, default=str))
        return
    print(
        f"{report['source']}: read {report['read']}, stored {report['stored']},"
        f" skipped {report['skipped']} as duplicates, rejected {report['rejected']},"
        f" outside every ward {report['outside_areas']}"
    )
    for reason, count in dict(report.get("rejected_by_reason", {})).items():  # type: ignore[arg-type]
        print(f"  rejected {count}: {reason}")
    for reason, count in dict(report.get("skipped_by_reason", {})).items():  # type: ignore[arg-type]
        print(f"  skipped {count}: {reason}")
    for column, why in dict(report.get("columns_not_stored", {})).items():  # type: ignore[arg-type]
        if "never stored" in str(why):
            print(f"  column {column!r} not stored: {why}")
    for warning in report.get("warnings", []):  # type: ignore[union-attr]
        print(f"  warning: {warning}")


def _write_rejects(report: object, path: str | None) -> None:
    if path:
        Path(path).write_bytes(report.rejects_csv())  # type: ignore[attr-defined]


def _cmd_demo(args: argparse.Namespace) -> int:
    from geo.demo import load_demo

    result = load_demo(open_store(args.store), directory=Path(args.out))
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(f"Demo borough (synthetic) written to {args.out} and imported into {args.store}:")
        for item in result["imports"]:
            print(f"  {item['source']}: stored {item['stored']} of {item['read']}")
    return 0


def _cmd_import_areas(args: argparse.Namespace) -> int:
    from geo.importer import import_areas

    result = import_areas(
        open_store(args.store),
        args.file,
        layer_name=args.layer_name,
        layer=args.layer,
        code_field=args.code_field,
        name_field=args.name_field,
        population_field=args.population_field,
        local_authority=args.local_authority,
    )
    _print_report(result.to_dict(), as_json=args.json)
    return 0


def _cmd_import_records(args: argparse.Namespace) -> int:
    from geo.importer import import_records

    report = import_records(
        open_store(args.store),
        args.file,
        agency=args.agency,
        kind=args.kind,
        postcodes=args.postcodes,
        places=args.places,
        columns=_columns(args.column),
        sheet=args.sheet,
    )
    _write_rejects(report, args.rejects)
    _print_report(report.to_dict(), as_json=args.json)
    return 0


def _cmd_import_services(args: argparse.Namespace) -> int:
    from geo.importer import import_services

    report = import_services(
        open_store(args.store),
        args.file,
        postcodes=args.postcodes,
        columns=_columns(args.column),
        layer=args.layer,
    )
    _write_rejects(report, args.rejects)
    _print_report(report.to_dict(), as_json=args.json)
    return 0


def _cmd_import_police(args: argparse.Namespace) -> int:
    from geo.importer import import_police

    report = import_police(open_store(args.store), args.file)
    _write_rejects(report, args.rejects)
    _print_report(report.to_dict(), as_json=args.json)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.exports import export_geopackage

    layers = export_geopackage(open_store(args.store), args.file, role=args.role)
    if args.json:
        print(json.dumps(layers))
    else:
        print(f"{args.file}: " + ", ".join(f"{name} ({n})" for name, n in layers.items()))
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    counts = store.counts()
    if args.json:
        print(json.dumps({"store": store.location, **counts}))
    else:
        print(f"{store.location}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept apart so tests and docs can read it)."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Outreach Atlas from the command line: import files, build the demo.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store", default=str(default_store_path()), help="store file (default: %(default)s)"
    )
    common.add_argument("--json", action="store_true", help="print the result as one JSON object")
    # What every import of a file of rows takes: the file, and where to write rejected rows.
    row_file = argparse.ArgumentParser(add_help=False)
    row_file.add_argument("file")
    row_file.add_argument("--rejects", metavar="FILE.csv", help="write rejected rows with reasons")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        parent: argparse._SubParsersAction,
        name: str,
        func: Callable[..., int],
        text: str,
        example: str,
        *,
        rows: bool = False,
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(
            name,
            parents=[common, row_file] if rows else [common],
            help=text,
            description=text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(func=func)
        return sub

    demo = command(
        commands,
        "demo",
        _cmd_demo,
        "write the synthetic demo borough's files and import them",
        "python -m geo demo --store var/demo.sqlite",
    )
    demo.add_argument("--out", default="data/demo", help="folder for the demo files")

    imports = commands.add_parser("import", help="import a file (wards, records, services, police)")
    kinds = imports.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name in ("wards", "areas"):
        sub = command(
            kinds,
            name,
            _cmd_import_areas,
            "replace the ward (or other area) layer from any boundary file GDAL reads",
            "python -m geo import wards wards.gpkg --layer wards_2024 --local-authority E06000043",
        )
        sub.add_argument("file")
        sub.add_argument("--layer", help="layer of a file with several (GeoPackage)")
        sub.add_argument("--code-field", help="field with the area code (found by pattern)")
        sub.add_argument("--name-field", help="field with the area name (found by pattern)")
        sub.add_argument("--population-field", help="field with residents, for rates")
        sub.add_argument("--local-authority", help="keep areas of this parent code only")
        sub.add_argument(
            "--layer-name",
            default="ward" if name == "wards" else "area",
            help="name of the layer in the store (default: %(default)s)",
        )
    rec = command(
        kinds,
        "records",
        _cmd_import_records,
        "import street counts, outreach contacts, referrals or visits (CSV or XLSX)",
        "python -m geo import records contacts.xlsx --agency 'Harbour Light'"
        " --kind outreach_contact --postcodes NSPL.csv",
        rows=True,
    )
    rec.add_argument("--agency", required=True, help="who recorded the rows")
    rec.add_argument(
        "--kind",
        default="street_count",
        choices=["street_count", "outreach_contact", "referral", "visit"],
        help="kind of rows without a kind column (default: %(default)s)",
    )
    rec.add_argument("--postcodes", help="postcode directory: ONSPD, NSPL or Code-Point Open CSV")
    rec.add_argument("--places", help="gazetteer CSV of place names the teams use")
    rec.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    rec.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a column by hand, e.g. --column people='No. seen' (repeatable)",
    )
    svc = command(
        kinds,
        "services",
        _cmd_import_services,
        "import services (day centres, shelters, food, health, interpreters)",
        "python -m geo import services services.csv",
        rows=True,
    )
    svc.add_argument("--postcodes", help="postcode directory for services located by postcode")
    svc.add_argument("--layer", help="layer of a vector file with several")
    svc.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a column by hand (repeatable)",
    )
    command(
        kinds,
        "police",
        _cmd_import_police,
        "import a police.uk street-level crime CSV as published (ASB overlay)",
        "python -m geo import police 2026-10-sussex-street.csv",
        rows=True,
    )

    exp = command(
        commands,
        "export",
        _cmd_export,
        "write the store as a GeoPackage that QGIS opens (wards, records, services, police)",
        "python -m geo export outreach.gpkg --role coordinator",
    )
    exp.add_argument("file", help="the .gpkg to write (replaced if it exists)")
    exp.add_argument(
        "--role",
        default="coordinator",
        choices=["coordinator", "police", "councillor", "admin"],
        help="whose view to export; records follow that role's rules",
    )
    command(
        commands, "status", _cmd_status, "count what the store holds", "python -m geo status --json"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
