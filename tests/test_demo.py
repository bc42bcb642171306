"""The synthetic demo borough: repeatable, well-formed files in each agency's own format, with the
shape the demo is meant to show (persistent sites, one rising ward, gaps, needs).

Each check reads the files back the way a person with pandas would, not through the importers,
so a fault in the generator cannot hide behind the same fault in a reader.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.demo import (
    COUNCIL,
    COUNCIL_HEADER,
    DEMO_LABEL,
    DEMO_LAD_CODE,
    HARBOUR_LIGHT,
    HARBOUR_LIGHT_HEADER,
    NO_FIXED_ABODE_POSTCODE,
    NSPL_HEADER,
    PERSISTENT_SITES,
    POLICE_TEAM,
    POLICE_TEAM_HEADER,
    REFERRALS_AGENCY,
    RISING_WARD_CODE,
    ST_ANNES,
    ST_ANNES_HEADER,
    DemoFiles,
    borough_outline,
    load_demo,
    write_demo,
)
from geo.demo.files import _os_grid_ref
from geo.demo.over_time import CLEARED_SITE
from geo.schema import POLICE_UK_HEADER

END = pd.Timestamp("2026-11-23")
NIGHTS = 91
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return write_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def council(files: DemoFiles) -> pd.DataFrame:
    frame = pd.read_csv(files.records[0][0], dtype=str, keep_default_na=False, encoding="utf-8")
    stamp = pd.to_datetime(frame["Date"] + " " + frame["Time"], format="%d/%m/%Y %H:%M")
    x, y = TO_BNG.transform(frame["Longitude"].astype(float), frame["Latitude"].astype(float))
    return frame.assign(
        night=_night(stamp), people=frame["People"].astype(int), x=np.asarray(x), y=np.asarray(y)
    )


@pytest.fixture(scope="module")
def harbour(files: DemoFiles) -> pd.DataFrame:
    frame = pd.read_excel(files.records[1][0], dtype={"Postcode": str, "Client ID": str})
    return frame.assign(
        night=_night(pd.to_datetime(frame["Contact date"], format="%Y-%m-%dT%H:%M"))
    )


@pytest.fixture(scope="module")
def police_team(files: DemoFiles) -> pd.DataFrame:
    frame = pd.read_csv(files.records[2][0], dtype=str, encoding="cp1252")
    stamp = pd.to_datetime(frame["Date/Time"], format="%d/%m/%Y %H:%M")
    parsed = np.array([_parse_grid_ref(ref) for ref in frame["Grid Ref"]])
    return frame.assign(night=_night(stamp), x=parsed[:, 0], y=parsed[:, 1], unit=parsed[:, 2])


@pytest.fixture(scope="module")
def st_annes(files: DemoFiles) -> pd.DataFrame:
    frame = pd.read_csv(files.records[3][0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    stamp = pd.to_datetime(frame["Date"] + " " + frame["Time"], format="%d/%m/%Y %H:%M")
    return frame.assign(night=_night(stamp), people=frame["People"].astype(int))


@pytest.fixture(scope="module")
def places(files: DemoFiles) -> pd.DataFrame:
    frame = pd.read_csv(files.places, dtype={"aliases": str}, keep_default_na=False)
    x, y = TO_BNG.transform(frame["longitude"], frame["latitude"])
    return frame.assign(x=np.asarray(x), y=np.asarray(y)).set_index("name")


@pytest.fixture(scope="module")
def postcodes(files: DemoFiles) -> pd.DataFrame:
    return pd.read_csv(files.postcodes, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def wards(files: DemoFiles) -> gpd.GeoDataFrame:
    return gpd.read_file(files.wards)


def _night(stamp: pd.Series) -> pd.Series:
    """The evening a sighting's night began: before noon belongs to the day before."""
    return (stamp - pd.to_timedelta((stamp.dt.hour < 12).astype(int), unit="D")).dt.normalize()


def _parse_grid_ref(ref: str) -> tuple[int, int, int]:
    """(easting, northing) of the south-west corner of an OS grid reference, and its unit (m)."""
    letters, east, north = ref.split(" ")
    first, second = ("ABCDEFGHJKLMNOPQRSTUVWXYZ".index(c) for c in letters)
    e100k = ((first - 2) % 5) * 5 + second % 5
    n100k = (19 - (first // 5) * 5) - second // 5
    unit = 10 ** (5 - len(east))
    return e100k * 100_000 + int(east) * unit, n100k * 100_000 + int(north) * unit, unit


def _hashes(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


def _ward_of(x: np.ndarray, y: np.ndarray, wards: gpd.GeoDataFrame) -> np.ndarray:
    bng = wards.to_crs("EPSG:27700")
    out = np.full(len(x), "", dtype=object)
    for code, geometry in zip(bng["WD24CD"], bng.geometry, strict=True):
        out[shapely.contains_xy(geometry, x, y)] = code
    return out


# ---------------------------------------------------------------------------------------------
# Repeatable


def test_same_seed_gives_byte_identical_files(files: DemoFiles, tmp_path: Path) -> None:
    again = write_demo(tmp_path / "again")
    first, second = _hashes(files.directory), _hashes(again.directory)
    assert len(first) == 13
    assert first == second


def test_a_different_seed_gives_different_files(files: DemoFiles, tmp_path: Path) -> None:
    other = _hashes(write_demo(tmp_path / "other", seed=1).directory)
    same = {name for name, digest in _hashes(files.directory).items() if other[name] == digest}
    # The gazetteer, services and base map are fixed places; all drawn from the seed changes.
    assert same == {"places.csv", "services.csv", "basemap_synthetic.geojson"}


def test_every_output_says_it_is_synthetic(files: DemoFiles) -> None:
    readme = files.readme.read_text(encoding="utf-8")
    assert readme.startswith(DEMO_LABEL)
    assert RISING_WARD_CODE in readme and "Riverside" in readme
    assert "synthetic" in files.wards.read_text(encoding="utf-8")  # the layer's name
    assert "(synthetic)" in files.police.read_text(encoding="utf-8")  # the force's name
    book = pd.ExcelFile(files.records[1][0], engine="openpyxl")
    assert book.book.properties.description == DEMO_LABEL
    book.close()


# ---------------------------------------------------------------------------------------------
# Wards


def test_wards_are_an_irregular_valid_partition_of_the_outline(wards: gpd.GeoDataFrame) -> None:
    assert wards.crs.equals("OGC:CRS84") or wards.crs.to_epsg() == 4326
    bng = wards.to_crs("EPSG:27700").geometry.to_numpy()
    assert 18 <= len(bng) <= 22
    assert shapely.is_valid(bng).all()
    assert shapely.coverage_is_valid(bng)
    worst_overlap = max(shapely.intersection(a, b).area for a, b in itertools.combinations(bng, 2))
    assert worst_overlap < 0.01  # square metres: shared edges only
    # Compare with the outline after the same trip through longitude/latitude (pyproj moves
    # points by a fraction of a millimetre there and back).
    outline = gpd.GeoSeries([borough_outline()], crs="EPSG:27700").to_crs(4326).to_crs(27700)
    assert shapely.union_all(bng).symmetric_difference(outline[0]).area < 1.0
    # Not a grid: wards differ in size and in their number of corners.
    vertices = shapely.get_num_coordinates(bng)
    assert len(set(vertices)) >= 4
    areas = shapely.area(bng)
    assert areas.max() > 3 * areas.min()


def test_ward_fields_are_fake_codes_invented_names_and_populations(
    wards: gpd.GeoDataFrame,
) -> None:
    assert list(wards.columns) == ["WD24CD", "WD24NM", "population", "geometry"]
    assert wards["WD24CD"].str.fullmatch(r"E05999\d{3}").all()
    assert wards["WD24CD"].is_unique and wards["WD24NM"].is_unique
    assert wards["population"].between(6_000, 15_000).all()
    assert wards.set_index("WD24CD").loc[RISING_WARD_CODE, "WD24NM"] == "Riverside"


def test_named_sites_lie_in_the_ward_named_after_them(
    places: pd.DataFrame, wards: gpd.GeoDataFrame
) -> None:
    codes = _ward_of(places["x"].to_numpy(), places["y"].to_numpy(), wards)
    names = dict(zip(wards["WD24CD"], wards["WD24NM"], strict=True))
    ward = dict(zip(places.index, (names.get(c, "") for c in codes), strict=True))
    assert ward["Station underpass"] == "Station"
    assert ward["Market Street doorways"] == "Market"
    assert ward["Jubilee Park"] == "Jubilee"
    assert ward["Seafront shelter"] == "Seafront"
    assert ward["Riverside towpath"] == "Riverside"
    assert ward["Northfields retail park"] == "Hillcrest"
    assert all(ward.values())  # every place is inside the borough


@pytest.mark.shared
def test_the_outline_is_on_land(shared_data: Path) -> None:
    real = gpd.read_file(
        shared_data / "england-wards-2013.gpkg", bbox=(-0.40, 50.80, -0.22, 50.89)
    ).to_crs(27700)
    land = shapely.union_all(shapely.make_valid(real.geometry.to_numpy()))
    outline = borough_outline()
    # 98%: the rest is a river and a harbour, which the ONS wards leave out.
    assert outline.intersection(land).area / outline.area > 0.97


# ---------------------------------------------------------------------------------------------
# Each agency's file in its own format


def test_records_list_four_agencies_in_four_formats_and_the_publics_referrals(
    files: DemoFiles,
) -> None:
    agencies = [agency for _, agency, _ in files.records]
    assert agencies == [COUNCIL, HARBOUR_LIGHT, POLICE_TEAM, ST_ANNES, REFERRALS_AGENCY]
    suffixes = [path.suffix for path, _, _ in files.records]
    assert suffixes == [".csv", ".xlsx", ".csv", ".csv", ".csv"]
    kinds = {kind for _, _, kind in files.records}
    assert kinds == {"street_count", "outreach_contact", "referral"}


def test_council_csv_is_utf8_with_gps_and_uk_dates(files: DemoFiles, council: pd.DataFrame) -> None:
    raw = files.records[0][0].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "Café doorway".encode() in raw
    assert list(council.columns[:19]) == list(COUNCIL_HEADER)
    assert set(council["Kind"]) == {"street_count", "visit"}
    visits = council[council["Kind"] == "visit"]
    assert (visits["people"] == 0).all() and (visits["Outcome"] == "No one found").all()
    assert (council.loc[council["Kind"] == "street_count", "people"] >= 1).all()
    assert council["Latitude"].str.fullmatch(r"50\.\d{6}").all()
    assert council["Longitude"].str.fullmatch(r"-0\.\d{6}").all()
    assert council["Record ID"].is_unique
    for column in ("Interpreter needed", "NRPF", "Trafficking concern", "Under 18"):
        assert set(council[column]) == {"Y", "N", ""}
    refs = council["Client Ref"][council["Client Ref"] != ""]
    assert refs.str.fullmatch(r"SM\d{5}").all()
    # One row per person engaged; people not engaged are counted on one row without a ref.
    assert (council.loc[council["Client Ref"] != "", "people"] == 1).all()
    assert (council.loc[council["Client Ref"] == "", "people"] > 1).any()


def test_harbour_light_xlsx_is_located_by_postcode(harbour: pd.DataFrame) -> None:
    assert list(harbour.columns[:12]) == list(HARBOUR_LIGHT_HEADER)
    assert harbour["Contact date"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d").all()
    assert pd.api.types.is_integer_dtype(harbour["Age"])
    assert set(harbour["Gender"]) <= {"Male", "Female"}
    for column in ("Interpreter required", "No recourse to public funds", "Modern slavery concern"):
        assert set(harbour[column]) == {"Yes", "No"}
    assert harbour["Client ID"].str.fullmatch(r"SM\d{5}").all()


def test_harbour_light_postcodes_are_in_the_directory_except_no_fixed_abode(
    harbour: pd.DataFrame, postcodes: pd.DataFrame
) -> None:
    used = harbour["Postcode"]
    known = set(postcodes["pcds"])
    assert set(used[~used.isin(known)]) == {NO_FIXED_ABODE_POSTCODE}
    assert (used == NO_FIXED_ABODE_POSTCODE).sum() == 2
    terminated = set(postcodes.loc[postcodes["doterm"] != "", "pcds"])
    assert used.isin(terminated).sum() == 2


def test_postcode_directory_has_the_2025_nspl_layout(postcodes: pd.DataFrame) -> None:
    assert list(postcodes.columns) == list(NSPL_HEADER)
    assert postcodes["pcds"].is_unique
    assert postcodes["pcds"].str.fullmatch(r"ZX\d{1,2} \d[A-Z]{2}").all()
    assert (postcodes["pcd7"].str.len() == 7).all() and (postcodes["pcd8"].str.len() == 8).all()
    assert postcodes["pcds"].str.len().nunique() == 2  # ZX1 1AA and ZX10 1AA both occur
    assert 0 < (postcodes["doterm"] != "").sum() < len(postcodes) // 5
    assert postcodes["wd25cd"].str.fullmatch(r"E05999\d{3}").all()
    assert (postcodes["lad25cd"] == DEMO_LAD_CODE).all()
    x, y = TO_BNG.transform(postcodes["long"].astype(float), postcodes["lat"].astype(float))
    assert np.abs(np.asarray(x) - postcodes["east1m"].astype(float)).max() < 1.0
    assert np.abs(np.asarray(y) - postcodes["north1m"].astype(float)).max() < 1.0


def test_police_team_csv_is_windows_1252_with_grid_refs(
    files: DemoFiles, police_team: pd.DataFrame
) -> None:
    raw = files.records[2][0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Café doorway, Market Street".encode("cp1252") in raw
    assert list(police_team.columns[:5]) == list(POLICE_TEAM_HEADER)
    assert police_team["Grid Ref"].str.fullmatch(r"TQ (\d{4} \d{4}|\d{5} \d{5})").all()
    assert set(police_team["unit"]) == {1, 10}  # ten- and eight-figure references
    assert (police_team["Persons"].astype(int) >= 1).all()
    inside = shapely.contains_xy(borough_outline(), police_team["x"], police_team["y"])
    assert inside.all()


def test_st_annes_csv_has_a_bom_and_gazetteer_places(
    files: DemoFiles, st_annes: pd.DataFrame, places: pd.DataFrame
) -> None:
    assert files.records[3][0].read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(st_annes.columns[:7]) == list(ST_ANNES_HEADER)
    names = set(places.index)
    aliases = {a for cell in places["aliases"] for a in cell.split(";") if a}
    assert set(st_annes["Place"]) <= names | aliases
    assert st_annes["Place"].isin(aliases).any()  # volunteers also use the everyday names
    nobody = st_annes[st_annes["people"] == 0]
    assert len(nobody) > 0 and (nobody["Needs interpreter"] == "").all()
    assert set(st_annes.loc[st_annes["people"] > 0, "Needs interpreter"]) == {"Yes", "No"}


def test_police_uk_file_matches_the_published_format(files: DemoFiles) -> None:
    raw = files.police.read_bytes()
    assert raw.split(b"\r\n", 1)[0] == ",".join(POLICE_UK_HEADER).encode()
    frame = pd.read_csv(files.police, dtype=str, keep_default_na=False)
    assert list(frame["Month"].unique()) == ["2026-08", "2026-09", "2026-10"]
    asb = frame["Crime type"] == "Anti-social behaviour"
    assert asb.mean() > 0.5
    assert (frame.loc[asb, "Crime ID"] == "").all()
    assert (frame.loc[asb, "Last outcome category"] == "").all()
    assert frame.loc[~asb, "Crime ID"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert frame["Location"].str.startswith("On or near ").all()
    assert frame["LSOA code"].str.fullmatch(r"E01999\d{3}").all()
    assert frame["LSOA name"].str.fullmatch(r"Saltmarsh \d{3}[A-E]").all()
    # Snapped: many incidents share few points.
    assert frame[["Longitude", "Latitude"]].drop_duplicates().shape[0] < 60


# ---------------------------------------------------------------------------------------------
# Grid references


def test_grid_refs_known_values() -> None:
    assert _os_grid_ref(651409.9, 313177.2) == "TG 51409 13177"
    assert _os_grid_ref(216667, 771283, figures=8) == "NN 1666 7128"
    assert _os_grid_ref(531040, 104560) == "TQ 31040 04560"
    with pytest.raises(ValueError, match="outside the British National Grid"):
        _os_grid_ref(-5, 100)


@pytest.mark.parametrize("figures", [6, 8, 10])
def test_grid_refs_round_trip_within_their_precision(figures: int) -> None:
    rng = np.random.default_rng(5)
    points = rng.uniform((0, 0), (700_000, 1_250_000), size=(300, 2))
    for easting, northing in points:
        e, n, unit = _parse_grid_ref(_os_grid_ref(easting, northing, figures=figures))
        assert unit == 10 ** (5 - figures // 2)
        assert 0 <= easting - e < unit and 0 <= northing - n < unit


# ---------------------------------------------------------------------------------------------
# The shape of the demo


def test_times_are_night_times_dated_by_the_calendar(
    council: pd.DataFrame, harbour: pd.DataFrame
) -> None:
    hours = pd.to_datetime(council["Time"], format="%H:%M").dt.hour
    assert hours.isin([22, 23, 0, 1, 2, 3, 4]).mean() > 0.95
    assert (hours < 12).any()  # after midnight: next calendar date, previous night
    first = END - pd.Timedelta(days=NIGHTS - 1)
    assert council["night"].between(first, END).all()
    assert (council["night"].max() - council["night"].min()).days >= NIGHTS - 10
    late = pd.to_datetime(harbour["Contact date"]).dt.hour
    assert late.isin([2, 3]).any()
    # 25 October 2026: clocks go back at 02:00, so 01:00-01:59 happens twice; none is used.
    for frame, text in ((council, council["Date"] + " " + council["Time"]),):
        assert not text.str.match(r"25/10/2026 01:").any(), frame.shape


def test_the_rising_ward_rises_while_the_others_hold_steady(
    council: pd.DataFrame, wards: gpd.GeoDataFrame
) -> None:
    counts = council[council["Kind"] == "street_count"].assign(
        ward=lambda f: _ward_of(f["x"].to_numpy(), f["y"].to_numpy(), wards),
        block=lambda f: (END - f["night"]).dt.days // 30,  # 0: the last 30 nights
    )
    table = counts[counts["block"] < 3].pivot_table(
        index="ward", columns="block", values="people", aggfunc="sum", fill_value=0
    )
    last, before = table[0], (table[1] + table[2]) / 2
    assert last[RISING_WARD_CODE] >= 3 * before[RISING_WARD_CODE]
    assert last[RISING_WARD_CODE] >= 60
    # the old cinema empties on purpose (a cleared site): its ward is not expected to hold
    cleared = _ward_of(np.array([CLEARED_SITE.x]), np.array([CLEARED_SITE.y]), wards)[0]
    steady = table.index[(before >= 25) & ~table.index.isin([RISING_WARD_CODE, cleared])]
    assert len(steady) >= 4  # the wards with the persistent sites
    ratio = last[steady] / before[steady]
    assert ratio.between(0.6, 1.6).all(), ratio.to_dict()
    # The rising ward rises most of all.
    assert (last / before.clip(lower=1)).idxmax() == RISING_WARD_CODE


def test_persistent_sites_are_seen_on_most_nights(
    council: pd.DataFrame,
    harbour: pd.DataFrame,
    st_annes: pd.DataFrame,
    places: pd.DataFrame,
    postcodes: pd.DataFrame,
) -> None:
    pc = postcodes.set_index("pcds")
    pc_x, pc_y = TO_BNG.transform(pc["long"].astype(float), pc["lat"].astype(float))
    pc_xy = dict(zip(pc.index, zip(pc_x, pc_y, strict=True), strict=True))
    harbour_xy = np.array([pc_xy.get(code, (np.nan, np.nan)) for code in harbour["Postcode"]])
    for site in PERSISTENT_SITES:
        place = places.loc[site]
        near = place["precision_m"] + 50
        by_council = council.loc[
            (council["people"] > 0)
            & (np.hypot(council["x"] - place["x"], council["y"] - place["y"]) < near),
            "night",
        ]
        by_harbour = harbour.loc[
            np.hypot(harbour_xy[:, 0] - place["x"], harbour_xy[:, 1] - place["y"]) < near, "night"
        ]
        labels = {site, *place["aliases"].split(";")}
        by_st_annes = st_annes.loc[
            st_annes["Place"].isin(labels) & (st_annes["people"] > 0), "night"
        ]
        nights = set(by_council) | set(by_harbour) | set(by_st_annes)
        assert len(nights) >= 0.8 * NIGHTS, site
        assert by_council.nunique() >= 0.55 * NIGHTS, site


def test_needs_nationalities_and_languages_are_all_there(
    council: pd.DataFrame, harbour: pd.DataFrame
) -> None:
    engaged = council[council["Client Ref"] != ""]
    for column in ("NRPF", "Trafficking concern", "Under 18", "Interpreter needed"):
        assert set(engaged[column]) == {"Y", "N"}, column
    for column in ("NRPF", "Trafficking concern", "Under 18"):
        assert (engaged[column] == "N").mean() > 0.5, column
    nationalities = set(engaged["Nationality"])
    assert {
        "British", "Polish", "Romanian", "Eritrean", "Sudanese", "Afghan", "Albanian", "Vietnamese"
    } <= nationalities  # fmt: skip
    assert len(nationalities) >= 9
    people = engaged.drop_duplicates("Client Ref")
    assert people["Nationality"].value_counts().index[0] == "British"  # as in most towns
    assert {"United Kingdom", "Poland", "Romania", "Eritrea"} <= set(harbour["Nationality"])
    languages = set(engaged["Language"]) | set(harbour["First language"].dropna())
    assert {"English", "Polish", "Romanian", "Tigrinya", "Arabic", "Albanian", "Vietnamese"} <= (
        languages
    )
    assert {"Dari", "Pashto"} & languages
    # A person keeps their reference, sex and nationality from night to night.
    per_person = engaged.groupby("Client Ref")[["Sex", "Nationality", "Language"]].nunique()
    assert (per_person == 1).all().all()
    assert engaged.groupby("Client Ref")["night"].nunique().max() > 20


def test_under_18s_and_trafficking_concerns_lead_to_safeguarding(council: pd.DataFrame) -> None:
    under_18 = council[council["Under 18"] == "Y"]
    assert (under_18["Age band"] == "Under 18").all()
    assert (under_18["Outcome"] == "Safeguarding referral made").all()


def test_some_people_are_seen_by_two_agencies_on_one_night(
    council: pd.DataFrame, harbour: pd.DataFrame
) -> None:
    seen = council.loc[council["Client Ref"] != "", ["night", "Client Ref"]].drop_duplicates()
    also = harbour[["night", "Client ID"]].rename(columns={"Client ID": "Client Ref"})
    both = seen.merge(also.drop_duplicates())
    assert both["night"].nunique() >= 10


def test_visits_find_nobody_in_several_places_and_some_areas_are_never_visited(
    council: pd.DataFrame,
    police_team: pd.DataFrame,
    places: pd.DataFrame,
    wards: gpd.GeoDataFrame,
) -> None:
    visits = council[council["Kind"] == "visit"]
    nearest = [
        places.index[np.argmin(np.hypot(places["x"] - x, places["y"] - y))]
        for x, y in zip(visits["x"], visits["y"], strict=True)
    ]
    assert len(set(nearest)) >= 5
    # Northfields retail park: people there, seen by the police team only.
    retail = places.loc["Northfields retail park"]
    near_retail = np.hypot(police_team["x"] - retail["x"], police_team["y"] - retail["y"]) < 150
    assert near_retail.sum() >= 10
    assert np.hypot(council["x"] - retail["x"], council["y"] - retail["y"]).min() > 250
    # Wards nobody ever goes to.
    visited = set(_ward_of(council["x"].to_numpy(), council["y"].to_numpy(), wards))
    visited |= set(_ward_of(police_team["x"].to_numpy(), police_team["y"].to_numpy(), wards))
    assert len(set(wards["WD24CD"]) - visited) >= 3


def test_sizes_stay_small_enough_to_import_in_a_second(files: DemoFiles) -> None:
    rows = {path.name: len(pd.read_csv(path, encoding=enc, dtype=str)) for path, enc in (
        (files.records[0][0], "utf-8"), (files.records[2][0], "cp1252"),
        (files.records[3][0], "utf-8-sig"), (files.police, "utf-8"),
    )}  # fmt: skip
    rows["xlsx"] = len(pd.read_excel(files.records[1][0]))
    assert 1_500 <= sum(rows.values()) <= 5_000, rows
    assert all(count >= 100 for count in rows.values()), rows


# ---------------------------------------------------------------------------------------------
# Arguments


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nights": 10}, "nights must be a whole number from 42"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"end": datetime(2026, 11, 23, 22, 0)}, "end must be a date"),
        ({"end": "2026-11-23"}, "end must be a date"),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_demo(tmp_path, **kwargs)


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.write_text("not a folder")
    with pytest.raises(ValueError, match="is a file; give a folder"):
        write_demo(target)


def test_other_periods_work(tmp_path: Path) -> None:
    files = write_demo(tmp_path, end=date(2027, 3, 31), nights=60)
    frame = pd.read_csv(files.records[0][0], dtype=str)
    assert frame["Date"].str.endswith("2027").any()
    # 28 March 2027: clocks go forward at 01:00, so 01:00-01:59 does not exist; none is used.
    assert not (frame["Date"] + " " + frame["Time"]).str.match(r"28/03/2027 01:").any()
    police = pd.read_csv(files.police, dtype=str)
    assert list(police["Month"].unique()) == ["2026-12", "2027-01", "2027-02"]


def test_the_committed_demo_files_are_what_the_generator_writes(tmp_path):
    """data/demo/ is committed so users can open the files; it must not fall behind the code."""
    committed = Path(__file__).resolve().parents[1] / "data" / "demo"
    fresh = write_demo(tmp_path / "demo").directory
    names = sorted(p.name for p in fresh.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == names
    for name in names:
        assert (committed / name).read_bytes() == (fresh / name).read_bytes(), (
            f"data/demo/{name} is stale: run `python -m geo demo` and commit the files"
        )


def test_the_demo_imports_with_every_row_accounted_for(tmp_path):
    from geo.store import open_store

    store = open_store(tmp_path / "s.sqlite")
    result = load_demo(store, directory=tmp_path / "demo")
    for item in result["imports"]:
        assert item["read"] == item["stored"] + item["skipped"] + item["rejected"]
        assert item["outside_areas"] == 0, item["source"]
    by_source = {item["source"]: item for item in result["imports"]}
    # the only rejects are the two 'no fixed abode' contacts, never geocoded
    assert {s: i["rejected"] for s, i in by_source.items() if i["rejected"]} == {
        "demo/harbour_light_contacts.xlsx": 2
    }
    records = store.records(role="coordinator")
    agencies = {COUNCIL, HARBOUR_LIGHT, POLICE_TEAM, ST_ANNES, REFERRALS_AGENCY}
    assert set(records["agency"]) == agencies
    assert set(records["nationality_group"]) >= {"UK", "EU/EEA", "non-EU"}
    assert records["location_source"].value_counts().to_dict().keys() >= {
        "coordinates",
        "postcode",
        "grid_ref",
        "place",
    }
    assert (records["kind"] == "visit").sum() > 0
