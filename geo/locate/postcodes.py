"""Postcodes -> points, from a postcode directory the user has (ONSPD, NSPL, Code-Point Open).

A postcode's point is its directory's: a well-placed postcode is within
:data:`POSTCODE_PRECISION_M` of where someone gave it for, by the directory's positional
quality. Reading the directory files is :mod:`geo.io.postcode_files`' work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from geo.crs import to_bng, to_lonlat
from geo.io.postcode_files import (
    PostcodeFile,
    compact_postcodes,
    normalise_postcode,
    read_postcode_file,
)
from geo.locate.grid_refs import irish_grid_to_lonlat
from geo.locate.located import NO_LOCATION, Located, Outcome, as_series, finish, pick
from geo.locate.numbers import to_float

__all__ = [
    "POSTCODE_PRECISION_M",
    "TABLE_COLUMNS",
    "PostcodeDirectory",
    "is_no_fixed_abode",
    "normalise_postcode",
]

#: Precision of a postcode's point, by positional quality: ONSPD/NSPL ``gridind`` (``osgrdind``)
#: 1-9, or Code-Point Open's indicator divided by 10. A postcode unit (about 15 addresses) spans
#: roughly 100 m, so a well-placed postcode point is within 100 m of where someone gave it for:
#: 1 within the building of the address nearest the postcode mean, 2 the same by inspection,
#: 3 within 50 m, 4 mean of the addresses (and 0: quality not given). 5 is imputed by ONS from
#: neighbouring postcodes (250 m), 6 is the postcode *sector* mean, mostly PO boxes (1 km), 8 is a
#: postcode terminated before Gridlink, at its last known position (250 m). 9 means no position.
POSTCODE_PRECISION_M: Final[dict[int, float]] = {
    0: 100.0,
    1: 100.0,
    2: 100.0,
    3: 100.0,
    4: 100.0,
    5: 250.0,
    6: 1_000.0,
    7: 100.0,
    8: 250.0,
}
#: The columns of a directory's table, in order (see :attr:`PostcodeDirectory.table`).
TABLE_COLUMNS: Final = (
    "easting",
    "northing",
    "lon",
    "lat",
    "precision_m",
    "has_position",
    "quality",
    "terminated",
    "ward",
)
_OUTWARD_ONLY: Final = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9]?$"


def is_no_fixed_abode(postcodes: pd.Series) -> np.ndarray:
    """True for 'no fixed abode' markers: NHS ZZ99 pseudo-postcodes (any "ZZ99 xxx"), "NFA".

    Examples
    --------
    >>> is_no_fixed_abode(pd.Series(["ZZ99 3VZ", "zz993cz", "N.F.A.", "BN1 1AA", None])).tolist()
    [True, True, True, False, False]
    """
    compact = compact_postcodes(as_series(postcodes, "postcodes")).str.replace(
        r"[^A-Z0-9]", "", regex=True
    )
    marker = compact.str.startswith("ZZ99") | compact.isin(["NFA", "NOFIXEDABODE"])
    return marker.to_numpy(dtype=bool, na_value=False)


class PostcodeDirectory:
    """Postcode -> point, from ONSPD, NSPL, OS Code-Point Open or a postcode/lat/long list.

    Build it once with :meth:`from_file` and keep it: a 1M-row NSPL loads in about 4 s here (the
    whole UK, 2.7M rows, three times that; better ship the council's area), Code-Point Open's BN
    area file (22k rows) in about 0.2 s. :meth:`lookup` then takes about 0.2 s per 100,000.

    Rows kept "known but no position" (quality 9/90, ONSPD's lat 99.999999, Code-Point's 0, 0,
    or blank coordinates) make :meth:`lookup` say so rather than "not in the directory".
    Northern Ireland (BT) postcodes: ONSPD gives their eastings on the Irish Grid, so their
    position comes from ``lat``/``long``, or from the Irish Grid where those are absent.
    """

    def __init__(self, table: pd.DataFrame, *, name: str) -> None:
        """Wrap a prepared table (see :meth:`from_file`): indexed by normalised postcode."""
        self._table = table
        self.name = name

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"PostcodeDirectory({self.name!r}, {len(self):,} postcodes)"

    @classmethod
    def from_file(cls, path: str | Path) -> PostcodeDirectory:
        """Read a postcode directory, detecting its kind from its header (or lack of one).

        Accepted: ONSPD or NSPL CSVs with pre-2025 headers (``pcds``, ``oseast1m``,
        ``osnrth1m``, ``osgrdind``, ``doterm``, ``osward``/``ward``, ``lat``, ``long``) or
        2025+ headers (``pcd7``/``pcd8``/``pcds``, ``east1m``, ``north1m``, ``gridind``,
        ``wdYYcd``...), Code-Point Open area files as published (no header, 10 columns) or
        with its long or short header, any CSV with a postcode and lat/long or
        easting/northing columns, and zips of these as published.

        Raises
        ------
        InputFileError
            The file is missing or unreadable.
        GeocodeError
            The columns needed cannot be found; the message names the file, the columns found
            and those needed.
        """
        path = Path(path)
        return cls.from_read(read_postcode_file(path), name=path.name)

    @classmethod
    def from_read(cls, read: PostcodeFile, *, name: str) -> PostcodeDirectory:
        """A directory from a file already read (see :func:`read_postcode_file`)."""
        return cls(_directory_table(read.columns, kind=read.kind), name=f"{name} ({read.kind})")

    @property
    def table(self) -> pd.DataFrame:
        """One row per postcode (the index, normalised): :data:`TABLE_COLUMNS`.

        This is what a store keeps of a directory (see ``Store.replace_postcodes``); a
        directory made from a part of it (the postcodes of one file) answers those postcodes
        exactly as the whole one would.
        """
        return self._table.copy()

    def lookup(self, postcodes: pd.Series) -> Located:
        """Locate postcodes (any spacing or case) in the directory.

        Terminated postcodes are located, with the note "terminated postcode (ended YYYY-MM)".
        ZZ99 pseudo-postcodes and "NFA" are never located. Precision follows
        :data:`POSTCODE_PRECISION_M`; sector means and imputed positions get a note.
        """
        postcodes = as_series(postcodes, "postcodes")
        outcome = Outcome(len(postcodes))
        text = postcodes.astype("string").str.strip()
        outcome.fail((text.isna() | text.eq("")).to_numpy(), NO_LOCATION)
        compact = compact_postcodes(text)
        keys = normalise_postcode(text)
        zz99 = compact.str.startswith("ZZ99").to_numpy(dtype=bool, na_value=False)
        outcome.fail(
            zz99 & keys.eq("ZZ99 3VZ").to_numpy(dtype=bool, na_value=False),
            "ZZ99 3VZ is a 'no fixed abode' pseudo-postcode and is never geocoded",
        )
        outcome.fail(
            zz99,
            lambda rows: (
                _shown_postcode(keys, text, rows)
                + " is an NHS pseudo-postcode (ZZ99), not a place, and is never geocoded"
            ),
        )
        outcome.fail(
            is_no_fixed_abode(text),
            lambda rows: "'" + pick(text, rows) + "' means no fixed abode and is never geocoded",
        )
        invalid = keys.isna().to_numpy()
        outcome.fail(
            invalid & compact.str.fullmatch(_OUTWARD_ONLY).to_numpy(dtype=bool, na_value=False),
            lambda rows: (
                "'"
                + pick(text, rows)
                + "' is only part of a postcode; the full postcode (like BN1 1AA) is needed"
            ),
        )
        outcome.fail(
            invalid,
            lambda rows: "'" + pick(text, rows) + "' is not a valid UK postcode",
        )

        position = self._table.index.get_indexer(keys.fillna(""))
        found = position >= 0
        row = np.where(found, position, 0)
        table = self._table
        outcome.fail(
            ~found,
            lambda rows: pick(keys, rows) + " is not in the postcode directory (" + self.name + ")",
        )
        has_position = found & table["has_position"].to_numpy()[row]
        outcome.fail(
            ~has_position,
            lambda rows: pick(keys, rows) + " is in the postcode directory but has no position",
        )
        ended = table["terminated"].iloc[row].reset_index(drop=True)
        terminated = found & ended.notna().to_numpy()
        outcome.add_note(
            terminated,
            lambda rows: ("terminated postcode (ended " + _month_text(ended[rows]) + ")").fillna(
                "terminated postcode"
            ),
        )
        quality = table["quality"].to_numpy()[row]
        outcome.add_note(
            found & (quality == 6),
            "position is the centre of the postcode sector, not the postcode",
        )
        outcome.add_note(
            found & (quality == 5), "position estimated by ONS from neighbouring postcodes"
        )

        def taken(column: str) -> np.ndarray:
            return np.where(found, table[column].to_numpy()[row], np.nan)

        return finish(
            postcodes.index,
            outcome,
            lon=taken("lon"),
            lat=taken("lat"),
            easting=taken("easting"),
            northing=taken("northing"),
            precision_m=taken("precision_m"),
        )

    def ward_codes(self, postcodes: pd.Series) -> pd.Series:
        """The directory's ward code for each postcode (<NA> if unknown or not given)."""
        postcodes = as_series(postcodes, "postcodes")
        position = self._table.index.get_indexer(normalise_postcode(postcodes).fillna(""))
        wards = self._table["ward"].to_numpy(dtype=object, na_value=None)[np.maximum(position, 0)]
        wards = np.where(position >= 0, wards, None)
        return pd.Series(wards, index=postcodes.index, dtype="string", name="ward_code")


def _shown_postcode(keys: pd.Series, text: pd.Series, rows: np.ndarray) -> pd.Series:
    return pick(keys, rows).fillna(pick(text, rows).str.upper())


def _month_text(values: pd.Series) -> pd.Series:
    """ONSPD's ``doterm`` (YYYYMM) as "YYYY-MM"; other text as given."""
    text = values.astype("string").str.strip().reset_index(drop=True)
    parts = text.str.extract(r"^(\d{4})(\d{2})$")
    return (parts[0] + "-" + parts[1]).fillna(text)


def _directory_table(frame: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """A directory's text columns -> one row per postcode with both positions and precision."""
    postcode = normalise_postcode(frame["postcode"])
    frame = frame[postcode.notna().to_numpy()].reset_index(drop=True)
    postcode = postcode.dropna().reset_index(drop=True)
    size = len(frame)

    def numbers(column: str) -> np.ndarray:
        if column not in frame:
            return np.full(size, np.nan)
        text = frame[column].str.strip()
        return to_float(text.mask(text.eq("")))

    quality = numbers("quality")
    if kind == "Code-Point Open" or quality[np.isfinite(quality)].max(initial=0) > 9:
        quality = quality / 10
    quality = np.where(np.isfinite(quality), np.round(quality), 0).astype(np.int8)
    easting, northing, lat, lon = (
        numbers("easting"),
        numbers("northing"),
        numbers("lat"),
        numbers("lon"),
    )
    has_en = np.isfinite(easting) & np.isfinite(northing) & ~((easting == 0) & (northing == 0))
    has_ll = (
        np.isfinite(lat)
        & np.isfinite(lon)
        & (np.abs(lat) <= 90)  # ONSPD writes 99.999999 where there is no position
        & ~((lat == 0) & (lon == 0))
    )
    irish = postcode.str.startswith("BT").to_numpy(dtype=bool, na_value=False)
    british_en = has_en & ~irish

    out_lon, out_lat = np.where(has_ll, lon, np.nan), np.where(has_ll, lat, np.nan)
    out_e, out_n = np.where(british_en, easting, np.nan), np.where(british_en, northing, np.nan)
    need_ll = british_en & ~has_ll
    out_lon[need_ll], out_lat[need_ll] = to_lonlat(easting[need_ll], northing[need_ll])
    irish_only = irish & has_en & ~has_ll
    out_lon[irish_only], out_lat[irish_only] = irish_grid_to_lonlat(
        easting[irish_only], northing[irish_only]
    )
    need_en = ~british_en & np.isfinite(out_lon)
    out_e[need_en], out_n[need_en] = to_bng(out_lon[need_en], out_lat[need_en])

    has_position = (
        (quality != 9)
        & np.isfinite(out_lon)
        & np.isfinite(out_lat)
        & np.isfinite(out_e)
        & np.isfinite(out_n)
    )
    precision = pd.Series(quality).map(POSTCODE_PRECISION_M).to_numpy(dtype=float, na_value=np.nan)
    terminated = (
        frame["terminated"].str.strip().replace("", pd.NA)
        if "terminated" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    table = pd.DataFrame(
        {
            "easting": out_e,
            "northing": out_n,
            "lon": out_lon,
            "lat": out_lat,
            "precision_m": np.where(has_position, precision, np.nan),
            "has_position": has_position,
            "quality": quality,
            "terminated": terminated.astype("string"),
            "ward": frame["ward"].str.strip() if "ward" in frame else pd.NA,
        },
    )
    table.index = pd.Index(postcode, name="postcode")
    # One row per postcode: a live one with a position wins over a terminated or unplaced copy.
    order = np.lexsort((~has_position, terminated.notna().to_numpy()))
    table = table.iloc[order]
    return table[~table.index.duplicated(keep="first")]
