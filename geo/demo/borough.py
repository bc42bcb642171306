"""The synthetic demo borough: every file a user would import, generated from one seed.

Saltmarsh (synthetic demo borough) is an invented coastal borough on the English south coast,
drawn in British National Grid between E 515200-524900 and N 102500-109800 (the stretch of
land between Worthing and Shoreham; the sea is to the south). Nothing in it is real: not the
outline, the wards, the postcodes (area ``ZX`` does not exist), the places, the people or the
police force. Every output carries :data:`DEMO_LABEL`, and the output folder has a README.txt.

The borough
-----------
- 20 wards (codes ``E05999001``-``E05999020``, a range ONS does not use): a Voronoi diagram of
  hand-placed seed points, jittered by the seed, clipped to an irregular outline whose south
  side is the coastline. Smaller wards in the town centre, larger ones on the downs to the north.
- Persistent sites, someone bedded down most nights: Station underpass (Station ward), Market
  Street doorways (Market), Jubilee Park (Jubilee) and the Seafront shelter (Seafront).
- Occasional sites: St Mary's churchyard, Library steps, Bus station, Harbour arches and the
  multi-storey car park on Kings Road; one-off sightings scattered over the southern, built-up
  half; nobody in the northern wards.
- The rising ward is **Riverside** (:data:`RISING_WARD_CODE`): one or two people on the
  Riverside towpath for two months, then a camp that grows to about ten in the last five
  weeks (people newly arrived in the area, several needing interpreters).
- A coverage gap: people sleep at Northfields retail park (Hillcrest ward), which only the
  police neighbourhood team ever sees; the outreach agencies never go there. Several other
  places are visited and nobody is found (visits with no one there).

Agencies, one file each, each in the form that agency really exports
---------------------------------------------------------------------
1. Council outreach team: UTF-8 CSV, GPS latitude/longitude, UK dates, a ``Kind`` column
   (street_count or visit), one row per person engaged with their client reference and needs, or
   one row for a group not engaged, or People 0 "No one found". Out five nights a week.
2. Harbour Light homelessness charity: XLSX, ISO date-times, located by postcode only; two rows
   have the no-fixed-abode pseudo-postcode ``ZZ99 3VZ`` and two a terminated postcode.
3. Police neighbourhood team: Windows-1252 CSV, OS grid references (8 or 10 figures, truncated
   as grid references are), counts only.
4. St Anne's night shelter volunteers: CSV with a UTF-8 byte order mark, located by place names
   and aliases from the gazetteer; People 0 means they went and found nobody.

Client references (``SM00042``) are shared by the council team and Harbour Light, as if both
used one case-management system, so the same person seen by both on one night can be merged.
Times run mostly 22:00-04:00; a sighting after midnight carries the next calendar date and
belongs to the previous night. On the nights the clocks change, no time falls in the 01:00 hour,
so no local time is ambiguous or missing.

Lookups: a postcode directory in the 2025+ NSPL layout, a gazetteer of named places (aliases
separated by ``;``), a services list (languages separated by ``;``, OpenStreetMap-style opening
hours) and a police.uk street-level crime file for the three calendar months before ``end``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import shapely
from openpyxl import Workbook
from pyproj import Transformer

from geo.schema import DISPLAY_CRS, POLICE_UK_HEADER, TIMEZONE, WORKING_CRS

if TYPE_CHECKING:
    from geo.store import Store

DEMO_SEED: Final = 20261125
DEMO_LABEL: Final = "Synthetic demo data — not real people or places"
BOROUGH_NAME: Final = "Saltmarsh (synthetic demo borough)"
#: Local authority code of the borough in the postcode directory (not a real code).
DEMO_LAD_CODE: Final = "E06999001"
#: Postcode area of the borough; no real UK postcode area is called ZX.
DEMO_POSTCODE_AREA: Final = "ZX"
#: The ward whose numbers rise fast in the last five weeks: Riverside.
RISING_WARD_CODE: Final = "E05999012"
RISING_WARD_NAME: Final = "Riverside"
#: Places where someone is bedded down most nights (names as in the gazetteer).
PERSISTENT_SITES: Final[tuple[str, ...]] = (
    "Station underpass",
    "Market Street doorways",
    "Jubilee Park",
    "Seafront shelter",
)
#: Pseudo-postcode the NHS and many agencies use for "no fixed abode".
NO_FIXED_ABODE_POSTCODE: Final = "ZZ99 3VZ"

COUNCIL: Final = "Council outreach team"
HARBOUR_LIGHT: Final = "Harbour Light homelessness charity"
POLICE_TEAM: Final = "Police neighbourhood team"
ST_ANNES: Final = "St Anne's night shelter volunteers"
#: The force named in the police.uk file (invented, like everything else here).
DEMO_FORCE: Final = "Saltmarsh Police (synthetic)"

#: Header of the National Statistics Postcode Lookup since ONS renamed its columns in 2025.
NSPL_HEADER: Final[tuple[str, ...]] = (
    "pcd7", "pcd8", "pcds", "dointr", "doterm", "usrtypind", "east1m", "north1m", "gridind",
    "oa21cd", "cty25cd", "ced25cd", "lad25cd", "wd25cd", "nhser24cd", "ctry25cd", "rgn25cd",
    "pcon24cd", "ttwa15cd", "itl25cd", "npark16cd", "lsoa21cd", "msoa21cd", "wz11cd",
    "sicbl24cd", "bua24cd", "ruc21ind", "oac11ind", "lat", "long", "lep21cd1", "lep21cd2",
    "pfa23cd", "imd20ind", "icb23cd",
)  # fmt: skip
COUNCIL_HEADER: Final[tuple[str, ...]] = (
    "Record ID", "Kind", "Date", "Time", "Latitude", "Longitude", "People", "Client Ref", "Sex",
    "Age band", "Nationality", "Language", "Interpreter needed", "NRPF", "Trafficking concern",
    "Under 18", "Outcome", "Notes",
)  # fmt: skip
HARBOUR_LIGHT_HEADER: Final[tuple[str, ...]] = (
    "Contact date", "Postcode", "Location description", "Client ID", "Gender", "Age",
    "Nationality", "First language", "Interpreter required", "No recourse to public funds",
    "Modern slavery concern", "Outcome",
)  # fmt: skip
POLICE_TEAM_HEADER: Final[tuple[str, ...]] = ("Ref", "Date/Time", "Grid Ref", "Persons", "Notes")
ST_ANNES_HEADER: Final[tuple[str, ...]] = (
    "Date", "Time", "Place", "People", "Language", "Needs interpreter", "Notes",
)  # fmt: skip
PLACES_HEADER: Final[tuple[str, ...]] = ("name", "latitude", "longitude", "precision_m", "aliases")
SERVICES_HEADER: Final[tuple[str, ...]] = (
    "name", "type", "opening_hours", "languages", "latitude", "longitude",
)  # fmt: skip

_MIN_NIGHTS: Final = 42  # the rising ward needs five weeks of rise and some weeks before it
_MAX_NIGHTS: Final = 730


@dataclass(frozen=True)
class DemoFiles:
    """Where :func:`write_demo` put each file.

    ``records`` holds one ``(file, agency, kind)`` per agency file; ``kind`` is the kind its rows
    have unless the file says otherwise (a ``Kind`` column, or People 0 for a visit).
    """

    directory: Path
    wards: Path
    records: tuple[tuple[Path, str, str], ...]
    postcodes: Path
    places: Path
    services: Path
    police: Path
    readme: Path


def write_demo(
    directory: str | Path,
    *,
    seed: int = DEMO_SEED,
    end: date = date(2026, 11, 23),
    nights: int = 91,
) -> DemoFiles:
    """Write the synthetic demo borough's files into ``directory`` (created if needed).

    ``end`` is the evening of the last night; the records cover ``nights`` nights up to it, and
    the police.uk file the three calendar months before ``end``'s month. The same arguments give
    byte-identical files. Files of the same names already in ``directory`` are replaced.
    """
    out = _check_arguments(directory, seed=seed, end=end, nights=nights)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    rng_wards, rng_postcodes, rng_people, rng_agencies, rng_police, rng_lsoa = streams
    to_lonlat = Transformer.from_crs(WORKING_CRS, DISPLAY_CRS, always_xy=True)

    wards = _ward_frame(rng_wards)
    lsoas = _lsoa_seeds(rng_lsoa)
    postcodes = _postcode_directory(rng_postcodes, wards, lsoas, to_lonlat)
    first = end - timedelta(days=nights - 1)
    street = _simulate_street(rng_people, nights)
    records = _agency_records(rng_agencies, street, first, postcodes)

    files = DemoFiles(
        directory=out,
        wards=out / "wards.geojson",
        records=(
            (out / "council_outreach_team.csv", COUNCIL, "street_count"),
            (out / "harbour_light_contacts.xlsx", HARBOUR_LIGHT, "outreach_contact"),
            (out / "police_neighbourhood_team.csv", POLICE_TEAM, "street_count"),
            (out / "st_annes_volunteers.csv", ST_ANNES, "outreach_contact"),
        ),
        postcodes=out / "postcodes_nspl.csv",
        places=out / "places.csv",
        services=out / "services.csv",
        police=out / "police_uk_street.csv",
        readme=out / "README.txt",
    )
    _write_wards(files.wards, wards)
    _write_csv(files.postcodes, NSPL_HEADER, _nspl_rows(postcodes, lsoas))
    _write_csv(files.places, PLACES_HEADER, _place_rows(to_lonlat))
    _write_csv(files.services, SERVICES_HEADER, _service_rows(to_lonlat))
    _write_csv(files.records[0][0], COUNCIL_HEADER, _council_rows(records.council, to_lonlat))
    _write_xlsx(
        files.records[1][0],
        HARBOUR_LIGHT_HEADER,
        _harbour_light_rows(records.harbour_light),
        stamp=datetime.combine(end + timedelta(days=1), time(7, 0)),
    )
    _write_csv(
        files.records[2][0],
        POLICE_TEAM_HEADER,
        _police_team_rows(records.police_team),
        encoding="cp1252",
    )
    _write_csv(
        files.records[3][0], ST_ANNES_HEADER, _st_annes_rows(records.st_annes), encoding="utf-8-sig"
    )
    _write_csv(files.police, POLICE_UK_HEADER, _police_uk_rows(rng_police, end, lsoas, to_lonlat))
    files.readme.write_text(_readme_text(seed=seed, first=first, end=end), encoding="utf-8")
    return files


def borough_outline() -> shapely.Polygon:
    """The borough's outline in British National Grid (EPSG:27700); the wards cover it exactly."""
    return shapely.Polygon(_OUTLINE)


# --------------------------------------------------------------------------------------------
# Arguments


def _check_arguments(directory: str | Path, *, seed: int, end: date, nights: int) -> Path:
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ValueError(f"directory {str(out)!r} is a file; give a folder for the demo files")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}; e.g. seed={DEMO_SEED}")
    if isinstance(end, datetime) or not isinstance(end, date):
        raise ValueError(f"end must be a date (the last night's evening), got {end!r}")
    if (
        isinstance(nights, bool)
        or not isinstance(nights, int)
        or not (_MIN_NIGHTS <= nights <= _MAX_NIGHTS)
    ):
        raise ValueError(
            f"nights must be a whole number from {_MIN_NIGHTS} to {_MAX_NIGHTS}, got {nights!r}; "
            "the rising ward needs five weeks of rise after a settled spell"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


# --------------------------------------------------------------------------------------------
# The borough: outline, wards, LSOAs, postcodes, places, services

# Coastline west to east (about 100 m inland of the real one), then east, north and west sides.
_OUTLINE: Final = (
    (515300, 102500), (515800, 102700), (516300, 102880), (516800, 103050), (517300, 103260),
    (517800, 103520), (518300, 103660), (518800, 103800), (519300, 103960), (519800, 104090),
    (520300, 104270), (520800, 104400), (521300, 104520), (521600, 104560), (521750, 104800),
    (521950, 104820), (522100, 104600), (522600, 104650), (523100, 104700), (523600, 104920),
    (524100, 104850), (524600, 104880),
    (524900, 106500), (524500, 108000), (524600, 109300),
    (523500, 109700), (522200, 109450), (521000, 109800), (519600, 109500), (518200, 109750),
    (517000, 109400), (515800, 109600), (515300, 109200),
    (515600, 107800), (515200, 106200), (515500, 104300),
)  # fmt: skip
_TOWN_CENTRE: Final = (520000.0, 104800.0)
# Ward seed points (BNG); codes E05999001.. in this order. Seeds are at least 890 m apart and
# jitter at most 150 m per axis, so every named site stays in the ward it is named after.
_WARD_SEEDS: Final = (
    ("Westcliff", 516200, 103600), ("Marsh Green", 517300, 104150), ("Seafront", 519300, 104350),
    ("Market", 520300, 104700), ("Harbour", 521500, 104800), ("Ferry", 522500, 104900),
    ("Saltings", 523800, 105300), ("Kingsmead", 516300, 105300), ("Jubilee", 518200, 105000),
    ("Station", 519900, 105500), ("Old Town", 520800, 105500), ("Riverside", 522300, 106000),
    ("Millfield", 517500, 106600), ("Northgate", 519700, 107000), ("Priory", 521000, 106500),
    ("Hillcrest", 523600, 107000), ("Beacon", 516200, 108300), ("Downs", 518000, 108600),
    ("Ropewalk", 520800, 108400), ("Chalkpit", 522800, 108700),
)  # fmt: skip
_WARD_JITTER_M: Final = 150.0


def _ward_code(index: int) -> str:
    return f"E05999{index + 1:03d}"


def _ward_frame(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Voronoi cells of the jittered ward seeds, clipped to the outline (EPSG:27700)."""
    outline = borough_outline()
    seeds = np.array([(x, y) for _, x, y in _WARD_SEEDS], dtype=float)
    seeds += rng.uniform(-_WARD_JITTER_M, _WARD_JITTER_M, size=seeds.shape)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(seeds), extend_to=shapely.buffer(outline.envelope, 2_000)
        )
    )
    # voronoi_polygons returns cells in no stated order: match each seed to its cell.
    points = shapely.points(seeds)
    seed_index, cell_index = shapely.STRtree(cells).query(points, predicate="within")
    order = np.empty(len(seeds), dtype=int)
    order[seed_index] = cell_index
    geometry = shapely.intersection(cells[order], outline)
    population = rng.integers(6_000, 15_001, size=len(seeds))
    return gpd.GeoDataFrame(
        {
            "WD24CD": [_ward_code(i) for i in range(len(seeds))],
            "WD24NM": [name for name, _, _ in _WARD_SEEDS],
            "population": population.astype("int64"),
        },
        geometry=geometry,
        crs=WORKING_CRS,
    )


def _random_points_in_outline(
    rng: np.random.Generator,
    n: int,
    *,
    centre: tuple[float, float] | None = None,
    spread: tuple[float, float] = (1_400.0, 800.0),
    max_northing: float = np.inf,
    whole_metres: bool = False,
) -> np.ndarray:
    """``n`` points inside the outline: uniform, or normal around ``centre``; (n, 2) BNG."""
    outline = borough_outline()
    minx, miny, maxx, maxy = outline.bounds
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        if centre is None:
            xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        else:
            xy = rng.normal(centre, spread, size=(4 * n, 2))
        if whole_metres:
            xy = np.round(xy)
        keep = shapely.contains_xy(outline, xy[:, 0], xy[:, 1]) & (xy[:, 1] < max_northing)
        found.append(xy[keep])
        total += int(keep.sum())
    return np.concatenate(found)[:n]


@dataclass(frozen=True)
class _Lsoas:
    """LSOA seed points; an LSOA is the set of places nearer its seed than any other."""

    xy: np.ndarray
    codes: tuple[str, ...]
    names: tuple[str, ...]
    msoa_codes: tuple[str, ...]

    def nearest(self, xy: np.ndarray) -> np.ndarray:
        d = np.hypot(xy[:, None, 0] - self.xy[None, :, 0], xy[:, None, 1] - self.xy[None, :, 1])
        return d.argmin(axis=1)


def _lsoa_seeds(rng: np.random.Generator) -> _Lsoas:
    """About 1,500 people an LSOA: 130 of them, denser in the town, numbered north to south."""
    xy = np.concatenate(
        [
            _random_points_in_outline(rng, 70),
            _random_points_in_outline(rng, 60, centre=_TOWN_CENTRE),
        ]
    )
    xy = xy[np.lexsort((xy[:, 0], -xy[:, 1]))]
    n = len(xy)
    msoa = [i // 5 + 1 for i in range(n)]
    return _Lsoas(
        xy=xy,
        codes=tuple(f"E01999{i + 1:03d}" for i in range(n)),
        names=tuple(f"Saltmarsh {msoa[i]:03d}{'ABCDE'[i % 5]}" for i in range(n)),
        msoa_codes=tuple(f"E02999{m:03d}" for m in msoa),
    )


@dataclass(frozen=True)
class _Site:
    """A named place: where people sleep, where agencies look, where police.uk snaps to."""

    name: str
    x: float
    y: float
    role: Literal["persistent", "occasional", "rising", "gap", "empty"]
    slots: int  # how many people usually sleep there (before any rise)
    presence: float  # chance a person whose spot it is sleeps there on a given night
    precision_m: int
    aliases: tuple[str, ...]
    street: str  # police.uk snap point name near it


_SITES: Final[tuple[_Site, ...]] = (
    _Site("Station underpass", 519950, 105430, "persistent", 3, 0.85, 25,
          ("The underpass", "Station subway"), "Station Approach"),
    _Site("Market Street doorways", 520250, 104640, "persistent", 4, 0.85, 80,
          ("Market St doorways", "Market Street shops"), "Market Street"),
    _Site("Jubilee Park", 518300, 104950, "persistent", 3, 0.8, 120,
          ("Jubilee Park bandstand", "The park"), "Jubilee Walk"),
    _Site("Seafront shelter", 519450, 104160, "persistent", 3, 0.85, 30,
          ("Shelter by the pier", "Seafront shelters"), "Marine Parade"),
    _Site("St Mary's churchyard", 520750, 105420, "occasional", 2, 0.35, 40,
          ("St Mary's church", "Churchyard, Church Lane"), "Church Lane"),
    _Site("Library steps", 520050, 104950, "occasional", 1, 0.3, 20,
          ("Central library",), "High Street"),
    _Site("Bus station", 520600, 104950, "occasional", 1, 0.3, 40,
          ("Bus station shelters",), "Bridge Street"),
    _Site("Harbour arches", 521450, 104830, "occasional", 2, 0.3, 60,
          ("The arches, Harbour Road",), "Harbour Road"),
    _Site("Multi-storey car park, Kings Road", 519000, 104600, "occasional", 1, 0.25, 40,
          ("Kings Road car park",), "Kings Road"),
    _Site("Riverside towpath", 522250, 105950, "rising", 2, 0.5, 60,
          ("The towpath", "Riverside path tents"), "Riverside Path"),
    _Site("Northfields retail park", 523500, 107100, "gap", 2, 0.7, 80,
          ("Northfields car park",), "Northfields Way"),
    _Site("Ferry Road car park", 522500, 104850, "empty", 0, 0.0, 40, (), "Ferry Road"),
    _Site("Westcliff beach huts", 516300, 103200, "empty", 0, 0.0, 60, (), "Westcliff Parade"),
    _Site("Millfield allotments", 517600, 106500, "empty", 0, 0.0, 80, (), "Mill Lane"),
    _Site("Beacon Road bus shelter", 516400, 108200, "empty", 0, 0.0, 20, (), "Beacon Road"),
)  # fmt: skip
_SITE: Final = {site.name: site for site in _SITES}

_SERVICES: Final = (
    ("Harbour Light Day Centre", "day_centre", "Mo-Fr 09:00-15:00", "English;Polish",
     520420, 104780),
    ("St Anne's Night Shelter", "night_shelter", "Mo-Su 20:00-08:00", "English", 520900, 105300),
    ("Quayside Hostel", "hostel", "24/7", "English;Romanian", 521300, 104700),
    ("Saltmarsh Foodbank", "food", "Tu,Th 10:00-13:00; Sa 10:00-12:00", "English", 519700, 105100),
    ("Community Kitchen at St Mary's", "food", "Mo,We,Fr 12:00-14:00", "English", 520700, 105380),
    ("Station Road Health Centre (homeless clinic)", "health", "Mo-Fr 08:30-12:00", "English",
     519850, 105250),
    ("Saltmarsh Community Interpreters", "interpreter", "Mo-Fr 09:00-17:00",
     "Arabic;Tigrinya;Dari;Pashto;Vietnamese;Albanian;Polish;Romanian", 520150, 104900),
    ("Housing Options Advice Desk", "advice", "Mo-Fr 09:00-17:00", "English", 520500, 105050),
    ("Refugee and Migrant Advice Drop-in", "advice", "Tu,Th 10:00-16:00",
     "Arabic;Tigrinya;Dari;Pashto", 521100, 105600),
    ("Seafront Dental Access Clinic", "health", "We 09:00-13:00", "English", 519200, 104300),
)  # fmt: skip


def _place_rows(to_lonlat: Transformer) -> list[list[str]]:
    lon, lat = to_lonlat.transform([s.x for s in _SITES], [s.y for s in _SITES])
    return [
        [s.name, f"{la:.6f}", f"{lo:.6f}", str(s.precision_m), ";".join(s.aliases)]
        for s, lo, la in zip(_SITES, lon, lat, strict=True)
    ]


def _service_rows(to_lonlat: Transformer) -> list[list[str]]:
    lon, lat = to_lonlat.transform([s[4] for s in _SERVICES], [s[5] for s in _SERVICES])
    return [
        [name, kind, hours, languages, f"{la:.6f}", f"{lo:.6f}"]
        for (name, kind, hours, languages, _, _), lo, la in zip(_SERVICES, lon, lat, strict=True)
    ]


# Postcode districts: ZX<n> is the district whose centre is nearest.
_DISTRICTS: Final = (
    (1, 520100, 104800), (2, 518300, 104500), (3, 516500, 103800), (4, 516800, 106500),
    (5, 518500, 108500), (6, 521000, 106800), (7, 522700, 105400), (8, 523800, 107800),
    (10, 521800, 109000), (11, 523900, 105000),
)  # fmt: skip
_INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in real inward codes
_UNITS_PER_SECTOR: Final = 25  # at least; more where a district has over 225


@dataclass(frozen=True)
class _Postcodes:
    """The synthetic postcode directory, plus which postcode the agencies use at each site."""

    pcds: np.ndarray  # "ZX1 1AA"
    xy: np.ndarray  # (n, 2) BNG, whole metres
    lonlat: np.ndarray  # (n, 2)
    terminated: np.ndarray  # "" or yyyymm
    introduced: np.ndarray  # yyyymm
    ward: np.ndarray
    lsoa: np.ndarray  # index into _Lsoas
    large_user: np.ndarray
    imd_rank: np.ndarray
    site_postcode: dict[str, str]  # site name -> live postcode beside it
    site_old_postcode: dict[str, str]  # site name -> terminated postcode beside it


def _postcode_directory(
    rng: np.random.Generator, wards: gpd.GeoDataFrame, lsoas: _Lsoas, to_lonlat: Transformer
) -> _Postcodes:
    """About 400 postcodes, denser in the town; one live and one terminated beside each site."""
    live_sites = [s for s in _SITES if s.role != "empty"]
    site_xy = np.array([(s.x, s.y) for s in live_sites], dtype=float)
    xy = np.round(
        np.concatenate(
            [
                site_xy + rng.uniform(-30, 30, site_xy.shape),  # live, beside each site
                site_xy + rng.uniform(-40, 40, site_xy.shape),  # terminated, beside each site
                _random_points_in_outline(rng, 180, whole_metres=True),
                _random_points_in_outline(rng, 200, centre=_TOWN_CENTRE, whole_metres=True),
            ]
        )
    )
    n, k = len(xy), len(live_sites)
    is_terminated = rng.random(n) < 0.04
    is_terminated[:k] = False
    is_terminated[k : 2 * k] = True
    start_year, start_month = rng.integers(1980, 2020, n), rng.integers(1, 13, n)
    end_year = np.minimum(start_year + rng.integers(3, 30, n), 2025)
    end_month = rng.integers(1, 13, n)
    introduced = np.array([f"{y}{m:02d}" for y, m in zip(start_year, start_month, strict=True)])
    terminated = np.array(
        [
            f"{y}{m:02d}" if t else ""
            for t, y, m in zip(is_terminated, end_year, end_month, strict=True)
        ]
    )

    centres = np.array([(x, y) for _, x, y in _DISTRICTS], dtype=float)
    district = np.hypot(
        xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1]
    ).argmin(axis=1)
    pcds = np.empty(n, dtype=object)
    for d, (number, _, _) in enumerate(_DISTRICTS):
        members = np.flatnonzero(district == d)
        members = members[np.lexsort((xy[members, 0], -xy[members, 1]))]
        per_sector = max(_UNITS_PER_SECTOR, -(-len(members) // 9))  # sectors 1-9 only
        for start in range(0, len(members), per_sector):
            sector = start // per_sector + 1
            chunk = members[start : start + per_sector]
            units = np.sort(rng.choice(len(_INWARD_LETTERS) ** 2, size=len(chunk), replace=False))
            for i, unit in zip(chunk, units, strict=True):
                letters = _INWARD_LETTERS[unit // 20] + _INWARD_LETTERS[unit % 20]
                pcds[i] = f"{DEMO_POSTCODE_AREA}{number} {sector}{letters}"

    ward = np.full(n, "", dtype=object)
    for code, geometry in zip(wards["WD24CD"], wards.geometry, strict=True):
        # A point on a boundary between wards goes to the first, as in a lookup table.
        ward[(ward == "") & shapely.intersects_xy(geometry, xy[:, 0], xy[:, 1])] = code
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    return _Postcodes(
        pcds=pcds,
        xy=xy,
        lonlat=np.column_stack([lon, lat]),
        terminated=terminated,
        introduced=introduced,
        ward=ward,
        lsoa=lsoas.nearest(xy),
        large_user=(rng.random(n) < 0.03).astype(int),
        imd_rank=rng.integers(1, 32_845, n),
        site_postcode={s.name: pcds[i] for i, s in enumerate(live_sites)},
        site_old_postcode={s.name: pcds[len(live_sites) + i] for i, s in enumerate(live_sites)},
    )


def _nspl_rows(pc: _Postcodes, lsoas: _Lsoas) -> list[list[str]]:
    """One row per postcode in the 2025+ NSPL layout, sorted by postcode as ONS publishes it."""
    rows = []
    order = sorted(range(len(pc.pcds)), key=lambda i: _pcd7(pc.pcds[i]))
    oa_numbers: dict[tuple[int, int], int] = {}  # (LSOA, group of four postcodes) -> OA number
    in_lsoa: dict[int, int] = {}
    for i in order:
        lsoa = int(pc.lsoa[i])
        in_lsoa[lsoa] = in_lsoa.get(lsoa, 0) + 1
        key = (lsoa, (in_lsoa[lsoa] - 1) // 4)
        oa = f"E00999{oa_numbers.setdefault(key, len(oa_numbers) + 1):03d}"
        rows.append(
            [
                _pcd7(pc.pcds[i]),
                _pcd8(pc.pcds[i]),
                pc.pcds[i],
                pc.introduced[i],
                pc.terminated[i],
                str(pc.large_user[i]),
                str(int(pc.xy[i, 0])),
                str(int(pc.xy[i, 1])),
                "1",
                oa,
                "E99999999",
                "E99999999",
                DEMO_LAD_CODE,
                pc.ward[i],
                "E40999001",
                "E92000001",
                "E12000008",
                "E14999001",
                "E30999001",
                "TLZ99",
                "E99999999",
                lsoas.codes[lsoa],
                lsoas.msoa_codes[lsoa],
                f"E33999{lsoa + 1:03d}",
                "E38999001",
                "E63999001",
                "UN1" if pc.ward[i] and pc.xy[i, 1] < 107_000 else "RLN1",
                "2B1",
                f"{pc.lonlat[i, 1]:.6f}",
                f"{pc.lonlat[i, 0]:.6f}",
                "E37999001",
                "",
                "E23999001",
                str(pc.imd_rank[i]),
                "E54999001",
            ]
        )
    return rows


def _pcd7(pcds: str) -> str:
    """Seven characters: "ZX1 1AA", "ZX101AA"."""
    outward, inward = pcds.split(" ")
    return f"{outward:<4}{inward}"


def _pcd8(pcds: str) -> str:
    """Eight characters: "ZX1  1AA", "ZX10 1AA"."""
    outward, inward = pcds.split(" ")
    return f"{outward:<4} {inward}"


# --------------------------------------------------------------------------------------------
# The street: who sleeps where on each night


@dataclass(frozen=True)
class _Person:
    """A synthetic person; ``ref`` is the shared pseudonymous client reference."""

    ref: str
    sex: Literal["M", "F"]
    age: int
    nationality: str  # demonym as the council writes it ("Polish")
    language: str  # "" when not known
    interpreter: bool
    nrpf: bool
    trafficking: bool

    @property
    def under_18(self) -> bool:
        return self.age < 18


@dataclass(frozen=True)
class _Nationality:
    demonym: str
    country: str  # as Harbour Light writes it
    languages: tuple[str, ...]
    weight: float  # among people sleeping out all along
    weight_new: float  # among the people arriving in the rising ward
    interpreter: float  # chances of needing an interpreter, NRPF, a trafficking concern
    nrpf: float
    trafficking: float


_NATIONALITIES: Final = (
    _Nationality("British", "United Kingdom", ("English",), 44, 0, 0.0, 0.0, 0.0),
    _Nationality("Irish", "Ireland", ("English",), 3, 0, 0.0, 0.0, 0.0),
    _Nationality("Polish", "Poland", ("Polish",), 10, 0, 0.45, 0.35, 0.05),
    _Nationality("Romanian", "Romania", ("Romanian",), 9, 3, 0.5, 0.35, 0.15),
    _Nationality("Lithuanian", "Lithuania", ("Lithuanian",), 4, 0, 0.45, 0.35, 0.05),
    _Nationality("Eritrean", "Eritrea", ("Tigrinya",), 6, 25, 0.85, 0.15, 0.1),
    _Nationality("Sudanese", "Sudan", ("Arabic",), 5, 22, 0.8, 0.2, 0.1),
    _Nationality("Afghan", "Afghanistan", ("Dari", "Pashto"), 5, 20, 0.85, 0.25, 0.1),
    _Nationality("Albanian", "Albania", ("Albanian",), 4, 12, 0.7, 0.6, 0.4),
    _Nationality("Vietnamese", "Vietnam", ("Vietnamese",), 4, 12, 0.9, 0.6, 0.5),
    _Nationality("Iranian", "Iran", ("Farsi",), 3, 6, 0.8, 0.4, 0.1),
    _Nationality("Not known", "Unknown", ("",), 3, 0, 0.0, 0.0, 0.0),
)
_BY_DEMONYM: Final = {n.demonym: n for n in _NATIONALITIES}
_SETTLED_MIX: Final = ("British",) * 6 + (
    "Polish", "Romanian", "Eritrean", "Sudanese", "Afghan", "Albanian", "Vietnamese",
)  # fmt: skip
_RISE_NIGHTS: Final = 35  # the camp on the towpath grows over the last five weeks
_RISE_ARRIVALS: Final = 9
_ONE_OFFS_PER_NIGHT: Final = 0.7


@dataclass(frozen=True)
class _Street:
    """Who is bedded down where, night by night (index 0 is the first night)."""

    at_site: list[dict[str, list[_Person]]]
    one_offs: list[list[tuple[_Person, float, float]]]  # seen once, at (easting, northing)


class _People:
    """Makes people with stable references, in a fixed order so a seed always gives the same."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._count = 0
        self._general = np.array([n.weight for n in _NATIONALITIES])
        self._new = np.array([n.weight_new for n in _NATIONALITIES])

    def make(
        self, *, new_arrival: bool = False, nationality: str | None = None, age: int | None = None
    ) -> _Person:
        rng = self._rng
        self._count += 1
        if nationality is None:
            weights = self._new if new_arrival else self._general
            nat = _NATIONALITIES[rng.choice(len(_NATIONALITIES), p=weights / weights.sum())]
        else:
            nat = _BY_DEMONYM[nationality]
        if age is None:
            child_chance = 0.1 if new_arrival else 0.01
            age = (
                int(rng.integers(16, 18))
                if rng.random() < child_chance
                else int(rng.triangular(18, 34, 70))
            )
        language = nat.languages[int(rng.integers(len(nat.languages)))]
        return _Person(
            ref=f"SM{self._count:05d}",
            sex="F" if rng.random() < 0.15 else "M",
            age=age,
            nationality=nat.demonym,
            language=language,
            interpreter=bool(rng.random() < nat.interpreter),
            nrpf=bool(rng.random() < nat.nrpf),
            trafficking=bool(rng.random() < (0.3 if age < 18 else nat.trafficking)),
        )


def _simulate_street(rng: np.random.Generator, n: int) -> _Street:
    """Sites hold a steady number of people who come and go; the towpath fills up at the end."""
    people = _People(rng)
    at_site: list[dict[str, list[_Person]]] = [{} for _ in range(n)]
    # The first people at the persistent sites stay at least two weeks and are six British people
    # and one of each nationality the demo must show, in a random order; later people are drawn
    # from the usual mix.
    mix = [str(n) for n in rng.permutation(_SETTLED_MIX)]
    for site in _SITES:
        for _slot in range(site.slots):
            night = 0
            while night < n:
                settled = night == 0 and bool(mix) and site.role == "persistent"
                person = people.make(nationality=mix.pop() if settled else None)
                stay = int(rng.geometric(1 / 50)) + (14 if settled else 0)
                nights = np.arange(night, min(n, night + stay))
                for k in nights[rng.random(len(nights)) < site.presence]:
                    at_site[k].setdefault(site.name, []).append(person)
                night += stay + int(rng.geometric(1 / 3)) - 1
    # The rise: arrivals on the towpath over the last weeks, staying to the end. Two of them
    # are the stories a tasking meeting must hear: a 17-year-old and a trafficking concern.
    arrivals = np.sort(rng.integers(n - _RISE_NIGHTS, n - 3, size=_RISE_ARRIVALS))
    for i, first_night in enumerate(arrivals):
        if i == 1:
            person = people.make(new_arrival=True, nationality="Afghan", age=17)
        elif i == 3:
            person = replace(
                people.make(new_arrival=True, nationality="Vietnamese"), trafficking=True
            )
        else:
            person = people.make(new_arrival=True)
        for k in range(int(first_night), n):
            if rng.random() < 0.9:
                at_site[k].setdefault("Riverside towpath", []).append(person)

    counts = rng.poisson(_ONE_OFFS_PER_NIGHT, n)
    where = _random_points_in_outline(
        rng, int(counts.sum()), centre=_TOWN_CENTRE, spread=(1_800.0, 900.0), max_northing=106_800
    )
    one_offs: list[list[tuple[_Person, float, float]]] = []
    start = 0
    for count in counts:
        one_offs.append(
            [(people.make(), float(x), float(y)) for x, y in where[start : start + count]]
        )
        start += count
    return _Street(at_site=at_site, one_offs=one_offs)


# --------------------------------------------------------------------------------------------
# The agencies: who goes out when, where, and what each writes down

_LONDON: Final = ZoneInfo(TIMEZONE)
_EVENING: Final = 22 * 60  # minutes after midnight

# (site, chance of stopping there on a night out), in the order the team goes round.
_COUNCIL_ROUTE: Final = (
    ("Seafront shelter", 1.0), ("Multi-storey car park, Kings Road", 0.7), ("Jubilee Park", 1.0),
    ("Westcliff beach huts", 0.25), ("Market Street doorways", 1.0), ("Library steps", 0.7),
    ("Bus station", 0.7), ("Station underpass", 1.0), ("St Mary's churchyard", 0.7),
    ("Harbour arches", 0.7), ("Ferry Road car park", 0.5), ("Riverside towpath", 1.0),
    ("Millfield allotments", 0.12), ("Beacon Road bus shelter", 0.12),
)  # fmt: skip
_HARBOUR_LIGHT_ROUTE: Final = (
    "Station underpass", "Market Street doorways", "Library steps", "Bus station",
    "St Mary's churchyard", "Seafront shelter", "Jubilee Park", "Harbour arches",
    "Riverside towpath",
)  # fmt: skip
_HARBOUR_LIGHT_JOINS_TOWPATH: Final = 28  # nights before the end when they start going there
_POLICE_ROUTE: Final = (
    "Market Street doorways", "Library steps", "Station underpass", "Bus station",
    "Harbour arches", "Riverside towpath", "Northfields retail park",
)  # fmt: skip
_ST_ANNES_ROUTE: Final = (
    ("Seafront shelter", 1.0), ("Market Street doorways", 1.0), ("St Mary's churchyard", 1.0),
    ("Library steps", 1.0), ("Station underpass", 1.0), ("Jubilee Park", 0.6),
    ("Bus station", 0.5),
)  # fmt: skip
# Nights out by weekday of the evening (Monday 0), and the chance of going out on such a night.
_ROTA: Final = {
    COUNCIL: ((0, 1, 2, 3, 6), 0.95),
    HARBOUR_LIGHT: ((1, 2, 3, 4, 5), 0.95),
    POLICE_TEAM: ((2, 4, 5), 0.9),
    ST_ANNES: ((1, 3, 5), 0.95),
}

_COUNCIL_NOTES: Final = (
    "Bedded down, sleeping bag", "Bedded down, tent", "Sitting out, awake",
    "Sleeping bag and cardboard", "Known to service", "New to the area",
    "Bedded down in doorway", "Asked for food",
)  # fmt: skip
_COUNCIL_OUTCOMES: Final = (
    "Advice given", "Declined hostel offer", "Referred to day centre",
    "Accepted emergency accommodation", "Referred for assessment",
)  # fmt: skip
_HARBOUR_LIGHT_OUTCOMES: Final = (
    "Welfare check", "Food and drink provided", "Referred to day centre",
    "Declined offer of accommodation", "Booked into night shelter", "Health referral",
)  # fmt: skip
_POLICE_NOTES: Final = ("bedded down", "sleeping bags", "awake, no issues", "welfare check done")
_ST_ANNES_NOTES: Final = (
    "Soup and sandwiches", "Hot drinks and blankets", "Sleeping bag given",
    "Signposted to day centre", "Food parcel given",
)  # fmt: skip


@dataclass(frozen=True)
class _CouncilRow:
    stamp: datetime
    x: float
    y: float
    people: int  # 0 for a visit that found no one
    person: _Person | None  # set when one person was engaged
    outcome: str
    notes: str


@dataclass(frozen=True)
class _ContactRow:
    stamp: datetime
    postcode: str
    location: str
    person: _Person
    outcome: str


@dataclass(frozen=True)
class _CountRow:
    stamp: datetime
    x: float
    y: float
    persons: int
    notes: str
    figures: Literal[8, 10]


@dataclass(frozen=True)
class _SoupRunRow:
    stamp: datetime
    place: str
    people: int
    language: str
    interpreter: str
    notes: str


@dataclass(frozen=True)
class _Records:
    council: list[_CouncilRow]
    harbour_light: list[_ContactRow]
    police_team: list[_CountRow]
    st_annes: list[_SoupRunRow]


def _agency_records(
    rng: np.random.Generator, street: _Street, first: date, postcodes: _Postcodes
) -> _Records:
    """Send each agency round on its nights and write down what it sees, as it would."""
    records = _Records(council=[], harbour_light=[], police_team=[], st_annes=[])
    n = len(street.at_site)
    for k in range(n):
        evening = first + timedelta(days=k)
        out = {
            agency: evening.weekday() in weekdays and rng.random() < chance
            for agency, (weekdays, chance) in _ROTA.items()
        }
        at_site = street.at_site[k]
        if out[COUNCIL]:
            _council_night(rng, records.council, evening, at_site)
        if out[HARBOUR_LIGHT]:
            route = [
                name
                for name in _HARBOUR_LIGHT_ROUTE
                if name != "Riverside towpath" or k >= n - _HARBOUR_LIGHT_JOINS_TOWPATH
            ]
            _harbour_light_night(rng, records.harbour_light, evening, at_site, route, postcodes)
        if out[POLICE_TEAM]:
            _police_night(rng, records.police_team, evening, at_site)
        if out[ST_ANNES]:
            _st_annes_night(rng, records.st_annes, evening, at_site)
        _one_offs(rng, records, evening, street.one_offs[k], out)
    _add_postcode_oddities(rng, records.harbour_light, street, first, postcodes)
    for rows in (records.council, records.harbour_light, records.police_team, records.st_annes):
        rows.sort(key=lambda row: row.stamp)
    return records


def _local_time(evening: date, minutes: int) -> datetime:
    """Local clock time ``minutes`` after the midnight starting ``evening``.

    On the nights the clocks change, the 01:00 hour is moved to 02:00 so that no time is
    ambiguous (October) or missing (March).
    """
    stamp = datetime.combine(evening, time()) + timedelta(minutes=int(minutes))
    if stamp.hour == 1 and _clocks_change(stamp.date()):
        stamp += timedelta(hours=1)
    return stamp


def _clocks_change(day: date) -> bool:
    before = datetime.combine(day, time(0), _LONDON).utcoffset()
    return before != datetime.combine(day, time(4), _LONDON).utcoffset()


def _gps(rng: np.random.Generator, site: _Site) -> tuple[float, float]:
    sd = min(site.precision_m / 3, 15.0)
    return float(site.x + rng.normal(0, sd)), float(site.y + rng.normal(0, sd))


def _council_night(
    rng: np.random.Generator,
    rows: list[_CouncilRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING + int(rng.integers(0, 46))
    for name, chance in _COUNCIL_ROUTE:
        if rng.random() >= chance:
            continue
        minutes += int(rng.integers(8, 22))
        site = _SITE[name]
        stamp = _local_time(evening, minutes)
        visible = [p for p in at_site.get(name, []) if rng.random() < 0.95]
        engaged = [p for p in visible if rng.random() < 0.75]
        for person in engaged:
            rows.append(
                _CouncilRow(
                    stamp, *_gps(rng, site), 1, person, *_council_words(rng, person, place=name)
                )
            )
        if len(visible) > len(engaged):
            note = (
                "Café doorway, asleep" if name == "Market Street doorways" else "Asleep, not woken"
            )
            rows.append(
                _CouncilRow(
                    stamp, *_gps(rng, site), len(visible) - len(engaged), None, "Not engaged", note
                )
            )
        if not visible:
            rows.append(_CouncilRow(stamp, *_gps(rng, site), 0, None, "No one found", ""))


def _council_words(rng: np.random.Generator, person: _Person, *, place: str) -> tuple[str, str]:
    """Outcome and note for one person engaged at ``place`` (a site name, or "")."""
    if person.under_18 or (person.trafficking and rng.random() < 0.7):
        outcome = "Safeguarding referral made"
    elif person.interpreter and rng.random() < 0.3:
        outcome = "Referred to interpreter service"
    else:
        outcome = str(rng.choice(_COUNCIL_OUTCOMES))
    note = str(rng.choice(_COUNCIL_NOTES))
    if place == "Market Street doorways" and rng.random() < 0.2:
        note = "Café doorway, bedded down"
    return outcome, note


def _harbour_light_night(
    rng: np.random.Generator,
    rows: list[_ContactRow],
    evening: date,
    at_site: dict[str, list[_Person]],
    route: Sequence[str],
    postcodes: _Postcodes,
) -> None:
    minutes = _EVENING + 90 + int(rng.integers(0, 61))
    for name in route:
        minutes += int(rng.integers(10, 26))
        for person in at_site.get(name, []):
            if rng.random() < 0.6:
                if person.nrpf and rng.random() < 0.4:
                    outcome = "Referred to immigration advice"
                elif person.under_18 or (person.trafficking and rng.random() < 0.6):
                    outcome = "Safeguarding referral made"
                else:
                    outcome = str(rng.choice(_HARBOUR_LIGHT_OUTCOMES))
                stamp = _local_time(evening, minutes + int(rng.integers(0, 5)))
                rows.append(
                    _ContactRow(stamp, postcodes.site_postcode[name], name, person, outcome)
                )


def _police_night(
    rng: np.random.Generator,
    rows: list[_CountRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING + 60 + int(rng.integers(0, 61))
    for name in _POLICE_ROUTE:
        minutes += int(rng.integers(10, 31))
        persons = sum(rng.random() < 0.95 for _ in at_site.get(name, []))
        if persons:
            site = _SITE[name]
            place = name
            if name == "Market Street doorways" and rng.random() < 0.5:
                place = "Café doorway, Market Street"
            who = "1 person" if persons == 1 else f"{persons} persons"
            notes = f"{place} – {who}, {rng.choice(_POLICE_NOTES)}"
            x, y = _gps(rng, site)
            rows.append(
                _CountRow(_local_time(evening, minutes), x, y, persons, notes, _figures(rng))
            )


def _figures(rng: np.random.Generator) -> Literal[8, 10]:
    return 10 if rng.random() < 0.75 else 8


def _st_annes_night(
    rng: np.random.Generator,
    rows: list[_SoupRunRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING - 20 + int(rng.integers(0, 31))
    for name, chance in _ST_ANNES_ROUTE:
        if rng.random() >= chance:
            continue
        minutes += int(rng.integers(12, 26))
        site = _SITE[name]
        place = name if rng.random() < 0.7 else str(rng.choice(site.aliases))
        served = [p for p in at_site.get(name, []) if rng.random() < 0.85]
        stamp = _local_time(evening, minutes)
        if not served:
            rows.append(_SoupRunRow(stamp, place, 0, "", "", "Nobody there tonight"))
            continue
        spoken = [p.language for p in served if p.language not in ("", "English")]
        rows.append(
            _SoupRunRow(
                stamp,
                place,
                len(served),
                spoken[0] if spoken else "English",
                "Yes" if any(p.interpreter for p in served) else "No",
                str(rng.choice(_ST_ANNES_NOTES)),
            )
        )


def _one_offs(
    rng: np.random.Generator,
    records: _Records,
    evening: date,
    seen_once: list[tuple[_Person, float, float]],
    out: dict[str, bool],
) -> None:
    """People seen once, somewhere in the town, by the council or police team if out."""
    observers = [agency for agency in (COUNCIL, POLICE_TEAM) if out[agency]]
    for person, x, y in seen_once:
        if not observers or rng.random() >= 0.85:
            continue
        observer = observers[int(rng.integers(len(observers)))]
        minutes = _EVENING + int(rng.integers(15, 240))
        stamp = _local_time(evening, minutes)
        x, y = x + rng.normal(0, 5), y + rng.normal(0, 5)
        if observer == POLICE_TEAM:
            notes = f"Doorway – 1 person, {rng.choice(_POLICE_NOTES)}"
            records.police_team.append(_CountRow(stamp, x, y, 1, notes, _figures(rng)))
        elif rng.random() < 0.6:
            outcome, _ = _council_words(rng, person, place="")
            records.council.append(_CouncilRow(stamp, x, y, 1, person, outcome, "New to the area"))
        else:
            records.council.append(
                _CouncilRow(stamp, x, y, 1, None, "Not engaged", "Asleep, not woken")
            )


def _add_postcode_oddities(
    rng: np.random.Generator,
    rows: list[_ContactRow],
    street: _Street,
    first: date,
    postcodes: _Postcodes,
) -> None:
    """Two contacts on an old (terminated) postcode, two with no fixed abode (ZZ99 3VZ)."""
    seafront = [i for i, row in enumerate(rows) if row.location == "Seafront shelter"]
    for i in sorted(rng.choice(seafront, size=min(2, len(seafront)), replace=False)):
        rows[i] = replace(rows[i], postcode=postcodes.site_old_postcode["Seafront shelter"])
    nights = [k for k, sites in enumerate(street.at_site) if sites]
    for k in sorted(rng.choice(nights, size=2, replace=False)):
        everyone = [p for people in street.at_site[k].values() for p in people]
        person = everyone[int(rng.integers(len(everyone)))]
        stamp = _local_time(first + timedelta(days=int(k)), _EVENING + int(rng.integers(0, 40)))
        rows.append(
            _ContactRow(
                stamp,
                NO_FIXED_ABODE_POSTCODE,
                "No fixed abode",
                person,
                "Booked into night shelter",
            )
        )


# --------------------------------------------------------------------------------------------
# Rows as each agency writes them

_YES_NO: Final = {True: "Yes", False: "No"}
_Y_N: Final = {True: "Y", False: "N"}


def _age_band(age: int) -> str:
    if age < 18:
        return "Under 18"
    for upper, band in ((25, "18-25"), (35, "26-35"), (45, "36-45"), (55, "46-55"), (65, "56-65")):
        if age <= upper:
            return band
    return "66+"


def _council_rows(rows: list[_CouncilRow], to_lonlat: Transformer) -> list[list[str]]:
    lon, lat = to_lonlat.transform([r.x for r in rows], [r.y for r in rows])
    out = []
    for i, (row, lo, la) in enumerate(zip(rows, lon, lat, strict=True), start=1):
        p = row.person
        about = (
            [
                p.ref, p.sex, _age_band(p.age), p.nationality, p.language,
                _Y_N[p.interpreter], _Y_N[p.nrpf], _Y_N[p.trafficking], _Y_N[p.under_18],
            ]
            if p is not None
            else ["", "", "", "", "", "", "", "", ""]
        )  # fmt: skip
        out.append(
            [
                f"COT-{i:05d}",
                "visit" if row.people == 0 else "street_count",
                row.stamp.strftime("%d/%m/%Y"),
                row.stamp.strftime("%H:%M"),
                f"{la:.6f}",
                f"{lo:.6f}",
                str(row.people),
                *about,
                row.outcome,
                row.notes,
            ]
        )
    return out


def _harbour_light_rows(rows: list[_ContactRow]) -> list[list[str | int]]:
    return [
        [
            row.stamp.strftime("%Y-%m-%dT%H:%M"),
            row.postcode,
            row.location,
            row.person.ref,
            {"M": "Male", "F": "Female"}[row.person.sex],
            row.person.age,
            _BY_DEMONYM[row.person.nationality].country,
            row.person.language,
            _YES_NO[row.person.interpreter],
            _YES_NO[row.person.nrpf],
            _YES_NO[row.person.trafficking],
            row.outcome,
        ]
        for row in rows
    ]


def _police_team_rows(rows: list[_CountRow]) -> list[list[str]]:
    return [
        [
            f"NPT-{i:04d}",
            row.stamp.strftime("%d/%m/%Y %H:%M"),
            _os_grid_ref(row.x, row.y, figures=row.figures),
            str(row.persons),
            row.notes,
        ]
        for i, row in enumerate(rows, start=1)
    ]


def _st_annes_rows(rows: list[_SoupRunRow]) -> list[list[str]]:
    return [
        [
            row.stamp.strftime("%d/%m/%Y"),
            row.stamp.strftime("%H:%M"),
            row.place,
            str(row.people),
            row.language,
            row.interpreter,
            row.notes,
        ]
        for row in rows
    ]


_GRID_LETTERS: Final = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # the OS alphabet has no I


def _os_grid_ref(easting: float, northing: float, *, figures: Literal[6, 8, 10] = 10) -> str:
    """An OS grid reference such as "TQ 31040 04560": the square's letters, then the position
    within the 100 km square truncated (never rounded) to ``figures`` digits in all.

    >>> _os_grid_ref(651409.9, 313177.2)
    'TG 51409 13177'
    >>> _os_grid_ref(216667, 771283, figures=8)
    'NN 1666 7128'
    """
    if not (0 <= easting < 700_000 and 0 <= northing < 1_300_000):
        raise ValueError(f"({easting}, {northing}) is outside the British National Grid")
    e100k, n100k = int(easting // 100_000), int(northing // 100_000)
    first = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    second = (19 - n100k) * 5 % 25 + e100k % 5
    letters = _GRID_LETTERS[first] + _GRID_LETTERS[second]
    digits = figures // 2
    unit = 10 ** (5 - digits)
    e = int(easting % 100_000) // unit
    n = int(northing % 100_000) // unit
    return f"{letters} {e:0{digits}d} {n:0{digits}d}"


# --------------------------------------------------------------------------------------------
# police.uk

_POLICE_PLACES: Final = (
    "Parking Area", "Supermarket", "Shopping Area", "Petrol Station", "Nightclub",
    "Sports/Recreation Area", "Further/Higher Educational Building", "Police Station", "Hospital",
    "Theatre/Concert Hall", "Queens Avenue", "North Road", "Chalk Lane", "Downs Way",
    "Priory Close", "Hill Road", "Park Lane", "Quay Street", "Saltings Way", "Ropewalk",
    "Elm Grove", "Victoria Terrace", "Albion Street", "Orchard Road",
)  # fmt: skip
_CRIME_TYPES: Final = (
    ("Violence and sexual offences", 30), ("Shoplifting", 15), ("Public order", 10),
    ("Criminal damage and arson", 10), ("Other theft", 8), ("Drugs", 6), ("Vehicle crime", 6),
    ("Theft from the person", 5), ("Burglary", 5), ("Bicycle theft", 3), ("Other crime", 2),
)  # fmt: skip
_OUTCOMES: Final = (
    ("Investigation complete; no suspect identified", 35), ("Unable to prosecute suspect", 25),
    ("Under investigation", 12), ("Status update unavailable", 8), ("Local resolution", 8),
    ("Awaiting court outcome", 6), ("Offender given a caution", 6),
)  # fmt: skip


def _police_uk_rows(
    rng: np.random.Generator, end: date, lsoas: _Lsoas, to_lonlat: Transformer
) -> list[list[str]]:
    """Three months of a force's street-level file: ASB (no Crime ID) and crimes, each snapped to
    one of a few anonymised points "On or near ...", heaviest around the town-centre sites and
    rising at the towpath in the last month."""
    site_xy = np.array([(s.x, s.y) for s in _SITES]) + rng.uniform(-90, 90, (len(_SITES), 2))
    extra = np.concatenate(
        [
            _random_points_in_outline(rng, 14),
            _random_points_in_outline(rng, 16, centre=_TOWN_CENTRE),
        ]
    )
    xy = np.concatenate([site_xy, extra])
    names = [f"On or near {s.street}" for s in _SITES] + [
        f"On or near {rng.choice(_POLICE_PLACES)}" for _ in range(len(extra))
    ]
    base = np.array(
        [
            {"persistent": 8, "occasional": 5, "rising": 2, "gap": 3, "empty": 1}[s.role]
            for s in _SITES
        ]
        + [1] * len(extra),
        dtype=float,
    )
    rising = np.array([s.role == "rising" for s in _SITES] + [False] * len(extra))
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    lsoa = lsoas.nearest(xy)
    crime_types, crime_weights = zip(*_CRIME_TYPES, strict=True)
    outcomes, outcome_weights = zip(*_OUTCOMES, strict=True)
    crime_p = np.array(crime_weights) / sum(crime_weights)
    outcome_p = np.array(outcome_weights) / sum(outcome_weights)

    rows: list[list[str]] = []
    for back in (3, 2, 1):
        year, month = divmod(end.year * 12 + end.month - 1 - back, 12)
        label = f"{year}-{month + 1:02d}"
        weights = np.where(rising, base * (4 if back == 1 else 1), base)
        p = weights / weights.sum()
        month_rows = []
        for _ in range(int(rng.poisson(95))):
            i = int(rng.choice(len(xy), p=p))
            month_rows.append(["", i, "Anti-social behaviour", ""])
        for _ in range(int(rng.poisson(60))):
            i = int(rng.choice(len(xy), p=p))
            crime = crime_types[int(rng.choice(len(crime_types), p=crime_p))]
            outcome = outcomes[int(rng.choice(len(outcomes), p=outcome_p))]
            month_rows.append([rng.bytes(32).hex(), i, crime, outcome])
        for j in rng.permutation(len(month_rows)):
            crime_id, i, crime, outcome = month_rows[j]
            rows.append(
                [
                    crime_id, label, DEMO_FORCE, DEMO_FORCE, f"{lon[i]:.6f}", f"{lat[i]:.6f}",
                    names[i], lsoas.codes[lsoa[i]], lsoas.names[lsoa[i]], crime, outcome, "",
                ]
            )  # fmt: skip
    return rows


# --------------------------------------------------------------------------------------------
# Writing


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, encoding: str = "utf-8"
) -> None:
    """CSV with CRLF line ends, as Excel and police.uk write them."""
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, stamp: datetime
) -> None:
    """One sheet of contacts; the zip is rewritten with fixed times so the bytes are repeatable."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    book.properties.creator = "Outreach Atlas demo generator"
    book.properties.title = f"{HARBOUR_LIGHT} contacts"
    book.properties.description = DEMO_LABEL
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + fixed, data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)


def _write_wards(path: Path, wards: gpd.GeoDataFrame) -> None:
    path.unlink(missing_ok=True)
    wards.to_crs(DISPLAY_CRS).to_file(path, driver="GeoJSON", layer="wards_synthetic_demo")


def _readme_text(*, seed: int, first: date, end: date) -> str:
    return f"""{DEMO_LABEL}
{"=" * len(DEMO_LABEL)}

{BOROUGH_NAME}: an invented coastal borough, generated by geo/demo.py (seed {seed}).
No file here describes a real person, place, postcode, ward or police force. The outline sits
on the English south coast only so that British National Grid and OS grid references behave as
they do in real files. Postcode area ZX and ward codes E05999xxx do not exist.

Nights covered: evenings {first:%d %B %Y} to {end:%d %B %Y}. A sighting after midnight carries
the next calendar date and belongs to the previous night.

Files, each in the form that kind of source really arrives in:
  wards.geojson                    20 wards (WD24CD, WD24NM, population), CRS84
  council_outreach_team.csv        {COUNCIL}: UTF-8, GPS lat/long, UK dates,
                                   Kind street_count or visit (People 0 = no one found)
  harbour_light_contacts.xlsx      {HARBOUR_LIGHT}: Excel, located by postcode;
                                   ZZ99 3VZ means no fixed abode; two rows use a terminated postcode
  police_neighbourhood_team.csv    {POLICE_TEAM}: Windows-1252, OS grid references
  st_annes_volunteers.csv          {ST_ANNES}: UTF-8 with BOM, place names
                                   from places.csv (names or aliases); People 0 = nobody there
  postcodes_nspl.csv               postcode directory in the 2025+ NSPL layout (some terminated)
  places.csv                       gazetteer: name, latitude, longitude, precision_m, aliases (;)
  services.csv                     services: name, type, opening_hours, languages (;), lat/long
  police_uk_street.csv             police.uk street-level crime file, three months

What to look for: people bedded down most nights at {", ".join(PERSISTENT_SITES[:2])},
{", ".join(PERSISTENT_SITES[2:])}; numbers rising fast in {RISING_WARD_NAME} ward
({RISING_WARD_CODE}) over the last five weeks; Northfields retail park (Hillcrest ward) seen
only by the police team, a coverage gap.
Client references are shared by the council team and Harbour Light.
"""


def load_demo(store: Store, *, directory: str | Path, seed: int = DEMO_SEED) -> dict[str, Any]:
    """Write the demo borough's files to ``directory`` and import them, as a user would.

    Every file goes through the same importer a user's file does. Sources are logged as
    ``demo/<file>`` so the app can say, wherever it shows them, that the data is synthetic.
    Returns each import's accounting.
    """
    from geo.importing import import_areas, import_police, import_records, import_services

    files = write_demo(directory, seed=seed)

    def name(path: Path) -> str:
        return f"demo/{path.name}"

    imports: list[dict[str, Any]] = [
        import_areas(store, files.wards, source=name(files.wards)).to_dict()
    ]
    for path, agency, kind in files.records:
        report = import_records(
            store,
            path,
            agency=agency,
            kind=kind,
            postcodes=files.postcodes,
            places=files.places,
            source=name(path),
        )
        imports.append(report.to_dict())
    imports.append(import_services(store, files.services, source=name(files.services)).to_dict())
    imports.append(import_police(store, files.police, source=name(files.police)).to_dict())
    return {"label": DEMO_LABEL, "directory": str(files.directory), "imports": imports}
