"""Flow, stock and returners (issue 13, section 1), each figure worked out by hand.

Months are the ward figures' 30-night periods. Ending on the night of 28 Nov 2026, the three
months are 31 Aug - 29 Sep ("September"), 30 Sep - 29 Oct ("October") and 30 Oct - 28 Nov
("November"). In West and East wards:

- Ann (CHAIN ref A1): 10 Sep West, 10 Oct West, 10 Nov East -> new, stock, stock;
- Bob (B1): 12 Sep East, 12 Nov East -> new, then returner in November;
- someone with no reference: 15 Nov West -> not classed, counted as without_reference;
- on 20 Nov, Ann was also counted by the council, which shares CHAIN refs -> still one person.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.flow import FLOW_COLUMNS, flow
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.privacy import suppression
from geo.questions import area_summary
from geo.questions.people import people_flow
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

END = date(2026, 11, 28)
MONTHS = ["2026-08-31/2026-09-29", "2026-09-30/2026-10-29", "2026-10-30/2026-11-28"]
WEST, EAST = STATION_ROAD, CLOCK_TOWER

OUTREACH = [  # date and time, place, CHAIN ID
    ("10/09/2026 23:10", WEST, "A1"),
    ("12/09/2026 22:00", EAST, "B1"),
    ("10/10/2026 23:30", WEST, "A1"),
    ("10/11/2026 23:45", EAST, "A1"),
    ("12/11/2026 22:15", EAST, "B1"),
    ("15/11/2026 23:00", WEST, ""),
]
COUNCIL = [("20/11/2026 23:50", EAST, "A1")]


def write_csv(
    path: Path, rows: list[tuple[str, tuple[float, float], str]], *, ref: str = "CHAIN ID"
) -> Path:
    """Records as an outreach team's CSV; a "CHAIN ID" column is in the CHAIN namespace."""
    lines = [f"Date,Latitude,Longitude,{ref}"]
    lines += [f"{when},{lat},{lon},{ref}" for when, (lon, lat), ref in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "outreach.csv", OUTREACH), agency="Outreach")
    import_records(store, write_csv(tmp_path / "council.csv", COUNCIL), agency="Council")
    return store


def figures(frame: pd.DataFrame, **where: str) -> dict[str, object]:
    row = frame
    for column, value in where.items():
        row = row.loc[row[column] == value]
    assert len(row) == 1, where
    return {c: row.iloc[0][c] for c in FLOW_COLUMNS}


def test_the_months_of_ann_bob_and_someone_without_a_reference(store):
    found = people_flow(store, role="coordinator", period="month", end=END, periods=3)
    assert found.totals["period"].tolist() == MONTHS
    september, october, november = (figures(found.totals, period=m) for m in MONTHS)
    assert september == dict(people=2, new=2, stock=0, returner=0, without_reference=0)
    assert october == dict(people=1, new=0, stock=1, returner=0, without_reference=0)
    # Ann (stock: seen in October) and Bob (returner: seen in September, not October); the
    # council's count of Ann on the 20th is the same person; one sighting has no reference
    assert november == dict(people=2, new=0, stock=1, returner=1, without_reference=1)


def test_a_person_seen_in_two_wards_counts_in_each_and_once_in_the_total(store):
    found = people_flow(store, role="coordinator", period="month", end=END, periods=3)
    areas = found.areas
    assert figures(areas, area_name="West", period=MONTHS[0]) == dict(
        people=1, new=1, stock=0, returner=0, without_reference=0
    )
    assert figures(areas, area_name="East", period=MONTHS[0]) == dict(
        people=1, new=1, stock=0, returner=0, without_reference=0
    )
    # November: Ann moved to East (her class follows her: stock, though East never saw her
    # in October); West has only the sighting without a reference
    assert figures(areas, area_name="East", period=MONTHS[2]) == dict(
        people=2, new=0, stock=1, returner=1, without_reference=0
    )
    assert figures(areas, area_name="West", period=MONTHS[2]) == dict(
        people=0, new=0, stock=0, returner=0, without_reference=1
    )
    # the areas add up to the total here (nobody was in two wards in one month)
    for month in MONTHS:
        rows = areas.loc[areas["period"] == month, list(FLOW_COLUMNS)].sum()
        assert rows.to_dict() == figures(found.totals, period=month)


def test_the_same_person_in_two_wards_in_one_month_counts_once_in_the_total(store, tmp_path):
    late = [("25/11/2026 23:00", WEST, "A1")]
    # agency X's own client refs: its "A1" is somebody else; agency Y shares CHAIN's
    import_records(store, write_csv(tmp_path / "x.csv", late, ref="Client ref"), agency="X")
    import_records(
        store,
        write_csv(tmp_path / "y.csv", late, ref="Client ref"),
        agency="Y",
        ref_namespace="CHAIN",
    )
    found = people_flow(store, role="coordinator", period="month", end=END, periods=1)
    west = figures(found.areas, area_name="West")
    east = figures(found.areas, area_name="East")
    total = figures(found.totals)
    # West: X's "A1" (a new person) and Ann through the shared CHAIN namespace (stock)
    assert west == dict(people=2, new=1, stock=1, returner=0, without_reference=1)
    assert east == dict(people=2, new=0, stock=1, returner=1, without_reference=0)
    # Ann is in both wards and once in the total: Ann, Bob and X's person
    assert total == dict(people=3, new=1, stock=1, returner=1, without_reference=1)


def test_people_equal_the_ward_figures_distinct_people(store):
    found = people_flow(store, role="coordinator", period="month", end=END, periods=3)
    summary = area_summary(store, role="coordinator", period="month", end=END, periods=3)
    mine = found.areas.set_index(["area_code", "period"])["people"]
    theirs = summary.areas.set_index(["area_code", "period"])["distinct_people"]
    pd.testing.assert_series_equal(mine.sort_index(), theirs.sort_index(), check_names=False)


def test_lookback_bounds_before(store):
    # Bob was last seen on 12 Sep before November, which starts on 30 Oct: 1 month back is
    # 30 Sep, so with a 1-month lookback Bob is new again; with 2 months (30 Aug) a returner
    one = people_flow(store, role="coordinator", end=END, periods=1, lookback_months=1)
    two = people_flow(store, role="coordinator", end=END, periods=1, lookback_months=2)
    assert figures(one.totals) == dict(people=2, new=1, stock=1, returner=0, without_reference=1)
    assert figures(two.totals) == dict(people=2, new=0, stock=1, returner=1, without_reference=1)
    # stock is the previous period whatever the lookback: Ann stays stock with 1 month


@pytest.mark.parametrize("months", [0, -3, 1.5, True])
def test_a_bad_lookback_is_named(store, months):
    with pytest.raises(AnalysisError, match="lookback must be a whole number of months"):
        people_flow(store, role="coordinator", lookback_months=months)


def test_weeks_class_by_the_week_before():
    # one ward, weeks ending 14 Nov: someone seen 3 Nov (week before) and 10 Nov is stock;
    # seen 1 Oct and 12 Nov a returner; 9 Nov only new; a visit is not a sighting
    import geopandas as gpd
    from shapely.geometry import box

    ward = gpd.GeoDataFrame(
        {"area_code": ["E1"], "area_name": ["Market"]}, geometry=[box(0, 0, 1, 1)], crs=4326
    )
    seen = pd.DataFrame(
        {
            "kind": ["street_count"] * 5 + ["visit"],
            "night": pd.to_datetime(
                ["2026-11-03", "2026-11-10", "2026-10-01", "2026-11-12", "2026-11-09", "2026-11-05"]
            ),
            "person_ref": ["a", "a", "b", "b", "c", "d"],
            "area_code": "E1",
        }
    )
    out = flow(seen, ward, period="week", end=date(2026, 11, 14), periods=2, placed=True)
    assert out.totals[list(FLOW_COLUMNS)].to_numpy().tolist() == [
        [1, 1, 0, 0, 0],  # 1-7 Nov: a, new (d's visit does not count)
        [3, 1, 1, 1, 0],  # 8-14 Nov: c new, a stock, b returner
    ]


def test_police_get_counts_and_councillors_small_numbers_hidden(store):
    police = people_flow(store, role="police", period="month", end=END, periods=3)
    councillor = people_flow(store, role="councillor", period="month", end=END, periods=3)
    assert police.role == "police" and police.threshold is None
    assert councillor.threshold == 4
    shown = councillor.areas[list(FLOW_COLUMNS)].to_numpy().ravel().tolist()
    shown += councillor.totals[list(FLOW_COLUMNS)].to_numpy().ravel().tolist()
    assert not [v for v in shown if isinstance(v, int) and 1 <= v <= 4]
    assert {"<5"} <= set(shown)  # every count here is small


def test_the_hidden_sum_stops_a_reader_pinning_a_ward_from_the_total():
    # West 5 and a total of 9 shown, East's 4 hidden as small. A reader who knows each ward
    # is at most the total and the wards add up to at least it (a person in two wards counts
    # in each) gets East >= 9 - 5 = 4, with East <= 4: pinned. So another cell must go.
    table = suppression.Table()
    west, east, total = table.cell(5), table.cell(4), table.cell(9)
    table.at_most(west, total)
    table.at_most(east, total)
    both = table.hidden(9)
    table.sums([west, east], both)
    table.sums([total, table.hidden(0)], both)
    status = suppression.suppress(table, threshold=4)
    assert status[east] != suppression.VISIBLE
    assert status[west] != suppression.VISIBLE or status[total] != suppression.VISIBLE
    assert suppression.suppress(table, threshold=4, method="ip").tolist() == status.tolist()


def test_admins_get_no_flow(store):
    with pytest.raises(AccessDenied):
        people_flow(store, role="admin")


def test_councillors_get_no_ranges(store):
    with pytest.raises(AccessDenied, match="not ranges"):
        people_flow(store, role="councillor", period="range", start=date(2026, 9, 1), end=END)


def test_the_command_line_prints_and_writes_flow(store, tmp_path, capsys):
    location = str(store.location)
    assert main(["flow", "--store", location, "--to", "2026-11-28", "--periods", "3",
                 "--totals", "--json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert [r["returner"] for r in rows] == [0, 0, 1]
    out = tmp_path / "flow.csv"
    assert main(["flow", "--store", location, "--to", "2026-11-28", "--role", "councillor",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "as the councillor role sees them" in capsys.readouterr().out
    written = pd.read_csv(out, dtype=str)
    assert list(written.columns[-5:]) == list(FLOW_COLUMNS)
    assert not written[list(FLOW_COLUMNS)].isin(["1", "2", "3", "4"]).any().any()


def test_the_page_tables_say_the_periods_and_counts_in_words(store):
    from geo.analysis.flow_view import areas_table, chart_frame, totals_table

    found = people_flow(store, role="coordinator", period="month", end=END, periods=3)
    totals = totals_table(found)
    assert totals["Period"].tolist() == [
        "31 Aug to 29 Sep 2026",
        "30 Sep to 29 Oct 2026",
        "30 Oct to 28 Nov 2026",
    ]
    assert totals.iloc[2, 1:].tolist() == ["2", "0", "1", "1", "1"]
    assert areas_table(found)["Ward"].tolist() == ["East", "West"]  # most people first
    chart = chart_frame(found)
    november = chart.loc[chart["Period"] == "to 28 Nov"]
    assert dict(zip(november["Who"], november["People"], strict=True)) == {
        "New to the streets": 0.0,
        "Also seen the period before": 1.0,
        "Back after a gap": 1.0,
    }
    hidden = people_flow(store, role="councillor", period="month", end=END, periods=3)
    # every count here is small, so hidden and left out of the chart; only zeros are drawn
    assert len(chart_frame(hidden)) and (chart_frame(hidden)["People"] == 0).all()
