"""The demo's files: each agency's records in the form that agency really exports, and lookups.

1. Council outreach team: UTF-8 CSV, GPS latitude/longitude, UK dates, a ``Kind`` column
   (street_count or visit), one row per person engaged with their client reference and needs, or
   one row for a group not engaged, or People 0 "No one found".
2. Harbour Light homelessness charity: XLSX, ISO date-times, located by postcode only; two rows
   have the no-fixed-abode pseudo-postcode ``ZZ99 3VZ`` and two a terminated postcode.
3. Police neighbourhood team: Windows-1252 CSV, OS grid references (8 or 10 figures, truncated
   as grid references are), counts only.
4. St Anne's night shelter volunteers: CSV with a UTF-8 byte order mark, located by place names
   and aliases from the gazetteer; People 0 means they went and found nobody.

Lookups: a postcode directory in the 2025+ NSPL layout, a gazetteer of named places (aliases
separated by ``;``), a services list (languages separated by ``;``, OpenStreetMap-style opening
hours) and a police.uk street-level crime file for the three calendar months before ``end``.
Every output carries :data:`~geo.demo.borough.DEMO_LABEL`, and the folder has a README.txt.

:func:`write_demo` splits the seed into one random stream per part (wards, postcodes, people,
agencies, police.uk, LSOAs, the people-over-time stories, the partnership signals' stories), so
the same arguments give byte-identical files and a new part leaves the others drawn as before.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
from openpyxl import Workbook
from pyproj import Transformer

from geo.demo.agencies import (
    COUNCIL,
    HARBOUR_LIGHT,
    POLICE_TEAM,
    ST_ANNES,
    _agency_records,
    _ContactRow,
    _CouncilRow,
    _CountRow,
    _SoupRunRow,
)
from geo.demo.basemap import write_basemap_file
from geo.demo.borough import (
    BOROUGH_NAME,
    DEMO_LABEL,
    DEMO_SEED,
    NSPL_HEADER,
    PERSISTENT_SITES,
    PLACES_HEADER,
    RISING_WARD_CODE,
    RISING_WARD_NAME,
    SERVICES_HEADER,
    _lsoa_seeds,
    _nspl_rows,
    _place_rows,
    _postcode_directory,
    _service_rows,
    _ward_frame,
)
from geo.demo.context import CONTEXT_HEADER, context_rows
from geo.demo.over_time import (
    CLEARED_SITE,
    QUIET_SITE,
    REFERRALS_AGENCY,
    ReferralRow,
    cold_spell,
    over_time_rows,
)
from geo.demo.police_uk import _police_uk_rows
from geo.demo.signals import (
    RECORDS_LITTLE,
    RECORDS_NATIONALITY,
    REFERRED_CHILD,
    SHARED_LANGUAGE,
    TENSION_NIGHTS,
    TENSION_WARD,
    TOWPATH_LANGUAGE,
    UNREFERRED_CHILD,
    signal_rows,
    tension_month,
    with_tension_incidents,
)
from geo.demo.street import _BY_DEMONYM, _simulate_street
from geo.schema import DISPLAY_CRS, POLICE_UK_HEADER, WORKING_CRS

COUNCIL_HEADER: Final[tuple[str, ...]] = (
    "Record ID", "Kind", "Date", "Time", "Latitude", "Longitude", "People", "Client Ref", "Sex",
    "Age band", "Nationality", "Language", "Interpreter needed", "NRPF", "Trafficking concern",
    "Under 18", "Outcome", "Notes", "Location",
)  # fmt: skip
HARBOUR_LIGHT_HEADER: Final[tuple[str, ...]] = (
    "Contact date", "Postcode", "Location description", "Client ID", "Gender", "Age",
    "Nationality", "First language", "Interpreter required", "No recourse to public funds",
    "Modern slavery concern", "Outcome",
)  # fmt: skip
POLICE_TEAM_HEADER: Final[tuple[str, ...]] = ("Ref", "Date/Time", "Grid Ref", "Persons", "Notes")
ST_ANNES_HEADER: Final[tuple[str, ...]] = (
    "Date", "Time", "Place", "People", "Language", "Needs interpreter", "Notes",
)  # fmt: skip

#: The public referrals service's export: when the alert came in, where, and what was seen.
REFERRALS_HEADER: Final[tuple[str, ...]] = (
    "Referral ID", "Date", "Time", "Latitude", "Longitude", "Location", "People", "Notes",
)  # fmt: skip

_MIN_NIGHTS: Final = 42  # the rising ward needs five weeks of rise and some weeks before it
_MAX_NIGHTS: Final = 730


@dataclass(frozen=True)
class DemoFiles:
    """Where :func:`write_demo` put each file.

    ``records`` holds one ``(file, agency, kind)`` per agency file; ``kind`` is the kind its rows
    have unless the file says otherwise (a ``Kind`` column, or People 0 for a visit).
    """

    directory: Path
    wards: Path
    records: tuple[tuple[Path, str, str], ...]
    postcodes: Path
    places: Path
    services: Path
    police: Path
    readme: Path
    basemap: Path
    context: Path


def write_demo(
    directory: str | Path,
    *,
    seed: int = DEMO_SEED,
    end: date = date(2026, 11, 23),
    nights: int = 91,
) -> DemoFiles:
    """Write the synthetic demo borough's files into ``directory`` (created if needed).

    ``end`` is the evening of the last night; the records cover ``nights`` nights up to it, and
    the police.uk file the three calendar months before ``end``'s month. The same arguments give
    byte-identical files. Files of the same names already in ``directory`` are replaced.
    """
    out = _check_arguments(directory, seed=seed, end=end, nights=nights)
    # a stream per part, so that adding a part leaves the others drawn as before
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    rng_wards, rng_postcodes, rng_people, rng_agencies, rng_police, rng_lsoa, rng_later = streams[
        :7
    ]
    rng_signals = streams[7]
    to_lonlat = Transformer.from_crs(WORKING_CRS, DISPLAY_CRS, always_xy=True)

    wards = _ward_frame(rng_wards)
    lsoas = _lsoa_seeds(rng_lsoa)
    postcodes = _postcode_directory(rng_postcodes, wards, lsoas, to_lonlat)
    first = end - timedelta(days=nights - 1)
    street = _simulate_street(rng_people, nights)
    records = _agency_records(rng_agencies, street, first, postcodes)
    later, referrals = over_time_rows(rng_later, street, first, records.council)
    signals = signal_rows(rng_signals, first, end, records.council, postcodes)
    records.council.extend(later + signals.council)
    records.council.sort(key=lambda row: row.stamp)
    records.harbour_light.extend(signals.harbour_light)
    records.harbour_light.sort(key=lambda row: row.stamp)
    records.st_annes.extend(signals.st_annes)
    records.st_annes.sort(key=lambda row: row.stamp)

    files = DemoFiles(
        directory=out,
        wards=out / "wards.geojson",
        records=(
            (out / "council_outreach_team.csv", COUNCIL, "street_count"),
            (out / "harbour_light_contacts.xlsx", HARBOUR_LIGHT, "outreach_contact"),
            (out / "police_neighbourhood_team.csv", POLICE_TEAM, "street_count"),
            (out / "st_annes_volunteers.csv", ST_ANNES, "outreach_contact"),
            (out / "public_referrals.csv", REFERRALS_AGENCY, "referral"),
        ),
        postcodes=out / "postcodes_nspl.csv",
        places=out / "places.csv",
        services=out / "services.csv",
        police=out / "police_uk_street.csv",
        readme=out / "README.txt",
        basemap=out / "basemap_synthetic.geojson",
        context=out / "ward_context.csv",
    )
    _write_wards(files.wards, wards)
    _write_csv(files.postcodes, NSPL_HEADER, _nspl_rows(postcodes, lsoas))
    _write_csv(files.places, PLACES_HEADER, _place_rows(to_lonlat))
    _write_csv(files.services, SERVICES_HEADER, _service_rows(to_lonlat))
    _write_csv(files.records[0][0], COUNCIL_HEADER, _council_rows(records.council, to_lonlat))
    _write_xlsx(
        files.records[1][0],
        HARBOUR_LIGHT_HEADER,
        _harbour_light_rows(records.harbour_light),
        stamp=datetime.combine(end + timedelta(days=1), time(7, 0)),
    )
    _write_csv(
        files.records[2][0],
        POLICE_TEAM_HEADER,
        _police_team_rows(records.police_team),
        encoding="cp1252",
    )
    _write_csv(
        files.records[3][0], ST_ANNES_HEADER, _st_annes_rows(records.st_annes), encoding="utf-8-sig"
    )
    _write_csv(files.records[4][0], REFERRALS_HEADER, _referral_rows(referrals, to_lonlat))
    police = _police_uk_rows(rng_police, end, lsoas, to_lonlat)
    _write_csv(files.police, POLICE_UK_HEADER, with_tension_incidents(rng_signals, police, end))
    write_basemap_file(files.basemap)
    _write_csv(files.context, CONTEXT_HEADER, context_rows(wards))
    files.readme.write_text(_readme_text(seed=seed, first=first, end=end), encoding="utf-8")
    return files


# --------------------------------------------------------------------------------------------
# Arguments


def _check_arguments(directory: str | Path, *, seed: int, end: date, nights: int) -> Path:
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ValueError(f"directory {str(out)!r} is a file; give a folder for the demo files")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}; e.g. seed={DEMO_SEED}")
    if isinstance(end, datetime) or not isinstance(end, date):
        raise ValueError(f"end must be a date (the last night's evening), got {end!r}")
    if (
        isinstance(nights, bool)
        or not isinstance(nights, int)
        or not (_MIN_NIGHTS <= nights <= _MAX_NIGHTS)
    ):
        raise ValueError(
            f"nights must be a whole number from {_MIN_NIGHTS} to {_MAX_NIGHTS}, got {nights!r}; "
            "the rising ward needs five weeks of rise after a settled spell"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


# --------------------------------------------------------------------------------------------
# Rows as each agency writes them

_YES_NO: Final = {True: "Yes", False: "No"}
_Y_N: Final = {True: "Y", False: "N"}


def _age_band(age: int) -> str:
    if age < 18:
        return "Under 18"
    for upper, band in ((25, "18-25"), (35, "26-35"), (45, "36-45"), (55, "46-55"), (65, "56-65")):
        if age <= upper:
            return band
    return "66+"


def _council_rows(rows: list[_CouncilRow], to_lonlat: Transformer) -> list[list[str]]:
    lon, lat = to_lonlat.transform([r.x for r in rows], [r.y for r in rows])
    out = []
    for i, (row, lo, la) in enumerate(zip(rows, lon, lat, strict=True), start=1):
        p = row.person
        about = (
            [
                p.ref, p.sex, _age_band(p.age), p.nationality, p.language,
                _Y_N[p.interpreter], _Y_N[p.nrpf], _Y_N[p.trafficking], _Y_N[p.under_18],
            ]
            if p is not None
            else ["", "", "", "", "", "", "", "", ""]
        )  # fmt: skip
        out.append(
            [
                f"COT-{i:05d}",
                "visit" if row.people == 0 else "street_count",
                row.stamp.strftime("%d/%m/%Y"),
                row.stamp.strftime("%H:%M"),
                f"{la:.6f}",
                f"{lo:.6f}",
                str(row.people),
                *about,
                row.outcome,
                row.notes,
                row.location,
            ]
        )
    return out


def _harbour_light_rows(rows: list[_ContactRow]) -> list[list[str | int]]:
    return [
        [
            row.stamp.strftime("%Y-%m-%dT%H:%M"),
            row.postcode,
            row.location,
            row.person.ref,
            {"M": "Male", "F": "Female"}[row.person.sex],
            row.person.age,
            _BY_DEMONYM[row.person.nationality].country,
            row.person.language,
            _YES_NO[row.person.interpreter],
            _YES_NO[row.person.nrpf],
            _YES_NO[row.person.trafficking],
            row.outcome,
        ]
        for row in rows
    ]


def _police_team_rows(rows: list[_CountRow]) -> list[list[str]]:
    return [
        [
            f"NPT-{i:04d}",
            row.stamp.strftime("%d/%m/%Y %H:%M"),
            _os_grid_ref(row.x, row.y, figures=row.figures),
            str(row.persons),
            row.notes,
        ]
        for i, row in enumerate(rows, start=1)
    ]


def _st_annes_rows(rows: list[_SoupRunRow]) -> list[list[str]]:
    return [
        [
            row.stamp.strftime("%d/%m/%Y"),
            row.stamp.strftime("%H:%M"),
            row.place,
            str(row.people),
            row.language,
            row.interpreter,
            row.notes,
        ]
        for row in rows
    ]


def _referral_rows(rows: list[ReferralRow], to_lonlat: Transformer) -> list[list[str]]:
    lon, lat = to_lonlat.transform([r.x for r in rows], [r.y for r in rows])
    return [
        [
            f"SL-{i:05d}",
            row.stamp.strftime("%d/%m/%Y"),
            row.stamp.strftime("%H:%M"),
            f"{la:.6f}",
            f"{lo:.6f}",
            row.location,
            "1",
            row.notes,
        ]
        for i, (row, lo, la) in enumerate(zip(rows, lon, lat, strict=True), start=1)
    ]


_GRID_LETTERS: Final = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # the OS alphabet has no I


def _os_grid_ref(easting: float, northing: float, *, figures: Literal[6, 8, 10] = 10) -> str:
    """An OS grid reference such as "TQ 31040 04560": the square's letters, then the position
    within the 100 km square truncated (never rounded) to ``figures`` digits in all.

    >>> _os_grid_ref(651409.9, 313177.2)
    'TG 51409 13177'
    >>> _os_grid_ref(216667, 771283, figures=8)
    'NN 1666 7128'
    """
    if not (0 <= easting < 700_000 and 0 <= northing < 1_300_000):
        raise ValueError(f"({easting}, {northing}) is outside the British National Grid")
    e100k, n100k = int(easting // 100_000), int(northing // 100_000)
    first = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    second = (19 - n100k) * 5 % 25 + e100k % 5
    letters = _GRID_LETTERS[first] + _GRID_LETTERS[second]
    digits = figures // 2
    unit = 10 ** (5 - digits)
    e = int(easting % 100_000) // unit
    n = int(northing % 100_000) // unit
    return f"{letters} {e:0{digits}d} {n:0{digits}d}"


# --------------------------------------------------------------------------------------------
# Writing


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, encoding: str = "utf-8"
) -> None:
    """CSV with CRLF line ends, as Excel and police.uk write them."""
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, stamp: datetime
) -> None:
    """One sheet of contacts; the zip is rewritten with fixed times so the bytes are repeatable."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    book.properties.creator = "Outreach Atlas demo generator"
    book.properties.title = f"{HARBOUR_LIGHT} contacts"
    book.properties.description = DEMO_LABEL
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + fixed, data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)


def _write_wards(path: Path, wards: gpd.GeoDataFrame) -> None:
    path.unlink(missing_ok=True)
    wards.to_crs(DISPLAY_CRS).to_file(path, driver="GeoJSON", layer="wards_synthetic_demo")


def _readme_text(*, seed: int, first: date, end: date) -> str:
    cold = cold_spell(end)
    signals = textwrap.fill(_signals_story(end), width=95)
    return f"""{DEMO_LABEL}
{"=" * len(DEMO_LABEL)}

{BOROUGH_NAME}: an invented coastal borough, generated by geo/demo/ (seed {seed}).
No file here describes a real person, place, postcode, ward or police force. The outline sits
on the English south coast only so that British National Grid and OS grid references behave as
they do in real files. Postcode area ZX and ward codes E05999xxx do not exist.

Nights covered: evenings {first:%d %B %Y} to {end:%d %B %Y}. A sighting after midnight carries
the next calendar date and belongs to the previous night.

Files, each in the form that kind of source really arrives in:
  wards.geojson                    20 wards (WD24CD, WD24NM, population), CRS84
  council_outreach_team.csv        {COUNCIL}: UTF-8, GPS lat/long, UK dates,
                                   Kind street_count or visit (People 0 = no one found),
                                   a Location written only where the place has no name
  harbour_light_contacts.xlsx      {HARBOUR_LIGHT}: Excel, located by postcode;
                                   ZZ99 3VZ means no fixed abode; two rows use a terminated postcode
  police_neighbourhood_team.csv    {POLICE_TEAM}: Windows-1252, OS grid references
  st_annes_volunteers.csv          {ST_ANNES}: UTF-8 with BOM, place names
                                   from places.csv (names or aliases); People 0 = nobody there
  public_referrals.csv             {REFERRALS_AGENCY}: alerts from the public (kind
                                   referral), UTF-8, GPS lat/long, sent the morning after
  postcodes_nspl.csv               postcode directory in the 2025+ NSPL layout (some terminated)
  places.csv                       gazetteer: name, latitude, longitude, precision_m, aliases (;)
  services.csv                     services: name, type, opening_hours, languages (;), lat/long
  police_uk_street.csv             police.uk street-level crime file, three months
  basemap_synthetic.geojson        the base map's made-up coast, river, roads, railway,
                                   station and parks (kind, name), CRS84
  ward_context.csv                 ward context: population mid-2022 and mid-2024, deprivation
                                   decile, rural-urban class (Riverside grows fastest)

What to look for: people bedded down most nights at {", ".join(PERSISTENT_SITES[:2])},
{", ".join(PERSISTENT_SITES[2:])}; numbers rising fast in {RISING_WARD_NAME} ward
({RISING_WARD_CODE}) over the last five weeks; Northfields retail park (Hillcrest ward) seen
only by the police team, a coverage gap. Over time: {CLEARED_SITE.name} emptied after eight
weeks while the council team kept looking (cleared); {QUIET_SITE.name} went unvisited after
week nine (nobody knows); two people came back after six weeks away; a cold spell on the
evenings {cold[0]:%d} to {cold[1]:%d %B} when the council team went round every place it knows.
Client references are shared by the council team and Harbour Light.

{signals}
"""


def _signals_story(end: date) -> str:
    """What the partnership signals show in the demo, in one paragraph (see geo.demo.signals)."""
    watched = datetime.strptime(tension_month(end), "%Y-%m")
    arrive, leave = TENSION_NIGHTS
    child, waiting = REFERRED_CHILD, UNREFERRED_CHILD
    later = child.seen_before_end - (child.referred_before_end or 0)

    def night(before: int) -> str:
        return f"{end - timedelta(days=before):%d %B}".lstrip("0")

    return (
        f"Partnership signals: {TENSION_WARD} ward is on the tension watch for {watched:%B %Y}:"
        f" three people camped by the railway bridge on the towpath from the {arrive}th to the"
        f" {leave}th, and anti-social behaviour and public order offences on Riverside Path rose"
        f" with them. A {child.age}-year-old girl {HARBOUR_LIGHT} met at the {child.place} on"
        f" the night of {night(child.seen_before_end)} was referred to children's services"
        f" {later} nights later (she leaves the safeguarding queue); a {waiting.age}-year-old"
        f" boy it met at the {waiting.place} on the night of {night(waiting.seen_before_end)}"
        f" was never referred (he waits). {RECORDS_LITTLE} record little: a head count, a place"
        f" name and a language, never nationality, no recourse to public funds or a reference;"
        f" {RECORDS_NATIONALITY} records nationality on nearly every contact. Both need"
        f" {SHARED_LANGUAGE[0]} interpreters in {SHARED_LANGUAGE[1]} ward week after week, and"
        f" {TOWPATH_LANGUAGE[0]} in {TOWPATH_LANGUAGE[1]} ward in the last week."
    )
