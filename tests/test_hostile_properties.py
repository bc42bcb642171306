"""Random and malformed rows and files thrown at the records importer (issue 15), with
Hypothesis: whatever the rows, ``read == stored + skipped + rejected``; the store's records grow
by exactly ``stored``; an import refused with an ``AtlasError`` changes no count.

Hypothesis comes with requirements-dev.txt; from a plain install these tests skip, saying so.
"""

from __future__ import annotations

import csv
import io
import itertools

import pandas as pd
import pytest

from geo.errors import AtlasError
from geo.importing import import_records
from tests.shapes import CLOCK_TOWER, store_with_wards

pytest.importorskip(
    "hypothesis", reason="property tests need hypothesis: pip install -r requirements-dev.txt"
)
from hypothesis import event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

HEADERS = (
    "Record ID", "Kind", "Date", "Time", "Date/Time", "Latitude", "Longitude", "Easting",
    "Northing", "Grid ref", "Postcode", "Place", "Location", "People", "Client Ref", "CHAIN ID",
    "Sex", "Age", "Nationality", "Language", "Interpreter needed", "NRPF", "Trafficking",
    "Under 18", "Outcome", "Notes", "Full Name", "DOB", "Mobile", "",
)  # fmt: skip
NASTY = (
    "", " ", "04/11/2026", "2026-11-04T23:40:00+00:00", "31/02/2026", "23:40", "25:99",
    str(CLOCK_TOWER[1]), str(CLOCK_TOWER[0]), "50.8226", "-0.1372", "531040", "104624",
    "TQ 31040 04624", "BN1 1AA", "ZZ99 3VZ", "1", "0", "-1", "two", "1e308", "-1e308",
    "99999999999999999999999999", "NaN", "inf", "Y", "N", "maybe", "18-24", "under 18",
    "street_count", "visit", "referral", "Polish", "British",
    '=HYPERLINK("http://example.invalid","click")', "+SUM(A1:A9)", "@cmd", "-2+3",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "x" * 5000,
    "\u202eevil\u202c", "\x00", "\x1b[31m", "caf\u00e9", "\U0001f600", "\ufeff", "a\r\nb",
)  # fmt: skip

cells = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=10),
)
junk_headers = st.lists(
    st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), min_size=0, max_size=5
)
#: Cells a working file holds, so most examples reach the parse, locate and store steps.
PLAUSIBLE = {
    "Date": st.sampled_from(["04/11/2026", "05/11/2026", "2026-11-04", "4 Nov 2026"]),
    "Latitude": st.floats(50.80, 50.90).map(str),  # in a ward, or north of both
    "Longitude": st.floats(-0.20, -0.08).map(str),
    "People": st.sampled_from(["1", "2", "0", ""]),
}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")


@st.composite
def tables(draw, cell=cells) -> tuple[list[str], list[list[object]]]:
    """A header and ragged rows: the columns of a working file (often, each cell plausible or
    nasty) and random headers of known fields and junk, in any order."""
    working = draw(st.sampled_from([True, True, True, False]))
    any_known = st.lists(st.sampled_from(list(PLAUSIBLE)), unique=True, max_size=4)
    known = list(PLAUSIBLE) if working else draw(any_known)
    header = draw(st.permutations(known + draw(junk_headers)))
    if not header:
        header = [draw(st.sampled_from(HEADERS))]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + (draw(st.integers(-1, 2)) if draw(st.integers(0, 4)) == 0 else 0)
        row = []
        for i in range(width):  # a known column's cell is plausible four times in five
            name = header[i] if i < len(header) else ""
            plausible = name in PLAUSIBLE and draw(st.integers(0, 4)) > 0
            row.append(draw(PLAUSIBLE[name] if plausible else cell))
        rows.append(row)
    return list(header), rows


@st.composite
def csv_bytes(draw) -> bytes:
    """A CSV-ish file: a header, ragged rows of nasty cells, a delimiter, an encoding."""
    header, rows = draw(tables())
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.replace('"', "")  # unbalanced quoting as hand-made files have
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    return data + draw(st.binary(max_size=8)) if draw(st.booleans()) else data


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    """One store for every example (Hypothesis runs many examples per test)."""
    return store_with_wards(tmp_path_factory.mktemp("hostile"))


_files = itertools.count()


def import_and_check(store, data, **options) -> None:
    """Import; either an AtlasError and no count changed, or the accounting and counts add up."""
    before = store.counts()
    try:
        # an agency of its own: rows are not duplicates of an earlier example's
        report = import_records(store, data, agency=f"Team {next(_files)}", **options)
    except AtlasError as err:
        event(f"refused: {type(err).__name__}")  # --hypothesis-show-statistics shows the mix
        assert store.counts() == before
        return
    event("stored some" if report.stored else "accounted, none stored")
    after = store.counts()
    assert report.read == report.stored + report.skipped + report.rejected
    assert after["records"] == before["records"] + report.stored
    assert {k: after[k] for k in ("areas", "services", "police")} == {
        k: before[k] for k in ("areas", "services", "police")
    }


#: No example database: nothing is written into the working copy, and runs stay alike.
SETTINGS = settings(max_examples=60, deadline=None, database=None)


@SETTINGS
@given(data=csv_bytes(), suffix=st.sampled_from([".csv", ".txt"]))
def test_random_csv_files_are_accounted_for_or_refused_whole(shared_store, data, suffix):
    path = shared_store.path.parent / f"random-{next(_files)}{suffix}"
    path.write_bytes(data)
    import_and_check(shared_store, path)


@SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.sampled_from(list(b'Date,;|\t\r\n"\xe9\xff\x80 0123456789/.-')), max_size=300
        ).map(bytes),
    ),
    suffix=st.sampled_from([".csv", ".xlsx", ".txt"]),
)
def test_random_bytes_are_refused_with_an_atlas_error_or_accounted_for(shared_store, data, suffix):
    path = shared_store.path.parent / f"bytes-{next(_files)}{suffix}"
    path.write_bytes(data)
    import_and_check(shared_store, path)


@SETTINGS
@given(
    table=tables(
        cell=st.one_of(cells, st.none(), st.integers(), st.floats(), st.booleans(), st.datetimes())
    )
)
def test_random_data_frames_are_accounted_for_or_refused_whole(shared_store, table):
    header, rows = table
    rows = [(row + [None] * len(header))[: len(header)] for row in rows]
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    frame.columns = header  # repeated and blank headers as a form or an API might send
    import_and_check(shared_store, frame, source="form")
