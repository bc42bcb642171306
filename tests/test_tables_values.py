"""Reading CSV/XLSX as users have them, matching columns, and parsing cell values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import ColumnMappingError, InputFileError
from geo.io.columns import RECORD_FIELDS, map_columns, sensitive_columns
from geo.io.tables import read_table
from geo.io.values import (
    nationality_group,
    parse_age_band,
    parse_datetimes,
    parse_people,
    parse_yes_no,
)


def test_csv_rows_keep_their_line_numbers_through_blank_ragged_and_multiline_rows(tmp_path):
    path = tmp_path / "count.csv"
    path.write_bytes(
        b'Date,Notes\r\n04/11/2026,"two\nlines"\r\n\r\n05/11/2026,a,extra\r\n06/11/2026\r\n'
    )
    table = read_table(path)
    assert table.frame["Date"].tolist() == ["04/11/2026", "06/11/2026"]
    assert table.rows.tolist() == [2, 6]  # the quoted value spans lines 2-3; line 4 is blank
    assert table.blank_lines == 1
    assert [(r.row, r.fields, r.expected) for r in table.ragged] == [(5, 3, 2)]
    assert table.read == 3
    assert table.frame["Notes"].tolist() == ["two\nlines", ""]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Place\nCafé doorway\n".encode(), "UTF-8"),
        ("Place\nCafé doorway\n".encode("utf-8-sig"), "UTF-8 with BOM"),
        ("Place\nCafé doorway\n".encode("cp1252"), "Windows-1252"),
        ("Place\r\nCafé doorway\r\n".encode("utf-16"), "UTF-16"),  # Excel's "Unicode Text"
    ],
)
def test_encodings_users_have_are_decoded(tmp_path, data, encoding):
    path = tmp_path / "places.csv"
    path.write_bytes(data)
    table = read_table(path)
    assert table.encoding == encoding
    assert table.frame.columns.tolist() == ["Place"]
    assert table.frame["Place"].tolist() == ["Café doorway"]


def test_xlsx_rows_are_excel_row_numbers_and_dates_become_iso_text(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Contact date", "People"])
    sheet.append([dt.datetime(2026, 11, 4, 23, 40), 2])
    sheet.append([None, None])
    sheet.append(["05/11/2026 01:10", 1.0])
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.rows.tolist() == [2, 4]
    assert table.frame["Contact date"].tolist() == ["2026-11-04T23:40:00", "05/11/2026 01:10"]
    assert table.frame["People"].tolist() == ["2", "1"]


def test_unreadable_inputs_say_what_to_do(tmp_path):
    with pytest.raises(InputFileError, match=r"missing\.csv: file not found"):
        read_table(tmp_path / "missing.csv")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"save the sheet as \.xlsx or CSV"):
        read_table(old)


def test_columns_are_matched_by_name_and_personal_columns_set_aside():
    headers = [
        "Record ID",
        "Date/Time",
        "Latitude",
        "Longitude",
        "Client Ref",
        "Full Name",
        "DOB",
        "Mobile",
        "NHS Number",
        "No recourse to public funds",
        "Persons",
        "Interpreter required",
        "Location description",
        "Shoe size",
    ]
    mapping = map_columns(headers, RECORD_FIELDS)
    assert mapping.fields["source_id"] == "Record ID"
    assert mapping.fields["datetime"] == "Date/Time"
    assert mapping.fields["lat"] == "Latitude" and mapping.fields["lon"] == "Longitude"
    assert mapping.fields["person_ref"] == "Client Ref"
    assert mapping.fields["nrpf"] == "No recourse to public funds"
    assert mapping.fields["people"] == "Persons"
    assert mapping.fields["interpreter_needed"] == "Interpreter required"
    assert mapping.fields["location_text"] == "Location description"
    assert set(mapping.sensitive) == {"Full Name", "DOB", "Mobile", "NHS Number"}
    assert mapping.unused == ("Shoe size",)
    assert "Full Name" not in mapping.fields.values()


def test_column_overrides_are_checked():
    headers = ["When seen", "Surname", "Lat", "Lon"]
    mapping = map_columns(headers, RECORD_FIELDS, overrides={"date": "When seen"})
    assert mapping.fields["date"] == "When seen"
    with pytest.raises(ColumnMappingError, match="looks like a person's name and is never stored"):
        map_columns(headers, RECORD_FIELDS, overrides={"notes": "Surname"})
    with pytest.raises(ColumnMappingError, match="no column 'Seen' for date; columns are"):
        map_columns(headers, RECORD_FIELDS, overrides={"date": "Seen"})
    with pytest.raises(ColumnMappingError, match="there is no field 'colour'"):
        map_columns(headers, RECORD_FIELDS, overrides={"colour": "Lat"})


def test_place_and_location_names_are_not_taken_for_personal_names():
    assert sensitive_columns(["Place name", "Location name", "Site name", "Name"]) == {
        "Name": "a person's name"
    }


def test_uk_dates_and_nights_dated_by_their_evening():
    now = pd.Timestamp("2026-11-25 12:00", tz="Europe/London")
    date = pd.Series(
        [
            "04/11/2026 23:40",
            "2026-11-04T23:40",
            "05/11/2026",
            "05/11/2026",
            "",
            "31/02/2026",
            "2026-11-04T23:40:00Z",
            "01/01/2027 22:00",
            "4/11/1999",
        ]
    )
    time = pd.Series(["", "", "02:10", "", "", "", "", "", ""])
    observed, night, problem = parse_datetimes(date, time, now=now)
    assert observed[0] == pd.Timestamp("2026-11-04 23:40", tz="Europe/London")
    assert observed[1] == observed[0] == observed[6]
    assert observed[2] == pd.Timestamp("2026-11-05 02:10", tz="Europe/London")
    # 02:10 on the 5th belongs to the night of the 4th; a date with no time to its own night
    assert night[:4].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-04"] * 3 + ["2026-11-05"]
    assert problem.tolist()[4:] == [
        "no date given",
        "not a date in a format understood (e.g. 04/11/2026 23:40)",
        None,
        "date is in the future",
        "date is before 2000",
    ]
    assert observed[4:6].isna().all() and observed[7:].isna().all()


def test_clock_change_times_are_read_sensibly():
    date = pd.Series(["25/10/2026 01:30", "29/03/2026 01:30"])
    observed, _, problem = parse_datetimes(date, now=pd.Timestamp("2026-11-25", tz="UTC"))
    assert problem.isna().all()
    assert observed[0].utcoffset() == pd.Timedelta(hours=1)  # first 01:30, still BST
    assert observed[1] == pd.Timestamp("2026-03-29 02:30", tz="Europe/London")  # shifted


def test_separate_time_columns_in_the_forms_people_type():
    date = pd.Series(["04/11/2026"] * 4)
    time = pd.Series(["2340", "23.40", "11:40pm", "23:40:00"])
    observed, _, problem = parse_datetimes(date, time, now=pd.Timestamp("2026-11-25", tz="UTC"))
    assert problem.isna().all()
    assert (observed == pd.Timestamp("2026-11-04 23:40", tz="Europe/London")).all()


def test_yes_no_people_age_and_nationality():
    flag, problem = parse_yes_no(pd.Series(["Y", "no", "", "maybe", "Yes", "Not known"]))
    assert flag.tolist() == [1, 0, pd.NA, pd.NA, 1, pd.NA]
    assert problem.tolist() == [None, None, None, "not a yes/no value", None, None]
    people, problem = parse_people(pd.Series(["2", "", "0", "-1", "1.5", "two", "900"]))
    assert people.tolist()[:3] == [2, 1, 0]
    assert problem.tolist()[3:] == [
        "people is negative",
        "people is not a whole number",
        "people is not a number",
        "people is over 500 at one place",
    ]
    band, under = parse_age_band(pd.Series(["17", "34", "18-25", "U18", "", "130"]))
    assert band.tolist()[:4] == ["under 18", "26-35", "18-25", "under 18"]
    assert pd.isna(band[4]) and pd.isna(band[5])
    assert under.tolist()[:4] == [1, 0, 0, 1]
    group, unrecognised = nationality_group(
        pd.Series(["British", "Polish", "Eritrean", "", "Not recorded", "Atlantean"])
    )
    assert group.tolist() == ["UK", "EU/EEA", "non-EU", "unknown", "unknown", "unknown"]
    assert unrecognised == ["Atlantean"]


# -- the fast paths give the careful paths' answers --------------------------------------------

_CSV_TEXTS = [
    "Date,Place\n04/11/2026,Doorway\n05/11/2026,Car park\n",  # plain: the C engine reads it
    "Date,Place\r\n04/11/2026,Doorway\r\n\r\n , \r\n05/11/2026\r\n",  # blank lines, short line
    'Date;Place;People\n04/11/2026;" Caf\u00e9 ""Nero"" ";2\n05/11/2026;\u00a0Arch\u00a0;\n',
    "Date\tPlace\n04/11/2026\t  Bus stop \n",  # tab separated, padded cells
    "Date,Place\n04/11/2026,Doorway,\n05/11/2026,Arch,,\n",  # empty extra fields: careful
    'Date,Notes\n04/11/2026,"two\nlines"\n05/11/2026,one\n',  # value over two lines: careful
    "\nDate,Place\n04/11/2026,Doorway\n",  # blank line before the header: careful
    "Date,Place\r04/11/2026,Doorway\r",  # old Mac line ends: careful
]


@pytest.mark.parametrize("text", _CSV_TEXTS)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_the_fast_csv_reader_gives_the_careful_readers_cells_and_rows(tmp_path, text, encoding):
    from geo.io import tables
    from geo.io.text import decode, sniff_delimiter

    data = text.encode(encoding)
    read = decode(data, source="f.csv")
    decoded, name, codec = read.text, read.name, read.codec
    delimiter = sniff_delimiter(decoded)
    for header in (False, True):
        careful = tables._read_csv_text(
            decoded, header=header, source="f.csv", encoding=name, delimiter=delimiter
        )
        fast = tables._read_csv_fast(
            decoded,
            data,
            codec=codec,
            delimiter=delimiter,
            header=header,
            source="f.csv",
            encoding=name,
        )
        if fast is None:  # the file needs the careful reader
            assert _CSV_TEXTS.index(text) >= 4
            continue
        pd.testing.assert_frame_equal(fast.frame, careful.frame)
        assert fast.rows.tolist() == careful.rows.tolist()
        assert (fast.blank_lines, fast.ragged, fast.read) == (
            careful.blank_lines,
            careful.ragged,
            careful.read,
        )
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    whole = read_table(path)  # with a header, as imports read files
    pd.testing.assert_frame_equal(whole.frame, careful.frame)
    assert whole.rows.tolist() == careful.rows.tolist()


def test_parsers_give_the_same_answers_on_many_rows_as_on_few():
    """Large columns are parsed once per distinct value; the answers must not change."""
    rng = np.random.default_rng(0)
    now = pd.Timestamp("2026-11-25", tz="Europe/London")
    cells = {
        "date": ["04/11/2026 23:40", "2026-11-05T01:10:00Z", "", "31/02/2026", "05/11/2026", None],
        "time": ["2340", "", "11:40pm", None],
        "yes_no": ["Y", "no", "", "maybe", None, "✓"],
        "people": ["1", "", "2.5", "-1", "600", "x", None, "0"],
        "age": ["17", "u18", "", "45", "130", None],
        "nationality": ["British", "Polish", "Martian", "", None],
        "kind": ["", "count", "visit", "nonsense"],
    }
    n = 5_000
    pick = {k: rng.integers(0, len(v), n) for k, v in cells.items()}
    big = {
        k: pd.Series(np.array(v, dtype=object)[pick[k]], index=range(7, 7 + n))
        for k, v in cells.items()
    }
    few = {k: pd.Series(v, dtype=object) for k, v in cells.items()}

    def spread(answer: pd.Series, key: str) -> pd.Series:
        return pd.Series(answer.array.take(pick[key]), index=big[key].index, dtype=answer.dtype)

    for got, want in zip(
        parse_datetimes(big["date"], now=now), parse_datetimes(few["date"], now=now), strict=True
    ):
        pd.testing.assert_series_equal(got, spread(want, "date"))
    for got, want in zip(parse_yes_no(big["yes_no"]), parse_yes_no(few["yes_no"]), strict=True):
        pd.testing.assert_series_equal(got, spread(want, "yes_no"))
    for got, want in zip(parse_people(big["people"]), parse_people(few["people"]), strict=True):
        pd.testing.assert_series_equal(got, spread(want, "people"))
    for got, want in zip(parse_age_band(big["age"]), parse_age_band(few["age"]), strict=True):
        pd.testing.assert_series_equal(got, spread(want, "age"))
    group, unrecognised = nationality_group(big["nationality"])
    pd.testing.assert_series_equal(
        group, spread(nationality_group(few["nationality"])[0], "nationality")
    )
    assert unrecognised == ["Martian"]
    # two columns at once: a date with a separate time
    date = big["date"].where(big["date"].notna(), "")
    observed, _, problem = parse_datetimes(date, big["time"].reindex(date.index), now=now)
    for i in rng.integers(0, n, 50):
        one = parse_datetimes(date.iloc[[i]], big["time"].iloc[[i]], now=now)
        assert (
            observed.iloc[i] is one[0].iloc[0]
            or observed.iloc[i] == one[0].iloc[0]
            or (pd.isna(observed.iloc[i]) and pd.isna(one[0].iloc[0]))
        )
        assert problem.iloc[i] == one[2].iloc[0]


def test_a_year_typed_as_3000_is_a_date_in_the_future_not_a_crash():
    observed, _, problem = parse_datetimes(
        pd.Series(["01/01/3000", "3000-01-01T10:00:00+01:00", "01/01/1066"]),
        now=pd.Timestamp("2026-11-25", tz="Europe/London"),
    )
    assert problem.tolist() == ["date is in the future"] * 2 + ["date is before 2000"]
    assert observed.isna().all()
