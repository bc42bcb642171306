"""``python -m geo export``: the store as a GeoPackage that QGIS opens."""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command, add_role
from geo.questions import export_geopackage
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``export``."""
    sub = add_command(
        subparsers,
        "export",
        run,
        text="write the store as a GeoPackage that QGIS opens (wards, records, services, police)",
        example="python -m geo export outreach.gpkg --role coordinator",
        parents=[parents.common],
    )
    sub.add_argument("file", help="the .gpkg to write (replaced if it exists)")
    add_role(sub, text="whose view to export; records follow that role's rules")


def run(args: argparse.Namespace) -> int:
    """Write the GeoPackage; print its layers and their sizes."""
    layers = export_geopackage(open_store(args.store), args.file, role=args.role)
    if args.json:
        print(json.dumps(layers))
    else:
        print(f"{args.file}: " + ", ".join(f"{name} ({n})" for name, n in layers.items()))
    return 0
