"""The demo borough's ground: outline, wards, LSOAs, named places, services and postcodes.

Saltmarsh (synthetic demo borough) is drawn in British National Grid between E 515200-524900 and
N 102500-109800 (the stretch of land between Worthing and Shoreham; the sea is to the south).
Nothing here is real: not the outline, the wards, the postcodes (area ``ZX`` does not exist),
the LSOAs or the places.

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

Each site's role, how many people usually sleep there and how often, is set here in ``_SITES``;
:mod:`geo.demo.street` fills the sites night by night.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geo.schema import WORKING_CRS

#: The seed of the demo in ``data/demo/``; another seed draws another borough of the same shape.
DEMO_SEED: Final = 20261125
#: What every output of the demo says about itself.
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

#: Header of the National Statistics Postcode Lookup since ONS renamed its columns in 2025.
NSPL_HEADER: Final[tuple[str, ...]] = (
    "pcd7", "pcd8", "pcds", "dointr", "doterm", "usrtypind", "east1m", "north1m", "gridind",
    "oa21cd", "cty25cd", "ced25cd", "lad25cd", "wd25cd", "nhser24cd", "ctry25cd", "rgn25cd",
    "pcon24cd", "ttwa15cd", "itl25cd", "npark16cd", "lsoa21cd", "msoa21cd", "wz11cd",
    "sicbl24cd", "bua24cd", "ruc21ind", "oac11ind", "lat", "long", "lep21cd1", "lep21cd2",
    "pfa23cd", "imd20ind", "icb23cd",
)  # fmt: skip
PLACES_HEADER: Final[tuple[str, ...]] = ("name", "latitude", "longitude", "precision_m", "aliases")
SERVICES_HEADER: Final[tuple[str, ...]] = (
    "name", "type", "opening_hours", "languages", "latitude", "longitude",
)  # fmt: skip


def borough_outline() -> shapely.Polygon:
    """The borough's outline in British National Grid (EPSG:27700); the wards cover it exactly."""
    return shapely.Polygon(_OUTLINE)


# --------------------------------------------------------------------------------------------
# Outline, wards and LSOAs

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


# --------------------------------------------------------------------------------------------
# Named places: sites, services, the gazetteer


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


# --------------------------------------------------------------------------------------------
# The postcode directory

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
