"""Importing: a frame in, every row accounted for (stored, skipped as a duplicate, or rejected
with a reason), and the store written in one transaction.
"""

from geo.importing.importer import (
    FORMULA_PREFIXES,
    SERVICE_FIELDS,
    AreaImport,
    ImportReport,
    import_areas,
    import_police,
    import_records,
    import_services,
    neutralise_formula,
)

__all__ = [
    "AreaImport",
    "FORMULA_PREFIXES",
    "import_areas",
    "import_police",
    "import_records",
    "import_services",
    "ImportReport",
    "neutralise_formula",
    "SERVICE_FIELDS",
]
