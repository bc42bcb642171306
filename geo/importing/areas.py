"""Wards and other areas: a boundary file replaces a layer, and stored points are placed again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.errors import InputFileError
from geo.importing.pipeline import file_sha256
from geo.importing.report import Notice
from geo.io.boundaries import read_areas
from geo.io.limits import MaxMB, check_size
from geo.store import Batch, Store


@dataclass(frozen=True)
class AreaImport:
    """What an area import did."""

    source: str
    layer: str
    stored: int
    warnings: tuple[str, ...]
    repaired: tuple[str, ...]
    batch_id: str

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": "areas",
            "layer": self.layer,
            "read": self.stored,
            "stored": self.stored,
            "skipped": 0,
            "rejected": 0,
            "outside_areas": 0,
            "rejected_by_reason": {},
            "repaired": list(self.repaired),
            "warnings": [Notice("boundary", text).to_dict() for text in self.warnings],
            "batch_id": self.batch_id,
        }


def import_areas(
    store: Store,
    path: str | Path,
    *,
    layer_name: str = "ward",
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    local_authority: str | None = None,
    source: str | None = None,
    max_mb: MaxMB = "upload",
) -> AreaImport:
    """Replace a layer of areas (wards by default) from any boundary file GDAL reads.

    ``local_authority`` keeps only areas whose parent code (e.g. LAD13CD) matches, so a
    national file can be loaded for one borough. Records already stored are placed again.
    ``max_mb`` caps the file's size before it is read (see :mod:`geo.io.limits`).
    """
    check_size(path, max_mb=max_mb, source=source)
    result = read_areas(
        path,
        layer=layer,
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
    )
    areas = result.areas
    if local_authority:
        areas = areas.loc[areas["parent_code"] == local_authority].reset_index(drop=True)
        if areas.empty:
            raise InputFileError(f"{result.source}: no areas have parent code {local_authority!r}")
    source = source or result.source
    batch = Batch.new(kind="areas", source=source, sha256=file_sha256(Path(path)))
    outcome = AreaImport(
        source=source,
        layer=layer_name,
        stored=len(areas),
        warnings=tuple(result.warnings),
        repaired=tuple(result.repaired),
        batch_id=batch.batch_id,
    )
    batch = Batch(**{**batch.__dict__, "accounting": outcome.to_dict()})
    store.replace_areas(areas, layer=layer_name, batch=batch)
    return outcome
