"""Ward context (issue 14, section 5): imported once, shown beside the tension watch and in the
ward profile, never a trigger, never the ethnic or national make-up of an area.

The file below (the wards of tests/shapes.py: E05000001 West, E05000002 East), row by row as a
spreadsheet numbers them (the header is row 1):

| row | ward code | what happens                                                         |
|-----|-----------|----------------------------------------------------------------------|
| 2   | E05000001 | stored: 12,340 then 12,980 people, decile 2, "Urban city and town"  |
| 3   | E05000002 | rejected: "lots" in Population 2024 is not a number                 |
| 4   | E05000002 | stored: 8,000 then 7,600, decile ".." (not given), "Rural town"     |
| 5   | E05000001 | skipped: West again (the first is kept)                              |
| 6   | E05999999 | rejected: not an area in the store                                   |
| 7   | (blank)   | rejected: no area code                                               |

Read 6 = stored 2 + skipped 1 + rejected 3. The ward name column is left (the store has the
names); "% born outside the UK" and "Ethnic group: White" are never kept.

Changes between years, by hand: West (12,980 - 12,340) / 12,340 = 5.19% -> "+5.2%";
East (7,600 - 8,000) / 8,000 = -5% -> "-5.0%".
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.analysis.context import WardContext, beside, context_table, profile_rows, with_changes
from geo.analysis.tension import tension_table
from geo.cli import main
from geo.errors import AccessDenied, InputFileError
from geo.importing.context import import_context
from geo.questions.context import ward_context
from geo.questions.tension import tension
from tests.shapes import store_with_wards

HEADER = (
    "Ward code,Ward name,Population 2022,Population 2024,IMD decile,Rural-urban class,"
    "% born outside the UK,Ethnic group: White"
)
ROWS = [
    'E05000001,West,"12,340","12,980",2,Urban city and town,12,80',
    "E05000002,East,8000,lots,5,Rural town,3,95",
    "E05000002,East,8000,7600,..,Rural town,3,95",
    "E05000001,West,1,2,3,Rural village,1,1",
    "E05999999,Nowhere,1,2,3,Rural village,1,1",
    ",,1,2,3,Rural village,1,1",
]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    return store_with_wards(tmp_path)


@pytest.fixture()
def context_file(tmp_path):
    return _write(tmp_path / "ward-context.csv", [HEADER, *ROWS])


def test_every_row_is_accounted_for_with_its_row_and_reason(store, context_file):
    report = import_context(store, context_file)
    assert (report.read, report.stored, report.skipped, report.rejected) == (6, 2, 1, 3)
    rejects = report.rejects.set_index("row")
    assert rejects.loc[3, ["column", "value", "problem"]].tolist() == [
        "Population 2024",
        "lots",
        "not a number",
    ]
    assert rejects.loc[6, "problem"] == "not an area in the store"
    assert rejects.loc[7, "problem"] == "no area code"
    assert report.skipped_by_reason == {"the same ward again in the file (the first is kept)": 1}
    assert store.lookups()["context"].entries == 2


def test_the_make_up_of_an_area_and_its_names_are_never_kept(store, context_file):
    report = import_context(store, context_file)
    assert "make-up" in report.columns_not_stored["% born outside the UK"].text
    assert "make-up" in report.columns_not_stored["Ethnic group: White"].text
    assert "names" in report.columns_not_stored["Ward name"].text
    kept = ward_context(store, role="councillor")
    assert kept.measures == [
        "Population 2022",
        "Population 2024",
        "IMD decile",
        "Rural-urban class",
        "Population change, 2022 to 2024",
    ]
    assert not any("born" in m or "Ethnic" in m for m in kept.table.columns)


def test_the_profile_says_each_figure_in_words_with_the_change(store, context_file):
    import_context(store, context_file)
    context = ward_context(store, role="councillor")
    assert context.source == "ward-context.csv"
    west = profile_rows(context, "E05000001").set_index("Measure")["Value"].to_dict()
    assert west == {
        "Population 2022": "12,340",
        "Population 2024": "12,980",
        "IMD decile": "2",
        "Rural-urban class": "Urban city and town",
        "Population change, 2022 to 2024": "+5.2%",
    }
    east = profile_rows(context, "E05000002").set_index("Measure")["Value"]
    assert (east["IMD decile"], east["Population change, 2022 to 2024"]) == ("not given", "-5.0%")
    assert profile_rows(context, "E05000003").empty  # not in the file


def test_a_change_from_nothing_is_not_worked_out_and_inputs_stay():
    table = pd.DataFrame(
        {
            "area_code": ["A", "B"],
            "pop_2021": [0.0, 1000.0],
            "pop_2023": [50.0, 1500.0],
            "IMD decile 2019": [1.0, 4.0],  # a decile is not a count: no "+100%"
            "IMD decile 2025": [2.0, 4.0],
        }
    )
    before = table.copy()
    changed, added = with_changes(table)
    assert added == ("pop change, 2021 to 2023",)
    assert pd.isna(changed.loc[0, added[0]]) and changed.loc[1, added[0]] == 50.0
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    "header",
    [
        "EU nationals", "BAME population %", "Ethnic minority share", "Country of origin: Syria",
        "Proficiency in English: cannot speak", "Main language not English", "Born overseas",
        "Religion: Muslim", "Asylum seekers supported", "Non-UK born %",
    ],
)  # fmt: skip
def test_every_kind_of_make_up_header_is_refused(store, tmp_path, header):
    path = _write(tmp_path / "c.csv", [f'code,"{header}",Jobs', "E05000001,12,40"])
    report = import_context(store, path)
    assert "make-up" in report.columns_not_stored[header].text
    assert ward_context(store, role="coordinator").measures == ["Jobs"]


def test_a_new_file_replaces_the_context_and_a_useless_one_keeps_it(store, context_file, tmp_path):
    import_context(store, context_file)
    other = _write(tmp_path / "other.csv", ["code,Jobs in farming", "E05000002,40"])
    assert import_context(store, other).stored == 1
    assert ward_context(store, role="police").measures == ["Jobs in farming"]
    for lines, message in [
        (["code,jobs", "E05999999,1"], "no column holds codes of the areas in the store"),
        (["code,Ethnic group", "E05000001,1"], "nothing to keep besides the area codes"),
        (
            ["code,jobs", "E05000001,many", ",5"],
            r"no row could be kept \(1 row: jobs: not a number; 1 row: code: no area code\)",
        ),
    ]:
        with pytest.raises(InputFileError, match=message):
            import_context(store, _write(tmp_path / "bad.csv", lines))
    assert ward_context(store, role="police").measures == ["Jobs in farming"]
    with pytest.raises(InputFileError, match="no column 'WD24CD'; the columns are code, jobs"):
        import_context(
            store, _write(tmp_path / "x.csv", ["code,jobs", "E05000001,1"]), code_field="WD24CD"
        )


def test_the_codes_are_found_by_their_values_and_excel_files_are_read(store, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ObjectId", "Area", "Deprivation decile"])
    sheet.append([1, "E05000002", 3])
    book.save(tmp_path / "context.xlsx")
    report = import_context(store, tmp_path / "context.xlsx")
    assert report.columns == {"area_code": "Area", "Deprivation decile": "Deprivation decile"}
    assert "row numbers" in report.columns_not_stored["ObjectId"].text
    table = context_table(ward_context(store, role="coordinator"))
    assert table.loc["E05000002", "Deprivation decile"] == "3"


def test_boundaries_come_first(tmp_path):
    from geo.store import open_store

    with pytest.raises(InputFileError, match="no ward areas in the store yet"):
        import_context(open_store(tmp_path / "empty.sqlite"), _write(tmp_path / "c.csv", [HEADER]))


def test_every_role_sees_the_context_but_a_role_is_needed(store, context_file):
    import_context(store, context_file)
    seen = [ward_context(store, role=r).table for r in ("coordinator", "police", "councillor")]
    pd.testing.assert_frame_equal(seen[0], seen[2])
    with pytest.raises(AccessDenied, match="no role given"):
        ward_context(store, role=None)  # type: ignore[arg-type]
    assert ward_context(store_with_wards(context_file.parent / "new"), role="police").empty


# -- beside the tension watch, never part of it ----------------------------------------------


@pytest.fixture()
def watched(store, tmp_path):
    """West rises fast on people (2 -> 9) and ASB (0 -> 6) in November: watched."""
    from tests.test_tension import CLOCK_TOWER, STATION_ROAD, _police_csv

    lines = ["Date,Latitude,Longitude,People"]
    lines += [f"{d:02d}/10/2026 22:00,{STATION_ROAD[1]},{STATION_ROAD[0]},1" for d in (1, 30)]
    lines += [f"{d:02d}/11/2026 22:00,{STATION_ROAD[1]},{STATION_ROAD[0]},1" for d in range(1, 10)]
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from geo.importing import import_police, import_records

    import_records(store, tmp_path / "o.csv", agency="Outreach")
    police = [("2026-11", STATION_ROAD, "Anti-social behaviour")] * 6
    police += [("2026-10", CLOCK_TOWER, "Anti-social behaviour")] * 2  # police.uk has October
    import_police(store, _police_csv(tmp_path / "police.csv", police))
    return store


def test_context_never_changes_the_watch(watched, context_file, tmp_path):
    before = tension(watched, role="coordinator", months=1).areas
    assert before.set_index("area_name").loc["West", "watch"]
    # East made the most deprived, fastest-growing ward: still not watched
    lines = ["WD24CD,Population 2022,Population 2024,IMD decile"]
    lines += ["E05000001,100,100,10", "E05000002,100,900,1"]
    import_context(watched, _write(tmp_path / "c.csv", lines))
    after = tension(watched, role="coordinator", months=1).areas
    pd.testing.assert_frame_equal(before, after)


def test_the_watch_shows_the_context_beside_each_ward(watched, context_file, capsys):
    import_context(watched, context_file)
    found = tension(watched, role="councillor", months=1)
    context = ward_context(watched, role="councillor")
    table = tension_table(found, beside=context_table(context))
    row = table.set_index("Ward").loc["West"]
    assert (row["Watch"], row["Population 2024"], row["IMD decile"]) == ("yes", "12,980", "2")
    assert table.columns[: len(tension_table(found).columns)].tolist() == list(
        tension_table(found).columns
    )
    args = ["tension", "--store", str(watched.path), "--months", "1", "--json"]
    assert main(args) == 0
    rows = {r["area_name"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["West"]["context: Population 2024"] == 12980
    assert rows["East"]["context: IMD decile"] is None  # ".." in the file: not given
    assert rows["West"]["watch"] is True


def test_beside_keeps_the_rows_and_their_order():
    frame = pd.DataFrame({"area_code": ["B", "A", "C"], "n": [1, 2, 3]}, index=[7, 8, 9])
    context = WardContext(
        table=pd.DataFrame({"area_code": ["A", "B"], "area_name": ["a", "b"], "jobs": [1.0, 2.0]})
    )
    joined = beside(frame, context)
    assert joined.index.tolist() == [7, 8, 9]
    assert joined["context: jobs"].tolist()[:2] == [2.0, 1.0] and pd.isna(joined.iloc[2, -1])
    assert beside(frame, WardContext()).columns.tolist() == ["area_code", "n"]


def test_the_command_line_imports_and_says_what_was_not_kept(store, context_file, capsys, tmp_path):
    rejects = tmp_path / "rejects.csv"
    args = ["import", "context", str(context_file), "--store", str(store.path)]
    assert main([*args, "--rejects", str(rejects)]) == 0
    out = capsys.readouterr().out
    assert "read 6, stored 2, skipped 1 as duplicates, rejected 3" in out
    assert "outside every ward" not in out
    assert "'Ethnic group: White' not stored: the ethnic, national or religious make-up" in out
    assert "kept for each ward: Population 2022, Population 2024, IMD decile, Rural-urban" in out
    assert pd.read_csv(rejects)["row"].tolist() == [3, 6, 7]
