"""The ward figures, flow and hotspots on Dask give exactly what one process gives (issue 16, 3).

The sample is the demo borough (2,298 records from August to November 2026 over the borough's
wards, several agencies, so the street-count rule merges records): run once in one process and
once on a LocalCluster of two threaded workers, from the store cut into five partitions of
whole nights and from Parquet files by month of night, the frames must be equal, for the
coordinator (exact figures) and the councillor (small numbers hidden, aligned periods); hotspots
for the coordinator and the police (places snapped to 100 m). What cannot be split is refused
by name: a night whose records lie in two Parquet files (the street-count rule joins one
night's records), and records for a role that may not see them.
"""

from __future__ import annotations

import json
import pickle
import shutil

import pandas as pd
import pytest

pytest.importorskip(
    "dask.dataframe", reason="Dask is not installed (pip install -r requirements.txt)"
)
pytest.importorskip("distributed", reason="distributed is not installed (requirements.txt)")

from geo import questions  # noqa: E402
from geo.cli import main  # noqa: E402
from geo.errors import AccessDenied, AnalysisError  # noqa: E402
from geo.questions.people import people_flow  # noqa: E402
from geo.questions.scale import (  # noqa: E402
    area_summary_on_dask,
    export_parquet,
    hotspot_cells_on_dask,
    people_flow_on_dask,
)
from geo.scale import (  # noqa: E402
    dask_client,
    night_partitions,
    on_cluster,
    parquet_partitions,
)
from geo.store.audit import Actor, acting_as  # noqa: E402

SUMMARY_FRAMES = ("areas", "totals", "outside", "contacts", "languages", "history")


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def parquet(demo_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet") / "records"
    export_parquet(demo_store, folder, role="coordinator")
    return folder


def test_the_store_is_cut_into_partitions_of_whole_nights(demo_store):
    records = demo_store.records_for_figures(role="coordinator", columns=["night", "kind"])
    parts = night_partitions(records, partitions=5).to_delayed()
    frames = [p.compute(scheduler="sync") for p in parts]
    assert len(frames) == 5
    assert sum(len(f) for f in frames) == len(records)
    nights = [set(f["night"]) for f in frames]
    assert all(not (a & b) for i, a in enumerate(nights) for b in nights[i + 1 :])


def _graph_bytes(collection) -> int:
    """The size of what a run sends to the scheduler for this collection, pickled."""
    return len(pickle.dumps(dict(collection.__dask_graph__())))


def test_records_are_sent_to_the_workers_once(demo_store, client):
    records = demo_store.records_for_figures(role="coordinator", columns=["night", "kind"])
    size = len(pickle.dumps(records))
    # without a client the records travel in every run's graph; scattered, the graph names them
    assert _graph_bytes(night_partitions(records, partitions=5)) > size
    held = night_partitions(records, partitions=5, client=client)
    assert _graph_bytes(held) < size / 10
    pd.testing.assert_frame_equal(held.compute().sort_index(), records)


def test_workers_read_the_parquet_files_themselves(client, parquet):
    found = parquet_partitions(parquet, columns=["night", "people"])
    assert found.npartitions == 4  # August to November 2026: one partition a month
    records = pd.concat(pd.read_parquet(f) for f in sorted(parquet.glob("*.parquet")))
    assert _graph_bytes(found) < len(pickle.dumps(records)) / 10  # file names only
    loaded = on_cluster(found, client=client)
    months = loaded.map_partitions(lambda f: f["night"].dt.month.unique()).compute().tolist()
    assert months == [8, 9, 10, 11]  # in file-name order, each file whole
    assert loaded["people"].sum().compute() == records["people"].sum()


@pytest.mark.parametrize("role", ["coordinator", "councillor"])
@pytest.mark.parametrize("source", ["store", "parquet"])
def test_ward_figures_on_dask_equal_one_process(demo_store, client, parquet, role, source):
    one = questions.area_summary(demo_store, role=role, period="week")
    where = parquet if source == "parquet" else None
    many = area_summary_on_dask(
        demo_store, role=role, client=client, period="week", parquet=where, partitions=5
    )
    assert one.areas["people"].astype(str).ne("0").any()  # something was counted
    for name in SUMMARY_FRAMES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(many, name))
    assert (many.role, many.threshold) == (one.role, one.threshold)


@pytest.mark.parametrize("role", ["coordinator", "councillor"])
@pytest.mark.parametrize("source", ["store", "parquet"])
def test_flow_on_dask_equals_one_process(demo_store, client, parquet, role, source):
    one = people_flow(demo_store, role=role, period="month", periods=3)
    where = parquet if source == "parquet" else None
    many = people_flow_on_dask(
        demo_store, role=role, client=client, period="month", periods=3, parquet=where,
        partitions=5,
    )  # fmt: skip
    pd.testing.assert_frame_equal(one.areas, many.areas)
    pd.testing.assert_frame_equal(one.totals, many.totals)


@pytest.mark.parametrize("role", ["coordinator", "police"])
@pytest.mark.parametrize("source", ["store", "parquet"])
def test_hotspots_on_dask_equal_one_process(demo_store, client, parquet, role, source):
    one = questions.hotspot_cells(demo_store, role=role)
    where = parquet if source == "parquet" else None
    many = hotspot_cells_on_dask(demo_store, role=role, client=client, parquet=where, partitions=3)
    assert (one["hotspot"] == "hot").any()
    pd.testing.assert_frame_equal(one, many)


@pytest.mark.parametrize(
    "command",
    [
        ["summary", "--role", "councillor"],
        ["flow", "--role", "police", "--periods", "3"],
        ["hotspots", "--role", "coordinator", "--all-cells", "--json"],
    ],
)
def test_the_commands_print_the_same_with_dask(demo_store, parquet, capsys, command):
    store = ["--store", str(demo_store.path)]
    assert main([*command, *store]) == 0
    alone = capsys.readouterr().out
    assert main([*command, *store, "--dask"]) == 0
    assert capsys.readouterr().out == alone
    assert main([*command, *store, "--dask", "--parquet", str(parquet)]) == 0
    assert capsys.readouterr().out == alone


def test_a_night_in_two_parquet_files_is_refused(demo_store, client, parquet, tmp_path):
    split = tmp_path / "split"
    shutil.copytree(parquet, split)
    november = pd.read_parquet(split / "records-2026-11.parquet")
    night = november["night"].iloc[0]
    november.loc[november["night"] == night].to_parquet(split / "records-extra.parquet")
    with pytest.raises(AnalysisError, match=r"night of .* more than one partition"):
        area_summary_on_dask(demo_store, role="coordinator", client=client, parquet=split)


def test_roles_are_refused_what_they_may_not_see(demo_store, client, parquet, tmp_path):
    with pytest.raises(AccessDenied, match="councillor role does not see records"):
        hotspot_cells_on_dask(demo_store, role="councillor", client=client, parquet=parquet)
    with pytest.raises(AccessDenied, match="a coordinator can write"):
        export_parquet(demo_store, tmp_path / "out", role="police")
    with pytest.raises(AnalysisError, match="already holds Parquet files"):
        export_parquet(demo_store, parquet, role="coordinator")


def test_a_user_bound_to_a_council_is_refused_parquet_files_read_whole(demo_store, client, parquet):
    bound = acting_as(Actor("ana@a.example", "coordinator", "E06000001"))
    refused = pytest.raises(AccessDenied, match="bound to council E06000001 reads records from")
    with bound, refused:
        hotspot_cells_on_dask(demo_store, role="coordinator", client=client, parquet=parquet)


def test_dask_options_need_dask(demo_store, capsys):
    code = main(["summary", "--store", str(demo_store.path), "--scheduler", "tcp://127.0.0.1:1"])
    assert code != 0
    assert capsys.readouterr().err == "error: --scheduler runs on Dask; add --dask\n"


def test_export_parquet_writes_files_by_month_that_dask_reads(demo_store, tmp_path, capsys):
    folder = tmp_path / "records"
    store = ["--store", str(demo_store.path)]
    assert main(["export-parquet", str(folder), *store, "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    # the demo runs from August to November 2026: four months, every record once
    assert list(written) == [f"records-2026-{m:02d}.parquet" for m in (8, 9, 10, 11)]
    assert sum(written.values()) == len(demo_store.records(role="coordinator"))
    for name, rows in written.items():
        months = pd.read_parquet(folder / name)["night"].dt.strftime("%Y-%m").unique()
        assert months.tolist() == [name[8:15]] and rows > 0
    summary = ["summary", "--role", "councillor", *store]
    assert main(summary) == 0
    alone = capsys.readouterr().out
    assert main([*summary, "--dask", "--parquet", str(folder)]) == 0
    assert capsys.readouterr().out == alone


def test_export_parquet_prints_each_file_and_the_total(demo_store, tmp_path, capsys):
    folder = tmp_path / "records"
    assert main(["export-parquet", str(folder), "--store", str(demo_store.path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    total = len(demo_store.records(role="coordinator"))
    assert lines[0].startswith("records-2026-08.parquet: ") and lines[0].endswith(" records")
    assert lines[-1] == f"{folder}: {total:,} records in 4 files by month of night"


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("police", "error: the police role may not export exact records; a coordinator can"),
        ("councillor", "error: the councillor role may not export exact records; a coordinator"),
    ],
)
def test_export_parquet_is_for_coordinators(demo_store, tmp_path, capsys, role, message):
    folder = tmp_path / "records"
    code = main(["export-parquet", str(folder), "--store", str(demo_store.path), "--role", role])
    assert code != 0
    assert capsys.readouterr().err.startswith(message)
    assert not folder.exists()


def test_export_parquet_refuses_a_folder_with_files_or_a_file(
    demo_store, parquet, tmp_path, capsys
):
    store = ["--store", str(demo_store.path)]
    assert main(["export-parquet", str(parquet), *store]) != 0
    assert capsys.readouterr().err == (
        f"error: {parquet} already holds Parquet files; give an empty folder\n"
    )
    file = tmp_path / "records.parquet"
    file.write_text("")
    assert main(["export-parquet", str(file), *store]) != 0
    assert capsys.readouterr().err == (
        f"error: {file} is a file; give a folder for the Parquet files\n"
    )
