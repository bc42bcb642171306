"""The command line, for analysts and scheduled jobs: ``python -m geo COMMAND ...``.

Expected errors print one line starting ``error:`` and exit with status 2; a traceback means
a bug. ``--json`` prints the import's accounting as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from geo.errors import AtlasError
from geo.schema import RECORD_KINDS, UK_LAT_RANGE, UK_LON_RANGE
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
    from geo.importing import import_areas

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
    from geo.importing import import_records

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
    from geo.importing import import_services

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
    from geo.importing import import_police

    report = import_police(open_store(args.store), args.file)
    _write_rejects(report, args.rejects)
    _print_report(report.to_dict(), as_json=args.json)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.io.exports import export_geopackage

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


# -- analysis -------------------------------------------------------------------------------
def _date(value: str | None, *, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AtlasError(
            f"{option} {value!r}: write dates as YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def _out(path: str | None, allowed: tuple[str, ...], option: str = "--out") -> Path | None:
    if path is None:
        return None
    if Path(path).suffix.lower() not in allowed:
        raise AtlasError(f"{option} {path}: the file name must end in {' or '.join(allowed)}")
    return Path(path)


def _json_features(frame: object, out: Path | None) -> int:
    """Write ``frame`` to ``out`` if asked, and print it as JSON (for --json)."""
    from geo.io.exports import features_json, write_features

    if out is not None:
        write_features(frame, out)  # type: ignore[arg-type]
    print(features_json(frame))  # type: ignore[arg-type]
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from geo.io.boundaries import read_areas
    from geo.io.exports import table_csv, table_json, write_table
    from geo.questions import area_summary

    out = _out(args.out, (".csv", ".json"))
    languages = _out(args.languages, (".csv", ".json"), "--languages")
    contacts = _out(args.contacts, (".csv", ".json"), "--contacts")
    layer: object = args.by
    if args.by not in ("ward", "lsoa") or Path(args.by).exists():
        if not Path(args.by).exists():
            raise AtlasError(f"--by {args.by}: give ward, lsoa, or a boundary file that exists")
        layer = read_areas(args.by).areas
    summary = area_summary(
        open_store(args.store),
        role=args.role,
        layer=layer,  # type: ignore[arg-type]
        period=args.period,
        start=_date(args.start, option="--from"),
        end=_date(args.end, option="--to"),
        periods=args.periods,
        threshold=args.threshold,
    )
    outside = summary.outside
    if args.json:
        print(table_json(summary.areas))
    elif out is None:
        print(table_csv(summary.areas), end="")
    if out is not None:
        rows = write_table(summary.areas, out)
        print(
            f"{out}: {rows} rows ({summary.areas['area_code'].nunique()} areas x"
            f" {summary.areas['period'].nunique()} periods), as the {args.role} role sees them"
        )
    for path, table in ((languages, summary.languages), (contacts, summary.contacts)):
        if path is not None:
            print(f"{path}: {write_table(table, path)} rows")
    hidden = outside.loc[outside["sightings"].astype(str) != "0"]
    for _, row in hidden.iterrows():
        print(
            f"outside every area, {row['period']}: {row['sightings']} sightings,"
            f" {row['people']} people",
            file=sys.stderr,
        )
    return 0


def _cmd_hotspots(args: argparse.Namespace) -> int:
    from geo.io.exports import write_features
    from geo.questions import hotspot_cells

    out = _out(args.out, (".geojson", ".gpkg", ".csv", ".json"))
    cells = hotspot_cells(
        open_store(args.store),
        role=args.role,
        nights=args.nights,
        end=_date(args.end, option="--to"),
        cell_m=args.cell,
        alpha=args.alpha,
    )
    classes = cells["hotspot"].value_counts()
    shown = cells if args.all_cells else cells.loc[cells["hotspot"] != "not significant"]
    if args.json:
        return _json_features(shown, out)
    print(
        f"{len(cells)} cells of {args.cell:g} m: {classes.get('hot', 0)} hot,"
        f" {classes.get('cold', 0)} cold (Gi*, false discovery rate {args.alpha:g})"
    )
    if out is not None:
        print(f"{out}: {write_features(shown, out)} cells")
    return 0


def _cmd_sites(args: argparse.Namespace) -> int:
    from geo.io.exports import write_features
    from geo.questions import sites

    out = _out(args.out, (".geojson", ".gpkg", ".csv", ".json"))
    found = sites(
        open_store(args.store),
        role=args.role,
        min_nights=args.min_nights,
        last_nights=args.last_nights,
        radius_m=args.radius,
        end=_date(args.end, option="--to"),
    )
    if args.json:
        return _json_features(found, out)
    print(
        f"{len(found)} persistent sites (seen on at least {args.min_nights} of the last"
        f" {args.last_nights} nights, within {args.radius:g} m)"
    )
    for _, site in found.head(args.show).iterrows():
        print(
            f"  {site['site_id']}: {site['people']} people, {site['nights_seen']} nights,"
            f" last seen {site['last_seen']:%Y-%m-%d}, ward {site['area_code']},"
            f" agencies: {site['agencies']}"
        )
        near = [
            f"{column[8:-2].replace('_', ' ')} {site[column]:.0f} m"
            for column in site.index
            if column.startswith("nearest_")
            and column.endswith("_m")
            and site[column] == site[column]
        ]
        if near:
            print("    nearest: " + ", ".join(near))
    if out is not None:
        print(f"{out}: {write_features(found, out)} sites")
    return 0


def _cmd_gaps(args: argparse.Namespace) -> int:
    from geo.io.exports import write_features, write_table
    from geo.questions import coverage_gaps

    out = _out(args.out, (".geojson", ".gpkg", ".csv", ".json"))
    wards = _out(args.wards, (".csv", ".json"), "--wards")
    found = coverage_gaps(
        open_store(args.store),
        role=args.role,
        days=args.days,
        walk_m=args.walk,
        demand_nights=args.demand_nights,
        end=_date(args.end, option="--to"),
        time_of_day=args.time_of_day,
    )
    if args.json:
        if wards is not None:
            write_table(found.wards, wards)
        return _json_features(found.gaps, out)
    kinds = found.gaps["demand"].value_counts().to_dict() if len(found.gaps) else {}
    print(
        f"{len(found.gaps)} coverage gaps (no agency within {args.walk:g} m in the last"
        f" {args.days} nights): " + ", ".join(f"{n} {k}" for k, n in kinds.items())
    )
    print(f"{len(found.overlaps)} places covered by several agencies while gaps exist")
    for _, gap in found.gaps.head(args.show).iterrows():
        since = gap["days_since_visit"]
        when = "never visited" if since != since else f"{since:.0f} nights since a visit"
        people = f"{gap['people']:.0f} " + ("person" if gap["people"] == 1 else "people")
        print(f"  {gap['rank']}. {gap['demand']} {gap['place_id']}: {people}, {when}")
    if out is not None:
        print(f"{out}: {write_features(found.gaps, out)} gaps")
    if wards is not None:
        print(f"{wards}: {write_table(found.wards, wards)} wards")
    return 0


def _cmd_patrol(args: argparse.Namespace) -> int:
    from geo.analysis.patrol import printable, to_gpx
    from geo.questions import plan

    out = _out(args.out, (".gpx",))
    sheet = _out(args.sheet, (".txt",), "--sheet")
    lat, sep, lon = args.start.partition(",")
    try:
        start = (float(lon), float(lat))
    except ValueError:
        raise AtlasError(
            f"--start {args.start!r}: write it as LAT,LON, e.g. 50.8278,-0.1680"
        ) from None
    if not sep:
        raise AtlasError(f"--start {args.start!r}: write it as LAT,LON, e.g. 50.8278,-0.1680")
    if not (
        UK_LAT_RANGE[0] <= start[1] <= UK_LAT_RANGE[1]
        and UK_LON_RANGE[0] <= start[0] <= UK_LON_RANGE[1]
    ):
        raise AtlasError(
            f"--start {args.start!r} is outside Great Britain; write it as LAT,LON"
            " (latitude first), e.g. 50.8278,-0.1680"
        )
    patrol = plan(
        open_store(args.store),
        role=args.role,
        start_lonlat=start,
        stops=args.stops,
        budget_minutes=args.minutes,
        days=args.days,
        end=_date(args.end, option="--to"),
        return_to_start=args.round_trip,
    )
    text = printable(patrol)
    if args.json:
        from geo.io.exports import features_json

        print(
            json.dumps(
                {
                    "stops": json.loads(features_json(patrol.stops)),
                    "total_m": round(patrol.total_m, 1),
                    "walking_minutes": round(patrol.walking_minutes, 1),
                    "total_minutes": round(patrol.total_minutes, 1),
                }
            )
        )
    if sheet is not None:
        sheet.write_text(text, encoding="utf-8")
    if out is not None:
        out.write_text(to_gpx(patrol), encoding="utf-8")
        if not args.json:
            print(f"{out}: {len(patrol.stops)} stops, {patrol.total_m / 1000:.1f} km")
    if sheet is None and not args.json:
        print(text, end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept apart so tests and docs can read it)."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Outreach Atlas from the command line: import files, build the demo, and"
        " answer the questions: ward figures, hotspots, persistent sites, gaps, patrols.",
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
        extra: Sequence[argparse.ArgumentParser] = (),
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(
            name,
            parents=[common, *([row_file] if rows else []), *extra],
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
        choices=RECORD_KINDS,
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

    analysis = argparse.ArgumentParser(add_help=False)
    analysis.add_argument(
        "--role",
        default="coordinator",
        choices=["coordinator", "police", "councillor", "admin"],
        help="whose view: small numbers and places follow that role's rules (default: %(default)s)",
    )
    analysis.add_argument("--to", dest="end", metavar="DATE", help="last night (default: latest)")

    def analysis_command(
        name: str, func: Callable[..., int], text: str, example: str
    ) -> argparse.ArgumentParser:
        return command(commands, name, func, text, example, extra=[analysis])

    summ = analysis_command(
        "summary",
        _cmd_summary,
        "ward figures per area and period: people, sightings, needs, change, emerging wards",
        "python -m geo summary --by ward --period week --role councillor --out wards.csv",
    )
    summ.add_argument("--by", default="ward", help="ward, lsoa, or a boundary FILE (a beat)")
    summ.add_argument(
        "--period",
        default="week",
        choices=["night", "week", "month", "range"],
        help="blocks of 1, 7 or 30 nights ending on --to, or --from..--to",
    )
    summ.add_argument("--from", dest="start", metavar="DATE", help="first night")
    summ.add_argument("--periods", type=int, default=8, help="how many periods without --from")
    summ.add_argument("--threshold", type=int, help="hide counts from 1 to this (default 4)")
    summ.add_argument("--out", metavar="FILE.csv|.json", help="write here (default: print CSV)")
    summ.add_argument("--languages", metavar="FILE.csv", help="interpreter languages per area")
    summ.add_argument("--contacts", metavar="FILE.csv", help="contacts by agency and outcome")

    hot = analysis_command(
        "hotspots",
        _cmd_hotspots,
        "grid cells where people are significantly concentrated (Gi* with false discovery rate)",
        "python -m geo hotspots --nights 28 --out hotspots.geojson",
    )
    hot.add_argument("--nights", type=int, default=28, help="nights to look back (default 28)")
    hot.add_argument("--cell", type=float, default=100.0, help="cell size in metres (100)")
    hot.add_argument("--alpha", type=float, default=0.05, help="false discovery rate (0.05)")
    hot.add_argument("--all-cells", action="store_true", help="write every cell, not just hot/cold")
    hot.add_argument("--out", metavar="FILE.geojson", help="write the cells (EPSG:4326)")

    site = analysis_command(
        "sites",
        _cmd_sites,
        "persistent sites: places people were seen on at least k of the last n nights",
        "python -m geo sites --min-nights 3 --last-nights 14 --out sites.geojson",
    )
    site.add_argument("--min-nights", type=int, default=3, help="k (default 3)")
    site.add_argument("--last-nights", type=int, default=14, help="n (default 14)")
    site.add_argument("--radius", type=float, default=50.0, help="metres a site spans (50)")
    site.add_argument("--show", type=int, default=20, help="how many to print (20)")
    site.add_argument("--out", metavar="FILE.geojson", help="write the sites (EPSG:4326)")

    gap = analysis_command(
        "gaps",
        _cmd_gaps,
        "coverage gaps: sites, hotspots and recent sightings no agency has been near lately",
        "python -m geo gaps --days 7 --out gaps.geojson --wards coverage.csv",
    )
    gap.add_argument("--days", type=int, default=7, help="coverage window in nights (7)")
    gap.add_argument("--walk", type=float, default=200.0, help="walking distance, metres (200)")
    gap.add_argument(
        "--demand-nights",
        type=int,
        default=28,
        help="nights of sightings that count as recent demand (28)",
    )
    gap.add_argument("--time-of-day", default="any", choices=["any", "night", "day"])
    gap.add_argument("--show", type=int, default=20, help="how many to print (20)")
    gap.add_argument("--out", metavar="FILE.geojson", help="write the gaps (EPSG:4326)")
    gap.add_argument("--wards", metavar="FILE.csv", help="write each ward's covered share")

    pat = analysis_command(
        "patrol",
        _cmd_patrol,
        "plan a walking patrol: uncovered persistent sites and hotspots first, in a short order",
        "python -m geo patrol --start 50.8278,-0.1680 --stops 8 --out patrol.gpx",
    )
    pat.add_argument("--start", required=True, metavar="LAT,LON", help="where the patrol starts")
    amount = pat.add_mutually_exclusive_group(required=True)
    amount.add_argument("--stops", type=int, help="how many places to visit")
    amount.add_argument("--minutes", type=float, help="time budget, walking plus 10 min a stop")
    pat.add_argument("--days", type=int, default=7, help="coverage window in nights (7)")
    pat.add_argument("--round-trip", action="store_true", help="come back to the start")
    pat.add_argument("--out", metavar="FILE.gpx", help="write waypoints and route as GPX")
    pat.add_argument("--sheet", metavar="FILE.txt", help="write the printable list here")
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
