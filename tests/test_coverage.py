"""Coverage, gaps, overlaps, ward shares and nearest services on tiny hand-checked data."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from geo.analysis.coverage import (
    PRESENCE_KINDS,
    agency_coverage,
    demand_coverage,
    gaps,
    gaps_among,
    nearest_services,
    overlaps,
    overlaps_among,
    ward_coverage,
)
from geo.crs import to_lonlat
from geo.errors import AnalysisError
from geo.schema import SERVICE_TYPES, WORKING_CRS
from geo.store import Store, open_store

END = date(2026, 11, 23)  # the evening of the last night
X0, Y0 = 530_000.0, 104_000.0  # a place of demand (British National Grid metres)
POLICE_COLUMNS = (
    "record_id",
    "kind",
    "agency",
    "observed_at",
    "night",
    "lon",
    "lat",
    "easting",
    "northing",
    "people",
    "area_code",
)


def records(*rows: tuple[str, str, str, float, float, int]) -> pd.DataFrame:
    """Records with only the columns the police role gets: (kind, agency, local time, e, n, people).

    The night is worked out here by the design's rule: before noon belongs to the evening before.
    """
    kind, agency, when, easting, northing, people = (list(c) for c in zip(*rows, strict=True))
    observed = pd.to_datetime(pd.Series(when)).dt.tz_localize("Europe/London")
    night = (observed - pd.Timedelta(hours=12)).dt.tz_localize(None).dt.normalize()
    lon, lat = to_lonlat(easting, northing)
    frame = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(rows))],
            "kind": kind,
            "agency": agency,
            "observed_at": observed,
            "night": night,
            "lon": lon,
            "lat": lat,
            "easting": np.asarray(easting, dtype=float),
            "northing": np.asarray(northing, dtype=float),
            "people": people,
            "area_code": "W1",
        }
    )
    assert tuple(frame.columns) == POLICE_COLUMNS
    return frame


def no_records() -> pd.DataFrame:
    return records(("visit", "A", "2026-11-23 22:00", X0, Y0, 0)).iloc[:0]


def places(*xy_people: tuple[float, float, int], demand: str = "site") -> pd.DataFrame:
    x, y, people = (list(c) for c in zip(*xy_people, strict=True))
    return pd.DataFrame(
        {
            "site_id": [f"S{i + 1}" for i in range(len(xy_people))],
            "demand": demand,
            "easting": np.asarray(x, dtype=float),
            "northing": np.asarray(y, dtype=float),
            "people": people,
        }
    )


SITE = places((X0, Y0, 2))


# --------------------------------------------------------------------------- distance


def test_visit_at_199_m_covers_and_201_m_does_not() -> None:
    seen = records(
        ("visit", "At 199 m", "2026-11-23 22:00", X0 + 199, Y0, 0),
        ("visit", "At 201 m", "2026-11-23 22:00", X0 + 201, Y0, 0),
        ("outreach_contact", "At 200 m", "2026-11-23 23:00", X0, Y0 + 200, 1),  # inclusive
        ("referral", "Referrer", "2026-11-23 23:00", X0, Y0, 1),  # a referral is not presence
    )
    got = demand_coverage(SITE, seen, end=END)
    assert got.loc[0, "covered_by"] == "At 199 m; At 200 m"
    assert got.loc[0, "n_agencies"] == 2
    # a shorter walk drops both (199 > 150, 200 > 150)
    assert demand_coverage(SITE, seen, end=END, walk_m=150).loc[0, "n_agencies"] == 0


def test_street_count_is_presence_of_the_counting_agency() -> None:
    seen = records(("street_count", "Council", "2026-11-20 23:00", X0 + 50, Y0, 3))
    assert demand_coverage(SITE, seen, end=END).loc[0, "covered_by"] == "Council"
    only_visits = demand_coverage(SITE, seen, end=END, presence=("visit",))
    assert only_visits.loc[0, "n_agencies"] == 0


# --------------------------------------------------------------------------- window


def test_visit_8_days_ago_does_not_count_with_7_days() -> None:
    # window of 7 nights ending 23 Nov: nights 17..23 Nov
    seen = records(
        ("visit", "Seventh night", "2026-11-17 22:00", X0, Y0, 0),  # night 17: in
        ("visit", "Eighth night", "2026-11-16 22:00", X0, Y0, 0),  # night 16: out
        ("visit", "Eighth night", "2026-11-17 03:00", X0, Y0, 0),  # 03:00 on 17th = night 16
    )
    got = demand_coverage(SITE, seen, end=END, days=7)
    assert got.loc[0, "covered_by"] == "Seventh night"
    assert got.loc[0, "days_since_visit"] == 6  # 23 - 17
    assert demand_coverage(SITE, seen, end=END, days=8).loc[0, "n_agencies"] == 2
    # only the eighth-night visits: not covered, but a visit is on record 7 nights back
    old = demand_coverage(SITE, seen.iloc[1:], end=END, days=7)
    assert old.loc[0, "n_agencies"] == 0
    assert old.loc[0, "days_since_visit"] == 7
    assert old.loc[0, "last_visit"] == pd.Timestamp("2026-11-17 03:00", tz="Europe/London")


def test_days_since_visit_counts_any_agency_at_any_time_of_day() -> None:
    seen = records(
        ("visit", "Day team", "2026-11-20 14:00", X0, Y0, 0),  # 3 nights before the 23rd
        ("visit", "Night team", "2026-11-02 23:00", X0, Y0, 0),  # older, and out of window
    )
    got = demand_coverage(SITE, seen, end=END, time_of_day="night")
    assert got.loc[0, "n_agencies"] == 0  # no night presence in the window
    assert got.loc[0, "days_since_visit"] == 3
    never = demand_coverage(places((X0 + 5000, Y0, 1)), seen, end=END)
    assert math.isnan(never.loc[0, "days_since_visit"])
    assert pd.isna(never.loc[0, "last_visit"])
    assert never.loc[0, "covered_by"] == ""


def test_night_and_day_split_at_the_hour_boundaries() -> None:
    # night is 19:00 to 06:59 local time, day 07:00 to 18:59
    seen = records(
        ("visit", "a 18:59", "2026-11-23 18:59", X0, Y0, 0),
        ("visit", "b 19:00", "2026-11-23 19:00", X0, Y0, 0),
        ("visit", "c 06:59", "2026-11-23 06:59", X0, Y0, 0),
        ("visit", "d 07:00", "2026-11-23 07:00", X0, Y0, 0),
        ("visit", "e old", "2026-11-01 14:00", X0, Y0, 0),  # a day visit out of the window
        ("visit", "f old", "2026-11-01 23:00", X0, Y0, 0),  # a night visit out of the window
    )
    at = {t: demand_coverage(SITE, seen, end=END, time_of_day=t) for t in ("night", "day", "any")}
    assert at["night"].loc[0, "covered_by"] == "b 19:00; c 06:59"
    assert at["day"].loc[0, "covered_by"] == "a 18:59; d 07:00"
    assert at["any"].loc[0, "n_agencies"] == 4
    night = agency_coverage(seen, end=END, time_of_day="night").set_index("agency")
    assert night["visits"].to_dict() == {
        "a 18:59": 0,
        "b 19:00": 1,
        "c 06:59": 1,
        "d 07:00": 0,
        "e old": 0,
        "f old": 0,
    }


def test_end_timestamp_drops_later_records_and_default_end_is_latest_night() -> None:
    seen = records(
        ("visit", "Early", "2026-11-23 20:00", X0, Y0, 0),
        ("visit", "Late", "2026-11-23 23:30", X0, Y0, 0),
        ("visit", "Old", "2026-11-10 23:30", X0 + 3000, Y0, 0),
    )
    cut = demand_coverage(SITE, seen, end=pd.Timestamp("2026-11-23 21:00"))
    assert cut.loc[0, "covered_by"] == "Early"
    assert demand_coverage(SITE, seen).loc[0, "covered_by"] == "Early; Late"  # end = night 23
    # a naive timestamp is local time; a timestamp in UTC is converted (GMT in November)
    utc = demand_coverage(SITE, seen, end=pd.Timestamp("2026-11-23 21:00", tz="UTC"))
    assert utc.loc[0, "covered_by"] == "Early"
    later = demand_coverage(SITE, seen, end=date(2026, 12, 1))  # nights 25 Nov .. 1 Dec
    assert later.loc[0, "n_agencies"] == 0
    assert later.loc[0, "days_since_visit"] == 8  # 1 Dec - 23 Nov


def test_night_is_worked_out_when_the_column_is_absent() -> None:
    # 03:00 on 24 Nov belongs to the night of the 23rd; 11:00 on the 17th to the 16th (out)
    seen = records(
        ("visit", "Late", "2026-11-24 03:00", X0, Y0, 0),
        ("visit", "Morning", "2026-11-17 11:00", X0, Y0, 0),
    ).drop(columns="night")
    got = demand_coverage(SITE, seen)  # end: the latest night, the 23rd
    assert got.loc[0, "covered_by"] == "Late"
    assert got.loc[0, "days_since_visit"] == 0


# --------------------------------------------------------------------------- agencies


def test_agency_coverage_counts_kinds_and_unions_circles() -> None:
    seen = records(
        ("visit", "A", "2026-11-23 22:00", X0, Y0, 0),
        ("street_count", "A", "2026-11-22 22:00", X0, Y0, 2),  # same place: circles merge
        ("outreach_contact", "A", "2026-11-21 22:00", X0 + 1000, Y0, 1),  # apart
        ("referral", "A", "2026-11-21 22:00", X0 + 5000, Y0, 1),  # not presence
        ("visit", "B", "2026-11-01 22:00", X0, Y0, 0),  # out of window
    )
    got = agency_coverage(seen, end=END)
    assert list(got["agency"]) == ["A", "B"]
    assert got.crs == WORKING_CRS
    a, b = got.iloc[0], got.iloc[1]
    assert (a["visits"], a["contacts"]) == (2, 1)
    assert a["last_visit"] == pd.Timestamp("2026-11-23 22:00", tz="Europe/London")
    # two separate 200 m circles: 2 * pi * 200^2 = 251,327 m2, the circles' own area; the
    # shape drawn is 32-gons, 0.64 % smaller
    assert a["area_m2"] == pytest.approx(2 * math.pi * 200**2, rel=1e-12)
    assert a.geometry.area == pytest.approx(2 * math.pi * 200**2 * 0.9936, rel=1e-3)
    assert (b["visits"], b["contacts"], b["area_m2"]) == (0, 0, 0.0)
    assert b.geometry.is_empty and pd.isna(b["last_visit"])


# --------------------------------------------------------------------------- gaps and overlaps


def test_gaps_are_ranked_by_people_then_never_then_longest_since_a_visit() -> None:
    demand = places(
        (X0, Y0, 3),  # S1: 3 people, visited 10 nights ago
        (X0 + 2000, Y0, 3),  # S2: 3 people, never visited
        (X0 + 4000, Y0, 5),  # S3: 5 people, visited 9 nights ago
        (X0 + 6000, Y0, 9),  # S4: covered tonight
        (X0 + 8000, Y0, 3),  # S5: 3 people, visited 12 nights ago
    )
    seen = records(
        ("visit", "A", "2026-11-13 22:00", X0, Y0, 0),
        ("visit", "A", "2026-11-14 22:00", X0 + 4000, Y0, 0),
        ("visit", "B", "2026-11-23 22:00", X0 + 6000, Y0, 0),
        ("visit", "B", "2026-11-11 22:00", X0 + 8000, Y0, 0),
    )
    got = gaps(demand, seen, end=END)
    # S3 (5 people), then the 3-people places: S2 never, S5 12 nights, S1 10 nights
    assert list(got["site_id"]) == ["S3", "S2", "S5", "S1"]
    assert list(got["rank"]) == [1, 2, 3, 4]
    assert got["days_since_visit"].tolist()[0] == 9
    assert got.crs == WORKING_CRS
    assert got.geometry.iloc[0].equals(shapely.Point(X0 + 4000, Y0))


def test_overlaps_only_while_a_gap_exists() -> None:
    both = records(
        ("visit", "A", "2026-11-23 22:00", X0, Y0, 0),
        ("visit", "B", "2026-11-23 22:00", X0 + 100, Y0, 0),
        ("visit", "A", "2026-11-23 22:00", X0 + 1000, Y0, 0),
    )
    covered = places((X0, Y0, 1), (X0 + 1000, Y0, 1))  # S1 by A and B, S2 by A
    assert overlaps(covered, both, end=END).empty  # no gap: nothing to move
    assert gaps(covered, both, end=END).empty
    with_gap = places((X0, Y0, 1), (X0 + 1000, Y0, 1), (X0 + 5000, Y0, 4))
    got = overlaps(with_gap, both, end=END)
    assert list(got["site_id"]) == ["S1"]
    assert got.iloc[0]["covered_by"] == "A; B"
    assert got.crs == WORKING_CRS


# --------------------------------------------------------------------------- wards


@pytest.fixture
def two_wards() -> gpd.GeoDataFrame:
    """W1 west of X0 + 500, W2 east of it (1 km squares), stored in EPSG:4326 like the store."""
    boxes = [
        shapely.box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500),
        shapely.box(X0 + 500, Y0 - 500, X0 + 1500, Y0 + 500),
    ]
    wards = gpd.GeoDataFrame(
        {"area_code": ["W1", "W2"], "area_name": ["West", "East"]}, geometry=boxes, crs=WORKING_CRS
    )
    return wards.to_crs("EPSG:4326")


def test_ward_coverage_shares_people_covered(two_wards: gpd.GeoDataFrame) -> None:
    seen = records(
        ("street_count", "A", "2026-11-23 22:00", X0, Y0, 2),  # W1, covers itself
        ("referral", "Public", "2026-11-23 22:00", X0 - 400, Y0, 3),  # W1, 400 m away: a gap
        ("referral", "Public", "2026-11-01 22:00", X0 - 400, Y0, 7),  # out of window
        ("visit", "A", "2026-11-23 22:00", X0 + 1000, Y0, 0),  # W2: presence, no demand
    )
    got = ward_coverage(seen, two_wards, end=END)
    assert list(got["area_code"]) == ["W1", "W2"]
    assert got["demand_people"].tolist() == [5, 0]
    assert got["covered_people"].tolist() == [2, 0]
    assert got.loc[0, "share_covered"] == pytest.approx(0.4)  # 2 of 5
    assert math.isnan(got.loc[1, "share_covered"])  # nobody seen in W2


def test_ward_coverage_of_sites_without_area_codes_joins_by_location(
    two_wards: gpd.GeoDataFrame,
) -> None:
    sites = places((X0 + 1000, Y0, 4), (X0, Y0, 1), (X0 + 9000, Y0, 8))  # W2, W1, outside
    seen = records(("visit", "A", "2026-11-23 22:00", X0 + 1100, Y0, 0))
    got = ward_coverage(seen, two_wards, end=END, demand=sites)
    assert got["demand_people"].tolist() == [1, 4]
    assert got["share_covered"].tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------- services


def test_nearest_services_per_type() -> None:
    sites = places((X0, Y0, 1), (X0 + 1000, Y0, 1))
    services = pd.DataFrame(
        {
            "service_id": ["v1", "v2", "v3"],
            "name": ["Kitchen <&>", "Foodbank", "Hostel"],
            "service_type": ["food", "food", "hostel"],
            "easting": [X0 + 300, X0 + 1000, X0],
            "northing": [Y0 + 400, Y0 + 50, Y0 - 5000],
        }
    )
    got = nearest_services(sites, services)
    # S1: Kitchen at (300, 400) is 500 m (Foodbank 1001 m); S2: Foodbank 50 m (Kitchen 806 m)
    # hostel: S1 5000 m; S2 sqrt(1000^2 + 5000^2) = 5099.0 m
    assert got["nearest_food_m"].tolist() == [500.0, 50.0]
    assert got["nearest_food"].tolist() == ["Kitchen <&>", "Foodbank"]
    assert got["nearest_hostel_m"].tolist() == [5000.0, round(math.hypot(1000, 5000))]
    assert got["nearest_day_centre_m"].isna().all()
    assert got["nearest_day_centre"].isna().all()
    assert {f"nearest_{t}_m" for t in SERVICE_TYPES} <= set(got.columns)
    assert list(got.index) == list(sites.index)


# --------------------------------------------------------------------------- edges


def test_inputs_are_not_changed() -> None:
    seen = records(("visit", "A", "2026-11-23 22:00", X0, Y0, 0))
    demand = places((X0, Y0, 1), (X0 + 5000, Y0, 2))
    before = (seen.copy(), demand.copy())
    gaps(demand, seen, end=END)
    overlaps(demand, seen, end=END)
    agency_coverage(seen, end=END)
    nearest_services(demand, pd.DataFrame(columns=["name", "service_type", "easting", "northing"]))
    pd.testing.assert_frame_equal(seen, before[0])
    pd.testing.assert_frame_equal(demand, before[1])


def test_empty_inputs(two_wards: gpd.GeoDataFrame) -> None:
    empty = no_records()
    assert agency_coverage(empty).empty
    got = demand_coverage(SITE, empty)
    assert got.loc[0, "n_agencies"] == 0 and math.isnan(got.loc[0, "days_since_visit"])
    assert demand_coverage(SITE.iloc[:0], empty).empty
    assert gaps(SITE.iloc[:0], empty).empty
    assert len(gaps(SITE, empty)) == 1
    assert overlaps(SITE, empty).empty
    wards = ward_coverage(empty, two_wards)
    assert wards["demand_people"].tolist() == [0, 0] and wards["share_covered"].isna().all()
    services = pd.DataFrame(columns=["name", "service_type", "easting", "northing"])
    assert nearest_services(SITE, services)["nearest_food_m"].isna().all()


def test_geodataframe_demand_without_easting_is_reprojected() -> None:
    lon, lat = to_lonlat([X0 + 150], [Y0])
    demand = gpd.GeoDataFrame(
        {"site_id": ["S1"], "people": [1]}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"
    )
    seen = records(("visit", "A", "2026-11-23 22:00", X0, Y0, 0))
    assert demand_coverage(demand, seen, end=END).loc[0, "covered_by"] == "A"
    assert gaps(demand, seen, end=END, walk_m=100).iloc[0]["site_id"] == "S1"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"days": 0}, r"days=0: give a whole number of nights"),
        ({"walk_m": -5.0}, r"walk_m=-5.0: give a walking distance"),
        ({"time_of_day": "evening"}, r"time_of_day='evening': choose one of any, night, day"),
        ({"presence": ("sighting",)}, r"presence=\('sighting',\): give a tuple of record kinds"),
        ({"end": "2026-11-23"}, r"end='2026-11-23': give a date"),
    ],
)
def test_bad_options_name_the_argument(options: dict[str, object], message: str) -> None:
    seen = records(("visit", "A", "2026-11-23 22:00", X0, Y0, 0))
    with pytest.raises(AnalysisError, match=message):
        demand_coverage(SITE, seen, **options)  # type: ignore[arg-type]


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"records has no column agency"):
        agency_coverage(pd.DataFrame({"kind": ["visit"], "observed_at": [pd.Timestamp(0)]}))
    with pytest.raises(AnalysisError, match=r"demand has no column people"):
        demand_coverage(SITE.drop(columns="people"), no_records())


# --------------------------------------------------------------------------- the demo borough


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from geo.demo import load_demo

    folder: Path = tmp_path_factory.mktemp("coverage_demo")
    store = open_store(folder / "atlas.sqlite")
    load_demo(store, directory=folder / "demo")
    return store


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_demo_ward_coverage_lists_every_ward(demo_store: Store, role: str) -> None:
    seen = demo_store.records(role=role)
    wards = demo_store.areas()
    got = ward_coverage(seen, wards)
    assert len(got) == 20 and got["area_code"].is_unique
    assert set(got["area_code"]) == set(wards["area_code"])
    shares = got["share_covered"].dropna()
    assert len(shares) > 0 and shares.between(0, 1).all()
    assert (got["covered_people"] <= got["demand_people"]).all()
    by_agency = agency_coverage(seen)
    assert len(by_agency) == 4 and (by_agency["area_m2"] > 0).any()


# --------------------------------------------------------------------------- one coverage, 3 reads


def test_gaps_and_overlaps_among_worked_out_coverage_equal_the_full_calls() -> None:
    demand = places((X0, Y0, 1), (X0 + 1000, Y0, 1), (X0 + 5000, Y0, 4), (X0 + 9000, Y0, 2))
    seen = records(
        ("visit", "A", "2026-11-23 22:00", X0, Y0, 0),
        ("visit", "B", "2026-11-23 22:00", X0 + 100, Y0, 0),
        ("visit", "A", "2026-11-23 22:00", X0 + 1000, Y0, 0),
        ("visit", "B", "2026-11-10 22:00", X0 + 9000, Y0, 0),  # S4: last visit 13 nights back
    )
    covered = demand_coverage(demand, seen, end=END)
    pd.testing.assert_frame_equal(gaps_among(covered), gaps(demand, seen, end=END))
    pd.testing.assert_frame_equal(overlaps_among(covered), overlaps(demand, seen, end=END))
    # S3 (4 people, never visited) before S4 (2 people)
    assert list(gaps_among(covered)["site_id"]) == ["S3", "S4"]
    top = gaps_among(covered, top=1)
    assert list(top["site_id"]) == ["S3"] and list(top["rank"]) == [1]
    assert gaps_among(covered, top=0).empty


@pytest.mark.parametrize("top", [-1, 2.5, True])
def test_gaps_among_names_a_bad_top(top: object) -> None:
    covered = demand_coverage(SITE, no_records(), end=END)
    with pytest.raises(AnalysisError, match=r"top=.*: give how many gaps to keep"):
        gaps_among(covered, top=top)  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match=r"covered has no column n_agencies"):
        gaps_among(SITE)


# --------------------------------------------------------------------------- the long way


def brute_force_coverage(
    demand: pd.DataFrame,
    seen: pd.DataFrame,
    *,
    end: date,
    days: int,
    walk_m: float,
    time_of_day: str,
) -> pd.DataFrame:
    """Coverage worked out the long way: every place against every record, by numpy."""
    night = pd.to_datetime(seen["night"])
    last, first = pd.Timestamp(end), pd.Timestamp(end) - pd.Timedelta(days=days - 1)
    presence = seen["kind"].isin(PRESENCE_KINDS).to_numpy() & (night <= last).to_numpy()
    hour = seen["observed_at"].dt.hour.to_numpy(dtype=float, na_value=np.nan)
    at_night = (hour >= 19) | (hour < 7)
    wanted = {"any": np.ones(len(seen), bool), "night": at_night, "day": ~at_night & (hour == hour)}
    recent = presence & (night >= first).to_numpy() & wanted[time_of_day]
    dx = demand["easting"].to_numpy()[:, None] - seen["easting"].to_numpy()[None, :]
    dy = demand["northing"].to_numpy()[:, None] - seen["northing"].to_numpy()[None, :]
    near = dx * dx + dy * dy <= walk_m * walk_m
    covered_by, n_agencies, last_visit, days_since = [], [], [], []
    for row in near:
        agencies = sorted({str(a) for a in seen["agency"][row & recent] if pd.notna(a)})
        covered_by.append("; ".join(agencies))
        n_agencies.append(len(agencies))
        last_visit.append(seen["observed_at"][row & presence].max())
        latest = night[row & presence].max()
        days_since.append((last - latest) / pd.Timedelta(days=1))
    return demand.assign(
        covered_by=pd.Series(covered_by, index=demand.index, dtype=object),
        n_agencies=n_agencies,
        last_visit=pd.Series(last_visit, index=demand.index, dtype=seen["observed_at"].dtype),
        days_since_visit=np.asarray(days_since, dtype=float),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("time_of_day", ["any", "night"])
def test_coverage_equals_the_long_way_on_random_points(seed: int, time_of_day: str) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    # on a 40 m grid, so many records and places share a spot and many are exactly 200 m
    # apart (120, 160); over 60 nights, at any hour; agencies with a blank among them
    x = X0 + rng.integers(0, 40, n) * 40.0
    y = Y0 + rng.integers(0, 40, n) * 40.0
    when = pd.Timestamp("2026-09-25") + pd.to_timedelta(rng.integers(0, 60 * 24, n), unit="h")
    kinds = rng.choice(["visit", "street_count", "outreach_contact", "referral"], n)
    agency = rng.choice(["Council", "Police", "Shelter", "Charity", None], n)
    seen = records(
        *zip(kinds, agency, when.strftime("%Y-%m-%d %H:%M"), x, y, np.ones(n, int), strict=True)
    )
    demand = places(
        *zip(
            X0 + rng.integers(0, 40, 300) * 40.0,
            Y0 + rng.integers(0, 40, 300) * 40.0,
            rng.integers(0, 5, 300),
            strict=True,
        )
    )
    options = {"end": END, "days": 7, "walk_m": 200.0, "time_of_day": time_of_day}
    got = demand_coverage(demand, seen, **options)
    pd.testing.assert_frame_equal(got, brute_force_coverage(demand, seen, **options))
    assert (got["n_agencies"] == 0).any() and (got["n_agencies"] >= 2).any()
    # nights that do not follow the times (a hand-made file): the latest night is its own search
    shuffled = seen.assign(night=seen["night"].sample(frac=1, random_state=seed).to_numpy())
    got = demand_coverage(demand, shuffled, **options)
    pd.testing.assert_frame_equal(got, brute_force_coverage(demand, shuffled, **options))


def test_circles_covered_all_round_leave_the_area_as_it_was():
    # 2,000 circles of 200 m over 3 km: about 50 others overlap each (arcs, not polygons),
    # and most have another within 198 m in every sixth of the turn, so no free arc
    from geo.analysis.discs import CROWDED, union_area

    xy = np.random.default_rng(3).uniform(0, 3_000.0, (2_000, 2))
    pairs = cKDTree(xy).query_pairs(400.0, output_type="ndarray")
    assert len(pairs) < CROWDED * len(xy)
    close = cKDTree(xy).query_ball_point(xy, 198.0, return_length=True) - 1
    assert (close >= 6).mean() > 0.5  # (six are needed for every sixth to hold one)
    fine = shapely.union_all(shapely.buffer(shapely.points(xy), 200.0, quad_segs=256)).area
    assert union_area(xy, 200.0) == pytest.approx(fine, rel=2e-5)
    # one circle alone far off adds its whole area
    far = np.vstack([xy, [[50_000.0, 50_000.0]]])
    assert union_area(far, 200.0) == pytest.approx(union_area(xy, 200.0) + np.pi * 200.0**2)


@pytest.mark.parametrize(("n", "side"), [(300, 4_000.0), (2_000, 1_500.0)])
def test_the_area_covered_is_the_circles_own(n, side):
    # against the union of the circles drawn finely (1,024 sides, 0.0006 % under): scattered
    # circles (Green's theorem over their free arcs) and crowded ones (their drawn union)
    from geo.analysis.discs import CROWDED, union_area

    xy = np.random.default_rng(7).uniform(0, side, (n, 2))
    fine = shapely.union_all(shapely.buffer(shapely.points(xy), 200.0, quad_segs=256)).area
    assert union_area(xy, 200.0) == pytest.approx(fine, rel=2e-5)
    pairs = len(cKDTree(xy).query_pairs(400.0))
    assert (pairs > CROWDED * n) == (n == 2_000)  # both ways of working it out are checked
