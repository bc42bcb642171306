"""Hostile and broken input (issue 15): size caps, unsafe zips, mislabelled files, and random
rows and bytes thrown at the records importer.

Hand working:

- Size cap. ``big.csv`` is 2,048 bytes ("2.0 KB"). A cap of 0.001 MB is 1,048.576 bytes, shown
  as "1.0 KB": the file is refused before it is read, so its content need not even be a table,
  and the store's counts stay as they were. With the cap at 1 MB (1,048,576 bytes) or none, the
  same file's one row (a street count at the clock tower, in East ward) is stored.
- Zip bombs. 2 MiB of blank lines deflates to about 2 KB, so the zip expands about 1,000-fold: with
  the floor lowered to 1 MiB, 2 MiB > 1 MiB and 2 MiB > 100 x 2 KB, refused. At the real floor
  (2 GiB) the same zip is allowed: both conditions must hold.
- Member count. With the cap lowered to 3, a zip of 5 members is refused naming the last.
- Mislabelled files: each case names the file and what its first bytes say it is.

The property tests (random rows and bytes) are in tests/test_hostile_properties.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import AtlasError, InputFileError
from geo.importing import (
    import_areas,
    import_places,
    import_police,
    import_postcodes,
    import_records,
    import_services,
)
from geo.importing.context import import_context
from geo.io import limits
from geo.io.file_kinds import seems_to_be
from geo.io.zips import check_zip
from tests.shapes import CLOCK_TOWER, store_with_wards

LON, LAT = CLOCK_TOWER
ONE_ROW = f"Date,Time,Latitude,Longitude,People\n04/11/2026,23:40,{LAT},{LON},1\n"


@pytest.fixture
def store(tmp_path):
    return store_with_wards(tmp_path)


def padded(text: str, size: int) -> bytes:
    """``text`` padded with blank lines (which are not rows) to ``size`` bytes."""
    data = text.encode()
    return data + b"\n" * (size - len(data))


# -- 1. size cap ----------------------------------------------------------------------------------
def test_an_upload_over_the_cap_is_refused_naming_its_size_the_cap_and_the_fix(
    store, tmp_path, monkeypatch
):
    path = tmp_path / "big.csv"
    path.write_bytes(padded(ONE_ROW, 2048))
    monkeypatch.setenv(limits.MAX_UPLOAD_MB_ENV, "0.001")
    before = store.counts()
    with pytest.raises(
        InputFileError,
        match=r"big\.csv is 2\.0 KB, over the upload limit of 1\.0 KB: import it on the server"
        r" with 'python -m geo import \.\.\.'.*OUTREACH_ATLAS_MAX_UPLOAD_MB",
    ):
        import_records(store, path, agency="Outreach")
    assert store.counts() == before


def test_under_the_cap_or_with_no_cap_the_same_file_imports(store, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(padded(ONE_ROW, 2048))
    monkeypatch.setenv(limits.MAX_UPLOAD_MB_ENV, "0.001")
    assert import_records(store, path, agency="Outreach", max_mb=1).stored == 1
    assert import_records(store, path, agency="Other team", max_mb=None).stored == 1
    monkeypatch.delenv(limits.MAX_UPLOAD_MB_ENV)
    assert limits.upload_cap_mb() == 200


def test_the_command_line_has_no_cap(store, tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(padded(ONE_ROW, 2048))
    monkeypatch.setenv(limits.MAX_UPLOAD_MB_ENV, "0.001")
    argv = ["import", "records", str(path), "--store", str(tmp_path / "atlas.sqlite")]
    assert main([*argv, "--agency", "Outreach"]) == 0
    assert store.counts()["records"] == 1


@pytest.mark.parametrize(
    ("name", "run"),
    [
        ("records.csv", lambda s, p: import_records(s, p, agency="Outreach")),
        ("services.csv", lambda s, p: import_services(s, p)),
        ("police.csv", lambda s, p: import_police(s, p)),
        ("wards.geojson", lambda s, p: import_areas(s, p)),
        ("postcodes.zip", lambda s, p: import_postcodes(s, p)),
        ("places.csv", lambda s, p: import_places(s, p)),
        ("context.csv", lambda s, p: import_context(s, p)),
    ],
)
def test_every_importer_checks_the_cap_before_reading(store, tmp_path, monkeypatch, name, run):
    path = tmp_path / name
    path.write_bytes(b"\x00junk\x00" * 512)  # 3,072 bytes: not even a file of its kind
    monkeypatch.setenv(limits.MAX_UPLOAD_MB_ENV, "0.001")
    before = store.counts()
    refused = rf"{re.escape(name)} is 3\.0 KB, over the upload limit"
    with pytest.raises(InputFileError, match=refused):
        run(store, path)
    assert store.counts() == before


@pytest.mark.parametrize("value", ["lots", "0", "-5", "inf"])
def test_a_cap_that_is_not_a_size_is_refused(store, tmp_path, monkeypatch, value):
    path = tmp_path / "count.csv"
    path.write_text(ONE_ROW)
    monkeypatch.setenv(limits.MAX_UPLOAD_MB_ENV, value)
    with pytest.raises(AtlasError, match=rf"OUTREACH_ATLAS_MAX_UPLOAD_MB='{value}' is not a size"):
        import_records(store, path, agency="Outreach")
    with pytest.raises(InputFileError, match=r"max_mb=0: give 'upload'"):
        import_records(store, path, agency="Outreach", max_mb=0)


# -- 2. zip safety --------------------------------------------------------------------------------
def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


POSTCODES = b"pcds,lat,long\nBN1 1AA,50.8226,-0.1372\n"


@pytest.mark.parametrize(
    "member", ["../postcodes.csv", "/etc/postcodes.csv", "C:\\postcodes.csv", "a/../../b.csv"]
)
def test_a_zip_member_escaping_its_folder_is_refused_naming_the_member(store, tmp_path, member):
    path = write_zip(tmp_path / "onspd.zip", {"data/onspd.csv": POSTCODES, member: POSTCODES})
    before = store.counts()
    with pytest.raises(
        InputFileError,
        match=rf"onspd\.zip holds {re.escape(repr(member))}, a name that points outside",
    ):
        import_postcodes(store, path)
    assert store.counts() == before
    assert store.lookups().get("postcodes") is None


def test_a_boundary_zip_is_checked_before_gdal_sees_it(store, tmp_path):
    wards = (tmp_path / "wards.geojson").read_bytes()  # the file store_with_wards imported
    path = write_zip(tmp_path / "wards.zip", {"wards.geojson": wards, "../../evil.txt": b"x"})
    before = store.counts()
    with pytest.raises(InputFileError, match=r"wards\.zip holds '\.\./\.\./evil\.txt'"):
        import_areas(store, path)
    assert store.counts() == before


def test_a_zip_expanding_far_beyond_its_size_is_refused(store, tmp_path, monkeypatch):
    path = write_zip(tmp_path / "codepo.zip", {"data/bn.csv": POSTCODES + b"\n" * (2 * 1024**2)})
    assert path.stat().st_size < 10 * 1024
    assert check_zip(path)[0].filename == "data/bn.csv"  # 2 MiB: under the real 2 GiB floor
    monkeypatch.setattr(limits, "MAX_ZIP_EXPANDED_BYTES", 1024**2)
    before = store.counts()
    with pytest.raises(
        InputFileError,
        match=r"codepo\.zip would expand from [\d.]+ KB to 2\.0 MB \(its largest file,"
        r" 'data/bn\.csv', to 2\.0 MB\), more than 100 times its size",
    ):
        import_postcodes(store, path)
    assert store.counts() == before


def test_a_workbook_is_a_zip_and_is_checked_too(store, tmp_path, monkeypatch):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Date", "Latitude", "Longitude"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "count.xlsx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        target.writestr("xl/media/pad.bin", b"\0" * 2 * 1024**2, zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(limits, "MAX_ZIP_EXPANDED_BYTES", 1024**2)
    with pytest.raises(InputFileError, match=r"count\.xlsx would expand .* 'xl/media/pad\.bin'"):
        import_records(store, path, agency="Outreach")


def test_a_zip_of_too_many_members_is_refused(store, tmp_path, monkeypatch):
    members = {f"data/{i}.csv": POSTCODES for i in range(5)}
    path = write_zip(tmp_path / "codepo.zip", members)
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 3)
    with pytest.raises(
        InputFileError, match=r"codepo\.zip holds 5 files, more than the 3 .* 'data/4\.csv'"
    ):
        import_postcodes(store, path)


# -- 3. files that are not what they claim ---------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "run", "message"),
    [
        ("count.xlsx", ONE_ROW.encode(), "records", "not an Excel workbook: it seems to be CSV"),
        ("count.xlsx", PNG, "records", "not an Excel workbook: it seems to be a PNG image"),
        ("count.csv", PNG, "records", "not a CSV text file: it seems to be a PNG image"),
        ("count.csv", b"Date,\x00\x01\x02\x00", "records", "not a CSV .*: .* binary data"),
        ("count.csv", xlsx_bytes(), "records", r"not a CSV .*: .* an Excel workbook \(\.xlsx\)"),
        ("onspd.zip", POSTCODES, "postcodes", "not a zip archive: it seems to be CSV or other"),
        ("onspd.csv", b"%PDF-1.7\n", "postcodes", "not a CSV text file: it seems to be a PDF"),
        ("wards.zip", ONE_ROW.encode(), "areas", "not a zip archive: it seems to be CSV"),
        ("wards.geojson", ONE_ROW.encode(), "areas", r"not JSON \(GeoJSON\): .* CSV or other"),
        ("wards.geojson", PNG, "areas", r"not JSON \(GeoJSON\): it seems to be a PNG image"),
        ("wards.gpkg", b"<!DOCTYPE html><html>", "areas", "not a GeoPackage: .* web page"),
        ("services.geojson", b"Name\nSt Anne's\n", "services", r"not JSON .*: .* CSV or other"),
        ("places.csv", PNG, "places", "not a CSV text file: it seems to be a PNG image"),
    ],
)
def test_a_file_that_is_not_what_it_claims_gets_one_clear_error(
    store, tmp_path, name, data, run, message
):
    path = tmp_path / name
    path.write_bytes(data)
    importer = {
        "records": lambda p: import_records(store, p, agency="Outreach"),
        "postcodes": lambda p: import_postcodes(store, p),
        "areas": lambda p: import_areas(store, p),
        "services": lambda p: import_services(store, p),
        "places": lambda p: import_places(store, p),
    }[run]
    before = store.counts()
    with pytest.raises(InputFileError, match=rf"^{re.escape(name)} is {message}"):
        importer(path)
    assert store.counts() == before


def test_utf16_text_with_its_byte_order_mark_is_still_text():
    assert seems_to_be("Date,Place\n".encode("utf-16")) == "CSV or other text"
