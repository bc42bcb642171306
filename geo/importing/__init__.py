"""Importing: rows in (a file or a data frame), every row accounted for, one transaction out.

:mod:`~geo.importing.pipeline` is the one pipeline; a spec per kind of row says what differs:
:mod:`~geo.importing.records`, :mod:`~geo.importing.services`, :mod:`~geo.importing.police`.
Area layers (:mod:`~geo.importing.areas`) replace a whole layer instead, and so do the postcode
directory and gazetteer later imports are located with (:mod:`~geo.importing.lookups`). Every
import returns a report (:mod:`~geo.importing.report`) in which
``read == stored + skipped + rejected``.
"""

from geo.importing.areas import AreaImport, import_areas
from geo.importing.lookups import import_places, import_postcodes
from geo.importing.pipeline import ImportSpec
from geo.importing.police import POLICE_UK, import_police
from geo.importing.records import CHAIN, RECORDS, import_records
from geo.importing.report import NOTICE_CODES, ColumnNote, ImportReport, Notice
from geo.importing.services import SERVICE_FIELDS, SERVICES, import_services
from geo.io.spreadsheet import FORMULA_PREFIXES, neutralise_formula

__all__ = [
    "CHAIN",
    "FORMULA_PREFIXES",
    "NOTICE_CODES",
    "POLICE_UK",
    "RECORDS",
    "SERVICES",
    "SERVICE_FIELDS",
    "AreaImport",
    "ColumnNote",
    "ImportReport",
    "ImportSpec",
    "Notice",
    "import_areas",
    "import_places",
    "import_police",
    "import_postcodes",
    "import_records",
    "import_services",
    "neutralise_formula",
]
