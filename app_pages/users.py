"""Users and audit (admins): who may sign in with which role, the settings only admins change,
and the audit log, which nobody can edit."""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.importing.areas import council_names
from geo.io.exports import table_csv
from geo.privacy import ROLES, rights
from geo.privacy import users as people
from geo.store.audit import current_actor
from ui import data, session
from ui.downloads import download_button
from ui.text import plain

AUDIT_HEADINGS = {
    "seq": "No.",
    "at": "When (UTC)",
    "user": "Who",
    "role": "Role",
    "action": "What",
    "detail": "Details",
}

#: The council choice that takes a user's council away (no council code looks like it).
UNBOUND = "(no council)"
_CHOICES = {None: "As before", UNBOUND: "No council (every council's records)"}

role = session.role()
store = data.store()
st.title("Users and audit")
try:
    people.check_can_manage(role)
except AtlasError as err:
    st.info(plain(err))
    st.stop()

st.subheader("Who may sign in")
table = people.users(store, role=role)
named = council_names(store).to_dict()  # "Brighton and Hove (E06000043)" where a name is known
own = current_actor().council  # an admin bound to a council manages its side only


def _council(code: object) -> object:
    """A council as admins read it: its name and code, or the code alone when none is known."""
    name = named.get(code)
    return f"{name} ({code})" if name and name != code else code


st.dataframe(
    table.assign(council=table["council"].map(_council)).rename(
        columns={
            "email": "Email",
            "role": "Role",
            "agency": "Agency",
            "added_by": "Added by",
            "added_at": "Added (UTC)",
            "council": "Council",
        }
    ),
    hide_index=True,
    width="stretch",
)
with st.form("add_user", clear_on_submit=True):
    st.markdown("**Add someone, or change their role**")
    email_column, role_column, agency_column, council_column = st.columns(4)
    email = email_column.text_input("Email (as they sign in)", key="user_email")
    new_role = role_column.selectbox("Role", ROLES, key="user_role")
    agency = agency_column.text_input("Agency", key="user_agency")
    council = council_column.selectbox(
        "Council",
        [None, UNBOUND, *named] if own is None else [own],
        format_func=lambda code: _CHOICES.get(code) or _council(code),
        key="user_council",
        help=(
            "A user bound to a council reads only its records and those shared with it; one"
            " bound to none reads every council's. 'As before' keeps an existing user's council"
            " (a new user is bound to none)."
        ),
    )
    if st.form_submit_button("Save", type="primary"):
        try:
            user = people.add_user(
                store,
                email,
                role=role,
                new_role=new_role,
                agency=agency,
                council=None if council in (None, UNBOUND) else council,
                unbind=council == UNBOUND,
            )
        except AtlasError as err:
            st.error(plain(err))
        else:
            st.success(f"{plain(user.email)} may sign in as {user.role}.")
            st.rerun()
if len(table):
    with st.form("remove_user"):
        st.markdown("**Remove someone** (they lose access at their next click)")
        gone = st.selectbox("Email", table["email"].tolist(), key="remove_email")
        sure = st.checkbox("Yes, remove them", key="remove_sure")
        if st.form_submit_button("Remove"):
            try:
                if not sure:
                    st.warning("Tick 'Yes, remove them' first.")
                elif people.remove_user(store, gone, role=role):
                    st.success(f"{plain(gone)} can no longer sign in.")
                    st.rerun()
            except AtlasError as err:
                st.error(plain(err))

st.subheader("Data-sharing agreements between councils")
st.caption(
    "An agreement lets the users bound to one council read another council's records. Each is"
    " kept with who made it and why, and written to the audit log; ending one takes effect at"
    " the next click."
)
agreed = people.agreements(store, role=role)
st.dataframe(
    agreed.assign(
        from_council=agreed["from_council"].map(_council),
        to_council=agreed["to_council"].map(_council),
    ).rename(
        columns={
            "from_council": "Records of",
            "to_council": "Read by",
            "by": "Agreed by",
            "reason": "Reason",
            "at": "Agreed (UTC)",
            "ended_at": "Ended (UTC)",
            "ended_by": "Ended by",
        }
    ),
    hide_index=True,
    width="stretch",
)
in_force = agreed.loc[agreed["ended_at"].isna()]
# councils with wards, and any named by an agreement in force (so that it can be ended)
councils = sorted({*named, *in_force["from_council"], *in_force["to_council"]})
if len(councils) < 2:
    st.caption(
        "Agreements are between councils whose wards are in the store: import each council's"
        " wards with its code (the Import page, or `python -m geo import wards FILE --council"
        " CODE`)."
    )
else:
    with st.form("share"):
        giver_column, taker_column, why_column = st.columns(3)
        giver = giver_column.selectbox(
            "Records of council",
            # a bound admin shares their own council's records (first), and may end an
            # agreement another council made with theirs
            councils if own is None else [own, *(c for c in councils if c != own)],
            format_func=_council,
            key="share_from",
        )
        taker = taker_column.selectbox(
            "May be read by council", councils, index=1, format_func=_council, key="share_to"
        )
        why = why_column.text_input("Reason (the agreement's reference)", key="share_reason")
        start, stop = st.columns(2)
        if start.form_submit_button("Record the agreement"):
            try:
                people.share(store, giver, taker, role=role, reason=why)
            except AtlasError as err:
                st.error(plain(err))
            else:
                st.rerun()
        if stop.form_submit_button("End the agreement"):
            try:
                people.end_share(store, giver, taker, role=role)
            except AtlasError as err:
                st.error(plain(err))
            else:
                st.rerun()

st.subheader("Settings")
if own is not None:
    st.caption(
        f"Settings hold for every council, so an admin bound to no council changes them; you"
        f" are bound to {_council(own)}."
    )
kept = store.settings()
for name, (_default, words) in people.SETTINGS.items():
    on = bool(people.setting(store, name))
    changed = kept.get(name)
    st.write(f"**{words[:1].upper() + words[1:]}**: {'on' if on else 'off'}")
    if changed is not None:
        why = f", reason: {plain(changed.reason)}" if changed.reason else ""
        st.caption(f"Changed by {plain(changed.changed_by)} on {changed.changed_at}{why}.")
    if own is not None:
        continue  # settings hold for every council (see the caption)
    with st.form(f"setting_{name}"):
        reason = st.text_input(
            "Reason (turning on: the data protection impact assessment's reference)",
            key=f"reason_{name}",
        )
        if st.form_submit_button("Turn off" if on else "Turn on"):
            try:
                people.change_setting(store, name, not on, role=role, reason=reason or None)
            except AtlasError as err:
                st.error(plain(err))
            else:
                st.rerun()

st.subheader("People's rights and retention")
st.caption(
    "A subject access request: every record held about one person, found by the reference the"
    " agency gave them. Erasing deletes those records. Both are written to the audit log, never"
    " with the reference itself."
)
agencies = list(data.agencies(store.location, data.keys(store)[0]))
if not agencies:
    st.info("No records yet: nothing is held about anyone.")
with st.form("subject_access"):
    ref_column, agency_column, namespace_column = st.columns(3)
    ref = ref_column.text_input("Person reference", key="rights_ref")
    agency = agency_column.selectbox("Agency", agencies, key="rights_agency")
    namespace = namespace_column.text_input(
        "Shared reference system (blank: the agency's own)", key="rights_namespace"
    )
    find, erase = st.columns(2)
    asked = find.form_submit_button("Find their records")
    sure = st.checkbox("Yes, erase every record found for this person", key="rights_sure")
    erasing = erase.form_submit_button("Erase their records")
if (asked or erasing) and agency is not None:
    try:
        options = {"ref": ref, "agency": str(agency), "ref_namespace": namespace or None}
        if erasing and sure:
            erased = rights.erase_person(store, role=role, **options)
            st.success(f"Erased {erased.get('records', 0):,} records of this person.")
        else:
            if erasing:
                st.warning("Tick 'Yes, erase...' to erase; here is what would go.")
            held = rights.subject_access(store, role=role, **options)
            st.write(f"{len(held):,} records held for this person.")
            download_button(
                "Their records (CSV)",
                data=table_csv(held).encode("utf-8-sig"),
                file_name="subject-access.csv",
                mime="text/csv",
                on_click="ignore",
                icon=":material/download:",
                key="rights_csv",
            )
    except AtlasError as err:
        st.error(plain(err))

period = rights.retention_period()
preview = rights.purge(store, role=role, dry_run=True)
st.write(
    f"Records are kept for **{rights.period_words(period)}**: records of nights before"
    f" {preview.kept_from.day} {preview.kept_from:%B %Y} are due to be deleted"
    f" ({preview.deleted.get('records', 0):,} now)."
)
if preview.deleted.get("records", 0):
    with st.form("purge"):
        sure = st.checkbox("Yes, delete them for good", key="purge_sure")
        if st.form_submit_button("Delete them now"):
            if not sure:
                st.warning("Tick 'Yes, delete them for good' first.")
            else:
                done = rights.purge(store, role=role)
                gone = done.deleted.get("records", 0)
                st.success(f"Deleted {gone:,} records older than {rights.period_words(period)}.")

st.subheader("Audit log")
st.caption(
    "Sign-ins, page views with their filters, imports, exports and every change, with who and"
    " when. It is only ever added to: nobody can change or remove an entry."
)
log = people.audit_log(store, role=role).iloc[::-1].rename(columns=AUDIT_HEADINGS)
actions = sorted(log["What"].unique())
shown = st.multiselect("Actions", actions, key="audit_actions", placeholder="All actions")
if shown:
    log = log.loc[log["What"].isin(shown)]
st.dataframe(log.head(1000), hide_index=True, width="stretch")
download_button(
    "Audit log (CSV)",
    data=table_csv(log).encode("utf-8-sig"),
    file_name="audit-log.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="audit_csv",
)
