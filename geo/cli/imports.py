"""``python -m geo import WHAT FILE``: wards (or other areas), records, services, police.uk, and
the postcode directory and gazetteer that later imports are located with, and the base map.

Each kind of file is one subcommand here; ``run`` hands the parsed options to the importer for
that kind and prints its accounting (see :func:`geo.cli._common.print_report`). The command line
imports with no size cap (``max_mb=None``): whoever runs it has the file on the server already,
and a national postcode directory is over 1 GB; the cap is for uploads (:mod:`geo.io.limits`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from geo.cli import basemap
from geo.cli._common import (
    Parents,
    Subparsers,
    add_command,
    column_map,
    print_report,
    write_rejects,
)
from geo.importing.records import DEFAULT_KIND
from geo.schema import RECORD_KINDS
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``import`` and its subcommands."""
    imports = subparsers.add_parser(
        "import",
        help="import a file (wards, records, services, police, postcodes, places, context,"
        " basemap)",
    )
    kinds = imports.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name in ("wards", "areas"):
        _add_areas(kinds, parents, name=name)
    _add_records(kinds, parents)
    _add_services(kinds, parents)
    basemap.add_parser(kinds, parents)
    for name, text, example in (
        (
            "postcodes",
            "keep a postcode directory (ONSPD, NSPL or Code-Point Open, CSV or zip as published)"
            " in the store: every later import and the sighting form locate postcodes with it",
            "python -m geo import postcodes ONSPD_NOV_2026_UK.zip",
        ),
        (
            "places",
            "keep a gazetteer of the teams' own place names in the store: every later import"
            " locates place names with it",
            "python -m geo import places places.csv",
        ),
    ):
        # FILE and --rejects; a gazetteer rejects no row: it is imported whole or not at all
        rows = [parents.rows] if name == "postcodes" else []
        sub = add_command(
            kinds, name, run, text=text, example=example, parents=[parents.common, *rows]
        )
        if not rows:
            sub.add_argument("file")
    _add_context(kinds, parents)
    add_command(
        kinds,
        "police",
        run,
        text="import a police.uk street-level crime CSV as published (ASB overlay)",
        example="python -m geo import police 2026-10-sussex-street.csv",
        parents=[parents.common, parents.rows],
    )


def _add_context(kinds: Subparsers, parents: Parents) -> None:
    sub = add_command(
        kinds,
        "context",
        run,
        text="keep figures about each ward (population in two years, deprivation decile,"
        " rural-urban class): shown beside the tension watch and in the ward profile, never a"
        " trigger; the ethnic or national make-up of an area is never kept",
        example="python -m geo import context ward-context.csv",
        parents=[parents.common, parents.rows],
    )
    sub.add_argument("--code-field", help="column of area codes (default: found by its values)")
    sub.add_argument(
        "--layer-name", default="ward", help="layer of areas the codes belong to (default: ward)"
    )


def run(args: argparse.Namespace) -> int:
    """Import the file with the importer for ``args.what``."""
    return _RUNS[args.what](args)


def _add_areas(kinds: Subparsers, parents: Parents, *, name: str) -> None:
    sub = add_command(
        kinds,
        name,
        run,
        text="replace the ward (or other area) layer from any boundary file GDAL reads, or one"
        " council's part of it (--council)",
        example="python -m geo import wards E06000043-brighton-and-hove.geojson"
        " --council E06000043 --council-name 'Brighton and Hove'",
        parents=[parents.common],
    )
    sub.add_argument("file")
    sub.add_argument("--layer", help="layer of a file with several (GeoPackage)")
    sub.add_argument("--code-field", help="field with the area code (found by pattern)")
    sub.add_argument("--name-field", help="field with the area name (found by pattern)")
    sub.add_argument("--population-field", help="field with residents, for rates")
    sub.add_argument("--local-authority", help="keep areas of this parent code only")
    sub.add_argument(
        "--council",
        metavar="CODE",
        help="the file's areas are this council's (e.g. E06000043): replace its areas only and"
        " keep other councils' (a partnership loads one file per council)",
    )
    sub.add_argument(
        "--council-name",
        metavar="NAME",
        help="the council's name as users read it (default: the file's LADxxNM column, else"
        " the name kept before, else the code)",
    )
    sub.add_argument(
        "--layer-name",
        default="ward" if name == "wards" else "area",
        help="name of the layer in the store (default: %(default)s)",
    )


def _add_records(kinds: Subparsers, parents: Parents) -> None:
    rec = add_command(
        kinds,
        "records",
        run,
        text="import street counts, outreach contacts, referrals or visits (CSV or XLSX)",
        example="python -m geo import records contacts.xlsx --agency 'Harbour Light'"
        " --kind outreach_contact --postcodes NSPL.csv",
        parents=[parents.common, parents.rows],
    )
    rec.add_argument("--agency", required=True, help="who recorded the rows")
    rec.add_argument(
        "--kind",
        default=DEFAULT_KIND,
        choices=RECORD_KINDS,
        help="kind of rows without a kind column (default: %(default)s)",
    )
    rec.add_argument(
        "--postcodes",
        help="postcode directory for this file only: ONSPD, NSPL or Code-Point Open CSV"
        " (default: the one kept in the store by 'import postcodes')",
    )
    rec.add_argument(
        "--places",
        help="gazetteer CSV of place names for this file only (default: the one kept in the"
        " store by 'import places')",
    )
    rec.add_argument(
        "--ref-namespace",
        metavar="NAME",
        help="the person references come from the shared system NAME (CHAIN, a partnership's"
        " by-name list): equal references of different agencies in NAME are one person."
        " Default: the agency's own references (a CHAIN-named column: CHAIN)",
    )
    rec.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    rec.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a column by hand, e.g. --column people='No. seen' (repeatable)",
    )


def _add_services(kinds: Subparsers, parents: Parents) -> None:
    svc = add_command(
        kinds,
        "services",
        run,
        text="import services (day centres, shelters, food, health, interpreters)",
        example="python -m geo import services services.csv",
        parents=[parents.common, parents.rows],
    )
    svc.add_argument(
        "--postcodes",
        help="postcode directory for this file only (default: the one kept in the store)",
    )
    svc.add_argument("--layer", help="layer of a vector file with several")
    svc.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a column by hand (repeatable)",
    )


def _import_areas(args: argparse.Namespace) -> int:
    from geo.importing import import_areas
    from geo.importing.areas import council_names

    store = open_store(args.store)
    result = import_areas(
        store,
        args.file,
        layer_name=args.layer_name,
        layer=args.layer,
        code_field=args.code_field,
        name_field=args.name_field,
        population_field=args.population_field,
        local_authority=args.local_authority,
        council=args.council,
        council_name=args.council_name,
        max_mb=None,
    )
    print_report(result.to_dict(), as_json=args.json)
    if result.council is not None and not args.json:
        name = council_names(store).get(result.council, result.council)
        named = result.council if name == result.council else f"{name} ({result.council})"
        kept = f"{result.kept} area{'' if result.kept == 1 else 's'}"
        print(f"  council {named}: its areas replaced, {kept} of others kept")
    return 0


def _import_records(args: argparse.Namespace) -> int:
    from geo.importing import import_records

    report = import_records(
        open_store(args.store),
        args.file,
        agency=args.agency,
        kind=args.kind,
        postcodes=args.postcodes,
        places=args.places,
        columns=column_map(args.column),
        ref_namespace=args.ref_namespace,
        sheet=args.sheet,
        max_mb=None,
    )
    write_rejects(report, args.rejects)
    print_report(report.to_dict(), as_json=args.json)
    return 0


def _import_services(args: argparse.Namespace) -> int:
    from geo.importing import import_services

    report = import_services(
        open_store(args.store),
        args.file,
        postcodes=args.postcodes,
        columns=column_map(args.column),
        layer=args.layer,
        max_mb=None,
    )
    write_rejects(report, args.rejects)
    print_report(report.to_dict(), as_json=args.json)
    return 0


def _import_police(args: argparse.Namespace) -> int:
    from geo.importing import import_police

    report = import_police(open_store(args.store), args.file, max_mb=None)
    write_rejects(report, args.rejects)
    print_report(report.to_dict(), as_json=args.json)
    return 0


def _import_postcodes(args: argparse.Namespace) -> int:
    from geo.importing import import_postcodes

    report = import_postcodes(open_store(args.store), args.file, max_mb=None)
    write_rejects(report, args.rejects)
    print_report(report.to_dict(), as_json=args.json)
    return 0


def _import_places(args: argparse.Namespace) -> int:
    from geo.importing import import_places

    report = import_places(open_store(args.store), args.file, max_mb=None)
    print_report(report.to_dict(), as_json=args.json)
    return 0


def _import_context(args: argparse.Namespace) -> int:
    from geo.importing.context import import_context

    report = import_context(
        open_store(args.store),
        args.file,
        code_field=args.code_field,
        layer=args.layer_name,
        max_mb=None,
    )
    write_rejects(report, args.rejects)
    print_report(report.to_dict(), as_json=args.json)
    return 0


_RUNS: dict[str, Callable[[argparse.Namespace], int]] = {
    "wards": _import_areas,
    "areas": _import_areas,
    "records": _import_records,
    "services": _import_services,
    "police": _import_police,
    "postcodes": _import_postcodes,
    "places": _import_places,
    "context": _import_context,
}
