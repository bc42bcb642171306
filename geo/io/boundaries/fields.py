"""Recognising the fields of a boundary file: ONS and named codes, names, parents, population.

The rules, best first, are those of :mod:`geo.io.boundaries`; :func:`pick_fields` applies them
to the field names of one layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from geo.errors import BoundaryError
from geo.io.boundaries.words import match_name, some

#: Area type and level (finer is lower) of each kind of code, by the prefix of its field name.
_KINDS: Final[dict[str, tuple[str, int]]] = {
    "oa": ("oa", 0),
    "lsoa": ("lsoa", 1),
    "msoa": ("msoa", 2),
    "wd": ("ward", 3),
    "ward": ("ward", 3),
    "par": ("area", 3),
    "parish": ("area", 3),
    "ced": ("area", 3),
    "lad": ("lad", 4),
    "ltla": ("lad", 4),
    "la": ("lad", 4),
    "ctyua": ("area", 5),
    "utla": ("area", 5),
    "cty": ("area", 5),
    "rgn": ("area", 6),
    "ctry": ("area", 7),
}
#: Level of a local authority: codes of this level or coarser describe a parent first.
_LAD_LEVEL: Final = 4
#: Prefixes of "<prefix>_code" fields that hold some area's code without saying which.
_GENERIC_KINDS: Final = frozenset({"area", "gss", "geo", "geography"})
#: ONS style: prefix, two-digit year, CD or NM, then a variant letter (WD13CDO, WD13NMW).
_ONS_FIELD: Final = re.compile(
    r"(?P<kind>[a-z]+?)(?P<year>\d{2})(?P<role>cd|nm)(?P<variant>[a-z]*)"
)
#: Named style: ward_code, lsoa_name, area_code, wardname, code, name.
_NAMED_FIELD: Final = re.compile(r"(?:(?P<kind>[a-z]+?)_?)?(?P<role>code|name)")
_POPULATION_FIELD: Final = re.compile(
    r"(?:^|_)(?:population|pop|usual_residents|residents)(?:$|_|\d)"
)
_NOT_A_COUNT: Final = frozenset(
    {"density", "dens", "change", "chg", "pct", "percent", "rate", "share", "prop", "per", "ha"}
)


@dataclass(frozen=True)
class _FieldName:
    """What a field's name says it holds."""

    field: str  # as spelled in the file
    kind: str | None  # "wd", "ward", "lsoa", "gss"...; None for a bare code or name
    year: str | None
    role: str  # "code" or "name"
    ons: bool
    variant: str  # "o" of WD13CDO, "w" of WD13NMW; "" for the plain field

    @property
    def level(self) -> int | None:
        return _KINDS[self.kind][1] if self.kind in _KINDS else None


def _read_name(field: str) -> _FieldName | None:
    low = field.strip().lower()
    if match := _ONS_FIELD.fullmatch(low):
        role = "code" if match["role"] == "cd" else "name"
        return _FieldName(field, match["kind"], match["year"], role, True, match["variant"])
    if match := _NAMED_FIELD.fullmatch(low):
        kind = match["kind"]
        if kind is None or kind in _KINDS or kind in _GENERIC_KINDS:
            return _FieldName(field, kind, None, match["role"], False, "")
    return None


def _code_rank(name: _FieldName) -> tuple[int, int, int]:
    """Sort key of a candidate code field: lower is more likely the areas' own code."""
    level = name.level
    if name.field.lower() == "area_code":
        return (0, 0, 0)
    if level is not None and level < _LAD_LEVEL:
        return (1, level, 0 if name.ons else 1)
    if name.ons and level is None:
        return (2, 0, 0)
    if name.kind in _GENERIC_KINDS:
        return (3, 0, 0)
    if name.kind is None:
        return (4, 0, 0)
    return (5, level or 0, 0 if name.ons else 1)


@dataclass(frozen=True)
class Fields:
    """The fields chosen for each canonical column, and what was noticed choosing them."""

    code: str
    name: str | None
    parent: str | None
    population: str | None
    population_given: bool
    area_type: str
    notes: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        wanted = (self.code, self.name, self.parent, self.population)
        return list(dict.fromkeys(field for field in wanted if field is not None))


def pick_fields(
    fields: list[str],
    *,
    label: str,
    code_field: str | None,
    name_field: str | None,
    population_field: str | None,
    area_type: str | None,
) -> Fields:
    named = [name for field in fields if (name := _read_name(field)) is not None]
    notes: list[str] = []
    if code_field is not None:
        code = _given_field(code_field, fields, label=label, option="code_field")
    else:
        code = _find_code(named, fields, label=label)
    code_name = _read_name(code)
    if name_field is not None:
        name = _given_field(name_field, fields, label=label, option="name_field")
    else:
        name = _find_name(code_name, named, fields)
        if name is None:
            notes.append(
                f"{label} has no name field (fields: {some(fields)}); the areas are named by "
                "their codes: pass name_field= to use one"
            )
    parent = _find_parent(code_name, named, fields)
    if population_field is not None:
        population = _given_field(population_field, fields, label=label, option="population_field")
    else:
        population = _find_population(fields, label=label, notes=notes)
    if area_type is not None:
        kind = area_type.strip().lower()
    elif code_name is not None and code_name.kind in _KINDS:
        kind = _KINDS[code_name.kind][0]
    else:
        kind = "area"
    return Fields(
        code=code,
        name=name,
        parent=parent if parent not in {code, name} else None,
        population=population,
        population_given=population_field is not None,
        area_type=kind,
        notes=tuple(notes),
    )


def _given_field(wanted: str, fields: list[str], *, label: str, option: str) -> str:
    match = match_name(wanted, fields)
    if match is None:
        raise BoundaryError(
            f"{label} has no field {wanted!r} (its fields are {some(fields, limit=30)}): pass "
            f"{option}= with one of them"
        )
    return match


def _find_code(named: list[_FieldName], fields: list[str], *, label: str) -> str:
    candidates = [name for name in named if name.role == "code" and not name.variant]
    if not candidates:
        raise BoundaryError(
            f"{label} has no area code field (like WD24CD, LSOA21CD or area_code) among its "
            f"fields {some(fields, limit=30)}: pass code_field= with the one holding the codes"
        )
    best = min(_code_rank(name) for name in candidates)
    tied = [name.field for name in candidates if _code_rank(name) == best]
    if len(tied) > 1:
        raise BoundaryError(
            f"{label} has several fields that could hold the area codes ({some(tied)}): pass "
            "code_field= with the one for these boundaries"
        )
    return tied[0]


def _find_name(code: _FieldName | None, named: list[_FieldName], fields: list[str]) -> str | None:
    names = [name for name in named if name.role == "name" and not name.variant]
    if code is not None:
        for name in names:
            if (name.kind, name.year, name.ons) == (code.kind, code.year, code.ons):
                return name.field
        same_kind = [name.field for name in names if code.kind in _KINDS and name.kind == code.kind]
        if len(same_kind) == 1:  # WD24NM for WD23CD
            return same_kind[0]
    for wanted in ("area_name", "name"):
        match = match_name(wanted, fields)
        if match is not None:
            return match
    return None


def _find_parent(code: _FieldName | None, named: list[_FieldName], fields: list[str]) -> str | None:
    """A ``parent_code`` field, else the finest code field of a coarser level than the code's.

    A code of unknown level (``code``, ``gss_code``, a field given by the user) is taken to be
    finer than a local authority, as its rank in ``_code_rank`` assumes.
    """
    given = match_name("parent_code", fields)
    if given is not None:
        return given
    level = code.level if code is not None and code.level is not None else _LAD_LEVEL - 1
    coarser = [
        name
        for name in named
        if name.role == "code"
        and not name.variant
        and name.level is not None
        and name.level > level
    ]
    if not coarser:
        return None
    return min(coarser, key=lambda name: (name.level, not name.ons)).field


def _find_population(fields: list[str], *, label: str, notes: list[str]) -> str | None:
    found = [
        field
        for field in fields
        if _POPULATION_FIELD.search(low := re.sub(r"[^0-9a-z]+", "_", field.lower()))
        and not _NOT_A_COUNT.intersection(low.split("_"))
    ]
    if len(found) > 1:
        notes.append(
            f"{label} has several population fields ({some(found)}); none was used: pass "
            "population_field= with the right one"
        )
        return None
    return found[0] if found else None
