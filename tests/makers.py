"""Tiny data made in code for tests: canonical rows and messy files in users' formats."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.schema import empty_frame


def canonical_records(n: int, *, prefix: str = "r", seed: int = 0) -> pd.DataFrame:
    """``n`` canonical record rows near Brighton (ids ``{prefix}0``...), ready for Store.add."""
    rng = np.random.default_rng(seed)
    lon = -0.14 + rng.uniform(-0.01, 0.01, n)
    lat = 50.83 + rng.uniform(-0.01, 0.01, n)
    observed = pd.Timestamp("2026-11-04 23:40", tz="Europe/London") + pd.to_timedelta(
        np.arange(n), unit="min"
    )
    frame = empty_frame("records").drop(columns="batch_id").reindex(range(n))
    frame = frame.assign(
        record_id=[f"{prefix}{i}" for i in range(n)],
        kind="street_count",
        agency="Test outreach",
        observed_at=observed,
        night=observed.tz_localize(None).normalize(),
        lon=lon,
        lat=lat,
        easting=530000 + rng.uniform(0, 1000, n),
        northing=104000 + rng.uniform(0, 1000, n),
        location_source="coordinates",
        location_precision_m=1.0,
        people=1,
        nrpf=pd.array([1] * n, dtype="Int8"),
    )
    return frame


def placed_records(
    rows: Sequence[tuple[str, str | None, str, tuple[float, float]]],
) -> pd.DataFrame:
    """Canonical records, one for each row of (record id, ward code or None, night as
    ``YYYY-MM-DD``, (lon, lat)): seen at 11 pm on their night, each with a person reference
    of its own (``p0``, ``p1``, ... in row order)."""
    ids, wards, nights, places = (list(column) for column in zip(*rows, strict=True))
    night = pd.to_datetime(pd.Series(nights))
    lon, lat = zip(*places, strict=True)
    return canonical_records(len(rows)).assign(
        record_id=ids,
        area_code=wards,
        night=night,
        observed_at=(night + pd.Timedelta(hours=23)).dt.tz_localize("Europe/London"),
        lon=lon,
        lat=lat,
        person_ref=[f"p{i}" for i in range(len(rows))],
    )
