"""Showing text that came from users' files safely in Streamlit's Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: object) -> str:
    """Escape Markdown (and the HTML Markdown would pass through) so text shows as typed."""
    return _MARKDOWN.sub(r"\\\1", str(text))
