"""How a patrol's stops read to people: names, what to look for, what is needed there.

Shared by the GPX file and the printable sheet, so a stop is called the same on both.
A stop is named for people where the candidates carry ``place_name`` ("the doorway on Station
Road") and ``ward_name`` ("Riverside"); otherwise by its kind and the id it came with
("site S3").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from geo.analysis.patrol import Patrol


#: Columns that name a candidate, first found wins.
ID_COLUMNS: Final = ("place_id", "site_id", "cell_id", "hotspot_id", "record_id", "id")
_ID_CHARS: Final = 12


def labels(stops: pd.DataFrame) -> list[str]:
    """The kind of each stop: ``demand`` ("site", "hotspot"...), "site" where unknown."""
    if "demand" in stops.columns:
        return [str(v) if isinstance(v, str) and v else "site" for v in stops["demand"]]
    return ["site"] * len(stops)


def stop_names(stops: pd.DataFrame) -> list[str]:
    """ "1. the doorway on Station Road, Riverside ward", or "1. site S3" without place names:
    the number, then :func:`place_labels`."""
    return [f"{n}. {label}" for n, label in enumerate(place_labels(stops), start=1)]


def place_labels(stops: pd.DataFrame) -> list[str]:
    """Each stop's ``place_name`` and ``ward_name`` where known (see :func:`place_label`), else
    its kind and the id the candidates carry (long ids cut to 12 characters): "site S3"."""
    column = next((c for c in ID_COLUMNS if c in stops.columns), None)
    ids = _texts(stops, column)
    ids = [ident if len(ident) <= _ID_CHARS else ident[: _ID_CHARS - 1] + "…" for ident in ids]
    return [
        place_label(place, ward=ward, fallback=f"{label} {ident}")
        for label, ident, place, ward in zip(
            labels(stops), ids, _texts(stops, "place_name"), _texts(stops, "ward_name"), strict=True
        )
    ]


def place_label(place: object, *, ward: object = None, fallback: str) -> str:
    """A place as people say it: "the doorway on Station Road, Riverside ward".

    ``fallback`` (an id) stands in for a missing ``place``; a missing ``ward`` is left out.

    Examples
    --------
    >>> place_label("the doorway on Station Road", ward="Riverside", fallback="site S3")
    'the doorway on Station Road, Riverside ward'
    >>> place_label("a place in Jubilee ward", ward="Jubilee", fallback="r_92e7")
    'a place in Jubilee ward'
    >>> place_label(None, ward=float("nan"), fallback="site S3")
    'site S3'
    """
    name = place.strip() if isinstance(place, str) and place.strip() else fallback.strip()
    if not isinstance(ward, str) or not ward.strip():
        return name
    ward = ward.strip()
    ward = ward if ward.lower().endswith("ward") else f"{ward} ward"
    return name if ward.lower() in name.lower() else f"{name}, {ward}"


def look_for(stops: pd.DataFrame) -> list[str]:
    """What to look for at each stop: counts and dates only."""

    def column(name: str) -> np.ndarray:
        if name not in stops.columns:
            return np.full(len(stops), np.nan)
        return pd.to_numeric(stops[name], errors="coerce").to_numpy(float)

    people, nights, days = column("people"), column("nights_seen"), column("days_since_visit")
    agencies = column("n_agencies")
    notes = []
    for i in range(len(stops)):  # text for a sheet of a few dozen lines
        parts = []
        if np.isfinite(people[i]):
            parts.append(f"{people[i]:g} {'person' if people[i] == 1 else 'people'} seen")
        if np.isfinite(nights[i]):
            parts.append(f"on {nights[i]:g} night{'' if nights[i] == 1 else 's'}")
        if np.isfinite(days[i]):
            when = {0: "on the last night", 1: "the night before the last"}.get(
                int(days[i]), f"{days[i]:g} nights before the last"
            )
            parts.append(f"last visit {when}")
        else:
            parts.append("no visit on record")
        if np.isfinite(agencies[i]):
            parts.append(
                "uncovered"
                if agencies[i] == 0
                else f"covered by {agencies[i]:g} agenc{'y' if agencies[i] == 1 else 'ies'}"
            )
        notes.append("; ".join(parts))
    return notes


def needs(stops: pd.DataFrame) -> list[list[str]]:
    """Per stop, lines naming the languages needed and the flags seen there (where known).

    ``languages`` and ``flags`` may hold text ("Polish, Romanian") or lists; flags written as
    codes read as words ("under_18" -> "under 18").
    """
    languages = _lists(stops, "languages")
    flags = _lists(stops, "flags")
    lines: list[list[str]] = []
    for spoken, seen in zip(languages, flags, strict=True):
        lines.append(
            ([f"languages needed: {', '.join(spoken)}"] if spoken else [])
            + ([f"flags seen: {', '.join(f.replace('_', ' ') for f in seen)}"] if seen else [])
        )
    return lines


def metres(value: float) -> str:
    """ "700 m", or "1.2 km" from a kilometre up."""
    return f"{value / 1000:.1f} km" if value >= 1000 else f"{value:.0f} m"


def minutes(value: float) -> str:
    """ "29 min", or "1 h 05 min" from an hour up."""
    whole = int(round(value))
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def summary(patrol: Patrol) -> str:
    """One line: stops, distance, walking and total time."""
    n = len(patrol.stops)
    return (
        f"{n} stop{'' if n == 1 else 's'}, {metres(patrol.total_m)} walking "
        f"(about {minutes(patrol.walking_minutes)}), {minutes(patrol.total_minutes)} "
        f"with {patrol.dwell_minutes:g} min at each stop"
        + ("; back to the start" if patrol.return_to_start else "")
    )


def _texts(stops: pd.DataFrame, column: str | None) -> list[str]:
    """A column as stripped text, "" where missing (or every row "" without the column)."""
    if column is None or column not in stops.columns:
        return [""] * len(stops)
    values = stops[column].astype(object)
    return [v.strip() if isinstance(v, str) else "" if _missing(v) else str(v) for v in values]


def _lists(stops: pd.DataFrame, column: str) -> list[list[str]]:
    """A column of text or lists as lists of non-empty text ("a, b" -> ["a", "b"])."""
    if column not in stops.columns:
        return [[] for _ in range(len(stops))]
    return [_items(value) for value in stops[column].astype(object)]


def _items(value: object) -> list[str]:
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple | set | np.ndarray):
        items = value
    elif _missing(value):
        items = ()
    else:
        items = (value,)
    return [str(item).strip() for item in items if str(item).strip()]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
