"""Geocoding: coordinates, grid references, postcode directories and gazetteers -> points.

Expected values are checked by hand: grid squares from the OS lettering (S at the false origin,
500 km squares S T / N O / H J, 100 km squares A..Z without I from the north-west corner);
SW1A 1AA is E 529090 N 179645, lon -0.141588 lat 51.501009 in ONSPD; BN1 1AA is E 531040
N 104624 in Code-Point Open.
"""

from __future__ import annotations

import csv
import doctest
import importlib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.crs import to_bng, to_lonlat
from geo.errors import GeocodeError, InputFileError
from geo.io import postcode_files
from geo.locate import (
    NO_LOCATION,
    Gazetteer,
    Located,
    PostcodeDirectory,
    is_no_fixed_abode,
    locate_any,
    locate_en,
    locate_lonlat,
    normalise_postcode,
    parse_grid_refs,
)

#: The modules of the geocoder, for their docstring examples.
GEOCODER = (
    "geo.locate.located",
    "geo.locate.numbers",
    "geo.locate.coordinates",
    "geo.locate.grid_refs",
    "geo.locate.postcodes",
    "geo.locate.places",
    "geo.locate.combined",
    "geo.io.postcode_files",
    "geo.io.gazetteer_files",
    "geo.io.text",
)

GEOD = Geod(ellps="WGS84")
SW1A_1AA = {"lon": -0.141588, "lat": 51.501009, "easting": 529090, "northing": 179645}
BN1_1AA = {"easting": 531040, "northing": 104624}


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def row(located: Located, i: int) -> dict[str, object]:
    return located.to_frame().iloc[i].to_dict()


# --------------------------------------------------------------------------- transformations


def test_to_bng_matches_onspd_for_sw1a_1aa():
    easting, northing = to_bng([SW1A_1AA["lon"]], [SW1A_1AA["lat"]])
    assert easting[0] == pytest.approx(SW1A_1AA["easting"], abs=1)
    assert northing[0] == pytest.approx(SW1A_1AA["northing"], abs=1)


def test_to_bng_trafalgar_square():
    # -0.1276, 51.5072 is E 530043 N 180358 (7-parameter Helmert; OSTN15 differs by < 2 m).
    easting, northing = to_bng(np.array([-0.1276]), np.array([51.5072]))
    assert easting[0] == pytest.approx(530043, abs=3)
    assert northing[0] == pytest.approx(180358, abs=3)


def test_to_lonlat_round_trips_and_keeps_nan():
    lon, lat = to_lonlat([SW1A_1AA["easting"], np.nan], [SW1A_1AA["northing"], 100.0])
    assert metres_between(lon[0], lat[0], SW1A_1AA["lon"], SW1A_1AA["lat"]) < 1
    assert np.isnan(lon[1]) and np.isnan(lat[1])
    back_e, back_n = to_bng(lon[:1], lat[:1])
    assert back_e[0] == pytest.approx(SW1A_1AA["easting"], abs=0.01)
    assert back_n[0] == pytest.approx(SW1A_1AA["northing"], abs=0.01)


# --------------------------------------------------------------------------- lon/lat


def test_locate_lonlat_text_keeps_index_and_precision_from_decimals():
    index = pd.Index(["r1", "r2", "r3", "r4"])
    lon = pd.Series(["-0.141588", " -0.1416 ", "-0.142", "-0.1"], index=index)
    lat = pd.Series(["51.501009", "51.5010", "51.501", "51.5"], index=index)
    located = locate_lonlat(lon, lat)
    assert list(located.problem.index) == list(index)
    assert located.ok.all()
    assert located.easting[0] == pytest.approx(SW1A_1AA["easting"], abs=1)
    # 6 dp is 0.11 m, floored to 1 m; 4 dp is 11 m; 3 dp 111 m; 1 dp 11 km (with a note).
    assert located.precision_m[:3] == pytest.approx([1.0, 11.132, 111.32], rel=1e-3)
    assert located.precision_m[3] == pytest.approx(11_132, rel=1e-3)
    assert located.note.iloc[3] == "only precise to about 11 km"
    assert located.note.iloc[:3].isna().all()


def test_locate_lonlat_numbers_and_hemisphere_letters():
    numbers = locate_lonlat(pd.Series([-0.141588, 0.00001]), pd.Series([51.501009, 51.47]))
    assert numbers.ok.all()
    assert numbers.precision_m[0] == 1.0
    lettered = locate_lonlat(
        pd.Series(["0.141588 W", "0.141588W"]), pd.Series(["51.501009N", "N 51.501009"])
    )
    assert lettered.ok.all()
    assert lettered.lon == pytest.approx([SW1A_1AA["lon"]] * 2)


def test_locate_lonlat_swapped_columns_are_swapped_back_with_a_note():
    located = locate_lonlat(pd.Series(["51.501009"]), pd.Series(["-0.141588"]))
    assert located.ok[0]
    assert located.note.iloc[0] == "latitude and longitude were swapped"
    assert located.lon[0] == pytest.approx(SW1A_1AA["lon"])
    assert located.lat[0] == pytest.approx(SW1A_1AA["lat"])


def test_locate_lonlat_eastings_and_northings_in_degree_columns():
    located = locate_lonlat(pd.Series(["531040"]), pd.Series(["104624"]))
    assert located.ok[0]
    assert (located.easting[0], located.northing[0]) == (531040, 104624)
    assert located.precision_m[0] == 1.0
    assert located.note.iloc[0] == "easting/northing given in latitude/longitude columns"


def test_locate_lonlat_only_one_column_in_metres_is_a_problem_naming_it():
    located = locate_lonlat(pd.Series(["-0.12", "531040"]), pd.Series(["531040", "51.5"]))
    assert not located.ok.any()
    assert located.problem.iloc[0].startswith("latitude looks like an easting or northing (531040)")
    assert "Easting and Northing columns" in located.problem.iloc[0]
    assert located.problem.iloc[1].startswith(
        "longitude looks like an easting or northing (531040)"
    )


def test_locate_lonlat_outside_the_uk():
    located = locate_lonlat(
        pd.Series(["-74.006", "3.0", "-0.1"]), pd.Series(["40.7128", "53.4", "95"])
    )
    assert not located.ok.any()
    assert located.problem.iloc[0] == (
        "latitude 40.7128, longitude -74.006 is outside Great Britain and Northern Ireland"
    )
    assert "needs a minus sign" in located.problem.iloc[1]
    assert located.problem.iloc[2] == "latitude 95 is not between -90 and 90"
    assert np.isnan(located.lon).all() and np.isnan(located.precision_m).all()


def test_locate_lonlat_blanks_and_junk():
    lon = pd.Series(["", None, "-0.1", "", "abc", "0", "NA"])
    lat = pd.Series([" ", None, "", "51.5", "51.5", "0", "n/a"])
    located = locate_lonlat(lon, lat)
    assert not located.ok.any()
    assert located.problem.tolist() == [
        NO_LOCATION,
        NO_LOCATION,
        "longitude given but no latitude",
        "latitude given but no longitude",
        "longitude 'abc' is not a number",
        "latitude and longitude are both 0, which devices record when they have no fix",
        NO_LOCATION,
    ]
    assert located.note.isna().all()


def test_messages_line_up_with_rows_whatever_the_index():
    index = [5, 3, 5, 9]
    located = locate_lonlat(
        pd.Series(["-74.0", "-0.1", "3.0", "x"], index=index),
        pd.Series(["40.7", "51.5", "53.4", "51"], index=index),
    )
    assert located.problem.index.tolist() == index
    assert located.problem.iloc[0].startswith("latitude 40.7, longitude -74.0 is outside")
    assert located.problem.iloc[1] is None
    assert located.problem.iloc[2].startswith("latitude 53.4, longitude 3.0 is outside")
    assert located.problem.iloc[3] == "longitude 'x' is not a number"


def test_empty_columns():
    assert len(locate_lonlat(pd.Series([], dtype=float), pd.Series([], dtype=float))) == 0
    assert len(parse_grid_refs(pd.Series([], dtype=object))) == 0


def test_locate_lonlat_rejects_mismatched_columns():
    with pytest.raises(ValueError, match="lon has 2 rows but lat has 1"):
        locate_lonlat(pd.Series([1.0, 2.0]), pd.Series([1.0]))


# --------------------------------------------------------------------------- easting/northing


def test_locate_en_brighton_and_separators():
    located = locate_en(
        pd.Series(["531040", "531,040", 531040.0]), pd.Series(["104624", "104,624", 104624])
    )
    assert located.ok.all()
    lon, lat = to_lonlat([531040], [104624])
    assert located.lon == pytest.approx([lon[0]] * 3)
    assert located.lat == pytest.approx([lat[0]] * 3)
    assert lat[0] == pytest.approx(50.826, abs=0.001)  # Brighton
    assert (located.precision_m == 1.0).all()


def test_locate_en_swaps_only_when_unambiguous():
    # 812345 cannot be an easting (> 700 km) but is a northing; 104624 is a valid easting.
    located = locate_en(pd.Series(["812345", "104624"]), pd.Series(["104624", "531040"]))
    assert located.ok.all()
    assert (located.easting[0], located.northing[0]) == (104624, 812345)
    assert located.note.iloc[0] == "easting and northing were swapped"
    # Both readings fit the grid: kept as given, no note.
    assert (located.easting[1], located.northing[1]) == (104624, 531040)
    assert located.note.iloc[1] is None


def test_locate_en_problems():
    located = locate_en(
        pd.Series(["900000", "0", "", "x", "-5", "531040"]),
        pd.Series(["1400000", "0", "", "1", "100", ""]),
    )
    assert not located.ok.any()
    assert located.problem.tolist() == [
        "easting 900000 and northing 1400000 are outside the British National Grid "
        "(easting 0 to 700,000, northing 0 to 1,300,000)",
        "easting and northing are both 0, which means no position",
        NO_LOCATION,
        "easting 'x' is not a number",
        "easting -5 is outside the British National Grid (0 to 700,000)",
        "easting given but no northing",
    ]


def test_locate_en_degrees_in_metre_columns_are_used_with_a_note():
    located = locate_en(pd.Series(["-0.141588"]), pd.Series(["51.501009"]))
    assert located.ok[0]
    assert located.easting[0] == pytest.approx(SW1A_1AA["easting"], abs=1)
    assert located.note.iloc[0] == "longitude/latitude given in easting/northing columns"


# --------------------------------------------------------------------------- grid references


@pytest.mark.parametrize(
    ("ref", "corner", "size"),
    [
        ("TQ", (500_000, 100_000), 100_000),
        ("TQ38", (530_000, 180_000), 10_000),
        ("TQ 30 80", (530_000, 180_000), 1_000),
        ("TQ3080", (530_000, 180_000), 1_000),
        ("tq 300 800", (530_000, 180_000), 100),
        ("TQ30008000", (530_000, 180_000), 10),
        ("TQ 30000 80000", (530_000, 180_000), 1),
        ("TQ3104", (531_000, 104_000), 1_000),
        ("TQ 31040 04560", (531_040, 104_560), 1),
        ("TQ3104004560", (531_040, 104_560), 1),
        ("tq 310 045", (531_000, 104_500), 100),
        ("TQ31040456", (531_040, 104_560), 10),
        ("SV 00 00", (0, 0), 1_000),
        ("SU 12 34", (412_000, 134_000), 1_000),
        ("NT 25 73", (325_000, 673_000), 1_000),
        ("HP 61 16", (461_000, 1_216_000), 1_000),
        ("TQ\t31040\u00a004560", (531_040, 104_560), 1),
    ],
)
def test_grid_refs_point_at_the_centre_of_their_square(ref, corner, size):
    located = parse_grid_refs(pd.Series([ref]))
    assert located.ok[0], located.problem.iloc[0]
    assert located.easting[0] == corner[0] + size / 2
    assert located.northing[0] == corner[1] + size / 2
    assert located.precision_m[0] == pytest.approx(max(size / np.sqrt(2), 1.0))


def test_grid_refs_land_on_known_places():
    refs = pd.Series(["TQ 29090 79645", "TQ 30047 80395", "NN 16667 71253"])
    located = parse_grid_refs(refs)
    # SW1A 1AA (Buckingham Palace) to a metre; Trafalgar Square; Ben Nevis summit.
    assert metres_between(located.lon[0], located.lat[0], SW1A_1AA["lon"], SW1A_1AA["lat"]) < 2
    assert metres_between(located.lon[1], located.lat[1], -0.1281, 51.5080) < 100
    assert metres_between(located.lon[2], located.lat[2], -5.0036, 56.7969) < 100


def test_grid_refs_irish_grid_for_northern_ireland():
    located = parse_grid_refs(pd.Series(["J 33 74"]))  # central Belfast
    assert located.ok[0]
    assert located.note.iloc[0] == "Irish Grid reference"
    assert metres_between(located.lon[0], located.lat[0], -5.9301, 54.5964) < 1_000


def test_grid_refs_coarse_squares_get_a_note():
    located = parse_grid_refs(pd.Series(["TQ38", "TQ"]))
    assert located.note.tolist() == ["only precise to about 7.1 km", "only precise to about 71 km"]


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("TQ123", "an odd number of digits"),
        ("TQ 31 0456", "the easting and northing parts have different lengths"),
        ("TI 12 34", "grid letters never use I"),
        ("AA 12 34", "AA is not a square of the British National Grid"),
        ("XX12", "XX is not a square of the British National Grid"),
        ("TQ 123456 123456", "more than 10 digits"),
        ("hello", "two letters then an even number of digits"),
        ("T Q 12", "two letters then an even number of digits"),
        ("531040 104624", "two letters then an even number of digits"),
    ],
)
def test_invalid_grid_refs_say_why(ref, reason):
    located = parse_grid_refs(pd.Series([ref]))
    assert not located.ok[0]
    assert located.problem.iloc[0].startswith(f"'{ref}' is not a valid OS grid reference (")
    assert reason in located.problem.iloc[0]


def test_blank_grid_refs():
    located = parse_grid_refs(pd.Series(["", None, "  "], index=[7, 8, 9]))
    assert located.problem.tolist() == [NO_LOCATION] * 3
    assert list(located.problem.index) == [7, 8, 9]


# --------------------------------------------------------------------------- postcodes


def test_normalise_postcode():
    values = pd.Series(
        ["bn11aa", "BN1  1AA", "BN107AA", " sw1a1aa ", "BN1-1AA", "zz99 3vz", "BN1", "nope", None],
        index=list("abcdefghi"),
        name="postcode",
    )
    normal = normalise_postcode(values)
    assert normal.name == "postcode" and list(normal.index) == list("abcdefghi")
    assert normal.iloc[:6].tolist() == [
        "BN1 1AA",
        "BN1 1AA",
        "BN10 7AA",
        "SW1A 1AA",
        "BN1 1AA",
        "ZZ99 3VZ",
    ]
    assert normal.iloc[6:].isna().all()


def test_is_no_fixed_abode():
    values = pd.Series(
        ["ZZ99 3VZ", "zz993vz", "ZZ99 3CZ", "NFA", "no fixed abode", "BN1 1AA", None, ""]
    )
    assert is_no_fixed_abode(values).tolist() == [True, True, True, True, True, False, False, False]


NSPL_2025_HEADER = (
    "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,"
    "cty25cd,ced25cd,lad25cd,wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,"
    "itl25cd,npark16cd,lsoa21cd,msoa21cd,wz11cd,sicbl24cd,bua24cd,ruc21ind,"
    "oac11ind,lat,long,lep21cd1,lep21cd2,pfa23cd,imd20ind,icb23cd"
)
ONSPD_OLD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,"
    "oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,"
    "ttwa,pct,itl,statsward,oa01,casward,park,lsoa01,msoa01,ur01ind,oac01,"
    "oa11,lsoa11,msoa11,wz11,ccg,bua11,buasd11,ru11ind,oac11,lat,long,lep1,"
    "lep2,pfa,imd,calncv,stp"
)

#: Directory rows in ONSPD terms; written under either header.
DIRECTORY_ROWS = [
    # live, building-matched
    dict(
        pcds="SW1A 1AA",
        doterm="",
        east="529090",
        north="179645",
        grid="1",
        lat="51.501009",
        long="-0.141588",
        ward="E05013806",
    ),
    # terminated in June 2021
    dict(
        pcds="BN1 9ZZ",
        doterm="202106",
        east="531040",
        north="104624",
        grid="1",
        lat="50.826334",
        long="-0.140818",
        ward="E05002434",
    ),
    # known, but no grid reference (ONSPD: gridind 9, lat 99.999999, long 0)
    dict(
        pcds="GY1 1AA",
        doterm="",
        east="",
        north="",
        grid="9",
        lat="99.999999",
        long="0.000000",
        ward="",
    ),
    # postcode sector mean
    dict(
        pcds="SW1A 0PW",
        doterm="",
        east="530268",
        north="179545",
        grid="6",
        lat="51.499813",
        long="-0.124642",
        ward="E05013806",
    ),
    # Northern Ireland: ONSPD's eastings are on the Irish Grid
    dict(
        pcds="BT1 5GS",
        doterm="",
        east="333800",
        north="374100",
        grid="1",
        lat="54.596500",
        long="-5.930100",
        ward="N08000312",
    ),
]


def write_directory(path: Path, header: str, *, new_style: bool) -> Path:
    names = {
        "postcode": ("pcd7", "pcd8", "pcds") if new_style else ("pcd", "pcd2", "pcds"),
        "east": "east1m" if new_style else "oseast1m",
        "north": "north1m" if new_style else "osnrth1m",
        "grid": "gridind" if new_style else "osgrdind",
        "ward": "wd25cd" if new_style else "osward",
    }
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header.split(","), restval="")
        writer.writeheader()
        for r in DIRECTORY_ROWS:
            outward, inward = r["pcds"].split()
            fixed = (f"{outward:<4}{inward}", f"{outward:<4} {inward}", r["pcds"])
            record = dict(zip(names["postcode"], fixed, strict=True))
            record |= {
                "dointr": "198001",
                "doterm": r["doterm"],
                names["east"]: r["east"],
                names["north"]: r["north"],
                names["grid"]: r["grid"],
                names["ward"]: r["ward"],
                "lat": r["lat"],
                "long": r["long"],
            }
            writer.writerow(record)
    return path


@pytest.fixture(params=["2025+", "pre-2025"])
def onspd_file(request, tmp_path) -> Path:
    if request.param == "2025+":
        return write_directory(tmp_path / "NSPL_AUG_2025_UK.csv", NSPL_2025_HEADER, new_style=True)
    return write_directory(tmp_path / "ONSPD_FEB_2020_UK.csv", ONSPD_OLD_HEADER, new_style=False)


def test_onspd_and_nspl_headers_are_detected(onspd_file):
    directory = PostcodeDirectory.from_file(onspd_file)
    assert len(directory) == len(DIRECTORY_ROWS)
    expected = "2025+ headers" if "NSPL" in onspd_file.name else "pre-2025 headers"
    assert directory.name == f"{onspd_file.name} (ONSPD/NSPL ({expected}))"


def test_onspd_lookup(onspd_file):
    directory = PostcodeDirectory.from_file(onspd_file)
    located = directory.lookup(
        pd.Series(
            ["sw1a1aa", "BN1 9ZZ", "ZZ99 3VZ", "BN99 9ZZ", "GY1 1AA", "SW1A 0PW", "BT1 5GS", ""],
            index=range(10, 18),
        )
    )
    assert list(located.problem.index) == list(range(10, 18))
    assert located.ok.tolist() == [True, True, False, False, False, True, True, False]
    assert (located.easting[0], located.northing[0]) == (529090, 179645)
    assert (located.lon[0], located.lat[0]) == (-0.141588, 51.501009)
    assert located.precision_m[0] == 100
    assert located.note.iloc[1] == "terminated postcode (ended 2021-06)"
    assert located.problem.iloc[2] == (
        "ZZ99 3VZ is a 'no fixed abode' pseudo-postcode and is never geocoded"
    )
    assert located.problem.iloc[3] == (
        f"BN99 9ZZ is not in the postcode directory ({directory.name})"
    )
    assert located.problem.iloc[4] == "GY1 1AA is in the postcode directory but has no position"
    assert located.precision_m[5] == 1_000
    assert located.note.iloc[5] == "position is the centre of the postcode sector, not the postcode"
    # Northern Ireland: the point comes from lat/long, not the Irish Grid eastings.
    assert (located.lon[6], located.lat[6]) == (-5.9301, 54.5965)
    e, n = to_bng([-5.9301], [54.5965])
    assert (located.easting[6], located.northing[6]) == (pytest.approx(e[0]), pytest.approx(n[0]))
    assert located.problem.iloc[7] == NO_LOCATION
    assert directory.ward_codes(pd.Series(["SW1A 1AA", "nope"])).tolist() == ["E05013806", pd.NA]


CODEPOINT_ROWS = [
    ("BN1 1AA", 10, 531040, 104624, "E06000043", "E05002434"),
    ("BN107AA", 10, 539777, 101364, "E07000063", "E05003906"),
    ("BN2 9ZZ", 50, 532000, 105000, "E06000043", "E05002434"),
    ("BN2 9ZY", 60, 532100, 105100, "E06000043", "E05002434"),
    ("BN919AA", 90, 0, 0, "", ""),
]


def codepoint_lines(rows=CODEPOINT_ROWS) -> list[str]:
    return [
        f'"{pc}",{q},{e},{n},"E92000001","E19000002","E18000008","","{dc}","{wc}"'
        for pc, q, e, n, dc, wc in rows
    ]


@pytest.fixture(params=["no header", "long header", "short header"])
def codepoint_file(request, tmp_path) -> Path:
    headers = {
        "no header": [],
        "long header": [",".join(postcode_files._CODEPOINT_COLUMNS)],
        "short header": ["PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC"],
    }[request.param]
    path = tmp_path / "bn.csv"
    path.write_bytes("\r\n".join(headers + codepoint_lines()).encode() + b"\r\n")
    return path


def test_codepoint_open_with_or_without_header(codepoint_file):
    directory = PostcodeDirectory.from_file(codepoint_file)
    assert directory.name == "bn.csv (Code-Point Open)"
    assert len(directory) == len(CODEPOINT_ROWS)
    located = directory.lookup(pd.Series(["BN1 1AA", "bn10 7aa", "BN2 9ZZ", "BN2 9ZY", "BN91 9AA"]))
    assert located.ok.tolist() == [True, True, True, True, False]
    assert (located.easting[0], located.northing[0]) == (531040, 104624)
    lon, lat = to_lonlat([531040], [104624])
    assert (located.lon[0], located.lat[0]) == (lon[0], lat[0])
    assert located.precision_m[:4].tolist() == [100, 100, 250, 1_000]
    assert located.note.tolist()[:4] == [
        None,
        None,
        "position estimated by ONS from neighbouring postcodes",
        "position is the centre of the postcode sector, not the postcode",
    ]
    assert located.problem.iloc[4] == "BN91 9AA is in the postcode directory but has no position"
    assert directory.ward_codes(pd.Series(["BN1 1AA"])).tolist() == ["E05002434"]


def test_postcode_problems_say_why(codepoint_file):
    directory = PostcodeDirectory.from_file(codepoint_file)
    located = directory.lookup(pd.Series(["zz99 3cz", "N.F.A.", "BN1", "hello", None, "SW1A 1AA"]))
    assert not located.ok.any()
    assert located.problem.tolist() == [
        "ZZ99 3CZ is an NHS pseudo-postcode (ZZ99), not a place, and is never geocoded",
        "'N.F.A.' means no fixed abode and is never geocoded",
        "'BN1' is only part of a postcode; the full postcode (like BN1 1AA) is needed",
        "'hello' is not a valid UK postcode",
        NO_LOCATION,
        "SW1A 1AA is not in the postcode directory (bn.csv (Code-Point Open))",
    ]


def test_directory_from_zips(tmp_path):
    nspl = write_directory(tmp_path / "NSPL.csv", NSPL_2025_HEADER, new_style=True)
    single = tmp_path / "NSPL_AUG_2025.zip"
    with zipfile.ZipFile(single, "w") as z:
        z.write(nspl, "Data/NSPL_AUG_2025_UK.csv")
        z.writestr("Data/multi_csv/NSPL_AUG_2025_UK_SW.csv", nspl.read_text())
        z.writestr("Documents/LA_UA names and codes UK as at 04_25.csv", "LAD25CD,LAD25NM\n")
    assert len(PostcodeDirectory.from_file(single)) == len(DIRECTORY_ROWS)

    areas = tmp_path / "codepo_gb.zip"
    lines = codepoint_lines()
    with zipfile.ZipFile(areas, "w") as z:
        z.writestr("Data/CSV/bn.csv", "\r\n".join(lines[:2]) + "\r\n")
        z.writestr("Data/CSV/sw.csv", "\r\n".join(lines[2:]) + "\r\n")
        z.writestr("Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n")
    directory = PostcodeDirectory.from_file(areas)
    assert directory.name == "codepo_gb.zip (Code-Point Open)"
    assert len(directory) == len(CODEPOINT_ROWS)


def test_directory_missing_columns_names_file_found_and_needed(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("pcds,oa21cd,lad25cd\nBN1 1AA,E00000001,E06000043\n")
    with pytest.raises(
        GeocodeError, match=r"lookup\.csv: .*found columns pcds, oa21cd, lad25cd; need .*easting"
    ):
        PostcodeDirectory.from_file(path)


def test_directory_without_header_must_be_codepoint(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("BN1 1AA,531040,104624\n")
    with pytest.raises(
        GeocodeError, match=r"odd\.csv: the first row is data .* 3 columns.*Code-Point"
    ):
        PostcodeDirectory.from_file(path)


def test_directory_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        PostcodeDirectory.from_file(tmp_path / "absent.csv")


def test_postcode_list_with_lat_long_only(tmp_path):
    path = tmp_path / "ukpostcodes.csv"
    path.write_text("id,postcode,latitude,longitude\n1,SW1A 1AA,51.501009,-0.141588\n")
    directory = PostcodeDirectory.from_file(path)
    assert directory.name == "ukpostcodes.csv (postcode list)"
    located = directory.lookup(pd.Series(["SW1A 1AA"]))
    assert located.easting[0] == pytest.approx(SW1A_1AA["easting"], abs=1)


@pytest.mark.shared
def test_real_codepoint_open_file(shared_data):
    path = shared_data / "postcodes" / "codepoint-open-bn.csv"
    directory = PostcodeDirectory.from_file(path)
    assert len(directory) == 21_938
    assert directory.name == "codepoint-open-bn.csv (Code-Point Open)"
    located = directory.lookup(pd.Series(["BN1 1AA", "BN91 9AA", "bn107aa"]))
    assert (located.easting[0], located.northing[0]) == (531040, 104624)
    assert located.lon[0] == pytest.approx(-0.1408, abs=0.001)  # Brighton seafront
    assert located.lat[0] == pytest.approx(50.8263, abs=0.001)
    assert located.problem.iloc[1] == "BN91 9AA is in the postcode directory but has no position"
    assert located.ok[2]


@pytest.mark.shared
def test_real_codepoint_lookup_of_100k_postcodes(shared_data):
    path = shared_data / "postcodes" / "codepoint-open-bn.csv"
    directory = PostcodeDirectory.from_file(path)
    known = pd.read_csv(path, header=None, usecols=[0])[0].to_numpy()
    postcodes = pd.Series(np.random.default_rng(5).choice(known, 100_000)).str.lower()
    located = directory.lookup(postcodes)
    has_position = ~pd.Series(located.problem).str.contains("no position", na=False).to_numpy()
    assert (located.ok == has_position).all()


# --------------------------------------------------------------------------- gazetteers


def write_gazetteer(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


GAZETTEER = """Name,Latitude,Longitude,Grid ref,radius,aliases
Station underpass,50.829000,-0.141000,,,Underpass; the tunnel
Café Rouge doorway,,,TQ 31040 04560,20,
St. Mary's porch,50.820000,-0.130000,,,Marys|the porch
"""


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8", "utf-16"])
def test_gazetteer_encodings_and_loose_matching(tmp_path, encoding):
    gazetteer = Gazetteer.from_file(write_gazetteer(tmp_path / "places.csv", GAZETTEER, encoding))
    assert len(gazetteer) == 3
    assert gazetteer.places["name"].tolist()[1] == "Café Rouge doorway"
    names = pd.Series(
        [
            "station  Underpass.",
            "CAFÉ ROUGE DOORWAY",
            "cafe rouge doorway",
            "the tunnel",
            "St Marys porch",
            "The Porch",
        ],
        index=list("abcdef"),
    )
    located = gazetteer.lookup(names)
    assert located.ok.all()
    assert list(located.problem.index) == list("abcdef")
    assert located.lon[0] == pytest.approx(-0.141)
    assert located.precision_m[0] == 50  # default radius
    assert (located.easting[1], located.northing[1]) == (531040.5, 104560.5)
    assert located.precision_m[1] == 20  # from the radius column
    assert located.easting[3] == located.easting[0]
    assert located.easting[4] == located.easting[5]


def test_gazetteer_unknown_place_says_to_add_it(tmp_path):
    gazetteer = Gazetteer.from_file(write_gazetteer(tmp_path / "places.csv", GAZETTEER, "utf-8"))
    located = gazetteer.lookup(pd.Series(["Pier arches", "", None]))
    assert located.problem.tolist() == [
        "'Pier arches' is not in the gazetteer; add it to places.csv with its position",
        NO_LOCATION,
        NO_LOCATION,
    ]


def test_gazetteer_semicolons_and_eastings(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("place;easting;northing\nBench by the pier;531040;104624\n")
    located = Gazetteer.from_file(path).lookup(pd.Series(["bench by the pier"]))
    assert (located.easting[0], located.northing[0]) == (531040, 104624)
    assert located.precision_m[0] == 50


def test_gazetteer_one_name_for_two_places_is_an_error(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(
        "name,lat,lon,aliases\n"
        "Bus station,50.8290,-0.1410,\n"
        "Bus station west,50.8295,-0.1420,bus station.\n"
        "Pier,50.8190,-0.1370,\n"
        "pier,50.8190,-0.1370,\n"  # the same place twice: harmless
    )
    with pytest.raises(GeocodeError, match=r"places\.csv: .*'bus station' \(rows 2, 3\)"):
        Gazetteer.from_file(path)


def test_gazetteer_bad_rows_are_named(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon\nHarbour,40.7,-74.0\nPark,,\n")
    with pytest.raises(
        GeocodeError,
        match=r"2 places cannot be placed: row 2 \('Harbour'\): .*outside.*; "
        r"row 3 \('Park'\): no location given",
    ):
        Gazetteer.from_file(path)


def test_gazetteer_missing_columns(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("name,notes\nHarbour,by the steps\n")
    with pytest.raises(
        GeocodeError, match=r"places\.csv: found columns name, notes; a gazetteer needs"
    ):
        Gazetteer.from_file(path)


# --------------------------------------------------------------------------- everything at once


def test_locate_any_takes_the_first_source_that_works(tmp_path):
    path = tmp_path / "bn.csv"
    path.write_bytes("\r\n".join(codepoint_lines()).encode())
    directory = PostcodeDirectory.from_file(path)
    lon = pd.Series(["-0.141588", "-74.0", "", ""])
    lat = pd.Series(["51.501009", "40.7", "", ""])
    postcode = pd.Series(["BN1 1AA", "BN1 1AA", "BN10 7AA", ""])
    located, source = locate_any(lon=lon, lat=lat, postcode=postcode, directory=directory)
    assert located.ok.tolist() == [True, True, True, False]
    assert source.tolist() == ["coordinates", "postcode", "postcode", None]
    assert located.easting[0] == pytest.approx(SW1A_1AA["easting"], abs=1)
    assert located.easting[1] == 531040
    assert located.note.iloc[1] == (
        "latitude/longitude: latitude 40.7, longitude -74.0 is outside Great Britain and "
        "Northern Ireland; used the postcode instead"
    )
    assert located.note.iloc[2] is None
    assert located.problem.iloc[3] == NO_LOCATION


def test_locate_any_reports_every_failed_source():
    located, source = locate_any(
        grid_ref=pd.Series(["TQ123"]), easting=pd.Series(["x"]), northing=pd.Series(["1"])
    )
    assert located.problem.iloc[0] == (
        "easting/northing: easting 'x' is not a number; "
        "grid reference: 'TQ123' is not a valid OS grid reference (an odd number of digits)"
    )
    assert source.iloc[0] is None


def test_locate_any_needs_its_lookups():
    with pytest.raises(ValueError, match="postcode needs directory="):
        locate_any(postcode=pd.Series(["BN1 1AA"]))
    with pytest.raises(ValueError, match="lon and lat must be given together"):
        locate_any(lon=pd.Series([0.1]))


# --------------------------------------------------------------------------- whole columns


def test_a_hundred_thousand_coordinates_in_one_call():
    rng = np.random.default_rng(3)
    lon = pd.Series(rng.uniform(-5, 1.5, 100_000).round(6))
    lat = pd.Series(rng.uniform(50, 58, 100_000).round(6))
    located = locate_lonlat(lon, lat)
    assert located.ok.all()
    back_lon, back_lat = to_lonlat(located.easting, located.northing)
    assert np.allclose(back_lon, lon, atol=1e-6) and np.allclose(back_lat, lat, atol=1e-6)


@pytest.mark.parametrize("module", GEOCODER)
def test_docstring_examples_run(module):
    module = importlib.import_module(module)
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
