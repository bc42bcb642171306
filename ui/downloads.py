"""Downloads that the audit log hears of: every file a page hands out is logged when it is
taken (who, which file), not when the button is drawn.

The file is made when the button is pressed (Streamlit calls ``data`` then, if it is a
callable), and the audit row is written at that moment, as the person who drew the page: the
click is served outside the page's run, where no actor is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from geo.store.audit import acting_as, current_actor
from ui import data as loaders


def download_button(label: str, data: object, *, file_name: str, **options: Any) -> bool:
    """``st.download_button`` whose file, when taken, is logged as a "download"."""
    store, actor = loaders.store(), current_actor()

    def taken() -> object:
        with acting_as(actor):
            store.record_event("download", {"file": file_name})
        return data() if callable(data) else data

    made: Callable[[], object] = taken
    return st.download_button(label, data=made, file_name=file_name, **options)  # type: ignore[arg-type]
