"""Downloads that the audit log hears of: every file a page hands out is logged when it is
taken (who, which file), not when the button is drawn.

The file is made when the button is pressed (Streamlit calls ``data`` then, if it is a
callable), and the audit row is written once it is made, as the person who drew the page: the
click is served outside the page's run, where no actor is set. A signed-in person removed from
the users table since the page was drawn gets no file.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.errors import AccessDenied
from geo.privacy.users import access_for
from geo.store.audit import acting_as, current_actor
from ui import data as loaders


def download_button(label: str, data: object, *, file_name: str, **options: Any) -> bool:
    """``st.download_button`` whose file, when taken, is logged as a "download"."""
    store, actor = loaders.store(), current_actor()

    def taken() -> object:
        if actor.role is not None and "@" in actor.user and access_for(store, actor.user) is None:
            raise AccessDenied(f"{actor.user} no longer has access")  # removed since the page
        made = data() if callable(data) else data
        with acting_as(actor):
            store.record_event("download", {"file": file_name})
        return made

    return st.download_button(label, data=taken, file_name=file_name, **options)
