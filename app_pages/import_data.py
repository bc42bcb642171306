"""Import: upload a file, see what happened to every row, download the rejected rows; the
imports so far and how the store's records were located (counts only: admins see no records)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import importing
from geo.analysis.completeness import file_gaps
from geo.errors import AccessDenied, AtlasError
from geo.importing import quality
from geo.importing.areas import council_names
from geo.importing.context import import_context
from geo.privacy import check_can_import
from geo.schema import RECORD_KINDS
from geo.store import Store
from geo.store.base import LookupKind
from ui import data, session
from ui.downloads import download_button
from ui.text import plain

role = session.role()
st.title("Import")
try:
    check_can_import(role)
except AccessDenied as err:
    st.info(str(err))
    st.stop()

WHAT = {
    "Records (street counts, contacts, referrals, visits)": "records",
    "Ward boundaries": "wards",
    "Services": "services",
    "police.uk street-level crime file": "police",
    "Postcode directory (ONSPD, NSPL or Code-Point Open)": "postcodes",
    "Place names the teams use (gazetteer)": "places",
    "Ward context (population, deprivation, rural or urban)": "context",
}
#: What each kind of file may be; None: anything the reader recognises.
TYPES: dict[str, list[str] | None] = {
    "records": ["csv", "xlsx"],
    "wards": None,
    "services": None,
    "police": ["csv"],
    "postcodes": ["csv", "zip"],
    "places": ["csv"],
    "context": ["csv", "xlsx"],
}


def _save(uploaded, folder: Path) -> Path:  # noqa: ANN001 - Streamlit's UploadedFile
    path = folder / Path(uploaded.name).name
    path.write_bytes(uploaded.getvalue())
    return path


def _kept(current: Store, kind: LookupKind) -> str | None:
    """What the store keeps to locate ``kind`` by, in words; None if nothing."""
    kept = current.lookups().get(kind)
    if kept is None:
        return None
    unit = "postcodes" if kind == "postcodes" else "places"
    at = quality.local_time(kept.imported_at)
    return f"**{plain(kept.name)}** ({kept.entries:,} {unit}, imported {plain(at)})"


def _upload_form(current: Store) -> None:
    """Choose what to import, upload it, and import it into ``current`` on the button."""
    what = WHAT[st.radio("What are you importing?", list(WHAT), key="import_what")]
    upload = st.file_uploader("File", key=f"import_file_{what}", type=TYPES[what])
    options: dict[str, object] = {}
    if what == "records":
        c1, c2 = st.columns(2)
        options["agency"] = c1.text_input(
            "Agency", key="import_agency", placeholder="e.g. Council outreach team"
        )
        options["kind"] = c2.selectbox(
            "Kind of rows without a kind column", RECORD_KINDS, key="import_kind"
        )
        options["ref_namespace"] = c1.text_input(
            "Shared reference system (leave blank if the references are your agency's own)",
            key="import_ref_namespace",
            placeholder="e.g. CHAIN, or your partnership's by-name list",
            help="People with the same reference in the same shared system are one person,"
            " whichever agency recorded them. Your agency's own client numbers never match"
            " another agency's.",
        )
        for kind, words in (("postcodes", "Postcodes"), ("places", "Place names")):
            kept = _kept(current, kind)
            st.caption(
                f"{words} are located with {kept}."
                if kept
                else f"{words} cannot be located yet: import a"
                f" {'postcode directory' if kind == 'postcodes' else 'gazetteer'} first (above)."
            )
    elif what == "wards":
        options["layer"] = st.text_input(
            "Layer (GeoPackage with several layers)", key="import_layer"
        )
        options["local_authority"] = st.text_input(
            "Keep only this local authority code (e.g. E06000043)", key="import_lad"
        )
        c1, c2 = st.columns(2)
        options["council"] = c1.text_input(
            "These are one council's wards: its code (optional)",
            key="import_council",
            placeholder="e.g. E06000043",
            help="In a partnership of councils, load each council's ward file with its code:"
            " only that council's wards are replaced and the others' are kept. Leave blank to"
            " replace every ward.",
        )
        options["council_name"] = c2.text_input(
            "The council's name (optional)",
            key="import_council_name",
            placeholder="e.g. Brighton and Hove",
            help="How pages name the council; taken from the file's local authority name"
            " column when it has one.",
        )
    elif what in {"postcodes", "places"}:
        kept = _kept(current, what)  # type: ignore[arg-type]
        st.caption(
            (f"Kept now: {kept}. " if kept else "")
            + "It is kept in the store and used by every later import and the sighting form;"
            " a new one replaces it."
        )
        if what == "postcodes":
            st.caption(
                "A whole-country directory (ONSPD or NSPL, over 1 GB) is too big to upload: on"
                " the server, run `python -m geo import postcodes ONSPD.zip`. Your area's"
                " extract, or Code-Point Open's zip, uploads here."
            )

    elif what == "context":
        st.caption(
            "A CSV or Excel file with a column of ward codes and any columns of figures about"
            " each ward, such as two years of population estimates, the deprivation decile or"
            " the rural-urban class. It is shown in the ward profile and beside the tension"
            " watch, as background: it never decides anything. Columns about the ethnic,"
            " national or religious make-up of an area are never kept. A new file replaces it."
        )

    if upload is None or not st.button("Import", type="primary", key="import_go"):
        return
    with tempfile.TemporaryDirectory() as tmp, st.spinner("Importing..."):
        folder = Path(tmp)
        path = _save(upload, folder)
        try:
            if what == "records":
                result = importing.import_records(
                    current,
                    path,
                    agency=str(options["agency"]),
                    kind=str(options["kind"]),
                    ref_namespace=str(options["ref_namespace"]) or None,
                )
            elif what == "wards":
                result = importing.import_areas(
                    current,
                    path,
                    layer=str(options["layer"]) or None,
                    local_authority=str(options["local_authority"]) or None,
                    council=str(options["council"]).strip() or None,
                    council_name=str(options["council_name"]).strip() or None,
                )
            elif what == "services":
                result = importing.import_services(current, path)
            elif what == "postcodes":
                result = importing.import_postcodes(current, path)
            elif what == "places":
                result = importing.import_places(current, path)
            elif what == "context":
                result = import_context(current, path)
            else:
                result = importing.import_police(current, path)
        except AtlasError as err:
            st.error(plain(err))
            st.stop()
    st.session_state["last_import"] = result


current = data.store()
if data.showing_demo_store(current):
    st.warning(
        "You are looking at the **synthetic demo borough**. The files you import are about real"
        " people, so they go into a real store of their own and are never mixed with made-up"
        " people. Start one here: every page then shows your data (empty until you import your"
        " ward boundaries), and the demo stays in its own store.",
        icon=":material/science:",
    )
    if st.button("Start a real store", type="primary", key="import_start_real"):
        data.start_real_store()
        st.session_state.pop("last_import", None)
        st.rerun()
else:
    _upload_form(current)

result = st.session_state.get("last_import")
if result is not None:
    report = result.to_dict()
    st.subheader(f"What happened to {plain(report['source'])}")
    cols = st.columns(5)
    for col, (label, key) in zip(
        cols,
        [
            ("Read", "read"),
            ("Stored", "stored"),
            ("Skipped (duplicates)", "skipped"),
            ("Rejected", "rejected"),
            ("Outside every ward", "outside_areas"),
        ],
        strict=True,
    ):
        col.metric(label, report[key])
    if report["rejected_by_reason"]:
        st.write("**Rejected, by reason**")
        st.dataframe(
            pd.DataFrame(list(report["rejected_by_reason"].items()), columns=["reason", "rows"]),
            hide_index=True,
        )
    for reason, count in dict(report.get("skipped_by_reason", {})).items():
        st.write(f"Skipped {count}: {plain(reason)}")
    if report.get("council"):
        kept = int(report.get("kept_other_councils") or 0)
        council = str(report["council"])
        st.write(
            f"Council **{plain(council_names(current).get(council, council))}**: its wards"
            " replaced;"
            f" {kept:,} {'ward' if kept == 1 else 'wards'} of other councils kept."
        )
    if isinstance(result, importing.ImportReport):
        for column, note in result.columns_not_stored.items():
            if note.reason == "personal" or result.kind == "context":
                st.write(f"Column **{plain(column)}** not stored: {plain(note.text)}")
        if result.ref_namespace:
            st.write(f"References are from the shared system **{plain(result.ref_namespace)}**.")
    if isinstance(result, importing.ImportReport) and result.located_by:
        st.write("**How this file's rows were located**")
        st.dataframe(quality.file_located_by(result.located_by), hide_index=True)
        st.caption("The rows stored from this file; rows skipped as duplicates are not counted.")
    if isinstance(result, importing.ImportReport) and result.completeness.get("records"):
        st.write("**What this file's records leave out**")
        st.dataframe(file_gaps(result.completeness), hide_index=True)
        st.caption(
            f"Of the {result.completeness['records']:,} records of people stored from this"
            " file (visits are not counted)."
        )
    for warning in report.get("warnings", []):
        st.warning(plain(warning["text"]))
    if isinstance(result, importing.ImportReport) and result.rejected:
        st.dataframe(result.rejects, hide_index=True)
        download_button(
            "Download rejected rows (CSV)",
            data=result.rejects_csv,
            file_name=f"rejected-{Path(str(report['source'])).stem}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="import_rejects",
        )

key = data.keys(current)[1]
st.subheader("Imports so far")
st.dataframe(data.import_log(current.location, key, role), hide_index=True)
st.caption(
    "Newest first, in London time. Read = stored + skipped as duplicates + rejected."
    " Outside every ward: stored, but in no ward when the file was imported."
)

st.subheader("How records were located")
located = data.how_located(current.location, key, role)
st.dataframe(located.table, hide_index=True)
if located.basis == "import_log":
    st.caption(
        "Counts only, summed from each import's accounting (this role sees no records): the"
        " rows each file stored, how they were located, and those outside every ward as the"
        " wards were then. How precisely each record was located is not kept in the import log."
    )
else:
    st.caption(
        "Every record in the store now, by agency: how it was located, how precisely (its"
        " true place is within that distance), and how many fall outside every ward."
    )
