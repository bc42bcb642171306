"""Where things are: coordinates, OS grid references, postcodes and place names to points,
and points to the areas they fall in (:mod:`geo.locate.areas`).
"""

from geo.locate.geocode import (
    COARSE_PRECISION_M,
    DEFAULT_PLACE_PRECISION_M,
    MIN_PRECISION_M,
    NO_LOCATION,
    POSTCODE_PRECISION_M,
    Gazetteer,
    Located,
    Message,
    PostcodeDirectory,
    is_no_fixed_abode,
    locate_any,
    locate_en,
    locate_lonlat,
    normalise_postcode,
    parse_grid_refs,
)

__all__ = [
    "COARSE_PRECISION_M",
    "DEFAULT_PLACE_PRECISION_M",
    "Gazetteer",
    "is_no_fixed_abode",
    "locate_any",
    "locate_en",
    "locate_lonlat",
    "Located",
    "Message",
    "MIN_PRECISION_M",
    "NO_LOCATION",
    "normalise_postcode",
    "parse_grid_refs",
    "POSTCODE_PRECISION_M",
    "PostcodeDirectory",
]
