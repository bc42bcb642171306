"""Answers kept between questions (issue 12's page speed): typed columns in memory per store
version, the street count worked out once for every period, and answers that do not move with
the period (the tension watch of a month, the safeguarding queue of today) kept per version.

What must hold, each checked below: a kept answer equals the answer worked out afresh; a write
to the store (from this store object, another one, or whatever else) is seen by the next
question; a caller changing what it was given changes nothing for the next caller; and an
answer worked out while the store changed is not kept.

Hand-checked street count: the demo borough's ward figures for a week ending on a night, with
the rule worked out over all records at once and cut to the week's nights, equal the figures
with the rule worked out over the week's records only (the rule joins one night's records, so
no night's counts depend on another's).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

import geo.store.postgis as postgis_backend
import geo.store.sqlite as sqlite_backend
from geo.analysis import tension as tension_analysis
from geo.analysis import ward_figures
from geo.analysis.street_count import counted_people, street_counts
from geo.errors import AccessDenied, AnalysisError, StoreError
from geo.importing import import_records
from geo.questions import kept as answers
from geo.questions import safeguarding as safeguarding_questions
from geo.questions.tension import tension
from geo.schema import is_demand
from geo.store import open_store
from geo.store.memo import MEMO_ENV, ColumnMemo, memo_limit
from tests.makers import canonical_records
from tests.shapes import CLOCK_TOWER, store_with_wards


def _batch(store, n: int, prefix: str) -> None:
    from geo.store import Batch

    batch = Batch.new(kind="records", source=f"{prefix}.csv", sha256="0" * 64)
    store.add("records", canonical_records(n, prefix=prefix), batch=batch)


# -- typed columns in memory -------------------------------------------------------------------


def test_a_second_read_of_the_same_version_types_nothing_again(store_at, monkeypatch):
    store = store_at()
    _batch(store, 3, "a")
    calls = []
    backend = sqlite_backend if store_at.backend == "sqlite" else postgis_backend
    typed = backend._typed
    monkeypatch.setattr(
        backend, "_typed", lambda table, frame: calls.append(list(frame)) or typed(table, frame)
    )
    first = store.records(role="coordinator", columns=["record_id", "night"])
    second = store.records(role="coordinator", columns=["record_id", "night", "people"])
    assert calls == [["record_id", "night"], ["people"]]  # only the column not read before
    pd.testing.assert_frame_equal(first, second[["record_id", "night"]])
    assert str(second["night"].dtype).startswith("datetime64")


def test_a_write_by_anyone_is_seen_by_the_next_read(store_at):
    store = store_at()
    _batch(store, 3, "a")
    assert len(store.records(role="coordinator", columns=["record_id"])) == 3
    _batch(open_store(store_location(store_at, store)), 2, "b")  # another session's store object
    ids = store.records(role="coordinator", columns=["record_id"])["record_id"]
    assert sorted(ids) == ["a0", "a1", "a2", "b0", "b1"]


def test_a_caller_changing_its_frame_changes_nothing_for_the_next(store_at):
    store = store_at()
    _batch(store, 3, "a")
    mine = store.records(role="coordinator", columns=["record_id", "people"])
    mine.loc[0, "people"] = 99
    mine["record_id"] = "changed"
    again = store.records(role="coordinator", columns=["record_id", "people"])
    assert again["people"].tolist() == [1, 1, 1]
    assert again["record_id"].tolist() == ["a0", "a1", "a2"]


def store_location(store_at, store) -> str:
    """Where ``store`` is, as open_store takes it (a PostGIS store's URL with its login)."""
    return store.location if store_at.backend == "sqlite" else store._url


def test_the_memo_keeps_no_more_than_its_limit_and_can_be_turned_off(monkeypatch):
    column = pd.Series(np.arange(1000, dtype=np.int64))  # 8,000 bytes
    small = ColumnMemo(limit=10_000)
    small.keep("records", "v1", {"a": column, "b": column})
    assert list(small.get("records", "v1", ["a", "b"])) == ["a"]  # b would go over
    assert small.get("records", "v2", ["a"]) == {}  # another version holds nothing
    monkeypatch.setenv(MEMO_ENV, "0")
    off = ColumnMemo()
    off.keep("records", "v1", {"a": column})
    assert off.get("records", "v1", ["a"]) == {}
    monkeypatch.setenv(MEMO_ENV, "lots")
    with pytest.raises(StoreError, match="OUTREACH_ATLAS_MEMO_MB must be a number"):
        memo_limit()


def test_text_held_as_python_objects_is_sized_from_a_sample():
    """20,000 texts of 10 and 30 characters in turn: each str is 49 + its length bytes
    (CPython's compact ASCII), plus an 8-byte pointer: (59 + 79) / 2 + 8 = 77 a row. The
    sample's estimate is within 1 % of measuring every one."""
    from geo.store.memo import _bytes

    column = pd.Series(["x" * 10, "y" * 30] * 10_000, dtype=object)
    exact = int(column.memory_usage(index=False, deep=True))
    assert exact == 20_000 * 77
    assert _bytes(column) == pytest.approx(exact, rel=0.01)
    small = ColumnMemo(limit=int(exact * 0.98))  # the estimate is what the limit is held to
    small.keep("records", "v1", {"text": column})
    assert small.get("records", "v1", ["text"]) == {}


# -- the street count, once for every period ----------------------------------------------------


def test_the_street_count_of_all_records_cut_to_a_week_is_the_weeks_own(demo_store):
    records = demo_store.records(role="coordinator")
    wards = demo_store.areas(layer="ward")
    counted = street_counts(records)
    demand = np.asarray(is_demand(records["kind"]), dtype=bool)
    assert (counted[~demand] == 0).all()
    assert counted[demand].sum() == counted_people(records.loc[demand]).sum()
    last = records["night"].max().date()
    for end in (last, last - timedelta(days=3), last - timedelta(days=40)):
        for period in ("night", "week", "month"):
            kept = ward_figures.summarise(
                records, wards, period=period, end=end, placed=True, counted=counted
            )
            fresh = ward_figures.summarise(records, wards, period=period, end=end, placed=True)
            pd.testing.assert_frame_equal(kept.areas, fresh.areas)
            pd.testing.assert_frame_equal(kept.totals, fresh.totals)


def test_the_tension_watch_cut_from_the_street_count_of_all_records_is_the_months_own(
    demo_store,
):
    from geo.analysis.tension import TENSION_READS, tension_watch

    records = demo_store.records(role="coordinator", columns=[*TENSION_READS, "area_code"])
    incidents = demo_store.police_incidents()
    wards = demo_store.areas(layer="ward")
    counted = street_counts(records)
    for end in ("2026-09", "2026-10", "2026-11"):
        kept = tension_watch(records, incidents, wards, end=end, counted=counted)
        fresh = tension_watch(records, incidents, wards, end=end)
        pd.testing.assert_frame_equal(kept.areas, fresh.areas)
    with pytest.raises(AnalysisError, match="counted has 1 values for"):
        tension_watch(records, incidents, wards, counted=np.array([1]))


def test_a_record_with_no_people_given_counts_none_in_the_street_count():
    seen = canonical_records(3).assign(people=pd.array([2, None, 1], dtype="Int64"))
    seen["easting"] = [530_000.0, 540_000.0, 550_000.0]  # far apart: no two merged
    assert street_counts(seen).tolist() == [2, 0, 1]


def test_a_street_count_of_the_wrong_length_is_refused(demo_store):
    records = demo_store.records(role="coordinator", columns=list(ward_figures.SUMMARY_COLUMNS))
    wards = demo_store.areas(layer="ward")
    with pytest.raises(AnalysisError, match="counted has 2 values for"):
        ward_figures.summarise(records, wards, placed=True, counted=np.array([1, 1]))


# -- answers kept per store version -------------------------------------------------------------


def test_an_answer_is_worked_out_once_per_version_and_each_caller_gets_its_own(tmp_path):
    store = open_store(tmp_path / "atlas.sqlite")
    _batch(store, 2, "a")
    worked = []

    def work() -> pd.DataFrame:
        worked.append(1)
        return store.records(role="coordinator", columns=["record_id"])

    first = answers.per_version(store, "ids", (), work)
    first.loc[0, "record_id"] = "changed"
    second = answers.per_version(store, "ids", (), work)
    assert len(worked) == 1 and second["record_id"].tolist() == ["a0", "a1"]
    answers.per_version(store, "ids", ("asked another way",), work)
    assert len(worked) == 2
    _batch(store, 1, "b")
    third = answers.per_version(store, "ids", (), work)
    assert len(worked) == 3 and third["record_id"].tolist() == ["a0", "a1", "b0"]
    kept = [key for key in answers._kept if key[0] == store.location]
    assert kept == [(store.location, store.cache_key(), "ids", None)]  # old versions gone


def test_an_answer_worked_out_while_the_store_changed_is_not_kept(tmp_path):
    store = open_store(tmp_path / "atlas.sqlite")
    _batch(store, 2, "a")
    version = store.cache_key()  # read before the data, as a question does
    _batch(store, 1, "b")  # a write lands between the read and the answer
    worked = []
    answers.per_version(store, "count", (), lambda: worked.append(1) or 2, version=version)
    answers.per_version(store, "count", (), lambda: worked.append(1) or 2, version=version)
    assert len(worked) == 2  # never kept under a version its data may not be from


def test_the_tension_watch_is_worked_out_once_per_month(tmp_path, monkeypatch):
    store = store_with_wards(tmp_path)
    rows = "Date,Time,Latitude,Longitude,People\n" + "\n".join(
        f"{day:02d}/11/2026,22:00,{CLOCK_TOWER[1]},{CLOCK_TOWER[0]},1" for day in range(1, 28)
    )
    (tmp_path / "count.csv").write_text(rows + "\n", encoding="utf-8")
    import_records(store, tmp_path / "count.csv", agency="Outreach", kind="street_count")
    calls = []
    watch = tension_analysis.tension_watch
    monkeypatch.setattr(
        "geo.questions.tension.tension_watch",
        lambda *a, **k: calls.append(k["end"]) or watch(*a, **k),
    )
    first = tension(store, role="police", end=date(2026, 11, 20))
    second = tension(store, role="police", end=date(2026, 11, 27))
    assert len(calls) == 1  # two nights of November: one watch
    pd.testing.assert_frame_equal(first.areas, second.areas)
    tension(store, role="police", end=date(2026, 10, 31))
    assert len(calls) == 2
    with pytest.raises(AnalysisError, match="end must be a month"):
        tension(store, role="police", end="not a month")


def test_the_safeguarding_queue_is_worked_out_once_whatever_the_period(tmp_path, monkeypatch):
    store = store_with_wards(tmp_path)
    rows = "Date,Time,Latitude,Longitude,Under 18\n" + "\n".join(
        f"{day:02d}/11/2026,22:00,{CLOCK_TOWER[1]},{CLOCK_TOWER[0]},yes" for day in (3, 4, 20)
    )
    (tmp_path / "seen.csv").write_text(rows + "\n", encoding="utf-8")
    import_records(store, tmp_path / "seen.csv", agency="Outreach", kind="outreach_contact")
    calls = []
    queue = safeguarding_questions.safeguarding_queue
    monkeypatch.setattr(
        safeguarding_questions,
        "safeguarding_queue",
        lambda *a, **k: calls.append(1) or queue(*a, **k),
    )
    today = date(2026, 11, 25)
    weeks = [
        safeguarding_questions.queue_counts(
            store, role="police", period="week", end=end, periods=1, today=today
        )
        for end in (date(2026, 11, 10), date(2026, 11, 24))
    ]
    assert len(calls) == 1
    answers._kept.clear()  # the same questions with nothing kept: the same answers
    for end, kept in zip((date(2026, 11, 10), date(2026, 11, 24)), weeks, strict=True):
        fresh = safeguarding_questions.queue_counts(
            store, role="police", period="week", end=end, periods=1, today=today
        )
        pd.testing.assert_frame_equal(fresh.areas, kept.areas)
        pd.testing.assert_frame_equal(fresh.totals, kept.totals)
    assert len(calls) == 2


def test_a_purge_leaves_no_deleted_record_in_this_processs_memory(store_at):
    """What the process keeps (typed columns, kept answers) holds records; after a purge none of
    them may stay in memory, even for a version no one reads again."""
    from geo.store.memo import memo_for

    store = store_at()
    _batch(store, 3, "a")  # nights of 4 November 2026
    store.records(role="coordinator", columns=["record_id", "night"])
    answers.per_version(store, "ids", (), lambda: store.records(role="coordinator"))
    assert memo_for(store._memo_key)._kept and any(k[0] == store.location for k in answers._kept)
    store.purge_records(date(2026, 11, 30))
    assert memo_for(store._memo_key)._kept == {}
    assert not any(k[0] == store.location for k in answers._kept)
    assert store.records(role="coordinator", columns=["record_id"]).empty


def test_a_purge_by_another_process_leaves_no_answer_kept_past_the_next_question(tmp_path):
    """Another process (the command line, another app worker) purges: this process's kept
    answers are not told, but the next question asked of the store drops every answer of an
    older version before it is worked out (whether or not it is), so records gone from the
    store do not stay in this one's memory."""
    import subprocess
    import sys
    from pathlib import Path

    from geo.store import open_store

    store = open_store(tmp_path / "atlas.sqlite")
    _batch(store, 3, "a")
    answers.per_version(store, "ids", (), lambda: store.records(role="coordinator"))
    assert any(k[0] == store.location for k in answers._kept)
    purge = (  # every record (nights of 4 November 2026)
        "import sys, datetime; from geo.store import open_store;"
        f" s = open_store({str(store.path)!r});"
        " sys.exit(0 if s.purge_records(datetime.date(2027, 1, 1))['records'] == 3 else 1)"
    )
    subprocess.run([sys.executable, "-c", purge], check=True, cwd=Path(__file__).parents[1])
    assert any(k[0] == store.location for k in answers._kept)  # not told: still held

    def refused() -> None:
        raise AccessDenied("a question that fails keeps nothing new")

    with pytest.raises(AccessDenied):  # even a question that fails drops them
        answers.per_version(store, "refused", (), refused)
    assert not any(k[0] == store.location for k in answers._kept)
