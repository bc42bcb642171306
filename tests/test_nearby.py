"""The neighbour searches of :mod:`geo.analysis.nearby`, each against answers worked out by hand
(coverage and persistent sites are checked against the long way in their own tests)."""

from __future__ import annotations

import numpy as np
import pytest

from geo.analysis.nearby import (
    by_any,
    first_within,
    joined_names,
    latest_near,
    names_near,
    near_centres,
    pairs_by_squares,
    pairs_within,
    reach,
)


def test_first_within_finds_the_earliest_source_inreach() -> None:
    targets = np.array([[0.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
    # in order: far from all, near the second target, near the first, near both... (200 m)
    sources = np.array([[3000.0, 0.0], [1100.0, 0.0], [120.0, 160.0], [0.0, 0.0], [1000.0, 0.0]])
    assert first_within(targets, sources, 200.0).tolist() == [2, 1, -1]  # (120, 160): 200 m
    assert first_within(targets, sources, 199.0).tolist() == [3, 1, -1]
    assert first_within(targets[:0], sources, 200.0).tolist() == []
    assert first_within(targets, sources[:0], 200.0).tolist() == [-1, -1, -1]


def test_first_within_looks_past_its_first_chunk() -> None:
    # 3,000 sources out of reach, then one in reach: found in the third chunk (1,024 + 2,048)
    far = np.column_stack([np.arange(3000.0) * 10 + 10_000, np.zeros(3000)])
    sources = np.vstack([far, [[50.0, 0.0]], far[:5]])
    assert first_within(np.array([[0.0, 0.0]]), sources, 200.0).tolist() == [3000]


def test_latest_near_takes_the_latest_time_and_night() -> None:
    spots = np.array([[0.0, 0.0], [5000.0, 0.0]])
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [5000.0, 0.0]])
    observed = np.array([30, 10, 20, 5])
    night = np.array([3, 1, 2, 0])  # nights follow times: one search
    assert [a.tolist() for a in latest_near(spots, xy, observed, night, 200.0)] == [
        [0, 3],
        [0, 3],
    ]
    night = np.array([1, 3, 2, 0])  # a record whose night is later than a later record's
    by_time, by_night = latest_near(spots, xy, observed, night, 200.0)
    assert by_time.tolist() == [0, 3] and by_night.tolist() == [1, 3]
    nat = np.iinfo(np.int64).min  # a missing time is the earliest
    by_time, _ = latest_near(spots[:1], xy[:2], np.array([nat, 10]), np.array([1, 1]), 200.0)
    assert by_time.tolist() == [1]


def test_names_near_sorts_and_joins_each_spots_agencies() -> None:
    spots = np.array([[0.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
    xy = np.array([[0.0, 0.0], [50.0, 0.0], [0.0, 0.0], [1000.0, 150.0], [60.0, 0.0]])
    agency = np.array(["Police", "Council", "Police", "Police", None], dtype=object)
    names, counts = names_near(spots, xy, agency, 200.0)
    assert names.tolist() == ["Council; Police", "Police", ""]
    assert counts.tolist() == [2, 1, 0]


def test_reach_counts_the_limit_as_inreach() -> None:
    targets = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    for source, expected in (([120.0, 160.0], True), ([120.0, 160.001], False), ([0, 199.9], True)):
        assert reach(targets[:1], np.array([source]), 200.0).tolist() == [expected]
    assert reach(targets, np.zeros((0, 2)), 200.0).tolist() == [False] * 3


def test_joined_names_joins_each_rows_names_in_column_order() -> None:
    present = np.array([[False, True, True], [False, False, False], [True, False, True]])
    assert joined_names(present, ["nrpf", "trafficking", "under_18"], sep=", ").tolist() == [
        "trafficking, under_18",
        "",
        "nrpf, under_18",
    ]
    assert joined_names(np.zeros((2, 0), dtype=bool), []).tolist() == ["", ""]
    assert joined_names(np.zeros((0, 3), dtype=bool), ["a", "b", "c"]).tolist() == []


def test_joined_names_with_more_than_64_names_equals_joining_row_by_row() -> None:
    rng = np.random.default_rng(7)
    names = [f"agency {i:03d}" for i in range(70)]  # past one 64-bit word
    present = rng.random((300, 70)) < 0.03
    present[:50] = present[50:100]  # rows that repeat
    expected = ["; ".join(np.asarray(names)[row]) for row in present]
    assert joined_names(present, names).tolist() == expected


def test_by_any_keeps_every_point_within_radius_of_a_centre() -> None:
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 1000, (5, 2))
    x, y = rng.uniform(-100, 1100, 5000), rng.uniform(-100, 1100, 5000)
    x[:3], y[:3] = np.nan, np.nan  # unlocated: never near
    kept = by_any(x, y, centres, radius=50.0)
    distance = np.hypot(x[:, None] - centres[:, 0], y[:, None] - centres[:, 1]).min(axis=1)
    assert kept[distance <= 50].all()  # nothing within reach is dropped
    # kept: in the 100 m square of a centre or one of the 8 around it, so within 2 squares'
    # diagonal (283 m) of a centre
    assert (distance[kept] <= 200 * np.sqrt(2)).all() and not kept[:3].any()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_by_squares_are_the_trees_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # 10 m grids: many pairs exactly 30, 50 or 100 m apart (3-4-5 triangles), on the limit
    target = rng.integers(0, 80, (300, 2)) * 10.0 + [530000.0, 104000.0]
    source = np.vstack(
        [rng.integers(0, 80, (3000, 2)) * 10.0 + [530000.0, 104000.0], target[:50] + 0.25]
    )

    def pairs(found: tuple[np.ndarray, np.ndarray]) -> set[tuple[int, int]]:
        return set(zip(found[0].tolist(), found[1].tolist(), strict=True))

    for distance in (30.0, 50.0, 100.0):
        trees = pairs(pairs_within(target, source, distance))
        assert pairs(pairs_by_squares(target, source, distance)) == trees and len(trees) > 1000
    assert [a.size for a in pairs_by_squares(target[:0], source, 50.0)] == [0, 0]


def test_a_pair_exactly_on_the_limit_is_found_whatever_the_rounding() -> None:
    # (x - low) / 400 rounds these two 400 m apart into squares two apart; the squares are a
    # hair wider than the distance, so they are never more than one apart
    target = np.array([[118783.05245547014, 180000.0]])
    source = np.array([[119183.05245547014, 180000.0], [53583.05245547015, 180000.0]])
    assert pairs_within(target, source, 400.0)[1].tolist() == [0]
    assert pairs_by_squares(target, source, 400.0)[1].tolist() == [0]
    assert near_centres(target, source, radius=400.0)[1].tolist() == [0]


def test_near_centres_pairs_every_point_at_a_spot() -> None:
    centres = np.array([[0.0, 0.0], [100.0, 0.0]])
    xy = np.array([[3.0, 4.0], [60.0, 0.0], [3.0, 4.0], [100.0, 50.0], [500.0, 0.0]])
    centre, point = near_centres(centres, xy, radius=50.0)
    assert sorted(zip(centre.tolist(), point.tolist(), strict=True)) == [
        (0, 0),
        (0, 2),  # the same spot as point 0
        (1, 1),  # 40 m
        (1, 3),  # exactly 50 m: within
    ]
