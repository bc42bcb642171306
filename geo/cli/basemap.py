"""``python -m geo import basemap FILE``: the map under the wards, drawn once, served by the app.

FILE is an ``.mbtiles`` file of PNG or JPEG tiles (checked and copied), or vector data GDAL
reads, such as OS OpenMap Local's GeoPackage (drawn into tiles for ``--min-zoom`` to
``--max-zoom``, cut to the store's wards plus a margin). The result is the MBTiles file beside
the store (``var/outreach-atlas-basemap.mbtiles`` for ``var/outreach-atlas.sqlite``), which the
app's maps show from then on; see :mod:`geo.io.basemap`.
"""

from __future__ import annotations

import argparse
import json

from geo.cli._common import Parents, Subparsers, add_command
from geo.io.basemap import DEFAULT_MAX_ZOOM, DEFAULT_MIN_ZOOM
from geo.store import open_store


def add_parser(kinds: Subparsers, parents: Parents) -> None:
    """Add ``basemap`` to the subcommands of ``import`` (``kinds``)."""
    sub = add_command(
        kinds,
        "basemap",
        run,
        text="make the map under the wards from OS OpenMap Local (or any vector file GDAL"
        " reads) or an .mbtiles file of raster tiles; served by the app, never the internet",
        example="python -m geo import basemap OS_OpenMap_Local.gpkg --max-zoom 16",
        parents=[parents.common],
    )
    sub.add_argument("file", help="a GeoPackage, shapefile or GeoJSON, or an .mbtiles file")
    sub.add_argument(
        "--min-zoom",
        type=int,
        default=DEFAULT_MIN_ZOOM,
        help="first zoom drawn from vector data (default: %(default)s, a borough on screen)",
    )
    sub.add_argument(
        "--max-zoom",
        type=int,
        default=DEFAULT_MAX_ZOOM,
        help="last zoom drawn from vector data (default: %(default)s, street level)",
    )
    sub.add_argument(
        "--attribution",
        help="credit shown in the map's corner (default: the file's own; OS OpenMap Local:"
        " 'Contains OS data © Crown copyright and database right')",
    )


def run(args: argparse.Namespace) -> int:
    """Make the store's base map from ``args.file``; print one line (or JSON) about it."""
    from geo.importing.basemap import import_basemap

    result = import_basemap(
        open_store(args.store),
        args.file,
        min_zoom=args.min_zoom,
        max_zoom=args.max_zoom,
        attribution=args.attribution,
    )
    report = result.to_dict()
    if args.json:
        print(json.dumps(report, default=str))
        return 0
    megabytes = int(report["bytes"]) / 1_000_000  # type: ignore[call-overload]
    where = "cut to the wards plus a margin" if result.clipped_to_wards else "whole file"
    print(
        f"{report['source']}: base map written to {report['path']}: {report['tiles']:,} tiles,"
        f" zooms {report['min_zoom']}-{report['max_zoom']}, {megabytes:.1f} MB ({where},"
        f" {report['seconds']} s)"
    )
    if not result.clipped_to_wards:
        print(
            "  note: no wards in the store yet, so the whole file was drawn; import the wards"
            " first and run this again to keep the base map small"
        )
    return 0
