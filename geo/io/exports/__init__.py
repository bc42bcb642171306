"""Writing what people take away, in formats other tools open.

One registry of formats (:mod:`~geo.io.exports.formats`), each picked by name or by file
suffix: CSV and JSON tables (:mod:`~geo.io.exports.tables`: figures rounded for people,
formulas neutralised), GeoJSON and GeoPackage features and the whole store for QGIS
(:mod:`~geo.io.exports.features`), a patrol as GPX (:mod:`~geo.io.exports.gpx`) and as a
printable sheet (:mod:`~geo.io.exports.sheet`, text; :mod:`~geo.io.exports.patrol_pdf`, an A4
PDF), tables as Excel workbooks (:mod:`~geo.io.exports.xlsx`), documents such as the tasking
brief as marked PDFs (:mod:`~geo.io.exports.pdf`) and a ward map as a PNG with no tiles
(:mod:`~geo.io.exports.map_png`). Adding a format is adding one spec to :data:`FORMATS`.
"""

from __future__ import annotations

from geo.io.exports._stops import place_label, place_labels
from geo.io.exports.features import write_layers
from geo.io.exports.formats import (
    CONTENTS,
    FORMATS,
    Content,
    ExportFormat,
    content_of,
    find_format,
    known_formats,
    suffixes,
    to_bytes,
    write,
    write_features,
    write_table,
)
from geo.io.exports.gpx import to_gpx
from geo.io.exports.map_png import ward_map_png
from geo.io.exports.patrol_pdf import patrol_pdf
from geo.io.exports.pdf import Document, Image, Section, pdf_document, render_pdf
from geo.io.exports.sheet import printable
from geo.io.exports.stamp import MARKING, Stamp
from geo.io.exports.tables import DECIMALS, features_json, for_people, table_csv, table_json
from geo.io.exports.xlsx import table_xlsx

__all__ = [
    "CONTENTS",
    "DECIMALS",
    "FORMATS",
    "MARKING",
    "Content",
    "Document",
    "ExportFormat",
    "Image",
    "Section",
    "Stamp",
    "content_of",
    "write_layers",
    "features_json",
    "find_format",
    "for_people",
    "known_formats",
    "patrol_pdf",
    "pdf_document",
    "place_label",
    "place_labels",
    "printable",
    "render_pdf",
    "suffixes",
    "table_csv",
    "table_json",
    "table_xlsx",
    "to_bytes",
    "to_gpx",
    "ward_map_png",
    "write",
    "write_features",
    "write_table",
]
