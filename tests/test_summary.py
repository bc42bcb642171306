"""Ward figures: periods, the street-count rule, change and emerging wards, rates, outside.

Records are made in code around one point in British National Grid; every expected figure is
worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.ward_counts import block_plan, split_blocks, stack_blocks, summary_parts
from geo.analysis.ward_figures import COUNT_COLUMNS, summarise
from geo.crs import to_lonlat
from geo.errors import AnalysisError

E0, N0 = 530_000.0, 104_000.0
LAST = date(2026, 11, 14)  # night 13 below


def record(
    x: float = 0.0,
    y: float = 0.0,
    *,
    night: int = 13,
    agency: str = "Council",
    people: int = 1,
    kind: str = "street_count",
    area: str | None = "W1",
    **extra: object,
) -> dict[str, object]:
    """A record ``x``, ``y`` metres from (E0, N0), on night ``night`` (0 = 1 November)."""
    return {
        "kind": kind,
        "agency": agency,
        "night": pd.Timestamp("2026-11-01") + pd.Timedelta(days=night),
        "easting": E0 + x,
        "northing": N0 + y,
        "people": 0 if kind == "visit" else people,
        "area_code": area,
        **extra,
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    raw = pd.DataFrame(list(rows))
    lon, lat = to_lonlat(raw["easting"].to_numpy(float), raw["northing"].to_numpy(float))
    defaults = {
        "record_id": [f"r{i}" for i in range(len(raw))],
        "lon": lon,
        "lat": lat,
        "person_ref": None,
        "sex": None,
        "nationality_group": "unknown",
        "language": None,
        "interpreter_needed": pd.array([pd.NA] * len(raw), dtype="Int8"),
        "nrpf": pd.array([0] * len(raw), dtype="Int8"),
        "trafficking_concern": pd.array([0] * len(raw), dtype="Int8"),
        "under_18": pd.array([0] * len(raw), dtype="Int8"),
        "outcome": None,
    }
    for column, value in defaults.items():
        if column not in raw:
            raw[column] = value
    for flag in ("interpreter_needed", "nrpf", "trafficking_concern", "under_18"):
        raw[flag] = raw[flag].astype("Int8")
    return raw


def wards(population: dict[str, float] | None = None) -> gpd.GeoDataFrame:
    codes = ["W1", "W2", "W3"]
    population = population or {}
    return gpd.GeoDataFrame(
        {
            "area_code": codes,
            "area_name": ["North", "South", "East"],
            "population": [population.get(c, np.nan) for c in codes],
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],  # unused: records are placed
        crs="EPSG:4326",
    )


def figures(records: pd.DataFrame, **options: object) -> pd.DataFrame:
    options = {"period": "week", "end": LAST, "placed": True, **options}
    return summarise(records, wards(), **options).areas.set_index(["period", "area_code"])


def latest(table: pd.DataFrame, code: str = "W1") -> pd.Series:
    return table.xs(code, level="area_code").iloc[-1]


def test_every_area_and_period_appears_with_zeros() -> None:
    table = figures(frame(record(night=13), record(night=5, area="W2")), periods=2)
    # two 7-night blocks ending on the 14th: 1-7 and 8-14 November (night 5 is the 6th)
    assert list(table.index.get_level_values("period").unique()) == [
        "2026-11-01/2026-11-07",
        "2026-11-08/2026-11-14",
    ]
    assert len(table) == 6
    assert table.loc[("2026-11-08/2026-11-14", "W1"), "people"] == 1
    assert table.loc[("2026-11-01/2026-11-07", "W2"), "people"] == 1
    assert table.loc[("2026-11-08/2026-11-14", "W3"), ["sightings", "people"]].tolist() == [0, 0]
    assert (table["nights"] == 7).all()


def test_a_night_is_one_period_and_labels_are_dates() -> None:
    table = figures(frame(record(night=13), record(night=12)), period="night", periods=3)
    assert list(table.index.get_level_values("period").unique()) == [
        "2026-11-12",
        "2026-11-13",
        "2026-11-14",
    ]
    assert table.loc[("2026-11-13", "W1"), "people"] == 1


def test_a_range_is_compared_with_as_many_nights_before_it() -> None:
    rows = [record(night=n) for n in (2, 3, 4)] + [record(night=n) for n in (10, 11)]
    table = figures(frame(*rows), period="range", start=date(2026, 11, 10), end=LAST)
    row = latest(table)
    # night n is 1 November + n days. 10-14 November (nights 9..13) holds nights 10 and 11:
    # 2 people. The 5 nights before, 5-9 November (nights 4..8), hold night 4 only: 1 person.
    assert row["nights"] == 5
    assert row["people"] == 2
    assert row["previous_people"] == 1
    assert row.name == "2026-11-10/2026-11-14"


def test_street_count_rule_merges_agencies_not_teams() -> None:
    rows = [
        record(0, 0, agency="Council", sex="male", nationality_group="UK"),
        # Harbour Light 20 m away, nationality not known: the same man
        record(20, 0, agency="Harbour Light", sex="male"),
        # the police team counted 3 people 30 m away: the same doorway
        record(0, 30, agency="Police team", people=3),
        # a second council record at the same place is another person (same agency)
        record(5, 0, agency="Council", sex="male", nationality_group="UK"),
        # 60 m from everything: a different place
        record(200, 0, agency="Harbour Light"),
        # same place, another night: another sighting
        record(0, 0, night=12, agency="Harbour Light"),
    ]
    row = latest(figures(frame(*rows), period="night", periods=1))
    # one group on night 13: council 2, Harbour Light 1, police 3 -> the most any agency counted: 3
    # plus the lone Harbour Light record 200 m away: 1 -> 4 people; raw people 1+1+3+1+1 = 7
    assert row["sightings"] == 5
    assert row["people"] == 4
    assert row["merged_people"] == 3


def test_disagreeing_records_are_not_merged() -> None:
    rows = [
        record(0, 0, agency="Council", sex="male"),
        record(10, 0, agency="Harbour Light", sex="female"),
        record(0, 10, agency="Police team", nationality_group="EU/EEA", sex="female"),
        record(0, 10, agency="St Anne's", nationality_group="UK", sex="female"),
    ]
    row = latest(figures(frame(*rows), period="night", periods=1))
    # council man vs everyone else: sexes disagree. Harbour Light woman and the police woman
    # (EU/EEA) agree -> merged; St Anne's (UK) disagrees with the police record but agrees with
    # Harbour Light's (nationality unknown) -> one group {HL, police, St Anne's}: 1 person.
    assert row["people"] == 2
    assert row["merged_people"] == 2


def test_a_shared_reference_counts_once_across_agencies_and_distinct_people() -> None:
    rows = [
        record(0, 0, agency="Council", person_ref="p_1"),
        record(900, 0, agency="Harbour Light", person_ref="p_1"),  # far apart, same person
        record(0, 0, night=12, agency="Council", person_ref="p_1"),
        record(0, 0, night=12, agency="Council", person_ref="p_2"),
    ]
    table = figures(frame(*rows), period="week", periods=1)
    row = latest(table)
    # night 13: p_1 twice -> 1; night 12: p_1 and p_2 -> 2. people 3, distinct 2, merged 1.
    assert row[["people", "distinct_people", "merged_people", "sightings"]].tolist() == [3, 2, 1, 4]
    off = latest(figures(frame(*rows), period="week", periods=1, merge_m=0))
    assert off["people"] == 3  # references still count once: the rule is about distance


def test_change_trend_and_emerging_with_a_floor() -> None:
    rows = [record(area="W1", night=n) for n in range(0, 1)]  # W1: 1 person in week 1
    rows += [record(area="W1", night=7 + n) for n in range(3)]  # then 3 in week 2
    rows += [record(x=300 * n, area="W2", night=3) for n in range(16)]  # W2: 16 people
    rows += [record(x=300 * n, area="W2", night=7 + n % 7) for n in range(85)]  # then 85
    rows += [record(x=300 * n, area="W3", night=n % 7) for n in range(10)]  # W3: 10, then 12
    rows += [record(x=300 * n, area="W3", night=7 + n % 7) for n in range(12)]
    table = figures(frame(*rows), periods=1, trend_periods=2, end=date(2026, 11, 14))
    w1, w2, w3 = (latest(table, c) for c in ("W1", "W2", "W3"))
    assert (w1["previous_people"], w1["people"], w1["change"]) == (1, 3, 2)
    assert w1["change_pct"] == pytest.approx(200.0)
    assert not w1["emerging"]  # 1 -> 3 rose by less than the floor of 5
    assert w2["emerging"] and w2["emerging_rank"] == 1
    assert w2["emerging_score"] == pytest.approx((85 + 5) / (16 + 5))  # 4.29
    assert not w3["emerging"]  # 10 -> 12: score 17/15 < 1.5
    assert w2["trend"] == pytest.approx(85 - 16)  # two points: the slope is the difference


def test_no_change_against_a_period_before_the_records_begin() -> None:
    table = figures(frame(record(night=0), record(night=13)), periods=2)
    first = table.xs("W1", level="area_code").iloc[0]
    assert np.isnan(first["previous_people"]) and np.isnan(first["change"])


def test_rates_needs_and_outside() -> None:
    rows = [
        record(
            people=2, nrpf=1, interpreter_needed=1, language="Tigrinya", nationality_group="non-EU"
        ),
        record(
            x=100,
            under_18=1,
            trafficking_concern=1,
            interpreter_needed=1,
            language="Tigrinya",
            nationality_group="non-EU",
        ),
        record(x=200, interpreter_needed=1, nationality_group="EU/EEA"),
        record(
            x=300,
            kind="outreach_contact",
            outcome="Referred to day centre",
            agency="Harbour Light",
            nationality_group="UK",
        ),
        record(x=900, area=None),
        record(x=400, kind="visit"),
    ]
    summary = summarise(
        frame(*rows), wards({"W1": 20_000}), period="week", periods=1, end=LAST, placed=True
    )
    row = summary.areas.set_index("area_code").loc["W1"]
    assert row["sightings"] == 4  # the visit is not demand; the unplaced record is outside
    assert row["people"] == 5
    assert row["rate_per_10k"] == pytest.approx(2.5)  # 5 people per 20,000 residents
    assert row[["nrpf", "under_18", "trafficking_concern", "interpreter_needed"]].tolist() == [
        1,
        1,
        1,
        3,
    ]
    assert row[["nationality_UK", "nationality_EU_EEA", "nationality_non_EU"]].tolist() == [1, 1, 2]
    assert row["contacts"] == 1
    assert summary.outside[["sightings", "people"]].iloc[-1].tolist() == [1, 1]
    assert summary.languages.set_index("language")["sightings"].to_dict() == {
        "Tigrinya": 2,
        "not recorded": 1,
    }
    assert summary.contacts[["agency", "outcome", "contacts"]].values.tolist() == [
        ["Harbour Light", "Referred to day centre", 1]
    ]
    assert summary.totals.iloc[-1]["sightings"] == 4
    assert set(COUNT_COLUMNS) <= set(summary.totals.columns)


def test_records_are_placed_in_any_layer_by_location() -> None:
    lon, lat = to_lonlat(np.array([E0, E0 + 2000]), np.array([N0, N0]))
    beat = gpd.GeoDataFrame(
        {"area_code": ["BEAT1"], "area_name": ["Seafront beat"]},
        geometry=[shapely.Point(lon[0], lat[0]).buffer(0.005)],
        crs="EPSG:4326",
    )
    records = frame(record(0, 0), record(2000, 0))
    summary = summarise(records, beat, period="week", periods=1, end=LAST)
    assert summary.areas["people"].tolist() == [1]
    assert summary.outside["people"].tolist() == [1]


def test_inputs_are_not_changed_and_options_are_checked() -> None:
    records = frame(record())
    before = records.copy()
    summarise(records, wards(), period="week", end=LAST, placed=True)
    pd.testing.assert_frame_equal(records, before)
    with pytest.raises(AnalysisError, match="period must be one of night, week, month, range"):
        summarise(records, wards(), period="fortnight")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="needs both a first and a last night"):
        summarise(records, wards(), period="range")
    with pytest.raises(AnalysisError, match="after --to"):
        summarise(records, wards(), start=date(2026, 12, 1), end=LAST)
    with pytest.raises(AnalysisError, match="merge_m must be 0"):
        summarise(records, wards(), merge_m=-1)


@pytest.mark.parametrize(
    ("dx", "dy", "merged"),
    [
        (49.9, 0.0, True),  # straddles a 101 m sieve cell edge (80 -> 129.9): still found
        (50.1, 0.0, False),
        (35.0, 35.0, True),  # 49.5 m on the diagonal
        (36.0, 36.0, False),  # 50.9 m
    ],
)
def test_the_merge_distance_is_exact_wherever_the_points_fall(dx, dy, merged) -> None:
    rows = [
        record(0, 0, agency="Anchor", sex="female"),  # sets the sieve's origin; never merges
        record(80, 0, agency="Council"),
        record(80 + dx, dy, agency="Harbour Light"),
    ]
    row = latest(figures(frame(*rows), period="night", periods=1))
    assert row["merged_people"] == (1 if merged else 0)


def test_a_first_night_inside_a_block_cuts_the_block_short() -> None:
    rows = [record(night=n) for n in range(7, 14)]  # one person a night, 8-14 November
    table = figures(frame(*rows), start=date(2026, 11, 11), periods=1)
    row = latest(table)
    # 11-14 November: 4 nights, 4 people; the 7-night block is cut at the first night
    assert row.name == "2026-11-11/2026-11-14"
    assert (row["nights"], row["people"], row["sightings"]) == (4, 4, 4)


def test_aligned_blocks_are_whole_weeks_monday_to_sunday() -> None:
    rows = [record(night=n) for n in range(0, 14)]  # 1-14 November 2026; the 14th is a Saturday
    for end in (date(2026, 11, 14), date(2026, 11, 12)):
        table = figures(frame(*rows), end=end, periods=2, aligned=True)
        # the last whole week by the last night in the records (Sat 14th) is Mon 2 - Sun 8
        assert list(table.index.get_level_values("period").unique()) == [
            "2026-10-26/2026-11-01",
            "2026-11-02/2026-11-08",
        ]
    with pytest.raises(AnalysisError, match="'range' period cannot be aligned"):
        figures(frame(*rows), period="range", start=date(2026, 11, 1), aligned=True)


def test_periods_after_the_records_have_no_change() -> None:
    table = figures(frame(record(night=13)), end=date(2026, 12, 31), periods=1)
    row = latest(table)
    assert row["people"] == 0
    assert np.isnan(row["previous_people"]) and np.isnan(row["trend"])
    assert not row["emerging"]


def test_a_layer_in_another_crs_counts_the_same() -> None:
    lon, lat = to_lonlat(np.array([E0]), np.array([N0]))
    square = shapely.Point(lon[0], lat[0]).buffer(0.01)
    beat = gpd.GeoDataFrame(
        {"area_code": ["B"], "area_name": ["Beat"]}, geometry=[square], crs="EPSG:4326"
    )
    records = frame(record())
    same = summarise(records, beat.to_crs("EPSG:27700"), period="week", periods=1, end=LAST)
    assert same.areas["people"].tolist() == [1]
    with pytest.raises(AnalysisError, match="areas has no CRS"):
        summarise(records, beat.set_crs(None, allow_override=True), end=LAST)


def test_a_missing_people_count_counts_as_nobody() -> None:
    records = frame(record(people=2), record(x=300))
    records["people"] = pd.array([2, None], dtype="Int64")
    assert latest(figures(records, periods=1))["people"] == 2


def _block_by_block(records, areas, plan, **options):
    """The plan's parts as the app keeps them: each block counted alone and all of them counted
    at once and split (they must agree), then stacked back, some of each."""
    alone = [
        summary_parts(records, areas, block_plan(plan, b, 1), **options)
        for b in range(plan.n_blocks)
    ]
    at_once = summary_parts(records, areas, block_plan(plan, 0, plan.n_blocks), **options)
    split = split_blocks(at_once, n_areas=len(areas))
    for one, other in zip(alone, split, strict=True):
        assert {k: v.tolist() for k, v in one.counts.items()} == {
            k: v.tolist() for k, v in other.counts.items()
        }
        assert one.outside.tolist() == other.outside.tolist()
        pd.testing.assert_frame_equal(one.contacts, other.contacts)
        pd.testing.assert_frame_equal(one.languages, other.languages)
    # the app mixes blocks kept from earlier counts with blocks counted now
    mixed = [alone[b] if b % 2 else split[b] for b in range(plan.n_blocks)]
    return stack_blocks(mixed, n_periods=plan.n_periods)


@pytest.mark.parametrize(
    "options",
    [
        {"period": "week", "periods": 2},
        {"period": "week", "periods": 3, "aligned": True},
        {"period": "night", "periods": 4},
        {"period": "week", "periods": 2, "end": date(2026, 11, 30)},  # past the records
    ],
)
def test_blocks_counted_one_by_one_add_up_to_the_figures(options) -> None:
    # a person (p1) seen in three weeks, contacts with outcomes, interpreters, a record outside
    # every ward and two agencies' records the street-count rule merges: every kind of part
    rows = [record(night=n, person_ref="p1", area="W1" if n % 2 else "W2") for n in range(0, 28, 3)]
    rows += [
        record(night=n, kind="outreach_contact", agency="Harbour Light", outcome="accepted")
        for n in (2, 9, 16, 23)
    ]
    rows += [record(night=n, interpreter_needed=1, language="Tigrinya", area="W3") for n in (4, 20)]
    rows += [record(night=11, area=None), record(50, 0, night=13, agency="Police")]
    records = frame(*rows)
    options = {"end": date(2026, 11, 27), "placed": True, **options}
    expected = summarise(records, wards(), **options)
    got = summarise(records, wards(), **options, parts_of=_block_by_block)
    for name in ("areas", "totals", "outside", "contacts", "languages", "history"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert len(expected.contacts)  # something to compare (no interpreter in the last 4 nights)
    assert len(expected.languages) or options["period"] == "night"
    assert expected.areas["distinct_people"].max() >= 1
