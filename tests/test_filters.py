"""The shared filters: one frozen value, its URL form, and what each role may choose."""

from __future__ import annotations

from datetime import date

import pytest

from geo.errors import AccessDenied
from geo.filters import Filters, periods_for


def test_the_default_is_the_latest_week_with_no_cuts():
    f = Filters()
    assert (f.period, f.end, f.is_cut) == ("week", None, False)
    assert f.to_query() == {"period": "week"}


def test_a_view_round_trips_through_its_link():
    f = Filters(
        period="range",
        start=date(2026, 11, 1),
        end=date(2026, 11, 23),
        agencies=("St Anne's", "Council"),
        kinds=("street_count",),
        time_of_day="night",
    )
    query = f.to_query()
    assert query == {
        "period": "range",
        "to": "2026-11-23",
        "from": "2026-11-01",
        "agency": ["Council", "St Anne's"],
        "kind": ["street_count"],
        "time": "night",
    }
    assert Filters.from_query(query) == f


def test_equal_choices_are_equal_filters_whatever_the_order():
    a = Filters(agencies=("B", "A", "A"))
    assert a == Filters(agencies=("A", "B")) and hash(a) == hash(Filters(agencies=("A", "B")))


def test_a_start_is_kept_for_ranges_only():
    assert Filters.from_query({"period": "week", "from": "2026-11-01"}).start is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "fortnight"}, "period 'fortnight' is not one of night, week, month, range"),
        ({"to": "22/11/2026"}, "to='22/11/2026' is not a date like 2026-11-22"),
        ({"period": "range", "to": "2026-11-23"}, "a range needs a first and a last night"),
        (
            {"period": "range", "from": "2026-11-24", "to": "2026-11-23"},
            "the range starts",
        ),
        ({"kind": "visit"}, "kinds \\['visit'\\] are not among"),
        ({"time": "dawn"}, "time of day 'dawn'"),
    ],
)
def test_a_link_that_makes_no_sense_is_refused_by_name(query, message):
    with pytest.raises(ValueError, match=message):
        Filters.from_query(query)


def test_coordinators_may_cut_and_choose_dates():
    f = Filters(
        period="range", start=date(2026, 11, 1), end=date(2026, 11, 2), agencies=("Council",)
    )
    assert f.for_role("coordinator") is f
    assert periods_for("coordinator") == ("night", "week", "month", "range")


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_police_and_councillors_get_whole_periods_and_no_cuts(role):
    assert periods_for(role) == ("week", "month")
    assert Filters(period="month").for_role(role) == Filters(period="month")
    with pytest.raises(AccessDenied, match="whole periods only"):
        Filters(period="night").for_role(role)
    with pytest.raises(AccessDenied, match="by subtraction"):
        Filters(agencies=("Council",)).for_role(role)
    with pytest.raises(AccessDenied, match="by subtraction"):
        Filters(time_of_day="day").for_role(role)


@pytest.mark.parametrize("role", ["admin", "mayor", None])
def test_roles_without_figures_get_no_filters(role):
    with pytest.raises(AccessDenied):
        Filters().for_role(role)
    with pytest.raises(AccessDenied):
        periods_for(role)


# -- the filters reach the figures ---------------------------------------------------------------


def _sightings(store, role, filters) -> int:
    from geo.questions import area_summary

    totals = area_summary(store, role=role, filters=filters).totals
    return int(totals["sightings"].iloc[-1])


def test_a_coordinator_cut_by_agency_adds_up_to_the_whole(demo_store):
    from geo.demo import COUNCIL, HARBOUR_LIGHT, POLICE_TEAM, REFERRALS_AGENCY, ST_ANNES

    whole = _sightings(demo_store, "coordinator", Filters())
    parts = [
        _sightings(demo_store, "coordinator", Filters(agencies=(agency,)))
        for agency in (COUNCIL, HARBOUR_LIGHT, POLICE_TEAM, ST_ANNES, REFERRALS_AGENCY)
    ]
    assert whole > 0 and all(0 < part < whole for part in parts)
    assert sum(parts) == whole  # sightings are records: each agency's add up to all


def test_a_coordinator_cut_by_time_of_day_and_kind_adds_up_too(demo_store):
    whole = _sightings(demo_store, "coordinator", Filters())
    night = _sightings(demo_store, "coordinator", Filters(time_of_day="night"))
    day = _sightings(demo_store, "coordinator", Filters(time_of_day="day"))
    assert night + day == whole and night > day  # the demo's teams go out in the evening
    kinds = [
        _sightings(demo_store, "coordinator", Filters(kinds=(kind,)))
        for kind in ("street_count", "outreach_contact", "referral")
    ]
    assert sum(kinds) == whole


def test_a_councillor_cannot_cut_the_figures(demo_store):
    from geo.questions import area_summary

    with pytest.raises(AccessDenied, match="by subtraction"):
        area_summary(demo_store, role="councillor", filters=Filters(time_of_day="night"))
    shown = area_summary(demo_store, role="councillor", filters=Filters(period="month"))
    assert shown.areas["period"].nunique() >= 1
