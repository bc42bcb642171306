"""Places in plain words: coverage gaps, persistent sites, agencies and a patrol, as a page shows
them to the role that asked.

Works on what :mod:`geo.questions` returns for a role (``coverage_gaps``, ``sites``, ``plan``),
so a police view stays coarse: no column appears here that the role's frame does not carry
(police frames have no ``languages`` or ``flags``). Places are named as people say them
("Riverside towpath, Riverside ward"), never by an id or coordinates; counts are whole numbers,
distances in metres or kilometres, dates as "24 Nov 2026".

Examples
--------
>>> [nights_since(v) for v in (0, 1, 27.0, float("nan"))]
['0 (the last night)', '1', '27', 'never visited']
>>> visit_words(3.0), visit_words(None)
('last visit 3 nights before the last night', 'never visited')
>>> parse_base("50.8278,-0.1680")
(-0.168, 50.8278)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.overview import plain_date
from geo.analysis.ward_figures import PERIOD_NIGHTS
from geo.errors import AnalysisError, InputFileError
from geo.filters import Filters
from geo.io.exports import ExportFormat, find_format, place_labels, to_bytes
from geo.nights import night_of
from geo.schema import UK_LAT_RANGE, UK_LON_RANGE, is_demand

if TYPE_CHECKING:
    from geo.analysis.swep import ColdWeatherList
from geo.analysis.patrol import Patrol

__all__ = [
    "BASE_ENV",
    "KIND_WORDS",
    "Download",
    "agencies_table",
    "demand_in_window",
    "gaps_table",
    "nights_since",
    "parse_base",
    "patrol_downloads",
    "patrol_summary",
    "patrol_table",
    "period_nights",
    "site_choices",
    "sites_table",
    "visit_words",
]

#: What each kind of demand is called on a page.
KIND_WORDS: Final[dict[str, str]] = {
    "site": "persistent site",
    "hotspot": "hot patch",
    "sighting": "sighting",
}
#: Flags as people say them.
FLAG_WORDS: Final[dict[str, str]] = {
    "nrpf": "no recourse to public funds",
    "trafficking_concern": "trafficking concern",
    "under_18": "under 18",
}
#: Nights in each period of the pages' filters (a range counts its own nights).
_BASE_EXAMPLE: Final = "50.8278,-0.1680"
#: The environment variable with the team's base, "LAT,LON", where patrols start by default
#: (on the Hotspots page and in ``python -m geo patrol``).
BASE_ENV: Final = "OUTREACH_ATLAS_BASE"


# --- Words --------------------------------------------------------------------------------------


def nights_since(days: object) -> str:
    """Nights since anyone went, for a table: "27", "0 (the last night)", "never visited"."""
    number = _number(days)
    if number is None:
        return "never visited"
    whole = round(number)
    return "0 (the last night)" if whole == 0 else f"{whole:,}"


def visit_words(days: object) -> str:
    """The last visit in a sentence: "last visit 3 nights before the last night"."""
    number = _number(days)
    if number is None:
        return "never visited"
    whole = round(number)
    if whole == 0:
        return "last visit on the last night"
    return f"last visit {whole:,} night{'' if whole == 1 else 's'} before the last night"


def people_words(value: object) -> str:
    """ "1 person", "3 people", "people not counted"."""
    number = _number(value)
    if number is None:
        return "people not counted"
    whole = round(number)
    return f"{whole:,} {'person' if whole == 1 else 'people'}"


def distance_words(metres: object) -> str:
    """ "700 m", "1.2 km"; "" when unknown."""
    number = _number(metres)
    if number is None:
        return ""
    return f"{number / 1000:.1f} km" if number >= 1000 else f"{number:.0f} m"


def minutes_words(minutes: object) -> str:
    """ "29 min", "1 h 05 min"."""
    number = _number(minutes)
    if number is None:
        return ""
    whole = round(number)
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def needs_words(flags: object) -> str:
    """Flags as words: "nrpf, under_18" -> "no recourse to public funds, under 18"."""
    if not isinstance(flags, str) or not flags.strip():
        return ""
    items = [item.strip() for item in flags.split(",") if item.strip()]
    return ", ".join(FLAG_WORDS.get(item, item.replace("_", " ")) for item in items)


def date_words(value: object) -> str:
    """A night as "23 Nov 2026"; "" when missing.

    A moment (a timezone-aware time, such as a visit's ``observed_at``) is dated by its night,
    as every night is: a visit at 01:20 on the 24th was on the night of the 23rd.

    >>> date_words(pd.Timestamp("2026-11-24 01:20", tz="Europe/London")), date_words(None)
    ('23 Nov 2026', '')
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        return ""
    if stamp.tzinfo is not None:
        stamp = night_of(stamp)
    return plain_date(stamp.date())


# --- Tables ---------------------------------------------------------------------------------------


def gaps_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """Coverage gaps (``Coverage.gaps`` for a role) as a page shows them, most urgent first.

    Columns: Rank, Place, Ward, Kind, People, Nights since a visit, and, where the role's frame
    carries them, Languages needed and Needs seen.
    """
    _check_columns(gaps, ("rank", "place_name", "people", "days_since_visit"), argument="gaps")
    rows = pd.DataFrame(gaps).sort_values("rank", kind="stable")
    table = pd.DataFrame(
        {
            "Rank": rows["rank"].to_numpy(np.int64),
            "Place": _text(rows, "place_name"),
            "Ward": _text(rows, "ward_name"),
            "Kind": _text(rows, "demand").map(lambda kind: KIND_WORDS.get(kind, kind)),
            "People": _whole(rows["people"]),
            "Nights since a visit": rows["days_since_visit"].map(nights_since).to_numpy(object),
        }
    )
    return _with_needs(table, rows)


def sites_table(sites: pd.DataFrame, *, last_nights: int) -> pd.DataFrame:
    """Persistent sites (``questions.sites`` for a role) as a page shows them, busiest first.

    ``last_nights`` is the window the sites were found in ("seen on 9 of the last 14 nights").
    """
    _check_columns(sites, ("place_name", "nights_seen", "people"), argument="sites")
    rows = pd.DataFrame(sites)
    nights = _whole(rows["nights_seen"])
    table = pd.DataFrame(
        {
            "Place": _text(rows, "place_name"),
            "Ward": _text(rows, "ward_name"),
            "Nights seen": [f"{n} of the last {last_nights}" for n in nights],
            "Most people on a night": _whole(rows["people"]),
            "Last seen, night of": _dates(rows, "last_seen"),
            "Last visit, night of": _dates(rows, "last_visit"),
            "Nearest night shelter": _nearest(rows, "night_shelter"),
        }
    )
    return _with_needs(table, rows).reset_index(drop=True)


def agencies_table(agencies: pd.DataFrame, *, days: int) -> pd.DataFrame:
    """Each agency's presence in the coverage window (``Coverage.agencies``), in words."""
    _check_columns(agencies, ("agency", "visits", "contacts", "area_m2"), argument="agencies")
    rows = pd.DataFrame(agencies)
    area = rows["area_m2"].to_numpy(float) / 1e6
    return pd.DataFrame(
        {
            "Agency": _text(rows, "agency"),
            f"Visits, last {days} nights": _whole(rows["visits"]),
            f"Contacts, last {days} nights": _whole(rows["contacts"]),
            "Last out, night of": _dates(rows, "last_visit"),
            "Area within reach": [f"{a:.1f} km²" if a >= 0.05 else "none" for a in area],
        }
    )


def patrol_table(patrol: Patrol) -> pd.DataFrame:
    """A patrol's stops in walking order: where, how far, when, and the last visit."""
    stops = pd.DataFrame(patrol.stops)
    table = pd.DataFrame(
        {
            "Stop": stops["stop"].to_numpy(np.int64) if len(stops) else np.array([], np.int64),
            "Place": place_labels(stops),
            "Kind": _text(stops, "demand").map(lambda kind: KIND_WORDS.get(kind, kind)),
            "Walk from the last stop": stops["leg_m"].map(distance_words).to_numpy(object),
            "Arrive after": stops["arrive_minutes"].map(minutes_words).to_numpy(object),
            "Last visit": (
                stops["days_since_visit"].map(visit_words).to_numpy(object)
                if "days_since_visit" in stops.columns
                else np.full(len(stops), "", dtype=object)
            ),
        }
    )
    return _with_needs(table, stops)


def patrol_summary(patrol: Patrol) -> str:
    """One line: "6 stops, 9.0 km walking (about 2 h 00 min), 2 h 50 min with 10 min at each"."""
    n = len(patrol.stops)
    return (
        f"{n} stop{'' if n == 1 else 's'}, {distance_words(patrol.total_m) or '0 m'} walking "
        f"(about {minutes_words(patrol.walking_minutes)}), "
        f"{minutes_words(patrol.total_minutes)} with {patrol.dwell_minutes:g} min at each stop"
        + ("; back to the start" if patrol.return_to_start else "")
        + ". Distances are straight lines: streets make a real walk longer."
    )


# --- Choices --------------------------------------------------------------------------------------


def site_choices(sites: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each site as people name it, mapped to its (lon, lat), busiest first.

    Two sites that read alike (a police view names places by ward only) get "(2)", "(3)"...
    """
    _check_columns(sites, ("lon", "lat"), argument="sites")
    labels = place_labels(pd.DataFrame(sites))
    seen: dict[str, int] = {}
    out: dict[str, tuple[float, float]] = {}
    lon = sites["lon"].to_numpy(float)
    lat = sites["lat"].to_numpy(float)
    for i, label in enumerate(labels):
        if not (math.isfinite(lon[i]) and math.isfinite(lat[i])):
            continue
        seen[label] = seen.get(label, 0) + 1
        name = label if seen[label] == 1 else f"{label} ({seen[label]})"
        out[name] = (float(lon[i]), float(lat[i]))
    return out


def parse_base(text: str, *, name: str = "base") -> tuple[float, float]:
    """A place written "LAT,LON" in Great Britain (a team's base, as ``OUTREACH_ATLAS_BASE``
    holds it, or ``--start``) as (lon, lat); ``name`` is what messages call it."""
    lat_text, sep, lon_text = str(text).partition(",")
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        lat = lon = math.nan
    if not sep or not (math.isfinite(lat) and math.isfinite(lon)):
        raise AnalysisError(f"{name} {text!r}: write it as LAT,LON, e.g. {_BASE_EXAMPLE}")
    if not (
        UK_LAT_RANGE[0] <= lat <= UK_LAT_RANGE[1] and UK_LON_RANGE[0] <= lon <= UK_LON_RANGE[1]
    ):
        raise AnalysisError(
            f"{name} {text!r} is outside Great Britain; write it as LAT,LON (latitude first), "
            f"e.g. {_BASE_EXAMPLE}"
        )
    return lon, lat


def period_nights(filters: Filters) -> tuple[int, date | None]:
    """The nights of the filters' period and its last night (None: the latest in the store).

    >>> period_nights(Filters(period="month"))
    (30, None)
    >>> period_nights(Filters(period="range", start=date(2026, 11, 1), end=date(2026, 11, 3)))
    (3, datetime.date(2026, 11, 3))
    """
    if filters.period == "range":
        assert filters.start is not None and filters.end is not None  # checked by Filters
        return (filters.end - filters.start).days + 1, filters.end
    return PERIOD_NIGHTS[filters.period], filters.end


def demand_in_window(records: pd.DataFrame, *, nights: int, end: date | None) -> pd.DataFrame:
    """The sightings (every kind but a visit) of the ``nights`` nights ending on ``end``
    (default the latest night of the records): what the heat layer shows."""
    _check_columns(records, ("kind", "night"), argument="records")
    if nights < 1:
        raise AnalysisError(f"nights must be at least 1; got {nights}")
    night = pd.to_datetime(records["night"])
    last = pd.Timestamp(end) if end is not None else night.max()
    if pd.isna(last):
        return records.iloc[:0]
    first = last - pd.Timedelta(days=nights - 1)
    keep = is_demand(records["kind"]) & (night >= first) & (night <= last)
    return records.loc[keep.to_numpy()]


# --- Downloads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One file a patrol can be taken away as: built only when ``build()`` is called."""

    label: str
    file_name: str
    mime: str
    build: Callable[[], bytes]


def patrol_downloads(patrol: Patrol, *, stem: str = "patrol") -> tuple[Download, ...]:
    """The GPX file and the printable sheet of ``patrol``, from the exports registry.

    The sheet is the A4 PDF where a ``pdf`` format that writes patrols is registered, else the
    text sheet.
    """
    gpx = find_format(name="gpx", content="patrol")
    sheet = _sheet_format()
    return tuple(
        Download(
            label=label,
            file_name=f"{stem}{found.suffixes[0]}",
            mime=found.media_type,
            build=_builder(patrol, found.name),
        )
        for label, found in (
            ("GPX for a phone or GPS", gpx),
            (f"Printable sheet ({'PDF' if sheet.name == 'pdf' else 'text'})", sheet),
        )
    )


def _sheet_format() -> ExportFormat:
    try:
        return find_format(name="pdf", content="patrol")
    except InputFileError:
        return find_format(name="sheet", content="patrol")


def _builder(patrol: Patrol, name: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return to_bytes(patrol, name=name, content="patrol")

    return build


# --- Helpers --------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _check_columns(frame: object, columns: tuple[str, ...], *, argument: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{argument}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{argument} has no column {', '.join(missing)}; give the frame geo.questions "
            "returns for the role"
        )


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=range(len(frame)), dtype=object)
    values = frame[column].astype(object).to_numpy()
    return pd.Series(
        [v.strip() if isinstance(v, str) else "" for v in values], index=range(len(frame))
    )


def _whole(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(float)
    return np.rint(numbers).astype(np.int64)


def _dates(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return np.array([date_words(v) for v in frame[column].astype(object)], dtype=object)


def _nearest(frame: pd.DataFrame, service_type: str) -> np.ndarray:
    name, metres = f"nearest_{service_type}", f"nearest_{service_type}_m"
    if name not in frame.columns or metres not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return np.array(
        [
            f"{n} ({distance_words(m)})" if isinstance(n, str) and n.strip() else ""
            for n, m in zip(frame[name].astype(object), frame[metres], strict=True)
        ],
        dtype=object,
    )


def _with_needs(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``table`` plus the needs columns the role's frame carries (coordinators only)."""
    extra: Mapping[str, Callable[[object], str]] = {
        "languages": lambda v: v.strip() if isinstance(v, str) else "",
        "flags": needs_words,
    }
    headings = {"languages": "Languages needed", "flags": "Needs seen"}
    out = table.copy()
    for column, words in extra.items():
        if column in rows.columns:
            out[headings[column]] = [words(v) for v in rows[column].astype(object)]
    return out


def cold_weather_table(found: ColdWeatherList) -> pd.DataFrame:
    """Everyone and every site on the cold-weather list, longest unseen first, in words: no
    references, ids or coordinates (the place and the ward say where)."""
    people = found.people
    sites = pd.DataFrame(found.sites.drop(columns="geometry", errors="ignore"))
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "Who": "Someone seen",
                    "Nights since": people["nights_since"].to_numpy(),
                    "Last seen": [date_words(v) for v in people["last_seen"]],
                    "Where": _text(people, "place_name").to_numpy(object),
                    "Ward": _text(people, "ward_name").to_numpy(object),
                    "Last outcome": _text(people, "last_outcome").to_numpy(object),
                    "Languages": _text(people, "languages").to_numpy(object),
                    "Needs": [needs_words(v) for v in _text(people, "flags")],
                }
            ),
            pd.DataFrame(
                {
                    "Who": "Persistent site",
                    "Nights since": sites["nights_since"].to_numpy() if len(sites) else [],
                    "Last seen": [date_words(v) for v in sites.get("last_seen", [])],
                    "Where": _text(sites, "place_name").to_numpy(object),
                    "Ward": _text(sites, "ward_name").to_numpy(object),
                    "Last outcome": "",
                    "Languages": _text(sites, "languages").to_numpy(object),
                    "Needs": [needs_words(v) for v in _text(sites, "flags")],
                }
            ),
        ],
        ignore_index=True,
    )
    rows = rows.sort_values("Nights since", ascending=False, kind="stable", ignore_index=True)
    # where first: on a phone the first columns are what shows
    first = ["Where", "Nights since", "Last seen", "Ward", "Who"]
    rows = rows.loc[:, [*first, *(c for c in rows.columns if c not in first)]]
    if found.role != "coordinator":  # nothing about a person for other roles
        rows = rows.drop(columns=["Last outcome", "Languages", "Needs"])
    return rows


def activations_table(activations: pd.DataFrame) -> pd.DataFrame:
    """Cold-weather activations, latest first, in words."""
    rows = activations.iloc[::-1]
    return pd.DataFrame(
        {
            "From the night of": [plain_date(pd.Timestamp(v).date()) for v in rows["first_night"]],
            "To the night of": [plain_date(pd.Timestamp(v).date()) for v in rows["last_night"]],
            "Recorded by": _text(rows.reset_index(drop=True), "recorded_by").to_numpy(object),
            "Note": _text(rows.reset_index(drop=True), "note").to_numpy(object),
        }
    )
