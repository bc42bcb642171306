"""PDFs people print for meetings: marked pages, made from HTML templates with WeasyPrint.

Every PDF is A4 with its protective marking ("OFFICIAL-SENSITIVE") at the top and bottom of
every page, "Page X of Y", and a masthead saying who made it and when. Templates live in
``templates/`` (Jinja, autoescape on: every value from a record is escaped, so a place called
``<script>`` prints as those characters). WeasyPrint loads nothing from the network or the
disk: its URL fetcher takes ``data:`` URIs only (images are embedded that way) and a
document that refers to anything else is refused (:func:`render_pdf` raises).

:func:`pdf_document` is the building block for briefs: a title, then sections of paragraphs,
tables and PNG images. The patrol sheet is :func:`geo.io.exports.patrol_pdf.patrol_pdf`.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from geo.io.exports.stamp import MARKING, Stamp, made_when
from geo.io.exports.tables import for_people

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = [
    "EMPTY_TABLE",
    "PNG_SIGNATURE",
    "SYSTEM_PACKAGES",
    "Body",
    "Document",
    "Image",
    "Part",
    "Section",
    "pdf_document",
    "render_pdf",
    "render_template",
    "write_document_pdf",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
#: Debian packages WeasyPrint loads at run time (most desktops have them).
SYSTEM_PACKAGES: Final = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")
#: Printed where a section's table has no rows.
EMPTY_TABLE: Final = "None in this period."
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HIDDEN_CELL: Final = re.compile(r"^(<\d+|\*)$")


@dataclass(frozen=True)
class Image:
    """A PNG image in a document (a map from :func:`~geo.io.exports.map_png.ward_map_png`).

    ``alt`` describes it for readers who cannot see it; ``caption`` is printed under it.
    """

    png: bytes
    alt: str
    caption: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.png, bytes | bytearray) or not bytes(self.png).startswith(
            PNG_SIGNATURE
        ):
            start = bytes(self.png[:8]) if isinstance(self.png, bytes | bytearray) else self.png
            raise ValueError(
                f"Image png must be the bytes of a PNG file, got {type(self.png).__name__} "
                f"starting {start!r}; make one with ward_map_png(...) or savefig(format='png')"
            )


#: One piece of a section: a paragraph (text), a table (a DataFrame) or an image.
Part = str | pd.DataFrame | Image
#: What a section holds: one part, or several in reading order.
Body = Part | Sequence[Part]


@dataclass(frozen=True)
class Section:
    """A heading and what follows it, in reading order (see :data:`Part`)."""

    heading: str
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Document:
    """A document for the registry (``write(Document(...), "brief.pdf", stamp=...)``).

    ``sections`` as :func:`pdf_document` takes them; ``subtitle`` is printed under the title
    (the period, say); who made it, when and the marking come from the
    :class:`~geo.io.exports.stamp.Stamp`.
    """

    title: str
    sections: Sequence[Section | tuple[str, Body]]
    subtitle: str | None = None


def pdf_document(
    title: str,
    sections: Sequence[Section | tuple[str, Body]],
    *,
    made_by: str,
    made_at: datetime | None = None,
    marking: str = MARKING,
    subtitle: str | None = None,
) -> bytes:
    """A marked A4 PDF of ``sections`` under ``title``; returns the PDF's bytes.

    Parameters
    ----------
    title
        Printed at the top of the first page and kept as the PDF's title.
    sections
        In reading order, each a :class:`Section` or a ``(heading, body)`` pair, the body
        being one part or a list or tuple of parts (so ``Brief.sections()`` can be passed as
        it is):

        - ``str``: a paragraph;
        - ``pandas.DataFrame``: a table, its columns as headings (the index is not printed);
          figures rounded as in every table export, missing values blank, hidden counts
          (``"<5"``, ``"*"``) kept as text; a table with no rows prints :data:`EMPTY_TABLE`;
        - :class:`Image` (or the bytes of a PNG): embedded in the PDF as a ``data:`` URI.
    made_by
        Who made it, printed under the title ("Sam Patel, outreach coordinator").
    made_at
        When it was made; by default now.
    marking
        The protective marking at the top and bottom of every page.
    subtitle
        A line under the title, such as the period ("Week to 22 Nov 2026").

    Every text is escaped. Raises ``TypeError`` naming the section for a part of another
    kind, and ``ValueError`` for bytes that are not a PNG.

    Examples
    --------
    >>> figures = pd.DataFrame({"Ward": ["Station", "Market"], "People": [12, "<5"]})
    >>> pdf = pdf_document(
    ...     "Tasking brief",
    ...     [("This week", figures), ("What changed", ("People seen rose by 3.",))],
    ...     made_by="PC Jones",
    ...     subtitle="Week to 22 Nov 2026",
    ... )
    >>> pdf[:5]
    b'%PDF-'
    """
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be text, got {title!r}: give the document a title")
    when = {} if made_at is None else {"made_at": made_at}
    stamp = Stamp(made_by=made_by, marking=marking, **when)
    return _render_document(Document(title.strip(), sections, subtitle), stamp)


def write_document_pdf(
    value: Document, path: Path, *, content: str = "document", stamp: Stamp | None = None
) -> int:
    """Write a :class:`Document` as a PDF (the registry's writer); return its sections."""
    path.write_bytes(_render_document(value, stamp or Stamp()))
    return len(value.sections)


def render_pdf(html: str) -> bytes:
    """An HTML document as PDF bytes, loading nothing from the network or the disk.

    Only ``data:`` URIs are fetched. A document that refers to anything else (``http:``,
    ``https:``, ``file:``) raises ``ValueError`` naming what was refused, so a template can
    never send a request or read a file; a relative reference fails as well (there is no base
    URL to resolve it against). Raises ``OSError`` naming the Debian packages to install when
    the system's Pango or HarfBuzz is missing.
    """
    weasy_html = _weasyprint_html()
    fetcher = _data_only_fetcher()
    pdf = weasy_html(string=html, base_url=None, url_fetcher=fetcher).write_pdf(pdf_tags=True)
    if fetcher.refused:
        raise ValueError(
            f"the PDF refers to {', '.join(fetcher.refused)}: PDFs may embed data: URIs only "
            "(pass images as bytes, never as links)"
        )
    return bytes(pdf)


def render_template(name: str, **values: Any) -> str:
    """Fill the template ``name`` of ``templates/`` (autoescaped) with ``values``."""
    return _environment().get_template(name).render(**values)


def page_values(title: str, stamp: Stamp, *, subtitle: str | None = None) -> dict[str, Any]:
    """What the base template prints on every PDF: title, marking, who made it and when."""
    return {
        "title": title,
        "subtitle": subtitle or stamp.about,
        "marking": stamp.marking,
        "made_by": stamp.made_by,
        "when": stamp.when,
        "made_at_iso": stamp.made_at.replace(microsecond=0).isoformat(),
        "footer": f"Made {made_when(stamp.made_at)}",
    }


# --------------------------------------------------------------------------- helpers


def _render_document(document: Document, stamp: Stamp) -> bytes:
    if not isinstance(document, Document):
        raise TypeError(f"expected a Document, got {type(document).__name__}")
    sections = [_section(item, number) for number, item in enumerate(document.sections, 1)]
    html = render_template(
        "document.html.j2",
        sections=sections,
        **page_values(document.title, stamp, subtitle=document.subtitle),
    )
    return render_pdf(html)


def _section(item: object, number: int) -> dict[str, Any]:
    """A section as the template reads it: its heading and its parts, checked."""
    if isinstance(item, Section):
        heading, body = item.heading, item.parts
    elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        heading, body = item
    else:
        raise TypeError(
            f"section {number}: give a Section or a (heading, body) pair, got {item!r:.80}"
        )
    items = list(body) if isinstance(body, list | tuple) else [body]
    return {"heading": _clean(heading), "parts": [_part(p, heading) for p in items]}


def _part(part: object, heading: str) -> dict[str, Any]:
    if isinstance(part, str):
        return {"kind": "paragraph", "text": _clean(part)}
    if isinstance(part, bytes | bytearray):
        part = Image(bytes(part), alt=heading)
    if isinstance(part, Image):
        encoded = base64.b64encode(bytes(part.png)).decode("ascii")
        return {
            "kind": "image",
            "src": f"data:image/png;base64,{encoded}",
            "alt": _clean(part.alt),
            "caption": _clean(part.caption),
        }
    if isinstance(part, pd.DataFrame):
        if part.empty:
            return {"kind": "empty", "text": EMPTY_TABLE}
        return {"kind": "table", **_table(part)}
    raise TypeError(
        f"section {heading!r}: a part must be text, a DataFrame or an Image (PNG bytes), got "
        f"{type(part).__name__}"
    )


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    """Column names and rows of (text, is-a-number) cells, rounded as tables are exported."""
    shown = for_people(_dates_for_people(frame.drop(columns="geometry", errors="ignore")))
    columns = [_clean(str(c)) for c in shown.columns]
    values = shown.astype(object).to_numpy()
    rows = [[_cell(v) for v in row] for row in values]  # a printed table: some hundred cells
    return {"columns": columns, "rows": rows}


def _dates_for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as "20 Nov 2026", times as "20 Nov 2026 21:05" (a printed table is read)."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype
        ):
            out[column] = values.map(_when)
        elif values.dtype == object:
            out[column] = values.map(lambda v: _when(v) if isinstance(v, date) else v)
    return out


def _when(value: object) -> str | None:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    moment = pd.Timestamp(value)  # type: ignore[arg-type]
    day = f"{moment.day} {moment:%b %Y}"
    has_time = isinstance(value, datetime) and (moment.hour, moment.minute) != (0, 0)
    return f"{day} {moment:%H:%M}" if has_time else day


def _cell(value: object) -> tuple[str, bool]:
    if value is None or value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float | np.integer | np.floating):
        return str(value), True
    text = _clean(str(value))
    return text, bool(_HIDDEN_CELL.match(text))


def _clean(text: str) -> str:
    """Text without the control characters HTML cannot hold."""
    return _CONTROL.sub("", text)


def _css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside ``<style>`` (no quote, backslash, line
    break or ``<`` survives unescaped)."""
    text = _clean(str(value))
    escaped = "".join(
        ch if ch.isalnum() or ch in " -_.,:;!?()/'+&%" else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("geo.io.exports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def _weasyprint_html() -> type:
    """WeasyPrint's ``HTML``, imported when a PDF is made (it takes a second to load)."""
    try:
        from weasyprint import HTML
    except OSError as err:  # the system's Pango or HarfBuzz is missing
        raise OSError(
            f"PDFs need the system's Pango and HarfBuzz libraries ({err}); on Debian or Ubuntu: "
            f"apt-get install -y {' '.join(SYSTEM_PACKAGES)}"
        ) from err
    return HTML


def _data_only_fetcher() -> _DataOnly:
    return _data_only_class()()


@functools.cache
def _data_only_class() -> type[_DataOnly]:
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):
        """WeasyPrint's fetcher for ``data:`` URIs only; anything else is refused and kept in
        ``refused`` (WeasyPrint logs it and draws nothing in its place)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if not url.lower().startswith("data:"):
                self.refused.append(url[:200])
                raise ValueError(f"refused {url[:200]!r}: PDFs embed data: URIs only")
            return super().fetch(url, headers)

    return DataOnly


if TYPE_CHECKING:

    class _DataOnly(URLFetcher):
        refused: list[str]
