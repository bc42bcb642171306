"""One ward file per council (issue 16 section 2): ``import wards FILE --council CODE`` replaces
that council's wards only, and councils are named in words wherever users read them.

By hand, with the small generated files: West ward (E05000001) is council A's (E06000001), named
"Westshire" by --council-name; its file has no local authority column. East ward (E05000002) is
council B's (E06000002); its file has a LAD24NM column reading "Eastborough" (and no code), so
that is B's name. Loading West as A, then East as B, keeps both: 2 wards, West's parent A,
East's parent B. Loading East as A is refused (East is B's). Loading a file without --council
replaces the whole layer, as before. A national file with LAD24CD and LAD24NM names each council
from its own rows, also when one council is kept from it (--local-authority B --council B).

Street counts, one person each with its own reference (so the street-count rule links none),
in the week of Monday 2 Nov 2026 (nights 2 to 8 Nov, the latest night stored, so the week is
whole):

- Westshire (West, at Station Road): w0..w6, one on each night 2 to 8 Nov -> 7 sightings,
  7 people counted, 7 different people, no contacts; each NRPF (the makers' default) -> 7.
- Eastborough (East, at the clock tower): e0, e1 on the nights of 2 and 3 Nov -> 2 of each,
  NRPF 2.

A coordinator's Overview shows both rows exactly, councils in name order (Eastborough first).
A councillor sees Eastborough's 2 as "fewer than 5" (never "2"); Westshire's 7 is then hidden
too ("hidden"), since the partnership's total 9 less 7 would give the 2 away.

The real files (../shared/data/wards, skipped when absent) are one per local authority with
WD13CD/WD13NM and no local authority column: Brighton and Hove (E06000043) and Slough
(E06000039) are loaded one after the other; the layer holds the sum of their features.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.errors import BoundaryError, StoreError
from geo.importing import import_areas
from geo.importing.areas import COUNCIL_LAYER, council_names
from geo.questions.partnership import council_table, partnership
from geo.store import STORE_ENV, Batch, Store, open_store
from tests.makers import placed_records
from tests.shapes import CLOCK_TOWER, EAST_WARD, STATION_ROAD, WEST_WARD
from tests.signing import signed_in

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
A, B = "E06000001", "E06000002"
WEST, EAST = "E05000001", "E05000002"
BRIGHTON, SLOUGH = "E06000043", "E06000039"


def _file(folder: Path, name: str, columns: dict[str, list[str]], shapes: list) -> Path:
    path = folder / f"{name}.geojson"
    gpd.GeoDataFrame(columns, geometry=shapes, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def _west(folder: Path) -> Path:
    """Council A's ward file: no local authority column."""
    return _file(folder, "west", {"WD24CD": [WEST], "WD24NM": ["West"]}, [WEST_WARD])


def _east(folder: Path) -> Path:
    """Council B's ward file: a LAD24NM column naming it, no code column."""
    columns = {"WD24CD": [EAST], "WD24NM": ["East"], "LAD24NM": ["Eastborough"]}
    return _file(folder, "east", columns, [EAST_WARD])


def _both(store: Store, folder: Path) -> Store:
    import_areas(store, _west(folder), council=A, council_name="Westshire")
    import_areas(store, _east(folder), council=B)
    return store


def _records() -> pd.DataFrame:
    rows = [(f"w{i}", WEST, f"2026-11-0{2 + i}", STATION_ROAD) for i in range(7)]
    rows += [(f"e{i}", EAST, f"2026-11-0{2 + i}", CLOCK_TOWER) for i in range(2)]
    return placed_records(rows)


def _filled(store: Store, folder: Path) -> Store:
    _both(store, folder)
    store.add("records", _records(), batch=Batch.new(kind="records", source="t", sha256="0" * 64))
    return store


# -- importing one council's wards -------------------------------------------------------------
def test_two_councils_files_keep_both_councils_wards(store_at, tmp_path):
    store = _both(store_at(), tmp_path)
    assert store.ward_councils().sort_index().to_dict() == {WEST: A, EAST: B}
    assert council_names(store).to_dict() == {A: "Westshire", B: "Eastborough"}
    kept = store.areas(layer=COUNCIL_LAYER).set_index("area_code")
    assert kept["area_type"].tolist() == ["lad", "lad"]
    assert kept.geometry[A].equals(WEST_WARD)  # the council's wards' shape together


def test_loading_a_council_again_replaces_its_wards_and_keeps_its_name(store_at, tmp_path):
    store = _both(store_at(), tmp_path)
    renamed = _file(tmp_path, "west2", {"WD24CD": [WEST], "WD24NM": ["West Hill"]}, [WEST_WARD])
    done = import_areas(store, renamed, council=A)
    assert (done.stored, done.kept, done.council) == (1, 1, A)
    names = store.areas().set_index("area_code")["area_name"].to_dict()
    assert names == {WEST: "West Hill", EAST: "East"}
    assert council_names(store)[A] == "Westshire"  # kept: neither the file nor the user named it


def test_a_ward_stored_under_another_council_is_refused(store_at, tmp_path):
    store = _both(store_at(), tmp_path)
    with pytest.raises(
        BoundaryError,
        match=r"ward East \(E05000002\) is already stored under council Eastborough"
        r" \(E06000002\), not Westshire \(E06000001\)",
    ):
        import_areas(store, _east(tmp_path), council=A)
    assert store.ward_councils().sort_index().to_dict() == {WEST: A, EAST: B}  # unchanged


def test_without_a_council_the_whole_layer_is_replaced(store_at, tmp_path):
    store = _both(store_at(), tmp_path)
    whole = _file(
        tmp_path, "whole", {"WD24CD": [WEST], "WD24NM": ["West"], "LAD24CD": [B]}, [WEST_WARD]
    )
    done = import_areas(store, whole)
    assert (done.council, done.kept) == (None, 0)
    assert store.ward_councils().to_dict() == {WEST: B}  # East gone, West now B's
    assert council_names(store).to_dict() == {B: "Eastborough"}  # B's name kept from before


def test_a_national_file_names_its_councils_from_its_name_column(tmp_path):
    store = open_store(tmp_path / "n.sqlite")
    columns = {"WD24CD": [WEST, EAST], "WD24NM": ["West", "East"], "LAD24CD": [A, B],
               "LAD24NM": ["Westshire", "Eastborough"]}  # fmt: skip
    national = _file(tmp_path, "national", columns, [WEST_WARD, EAST_WARD])
    import_areas(store, national)
    assert council_names(store).to_dict() == {A: "Westshire", B: "Eastborough"}
    one = open_store(tmp_path / "one.sqlite")
    import_areas(one, national, local_authority=B, council=B)  # one council of it, named
    assert council_names(one).to_dict() == {B: "Eastborough"}


def test_council_codes_and_names_are_checked(tmp_path):
    store = open_store(tmp_path / "s.sqlite")
    with pytest.raises(StoreError, match="'E06 000043' is not a council code"):
        import_areas(store, _west(tmp_path), council="E06 000043")
    with pytest.raises(BoundaryError, match="a council name \\('Westshire'\\) was given without"):
        import_areas(store, _west(tmp_path), council_name="Westshire")
    assert store.areas().empty


def test_the_command_line_imports_a_council_and_names_it(tmp_path, capsys):
    at = str(tmp_path / "cli.sqlite")
    west, east = str(_west(tmp_path)), str(_east(tmp_path))
    assert main(["import", "wards", west, "--council", A, "--council-name", "Westshire",
                 "--store", at]) == 0  # fmt: skip
    assert "council Westshire (E06000001): its areas replaced, 0 areas of others kept" in (
        capsys.readouterr().out
    )
    assert main(["import", "wards", east, "--council", B, "--store", at]) == 0
    assert "council Eastborough (E06000002): its areas replaced, 1 area of others kept" in (
        capsys.readouterr().out
    )
    assert main(["import", "wards", east, "--council", A, "--store", at]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "already stored under council Eastborough" in err
    assert main(["import", "wards", east, "--council", "no code!", "--store", at]) == 2
    assert "error: 'no code!' is not a council code" in capsys.readouterr().err


def test_real_per_council_files_load_one_after_the_other(shared_data, tmp_path, capsys):
    brighton = shared_data / "wards" / "E06000043-brighton-and-hove.geojson"
    slough = shared_data / "wards" / "E06000039-slough.geojson"
    expected = {BRIGHTON: len(gpd.read_file(brighton)), SLOUGH: len(gpd.read_file(slough))}
    at = str(tmp_path / "real.sqlite")
    assert main(["import", "wards", str(brighton), "--council", BRIGHTON, "--council-name",
                 "Brighton and Hove", "--store", at]) == 0  # fmt: skip
    assert main(["import", "wards", str(slough), "--council", SLOUGH, "--store", at]) == 0
    out = capsys.readouterr().out
    assert f"{expected[BRIGHTON]} areas of others kept" in out
    store = open_store(at)
    assert len(store.areas()) == sum(expected.values())
    assert store.ward_councils().value_counts().to_dict() == expected
    # Slough's file carries no name: named by its code until someone names it
    assert council_names(store).to_dict() == {SLOUGH: SLOUGH, BRIGHTON: "Brighton and Hove"}
    assert main(["import", "wards", str(slough), "--council", SLOUGH, "--council-name",
                 "Slough", "--store", at]) == 0  # fmt: skip
    assert council_names(open_store(at))[SLOUGH] == "Slough"
    assert len(open_store(at).areas()) == sum(expected.values())


# -- the partnership, named ------------------------------------------------------------------
def test_the_partnership_command_names_councils_by_name(tmp_path, capsys):
    at = str(_filled(open_store(tmp_path / "p.sqlite"), tmp_path).location)
    assert main(["partnership", "--role", "coordinator", "--periods", "1", "--store", at]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 councils (Westshire, Eastborough), as the coordinator role sees them"
    rows = pd.read_csv(pd.io.common.StringIO("\n".join(out[1:])))
    assert rows[["area_code", "area_name", "people", "sightings"]].values.tolist() == [
        [A, "Westshire", 7, 7],
        [B, "Eastborough", 2, 2],
    ]


def test_the_councils_table_is_in_plain_words(tmp_path):
    store = _filled(open_store(tmp_path / "t.sqlite"), tmp_path)
    table = council_table(partnership(store, role="coordinator", periods=1))
    assert table.columns[:5].tolist() == [
        "Council", "People counted", "Sightings", "Different people", "Contacts"
    ]  # fmt: skip
    shown = ["Council", "People counted", "Contacts", "No recourse to public funds"]
    assert table[shown].values.tolist() == [
        ["Eastborough", "2", "0", "2"],
        ["Westshire", "7", "0", "7"],
    ]
    police = council_table(partnership(store, role="police", periods=1))
    assert "No recourse to public funds" not in police.columns  # withheld from police


# -- the Overview page -----------------------------------------------------------------------
def _overview(role: str) -> AppTest:
    """The Overview, opened in local mode (coordinator: a real store has no "view as") or by a
    user signed in with ``role``."""
    at = AppTest.from_file(APP, default_timeout=120)
    if role != "coordinator":
        signed_in(at, None, role)
    at.run()
    assert not at.exception, at.exception
    return at


def _section(at: AppTest) -> pd.DataFrame | None:
    """The table under "Councils side by side", or None when the section is not shown."""
    headings = [header.value for header in at.subheader]
    if "Councils side by side" not in headings:
        return None
    tables = [frame.value for frame in at.dataframe if "Council" in frame.value.columns]
    assert len(tables) == 1
    return tables[0]


@pytest.fixture()
def two_councils(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "atlas.sqlite"
    _filled(open_store(path), tmp_path)
    monkeypatch.setenv(STORE_ENV, str(path))
    return path


def test_the_overview_shows_councils_side_by_side(two_councils):
    at = _overview("coordinator")
    table = _section(at)
    assert table is not None
    assert table[["Council", "People counted", "Sightings", "Different people",
                  "Contacts"]].values.tolist() == [
        ["Eastborough", "2", "2", "2", "0"],
        ["Westshire", "7", "7", "7", "0"],
    ]  # fmt: skip
    assert any(
        "own exact figures are on its ward pages" in caption.value
        and "small numbers are hidden" in caption.value
        for caption in at.caption
    )


def test_a_councillor_sees_no_small_count_of_a_council(two_councils):
    table = _section(_overview("councillor"))
    assert table is not None
    assert table["Council"].tolist() == ["Eastborough", "Westshire"]
    assert table["People counted"].tolist() == ["fewer than 5", "hidden"]
    assert not table.isin(["2", "7"]).any().any()


def test_a_single_council_store_has_no_such_section(tmp_path, monkeypatch):
    path = tmp_path / "one.sqlite"
    store = open_store(path)
    import_areas(store, _west(tmp_path), council=A, council_name="Westshire")
    store.add("records", _records().iloc[:7], batch=Batch.new(kind="records", source="t",
                                                              sha256="0" * 64))  # fmt: skip
    monkeypatch.setenv(STORE_ENV, str(path))
    at = _overview("coordinator")
    assert "Overview" in at.title[0].value
    assert _section(at) is None


def test_the_import_page_offers_a_council_beside_the_ward_file(tmp_path, monkeypatch):
    path = tmp_path / "begun.sqlite"
    open_store(path)  # a real store, begun empty (no upload into the demo)
    monkeypatch.setenv(STORE_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/import_data.py").run()
    at.radio(key="import_what").set_value("Ward boundaries").run()
    assert not at.exception, at.exception
    assert at.text_input(key="import_council").label.startswith("These are one council's wards")
    assert at.text_input(key="import_council_name").label == "The council's name (optional)"


def test_the_users_page_names_councils_for_the_admin(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from geo.store import STORE_ENV, open_store
    from tests.signing import signed_in

    store = _both(open_store(tmp_path / "page.sqlite"), tmp_path)
    store.put_user("ana@a.example", role="coordinator", council=A)
    store.share(B, A, by="admin@partnership.example", reason="DSA 2026-07")
    monkeypatch.setenv(STORE_ENV, store.location)
    app = str(Path(__file__).resolve().parents[1] / "app_main.py")
    at = signed_in(AppTest.from_file(app, default_timeout=120), store, "admin").run()
    at.switch_page("app_pages/users.py").run()
    assert not at.exception, at.exception
    users, agreed = (f.value for f in at.dataframe[:2])
    assert "Westshire (E06000001)" in users["Council"].tolist()
    assert agreed[["Records of", "Read by"]].iloc[0].tolist() == [
        "Eastborough (E06000002)",
        "Westshire (E06000001)",
    ]
