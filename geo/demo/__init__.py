"""The synthetic demo borough: every file a user would import, generated from one seed.

Saltmarsh (synthetic demo borough) is an invented coastal borough on the English south coast.
Nothing in it is real: not the outline, the wards, the postcodes, the places, the people or the
police force. Every output carries :data:`DEMO_LABEL`, and the output folder has a README.txt.
The same seed (:data:`DEMO_SEED` unless another is given) and period give byte-identical files;
``data/demo/`` holds those of the defaults, and a test fails when they fall behind the code.

What it shows: people bedded down most nights at the :data:`PERSISTENT_SITES`, one ward
(:data:`RISING_WARD_NAME`) rising fast in the last five weeks, a coverage gap only the police
team sees, visits that find no one, and needs to plan for (interpreters, no recourse to public
funds, under 18s, trafficking concerns), in four agencies' files in four formats; and, over
time, a site cleared while visited, one gone quiet unvisited, people who come back after weeks
away, the public's referrals and a cold spell; and, for the partnership signals, a ward on the
tension watch, a child referred and one not, an agency that records little and interpreters two
agencies could share.

Where each part is made
-----------------------
- :mod:`geo.demo.borough`: the outline, wards, LSOAs, named sites, services, places and the
  postcode directory.
- :mod:`geo.demo.street`: the people, and who is bedded down where on each night.
- :mod:`geo.demo.agencies`: each agency's rota and route, and what it writes down on a night.
- :mod:`geo.demo.over_time`: what people over time need: a cleared site, one gone quiet
  unvisited, people who come back, the public's referrals and a cold spell.
- :mod:`geo.demo.signals`: what the partnership signals need: Riverside on the tension watch
  (with police.uk public order rows), a referred and an unreferred under-18, the agency that
  records little and the languages two agencies share.
- :mod:`geo.demo.police_uk`: the police.uk street-level crime file.
- :mod:`geo.demo.context`: the wards' context (population in two years, deprivation, rural or
  urban), as an analyst downloads it.
- :mod:`geo.demo.basemap`: the made-up coast, river, roads, railway and parks under the map.
- :mod:`geo.demo.files`: each file in its agency's own format, the README, and :func:`write_demo`.
- :func:`load_demo`, here: writes the files, then imports them through the real importers,
  and draws the base map beside the store as ``python -m geo import basemap`` would.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.demo.agencies import (
    COUNCIL,
    HARBOUR_LIGHT,
    NO_FIXED_ABODE_POSTCODE,
    POLICE_TEAM,
    ST_ANNES,
)
from geo.demo.basemap import DEMO_BASEMAP_ATTRIBUTION, DEMO_BASEMAP_MAX_ZOOM
from geo.demo.borough import (
    BOROUGH_NAME,
    DEMO_LABEL,
    DEMO_LAD_CODE,
    DEMO_POSTCODE_AREA,
    DEMO_SEED,
    NSPL_HEADER,
    PERSISTENT_SITES,
    PLACES_HEADER,
    RISING_WARD_CODE,
    RISING_WARD_NAME,
    SERVICES_HEADER,
    borough_outline,
)
from geo.demo.files import (
    COUNCIL_HEADER,
    HARBOUR_LIGHT_HEADER,
    POLICE_TEAM_HEADER,
    ST_ANNES_HEADER,
    DemoFiles,
    write_demo,
)
from geo.demo.over_time import CLEARED_SITE, QUIET_SITE, REFERRALS_AGENCY, cold_spell
from geo.demo.police_uk import DEMO_FORCE
from geo.demo.signals import (
    RECORDS_LITTLE,
    RECORDS_NATIONALITY,
    REFERRED_CHILD,
    REFERRED_OUTCOME,
    SHARED_LANGUAGE,
    TENSION_SITE,
    TENSION_WARD,
    TOWPATH_LANGUAGE,
    UNREFERRED_CHILD,
    tension_month,
)

if TYPE_CHECKING:
    from geo.store import Store

__all__ = [
    "BOROUGH_NAME",
    "CLEARED_SITE",
    "cold_spell",
    "borough_outline",
    "COUNCIL",
    "COUNCIL_HEADER",
    "DEMO_BASEMAP_ATTRIBUTION",
    "DEMO_FORCE",
    "DEMO_LABEL",
    "DEMO_LAD_CODE",
    "DEMO_POSTCODE_AREA",
    "DEMO_SEED",
    "DemoFiles",
    "HARBOUR_LIGHT",
    "HARBOUR_LIGHT_HEADER",
    "load_demo",
    "NO_FIXED_ABODE_POSTCODE",
    "NSPL_HEADER",
    "PERSISTENT_SITES",
    "QUIET_SITE",
    "RECORDS_LITTLE",
    "RECORDS_NATIONALITY",
    "REFERRALS_AGENCY",
    "REFERRED_CHILD",
    "REFERRED_OUTCOME",
    "PLACES_HEADER",
    "POLICE_TEAM",
    "POLICE_TEAM_HEADER",
    "RISING_WARD_CODE",
    "RISING_WARD_NAME",
    "SERVICES_HEADER",
    "SHARED_LANGUAGE",
    "ST_ANNES",
    "ST_ANNES_HEADER",
    "TENSION_SITE",
    "TENSION_WARD",
    "tension_month",
    "TOWPATH_LANGUAGE",
    "UNREFERRED_CHILD",
    "write_demo",
]


def load_demo(store: Store, *, directory: str | Path, seed: int = DEMO_SEED) -> dict[str, Any]:
    """Write the demo borough's files to ``directory`` and import them, as a user would.

    Every file goes through the same importer a user's file does. Sources are logged as
    ``demo/<file>`` so the app can say, wherever it shows them, that the data is synthetic.
    Returns each import's accounting (``imports``) and what the base map import made
    (``basemap``: the MBTiles file beside the store, credited
    :data:`DEMO_BASEMAP_ATTRIBUTION`, drawn as ``python -m geo import basemap`` draws a user's
    file; a few seconds).
    """
    from geo.importing import (
        import_areas,
        import_places,
        import_police,
        import_postcodes,
        import_records,
        import_services,
    )
    from geo.importing.basemap import import_basemap
    from geo.importing.context import import_context

    files = write_demo(directory, seed=seed)

    def name(path: Path) -> str:
        return f"demo/{path.name}"

    imports: list[dict[str, Any]] = [
        import_areas(store, files.wards, source=name(files.wards)).to_dict(),
        # kept in the store, as a council would: every later import (the sighting form too)
        # locates postcodes and place names with them
        import_postcodes(store, files.postcodes, source=name(files.postcodes)).to_dict(),
        import_places(store, files.places, source=name(files.places)).to_dict(),
    ]
    for path, agency, kind in files.records:
        report = import_records(store, path, agency=agency, kind=kind, source=name(path))
        imports.append(report.to_dict())
    imports.append(import_services(store, files.services, source=name(files.services)).to_dict())
    imports.append(import_police(store, files.police, source=name(files.police)).to_dict())
    imports.append(import_context(store, files.context, source=name(files.context)).to_dict())
    basemap = import_basemap(
        store,
        files.basemap,
        max_zoom=DEMO_BASEMAP_MAX_ZOOM,
        attribution=DEMO_BASEMAP_ATTRIBUTION,
        source=name(files.basemap),
    )
    return {
        "label": DEMO_LABEL,
        "directory": str(files.directory),
        "imports": imports,
        "basemap": basemap.to_dict(),
    }
