"""Place names -> points, from the user's own gazetteer of named places.

Outreach teams name places as they know them ("the station underpass", "Café Rouge doorway");
a gazetteer gives each a position (lat/lon, easting/northing or a grid reference), a radius
and aliases. Names match loosely. A place's precision is its radius, else the larger of
:data:`DEFAULT_PLACE_PRECISION_M` and its position's. Reading the file is
:mod:`geo.io.gazetteer_files`' work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from geo.errors import GeocodeError
from geo.io.columns import match_headers
from geo.io.gazetteer_files import read_gazetteer_file
from geo.locate.coordinates import locate_en, locate_lonlat
from geo.locate.grid_refs import parse_grid_refs
from geo.locate.located import (
    NO_LOCATION,
    Located,
    Outcome,
    as_series,
    finish,
    first_located,
    pick,
)
from geo.locate.numbers import parse_numbers

__all__ = ["DEFAULT_PLACE_PRECISION_M", "Gazetteer"]

#: Radius of a gazetteer place when its file gives none.
DEFAULT_PLACE_PRECISION_M: Final = 50.0

#: Column names (regular expressions, matched in order against normalised headers).
_GAZETTEER_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name", "place", "place name", "location", "location name", "site", "site name"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "lng", "longitude"),
    "easting": ("eastings?", "east", "os eastings?"),
    "northing": ("northings?", "north", "os northings?"),
    "grid_ref": (
        "grid ?ref",
        "grid ?reference",
        "os grid ?ref(erence)?",
        "ngr",
        "osgr",
    ),
    "precision": ("precision m", "precision", "radius m", "radius", "accuracy m", "accuracy"),
    "aliases": ("aliases", "alias", "also known as", "other names"),
}


class Gazetteer:
    """The user's own named places (a bench, an underpass, a car park) -> points.

    Names match loosely (case, accents, spacing and punctuation ignored): "Station underpass"
    is "station  Underpass.". Each place may have aliases.
    """

    def __init__(self, places: pd.DataFrame, keys: pd.Series, *, name: str) -> None:
        """Wrap prepared places (see :meth:`from_frame`) and key -> place row."""
        self._places = places
        self._keys = keys
        self.name = name

    def __len__(self) -> int:
        return len(self._places)

    def __repr__(self) -> str:
        return f"Gazetteer({self.name!r}, {len(self)} places)"

    @property
    def places(self) -> pd.DataFrame:
        """One row per place: name, lon, lat, easting, northing, precision_m."""
        return self._places.copy()

    @classmethod
    def from_file(cls, path: str | Path) -> Gazetteer:
        """Read a gazetteer CSV (see :func:`~geo.io.gazetteer_files.read_gazetteer_file`).

        Columns: a name (``name``, ``place`` or ``location``), a position as ``lat`` + ``lon``,
        ``easting`` + ``northing`` or a ``grid_ref`` (rows may mix them), an optional
        ``precision_m`` (or ``radius``) and optional ``aliases`` separated by ";" or "|".

        Raises
        ------
        InputFileError
            The file is missing, unreadable or empty.
        GeocodeError
            Columns are missing, a row cannot be placed, or one name is given to places at
            different positions; the message names the file and rows.
        """
        path = Path(path)
        return cls.from_frame(read_gazetteer_file(path), name=path.name)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, name: str = "gazetteer") -> Gazetteer:
        """Build from a frame with the columns of :meth:`from_file` (rows numbered as in a CSV)."""
        columns = match_headers(list(frame.columns), _GAZETTEER_COLUMNS)
        has_position = (
            {"lat", "lon"} <= columns.keys()
            or {"easting", "northing"} <= columns.keys()
            or "grid_ref" in columns
        )
        if "name" not in columns or not has_position:
            raise GeocodeError(
                f"{name}: found columns {', '.join(map(str, frame.columns)) or 'none'}; "
                "a gazetteer "
                "needs a name column (name, place or location) and a position: lat and lon, "
                "easting and northing, or grid_ref"
            )
        frame = frame.astype("string").fillna("")
        filled = frame.apply(lambda column: column.str.strip().ne("")).any(axis=1).to_numpy()
        row_numbers = np.flatnonzero(filled) + 2  # as in the file: the header is row 1
        frame = frame[filled].reset_index(drop=True)
        if frame.empty:
            raise GeocodeError(f"{name}: no places in it; add one row per place under the header")
        names = frame[columns["name"]].str.strip()

        attempts: list[tuple[str, str, Located]] = []
        if {"lat", "lon"} <= columns.keys():
            located = locate_lonlat(frame[columns["lon"]], frame[columns["lat"]])
            attempts.append(("coordinates", "latitude/longitude", located))
        if {"easting", "northing"} <= columns.keys():
            located = locate_en(frame[columns["easting"]], frame[columns["northing"]])
            attempts.append(("coordinates", "easting/northing", located))
        if "grid_ref" in columns:
            attempts.append(
                ("grid_ref", "grid reference", parse_grid_refs(frame[columns["grid_ref"]]))
            )
        located, _ = first_located(attempts, frame.index)

        precision = located.precision_m
        bad_radius = np.zeros(len(frame), dtype=bool)
        if "precision" in columns:
            radius = parse_numbers(frame[columns["precision"]], degrees=False)
            bad_radius = ~radius.blank & ~(radius.value > 0)
            given = ~radius.blank & ~bad_radius
            precision = np.where(given, radius.value, np.fmax(precision, DEFAULT_PLACE_PRECISION_M))
        else:
            precision = np.fmax(precision, DEFAULT_PLACE_PRECISION_M)

        problems = located.problem.to_numpy(dtype=object)
        problems = np.where(
            bad_radius, "the precision/radius is not a positive number of metres", problems
        )
        problems = np.where(names.eq("").to_numpy(), "it has no name", problems)
        failed = np.flatnonzero(pd.notna(problems))
        if len(failed):
            listed = "; ".join(
                f"row {row_numbers[i]} ({names.iloc[i] or 'no name'!r}): {problems[i]}"
                for i in failed[:5]
            )
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            raise GeocodeError(
                f"{name}: {len(failed)} places cannot be placed: {listed}{more}; fix these rows"
            )

        places = pd.DataFrame(
            {
                "name": names,
                "lon": located.lon,
                "lat": located.lat,
                "easting": located.easting,
                "northing": located.northing,
                "precision_m": precision,
            }
        )
        aliases = (
            frame[columns["aliases"]] if "aliases" in columns else pd.Series("", index=frame.index)
        )
        keys = _gazetteer_keys(places, aliases, row_numbers, name=name)
        return cls(places, keys, name=name)

    def lookup(self, names: pd.Series) -> Located:
        """Locate place names; a name not in the gazetteer is a problem saying to add it."""
        names = as_series(names, "names")
        outcome = Outcome(len(names))
        text = names.astype("string").str.strip()
        outcome.fail((text.isna() | text.eq("")).to_numpy(), NO_LOCATION)
        # Names repeat (a few hundred places over a million rows): match each distinct one once.
        codes, distinct = pd.factorize(text)
        matched = self._keys.index.get_indexer(_place_keys(pd.Series(distinct)).fillna(""))
        position = np.append(matched, -1)[codes]  # code -1 (blank) -> -1
        found = position >= 0
        outcome.fail(
            ~found,
            lambda rows: (
                "'" + pick(text, rows) + "' is not in the gazetteer; add it "
                "to " + self.name + " with its position"
            ),
        )
        row = np.where(found, self._keys.to_numpy()[np.maximum(position, 0)], 0)

        def taken(column: str) -> np.ndarray:
            return np.where(found, self._places[column].to_numpy(dtype=float)[row], np.nan)

        return finish(
            names.index,
            outcome,
            lon=taken("lon"),
            lat=taken("lat"),
            easting=taken("easting"),
            northing=taken("northing"),
            precision_m=taken("precision_m"),
        )


def _gazetteer_keys(
    places: pd.DataFrame, aliases: pd.Series, row_numbers: np.ndarray, *, name: str
) -> pd.Series:
    """Name and alias keys -> place row; a key naming places over 1 m apart is an error."""
    alias_lists = aliases.fillna("").str.split(r"[;|]", regex=True)
    spelled = pd.concat([places["name"], alias_lists.explode().fillna("").str.strip()]).rename(
        "spelled"
    )
    entries = spelled.to_frame().assign(key=_place_keys(spelled)).reset_index(names="place")
    entries = entries[entries["key"].ne("")].drop_duplicates(["key", "place"])
    first = entries.groupby("key")["place"].transform("first").to_numpy()
    own = entries["place"].to_numpy()
    apart = np.hypot(
        places["easting"].to_numpy()[own] - places["easting"].to_numpy()[first],
        places["northing"].to_numpy()[own] - places["northing"].to_numpy()[first],
    )
    clash = entries["key"][apart > 1.0].unique()
    if len(clash):
        described = []
        for key in clash[:5]:
            rows = entries.loc[entries["key"].eq(key), "place"].to_numpy()
            described.append(f"'{key}' (rows " + ", ".join(str(row_numbers[r]) for r in rows) + ")")
        raise GeocodeError(
            f"{name}: the same name is given to places at different positions: "
            + "; ".join(described)
            + "; give each place its own name or alias"
        )
    entries = entries.drop_duplicates("key")
    return pd.Series(entries["place"].to_numpy(), index=pd.Index(entries["key"], name="key"))


def _place_keys(names: pd.Series) -> pd.Series:
    """Place names compared loosely: case, accents, spacing and punctuation ignored.

    Examples
    --------
    >>> names = pd.Series(["Station underpass", "station  Underpass.", "St. Mary's & Café"])
    >>> _place_keys(names).tolist()
    ['station underpass', 'station underpass', 'st marys and cafe']
    """
    return (
        names.astype(object)  # Python's re: \W knows every alphabet, pyarrow's RE2 only ASCII
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f]", "", regex=True)
        .str.casefold()
        .str.replace("&", " and ", regex=False)
        .str.replace(r"['’‘`]", "", regex=True)
        .str.replace(r"[\W_]+", " ", regex=True)
        .str.strip()
        .astype("string")
    )
