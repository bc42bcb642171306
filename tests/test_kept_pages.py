"""Page reruns at scale (issue 12, last floor): answers kept where the definitions allow.

What must hold, each checked below: a kept answer equals the answer worked out afresh with
nothing kept; a store change (an import) makes it worked out again; and nothing is kept for a
coordinator's periods, which end on the night asked for.

Hand working. The store holds East and West wards (tests/shapes.py) and one street count at
the clock tower (East ward) of 1 person on every night from 1 to 27 November 2026 (27
records). November 2026 starts on a Sunday, so the aligned weeks police and councillors see
run Monday 2 to Sunday 8, 9-15, 16-22 and 23-29 November; the latest night with records is
Friday 27th, so the week 23-29 has not passed and any last night from the 22nd to the 27th
gives the same latest whole week, 16-22 November: East 7 people, West 0, total 7 (not small:
nothing hidden but West's zero is shown as 0). The night of the 21st gives 9-15 November. A
second record of 1 person at the clock tower at 23:00 on the 18th, from the same agency (the
street-count rule merges only different agencies' records), makes East 8 that week.

Persistent sites to the night of the 22nd look at the 14 nights 9 to 22 November: the clock
tower is one site seen on all 14 nights with 14 sightings (15 after the second record). A
police brief asked for any last night from the 22nd to the 27th ends its places on the 22nd.

Suppression: wards of 3 and 5 people with a shown total of 8. The 3 is small ("<5"), and
8 - 5 would give it away, so the 5 is hidden too ("*"); the total is shown.
"""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pandas as pd
import pytest

import geo.crs
import geo.questions
from geo.filters import Filters
from geo.importing import import_records
from geo.nights import day_date, day_number
from geo.privacy import kept_tables, suppression
from geo.questions import area_summary, blocks, kept
from geo.questions import brief as brief_questions
from geo.questions import completeness as completeness_questions
from geo.questions.completeness import recording_completeness
from geo.store.memo import forget
from tests.shapes import CLOCK_TOWER, store_with_wards

EAST, WEST = "E05000002", "E05000001"


def _counts(folder, name: str, days: list[int], *, time: str = "22:00") -> str:
    rows = "Date,Time,Latitude,Longitude,People\n" + "\n".join(
        f"{day:02d}/11/2026,{time},{CLOCK_TOWER[1]},{CLOCK_TOWER[0]},1" for day in days
    )
    path = folder / name
    path.write_text(rows + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(
        store, _counts(tmp_path, "count.csv", list(range(1, 28))), agency="Outreach",
        kind="street_count",
    )  # fmt: skip
    kept._kept.clear()
    blocks._kept.clear()
    kept_tables.forget()
    return store


def _import_one_more(store, folder) -> None:
    more = _counts(folder, "more.csv", [18], time="23:00")  # not the same row again
    import_records(store, more, agency="Outreach", kind="street_count")


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def _east(summary) -> list[int]:
    areas = summary.areas
    return areas.loc[areas["area_code"] == EAST, "people"].tolist()


# -- ward figures of whole periods ------------------------------------------------------------


def test_a_councillors_figures_for_nights_of_one_week_are_worked_out_once(store, monkeypatch):
    calls = _counting(monkeypatch, geo.questions, "summarise")
    asked = {
        end: area_summary(store, role="councillor", filters=Filters(end=end), periods=2)
        for end in (date(2026, 11, 23), date(2026, 11, 27))
    }
    assert len(calls) == 1
    for summary in asked.values():
        assert summary.totals["period_end"].iloc[-1] == date(2026, 11, 22)
        assert _east(summary) == [7, 7]  # 9-15 and 16-22 November
    earlier = area_summary(store, role="councillor", filters=Filters(end=date(2026, 11, 21)))
    assert len(calls) == 2 and earlier.totals["period_end"].iloc[-1] == date(2026, 11, 15)

    kept._kept.clear()  # the same question with nothing kept: the same answer
    blocks._kept.clear()
    kept_tables.forget()
    fresh = area_summary(
        store, role="councillor", filters=Filters(end=date(2026, 11, 27)), periods=2
    )
    assert len(calls) == 3
    for name in ("areas", "totals", "outside", "contacts", "languages"):
        pd.testing.assert_frame_equal(
            getattr(fresh, name), getattr(asked[date(2026, 11, 27)], name)
        )


def test_the_week_before_counts_only_the_week_not_counted_yet(store, monkeypatch):
    # two weeks shown and 3 before them for the trend (TREND_PERIODS 4): 5 weeks counted,
    # 19 October to 22 November; the week before moves them back one, and only the week of
    # 12-18 October was not counted before
    counted: list[tuple[date, int]] = []
    original = blocks.summary_parts

    def counting(records, areas, plan, **options):
        counted.append((day_date(plan.last), plan.n_blocks))
        return original(records, areas, plan, **options)

    monkeypatch.setattr(blocks, "summary_parts", counting)
    area_summary(store, role="police", filters=Filters(end=date(2026, 11, 27)), periods=2)
    earlier = area_summary(store, role="police", filters=Filters(end=date(2026, 11, 21)), periods=2)
    assert counted == [(date(2026, 11, 22), 5), (date(2026, 10, 18), 1)]
    assert _east(earlier) == [7, 7]  # 2-8 and 9-15 November: a person every night

    kept._kept.clear()  # with nothing kept, the same answer, from all 5 weeks counted at once
    blocks._kept.clear()
    kept_tables.forget()
    fresh = area_summary(store, role="police", filters=Filters(end=date(2026, 11, 21)), periods=2)
    assert counted[-1] == (date(2026, 11, 15), 5)
    for name in ("areas", "totals", "outside", "contacts", "languages", "history"):
        pd.testing.assert_frame_equal(getattr(fresh, name), getattr(earlier, name), obj=name)


def test_kept_weeks_go_with_a_purge_here_or_the_next_question_after_one_elsewhere(store, tmp_path):
    """Kept weeks hold person references: a purge in this process drops them at once; one
    by another process (not told) drops them at the next question asked of the store."""
    import subprocess
    import sys
    from pathlib import Path

    def held() -> bool:
        return any(key[0] == store.location for key in blocks._kept)

    area_summary(store, role="police", filters=Filters(end=date(2026, 11, 27)), periods=2)
    assert held()
    store.purge_records(date(2026, 11, 5))  # 1-4 November
    assert not held()

    area_summary(store, role="police", filters=Filters(end=date(2026, 11, 27)), periods=2)
    assert held()
    purge = (
        "import datetime; from geo.store import open_store;"
        f" open_store({str(store.path)!r}).purge_records(datetime.date(2026, 11, 9))"
    )
    subprocess.run([sys.executable, "-c", purge], check=True, cwd=Path(__file__).parents[1])
    assert held()  # not told
    area_summary(store, role="coordinator", filters=Filters(end=date(2026, 11, 27)), periods=1)
    assert not held()  # a coordinator's question, which keeps no weeks, drops them too


def test_a_plan_whose_first_week_is_cut_short_is_counted_whole_and_keeps_nothing(store):
    from geo.analysis.street_count import MERGE_M, STREET_COUNT_READS, street_counts
    from geo.analysis.ward_counts import summary_parts, summary_plan
    from geo.analysis.ward_figures import SUMMARY_COLUMNS
    from geo.nights import night_numbers
    from geo.questions import figure_layer

    areas, placed = figure_layer(store, "ward", role="police")
    records = store.records_for_figures(role="police", columns=list(SUMMARY_COLUMNS))
    counted = street_counts(
        store.records_for_figures(role="police", columns=list(STREET_COUNT_READS)), unlinked=[]
    )
    # weeks ending on the 27th from the 11th: the first shown week, 7-13 November, is cut
    nights = night_numbers(records)
    plan = summary_plan(
        nights,
        period="week",
        start=date(2026, 11, 11),
        end=date(2026, 11, 27),
        periods=1,
        trend_periods=4,
        aligned=False,
    )
    assert plan.first == day_number(date(2026, 11, 11)) and plan.n_periods == 3
    options = {"placed": placed, "merge_m": MERGE_M, "counted": counted, "nights": nights}
    got = blocks.kept_parts(
        store, ("police", "ward"), records, areas, plan, version=store.cache_key(), **options
    )
    expected = summary_parts(records, areas, plan, **options)
    assert got.counts["people"].tolist() == expected.counts["people"].tolist()
    # East, a person a night: 21-27 and 14-20 November, 11-13 (cut), then history 31 October
    # to 6 November (the 1st to the 6th) and two weeks before the records
    east = areas["area_code"].tolist().index(EAST)
    assert got.counts["people"].reshape(len(areas), 6)[east].tolist() == [7, 7, 3, 6, 0, 0]
    assert not blocks._kept


def test_an_import_makes_the_kept_figures_worked_out_again(store, tmp_path, monkeypatch):
    calls = _counting(monkeypatch, geo.questions, "summarise")
    before = area_summary(store, role="police", filters=Filters(end=date(2026, 11, 24)), periods=1)
    _import_one_more(store, tmp_path)
    after = area_summary(store, role="police", filters=Filters(end=date(2026, 11, 24)), periods=1)
    assert len(calls) == 2
    assert _east(before) == [7] and _east(after) == [8]


def test_a_coordinators_figures_are_worked_out_for_every_night(store, monkeypatch):
    calls = _counting(monkeypatch, geo.questions, "summarise")
    for end in (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 24)):
        area_summary(store, role="coordinator", filters=Filters(end=end), periods=1)
    assert len(calls) == 3  # a coordinator's week ends on the night asked for


def test_a_councillors_completeness_is_kept_for_the_week_and_redone_after_an_import(
    store, tmp_path, monkeypatch
):
    calls = _counting(monkeypatch, completeness_questions, "completeness")

    def records_in_week(end: date) -> int:
        found = recording_completeness(store, role="councillor", period="week", end=end, periods=1)
        return int(found.partnership["records"].iloc[-1])

    assert records_in_week(date(2026, 11, 23)) == records_in_week(date(2026, 11, 26)) == 7
    assert len(calls) == 1
    _import_one_more(store, tmp_path)
    assert records_in_week(date(2026, 11, 26)) == 8 and len(calls) == 2


# -- the police brief's places ----------------------------------------------------------------


def test_the_brief_places_are_kept_per_night_and_version(store, tmp_path, monkeypatch):
    calls = _counting(monkeypatch, brief_questions, "persistent_sites")
    sites, found = brief_questions.brief_places(store, role="police", end=date(2026, 11, 22))
    again, found_again = brief_questions.brief_places(store, role="police", end=date(2026, 11, 22))
    assert len(calls) == 1
    assert sites[["nights_seen", "sightings"]].values.tolist() == [[14, 14]]
    pd.testing.assert_frame_equal(again, sites)
    pd.testing.assert_frame_equal(found_again.demand, found.demand)
    pd.testing.assert_frame_equal(found_again.agencies, found.agencies)

    kept._kept.clear()  # nothing kept: the same places
    fresh, fresh_found = brief_questions.brief_places(store, role="police", end=date(2026, 11, 22))
    pd.testing.assert_frame_equal(fresh, sites)
    pd.testing.assert_frame_equal(fresh_found.demand, found.demand)
    pd.testing.assert_frame_equal(fresh_found.gaps, found.gaps)
    pd.testing.assert_frame_equal(fresh_found.overlaps, found.overlaps)

    _import_one_more(store, tmp_path)
    after, _ = brief_questions.brief_places(store, role="police", end=date(2026, 11, 22))
    assert len(calls) == 3 and after["sightings"].tolist() == [15]


def test_a_police_brief_on_any_night_of_a_week_finds_its_places_once(store, monkeypatch):
    calls = _counting(monkeypatch, brief_questions, "persistent_sites")
    briefs = [
        brief_questions.tasking_brief(store, role="police", filters=Filters(end=end))
        for end in (date(2026, 11, 23), date(2026, 11, 27))
    ]
    assert len(calls) == 1
    assert briefs[0].period == briefs[1].period == "the week to 22 Nov 2026"


# -- suppressed tables ------------------------------------------------------------------------


def _table(small: int) -> suppression.Table:
    table = suppression.Table()
    wards = [table.cell(small), table.cell(5)]
    table.total(wards)
    return table


def test_a_table_met_again_is_not_attacked_again(monkeypatch):
    kept_tables.forget()
    calls = _counting(monkeypatch, kept_tables.suppression, "suppress")
    first = kept_tables.suppress_kept(_table(3), threshold=4)
    assert first.tolist() == [suppression.SMALL, suppression.SECONDARY, suppression.VISIBLE]
    first[:] = suppression.VISIBLE  # a caller changing its array changes nothing kept
    second = kept_tables.suppress_kept(_table(3), threshold=4)
    assert len(calls) == 1
    assert second.tolist() == suppression.suppress(_table(3), threshold=4).tolist()
    kept_tables.suppress_kept(_table(4), threshold=4)  # one value differs: worked out again
    kept_tables.suppress_kept(_table(3), threshold=2)  # another threshold: again
    assert len(calls) == 2 + 2  # (the direct suppress above counted once)
    forget("any memo", "any store")  # a purge or erasure anywhere forgets every table
    kept_tables.suppress_kept(_table(3), threshold=4)
    assert len(calls) == 5


# -- transforms -------------------------------------------------------------------------------


def test_transforms_run_on_the_long_lived_transform_threads(monkeypatch):
    ran_on: list[str] = []

    class Recording:
        def transform(self, x, y):
            ran_on.append(threading.current_thread().name)
            return x, y

    monkeypatch.setattr(geo.crs, "_transformer", lambda source, target: Recording())
    threads = [threading.Thread(target=geo.crs.to_lonlat, args=([1.0], [2.0])) for _ in range(3)]
    for thread in threads:
        thread.start()
        thread.join()
    assert len(ran_on) == 3 and all(name.startswith("geo-crs") for name in ran_on)


def test_a_transform_from_a_new_thread_gives_the_same_answer():
    easting, northing = np.array([531_000.0, 530_500.5, np.nan]), np.array([105_000.0, 104_321, 1])
    here = geo.crs.to_lonlat(easting, northing)
    there: list = []
    thread = threading.Thread(target=lambda: there.append(geo.crs.to_lonlat(easting, northing)))
    thread.start()
    thread.join()
    np.testing.assert_array_equal(there[0][0], here[0])
    np.testing.assert_array_equal(there[0][1], here[1])
    assert np.isnan(here[0][2])
