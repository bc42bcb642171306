"""Matching the columns users have to the canonical ones, by name, overridable.

Headers are compared after :func:`~geo.io.text.normalise_header` (lower case, punctuation to
spaces, runs of spaces collapsed), so "Date/Time", "date_time" and "DATE TIME" are the same
header. Columns that look like a person's name, date of birth, phone, e-mail, NHS or National
Insurance number are found first and are never stored or mapped.

Records and services files are matched field by field (:func:`map_columns`, from
:class:`FieldSpec` registries); lookup files with published column names (postcode
directories, gazetteers) by :func:`match_headers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from geo.errors import ColumnMappingError
from geo.io.text import normalise_header
from geo.schema import RECORD_KINDS

__all__ = [
    "RECORD_FIELDS",
    "SENSITIVE_PATTERNS",
    "ColumnMapping",
    "FieldSpec",
    "map_columns",
    "match_headers",
    "normalise_header",
    "sensitive_columns",
]


#: Headers whose contents identify a person: never stored, never shown, never mapped.
SENSITIVE_PATTERNS: Final[dict[str, str]] = {
    "a person's name": (
        r"^(name|names|full name|first name|forename|forenames|given name|surname|last name|"
        r"family name|middle name|client name|person name|service user name|known as|aka|alias|"
        r"nickname|preferred name)$"
    ),
    "a date of birth": r"^(dob|d o b|date of birth|birth date|birthdate|born)$",
    "a phone number": r"(^| )(phone|telephone|tel|mobile|mob|contact number|phone number)( |$)",
    "an e-mail address": r"(^| )(e ?mail|email address)( |$)",
    "an NHS number": r"^(nhs|nhs no|nhs number|nhs num)$",
    "a National Insurance number": r"^(ni|nino|ni no|ni number|national insurance( no| number)?)$",
    "a Home Office reference": r"^(ho ref|home office ref(erence)?|port ref(erence)?|cid ref)$",
}


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field and the header patterns that map onto it, best first."""

    name: str
    patterns: tuple[str, ...]
    description: str


def _spec(name: str, description: str, *patterns: str) -> FieldSpec:
    return FieldSpec(name=name, patterns=patterns, description=description)


#: Canonical fields of a records file, in the order they are matched.
RECORD_FIELDS: Final[tuple[FieldSpec, ...]] = (
    _spec(
        "source_id",
        "the source system's record or contact id",
        r"^(record|contact|case|visit|count|sighting|incident|entry|row|log|alert|referral)"
        r"( id| ref| reference| no| number)$",
        r"^(id|ref|reference|uid|record)$",
    ),
    _spec(
        "kind",
        f"{', '.join(RECORD_KINDS[:-1])} or {RECORD_KINDS[-1]}",
        r"^(kind|record type|record kind|contact type|entry type|type)$",
    ),
    _spec(
        "datetime",
        "date and time together",
        r"^(date ?time|date and time|observed at|timestamp|seen at|when|date time seen|"
        r"contact date ?time|visit date ?time)$",
    ),
    _spec(
        "date",
        "the date (UK order, day first)",
        r"^(date|contact date|visit date|count date|date seen|date of contact|date of visit|"
        r"night|night of|sighting date|referral date|date of sighting)$",
    ),
    _spec("time", "the time of day", r"^(time|time seen|contact time|visit time|sighting time)$"),
    _spec("lat", "latitude (WGS84)", r"^(lat|latitude|gps lat|gps latitude|wgs84 lat|y lat)$"),
    _spec(
        "lon",
        "longitude (WGS84)",
        r"^(lon|long|lng|longitude|gps lon|gps long|gps longitude|wgs84 lon|x lon)$",
    ),
    _spec(
        "easting",
        "easting (British National Grid metres)",
        r"^(easting|eastings|east|os easting|bng easting|x)$",
    ),
    _spec(
        "northing",
        "northing (British National Grid metres)",
        r"^(northing|northings|north|os northing|bng northing|y)$",
    ),
    _spec(
        "grid_ref",
        "an OS grid reference",
        r"^(grid ref|grid reference|os grid ref|os grid reference|ngr|os ref|gridref)$",
    ),
    _spec("postcode", "a UK postcode", r"^(post ?code|postal code|pc|post code of location)$"),
    _spec(
        "place",
        "a place name from the gazetteer",
        r"^(place|place name|site|site name|location name|named place|hotspot|pitch)$",
    ),
    _spec(
        "location_text",
        "a description of the location",
        r"^(location|location description|location details|description of location|"
        r"site description|address|where|where seen|street|on or near)$",
    ),
    _spec(
        "people",
        "people counted (a number)",
        r"^(people|persons|people counted|number of people|no of people|number seen|count|"
        r"headcount|head count|individuals|rough sleepers|number)$",
    ),
    _spec(
        "person_ref",
        "a pseudonymous person reference (stored only as a keyed hash)",
        r"^(client|person|service user|su|individual|customer|rough sleeper)( id| ref| reference|"
        r" no| number| code)$",
        r"^(chain|chain id|chain ref|chain number|chain no)$",
    ),
    _spec("sex", "sex or gender", r"^(sex|gender)$"),
    _spec("age_band", "age or age band", r"^(age|age band|age group|age range|age bracket)$"),
    _spec(
        "nationality",
        "nationality",
        r"^(nationality|country of origin|citizenship|country of birth)$",
    ),
    _spec(
        "language",
        "main language",
        r"^(language|first language|main language|preferred language|language spoken|"
        r"languages)$",
    ),
    _spec(
        "interpreter_needed",
        "whether an interpreter is needed (yes/no)",
        r"^((needs|need|requires|required) )?interpreter( needed| required| requested)?$",
    ),
    _spec(
        "nrpf",
        "no recourse to public funds (yes/no)",
        r"^(nrpf|no recourse|no recourse to public funds|nrpf flag)$",
    ),
    _spec(
        "trafficking_concern",
        "trafficking or modern slavery concern (yes/no)",
        r"^(trafficking|trafficking concern|modern slavery|modern slavery concern|nrm|"
        r"nrm referral|potential victim of trafficking|pvot|exploitation concern)$",
    ),
    _spec(
        "under_18",
        "under 18 (yes/no)",
        r"^(under 18|under18|u18|minor|child|under eighteen|is under 18|aged under 18)$",
    ),
    _spec("outcome", "what happened", r"^(outcome|result|action|action taken|outcome of contact)$"),
    _spec(
        "notes", "free-text notes", r"^(notes?|comments?|remarks|details|additional information)$"
    ),
)


@dataclass(frozen=True)
class ColumnMapping:
    """Which file column feeds each canonical field, and which columns were set aside."""

    fields: Mapping[str, str]
    sensitive: Mapping[str, str]  # column -> what it looks like ("a date of birth")
    unused: tuple[str, ...]

    def column(self, field: str) -> str | None:
        """The file column mapped onto ``field``, if any."""
        return self.fields.get(field)


def sensitive_columns(headers: Iterable[str]) -> dict[str, str]:
    """Columns whose header says they hold identifying personal data, with what they look like."""
    found: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        for what, pattern in SENSITIVE_PATTERNS.items():
            if re.search(pattern, key):
                found[header] = what
                break
    return found


def map_columns(
    headers: Iterable[str],
    specs: tuple[FieldSpec, ...],
    *,
    overrides: Mapping[str, str] | None = None,
    source: str = "the file",
    personal: bool = True,
) -> ColumnMapping:
    """Map file headers onto canonical fields by pattern, then apply the user's overrides.

    Parameters
    ----------
    headers
        The file's column names.
    specs
        The canonical fields, e.g. :data:`RECORD_FIELDS`.
    overrides
        ``{canonical field: file column}``; an empty column name unmaps the field.
    source
        File name for messages.
    personal
        Whether rows are about people (records). Files about places (services) have a
        ``Name`` column that is the place's name, not a person's.
    """
    headers = list(headers)
    sensitive = sensitive_columns(headers) if personal else {}
    names = {spec.name for spec in specs}
    overrides = dict(overrides or {})
    for field, column in overrides.items():
        if field not in names:
            raise ColumnMappingError(
                f"{source}: there is no field {field!r} to map;"
                f" fields are {', '.join(sorted(names))}"
            )
        if column and column not in headers:
            raise ColumnMappingError(
                f"{source}: no column {column!r} for {field}; columns are {', '.join(headers)}"
            )
        if column in sensitive:
            raise ColumnMappingError(
                f"{source}: column {column!r} looks like {sensitive[column]} and is never stored;"
                " map another column"
            )
    fields: dict[str, str] = {}
    taken: set[str] = set(sensitive) | {c for c in overrides.values() if c}
    normalised = {header: normalise_header(header) for header in headers}
    for spec in specs:
        if spec.name in overrides:
            if overrides[spec.name]:
                fields[spec.name] = overrides[spec.name]
            continue
        for pattern in spec.patterns:
            match = next(
                (h for h in headers if h not in taken and re.search(pattern, normalised[h])),
                None,
            )
            if match is not None:
                fields[spec.name] = match
                taken.add(match)
                break
    unused = tuple(h for h in headers if h not in taken)
    return ColumnMapping(fields=fields, sensitive=sensitive, unused=unused)


def match_headers(
    headers: Sequence[str], patterns: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Canonical name -> header of a lookup file, by patterns matched to whole normalised headers.

    For each canonical name the first pattern that matches any header wins; where it matches
    several, the last in sorted order (the latest year: ``wd24cd`` over ``wd23cd``). Unlike
    :func:`map_columns`, one header may serve two names and nothing is set aside as personal.

    Examples
    --------
    >>> match_headers(["PCDS", "wd23cd", "wd24cd", "Grid-Ref"], {
    ...     "postcode": ("pcd", "pcds"), "ward": (r"wd\\d\\dcd",), "grid_ref": ("grid ?ref",)})
    {'postcode': 'PCDS', 'ward': 'wd24cd', 'grid_ref': 'Grid-Ref'}
    """
    normal = {normalise_header(header): str(header) for header in headers}
    found: dict[str, str] = {}
    for canonical, choices in patterns.items():
        for pattern in choices:
            hits = sorted(name for name in normal if re.fullmatch(pattern, name))
            if hits:
                found[canonical] = normal[hits[-1]]
                break
    return found
