"""Text as users' files hold it: bytes decoded, separators found, headers normalised.

Every reader of a user's file (tables, postcode directories, gazetteers) decodes through
:func:`decode`, so the encodings tried, their order and their names are the same everywhere:
a file that opens as a records table opens as a gazetteer too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from geo.errors import InputFileError

#: Codecs tried in order. Windows-1252 is what Excel's "CSV" writes on a UK council PC; Latin-1
#: decodes any bytes, so the few that Windows-1252 leaves undefined never stop a file.
ENCODINGS: Final = ("utf-8-sig", "cp1252", "latin-1")
#: Each codec as a user would name it ("utf-8-sig" without a BOM is plain UTF-8).
ENCODING_NAMES: Final[dict[str, str]] = {
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
    "utf-16": "UTF-16",
}
_UTF8_BOM: Final = b"\xef\xbb\xbf"
#: Byte-order marks of UTF-16, which Excel's "Unicode Text" and Notepad's "Unicode" write.
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
#: Separators a CSV may use, the first winning a tie.
_DELIMITERS: Final = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Decoded:
    """A file's text, the Python codec that decoded it, and that encoding as users name it."""

    text: str
    codec: str
    name: str


def decode(data: bytes, *, source: str) -> Decoded:
    """Decode a file's bytes: UTF-16 where it starts with a UTF-16 BOM, else :data:`ENCODINGS`.

    ``source`` names the file in the error raised when nothing decodes it.

    Examples
    --------
    >>> decode("Café".encode("cp1252"), source="places.csv")
    Decoded(text='Café', codec='cp1252', name='Windows-1252')
    >>> decode("Café".encode("utf-8-sig"), source="places.csv").name
    'UTF-8 with BOM'
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return Decoded(data.decode("utf-16"), "utf-16", ENCODING_NAMES["utf-16"])
        except UnicodeDecodeError as err:
            raise InputFileError(
                f"{source}: starts like UTF-16 text but is not ({err.reason}); "
                "save it as CSV UTF-8 and try again"
            ) from err
    for codec in ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        bom = codec == "utf-8-sig" and data.startswith(_UTF8_BOM)
        return Decoded(text, codec, "UTF-8 with BOM" if bom else ENCODING_NAMES[codec])
    tried = ", ".join(ENCODING_NAMES[codec] for codec in ENCODINGS)
    raise InputFileError(  # unreachable while Latin-1 is tried, kept for a shorter list
        f"{source}: cannot decode the file as text ({tried}); save it as CSV UTF-8"
    )


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV: whichever of , ; tab | its first line holds most ("," if none).

    Examples
    --------
    >>> sniff_delimiter("Date;Place;Notes, if any\\n"), sniff_delimiter("Place\\n")
    (';', ',')
    """
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def normalise_header(header: str) -> str:
    """Lower-case a header, turn punctuation into spaces and collapse runs of spaces.

    Examples
    --------
    >>> [normalise_header(h) for h in ["Date/Time", "date_time", " DATE  TIME ", "OSEAST1M"]]
    ['date time', 'date time', 'date time', 'oseast1m']
    """
    text = re.sub(r"[^0-9a-z]+", " ", str(header).lower())
    return re.sub(r"\s+", " ", text).strip()
