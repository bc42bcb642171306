"""The canonical tables: one place for columns and their types, typed empty frames, validation."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.schema import (
    AREA_COLUMNS,
    DTYPES,
    KEYS,
    POLICE_COLUMNS,
    RECORD_COLUMNS,
    RECORD_TABLE,
    SERVICE_COLUMNS,
    TABLES,
    Column,
    empty_frame,
    validate,
)
from geo.store import Batch, open_store
from tests.makers import canonical_records


def test_each_table_names_its_columns_once_with_their_types() -> None:
    names = {"records": RECORD_COLUMNS, "services": SERVICE_COLUMNS, "police": POLICE_COLUMNS}
    for table, columns in {**names, "areas": AREA_COLUMNS}.items():
        assert columns == tuple(c.name for c in TABLES[table])
        assert len(set(columns)) == len(columns)
        assert columns[0] == KEYS[table]
    types = {c.name: c.type for c in RECORD_TABLE}
    assert types["observed_at"] == "timestamp" and types["night"] == "date"
    assert types["people"] == "integer" and types["lon"] == "real"
    assert {types[f] for f in ("nrpf", "trafficking_concern", "under_18")} == {"flag"}
    assert Column("lon", "real") in RECORD_TABLE


@pytest.mark.parametrize("table", sorted(TABLES))
def test_an_empty_frame_has_every_column_of_its_type(table: str) -> None:
    frame = empty_frame(table)
    assert tuple(frame.columns) == tuple(c.name for c in TABLES[table]) and len(frame) == 0
    for column in TABLES[table]:
        if column.type != "geometry":
            assert frame[column.name].dtype == pd.api.types.pandas_dtype(DTYPES[column.type])
    validate(table, frame)  # an empty frame of the table is valid
    if table == "areas":
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:4326"


def test_what_the_store_is_given_and_gives_back_is_valid(tmp_path) -> None:
    validate("records", canonical_records(3).assign(batch_id="b1"))
    store = open_store(tmp_path / "s.sqlite")
    batch = Batch.new(kind="records", source="test.csv", sha256="0" * 64)
    store.add("records", canonical_records(3), batch=batch)
    validate("records", store.records(role="coordinator"))


def test_the_store_keeps_each_column_as_its_type(tmp_path) -> None:
    open_store(tmp_path / "s.sqlite")
    sql = {"real": "REAL", "integer": "INTEGER", "flag": "INTEGER"}
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        for table in ("records", "services", "police"):
            kept = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({table})")}
            assert kept == {c.name: sql.get(c.type, "TEXT") for c in TABLES[table]}


def _one_row(**values: object) -> pd.DataFrame:
    """One record row, every value missing except ``values``."""
    return empty_frame("records").reindex([0]).assign(**values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"people": 1.5}, "column 'people' holds float64, not whole numbers"),
        ({"people": "2"}, r"column 'people' holds \w+, not whole numbers"),
        ({"lon": "-0.14"}, r"column 'lon' holds \w+, not numbers \(convert it with pd.to_numeric"),
        ({"nrpf": "yes"}, r"column 'nrpf' holds \w+, not 0/1 flags"),
        ({"kind": 3}, "column 'kind' holds int64, not text"),
        (
            {"observed_at": pd.Timestamp("2026-11-04 23:40")},
            r"column 'observed_at' holds datetime64\[\w+\], not timezone-aware times"
            r" \(use .dt.tz_localize\('Europe/London'\)\)",
        ),
        ({"night": pd.Timestamp("2026-11-04", tz="UTC")}, "column 'night' holds .*, not dates"),
    ],
)
def test_a_column_of_the_wrong_type_is_named_with_the_fix(values, message) -> None:
    with pytest.raises(ValueError, match=f"^records: {message}"):
        validate("records", _one_row(**values))


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValueError, match="column 'lat' .*; column 'people' "):
        validate("records", _one_row(people=1.5, lat="north"))
    with pytest.raises(ValueError, match="^police: columns missing: crime_id, month$"):
        validate("police", empty_frame("police").drop(columns=["month", "crime_id"]))
    with pytest.raises(ValueError, match="unknown table 'visits'; choose from records, services"):
        validate("visits", empty_frame("records"))  # type: ignore[arg-type]


def test_values_that_store_exactly_pass() -> None:
    validate(
        "records",
        pd.concat([_one_row(), _one_row()], ignore_index=True).assign(
            people=[2.0, np.nan],  # whole numbers as floats
            lon=pd.Series([-0.14, None], dtype=object),  # numbers held as objects
            nrpf=[True, False],  # flags as booleans
            observed_at=pd.Series([None, None], dtype=object),  # missing throughout
            kind=pd.Series(["visit", None], dtype="string"),
            extra=1,  # other columns are allowed
        ),
    )
    areas = empty_frame("areas").reindex([0])
    areas["geometry"] = gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    validate("areas", areas)
    with pytest.raises(ValueError, match="column 'geometry' holds object, not shapes"):
        validate("areas", pd.DataFrame(areas).astype({"geometry": object}))
