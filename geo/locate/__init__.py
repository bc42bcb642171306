"""Where things are: coordinates, OS grid references, postcodes and place names to points,
and points to the areas they fall in (:mod:`geo.locate.areas`).

One module per way of giving a location: :mod:`~geo.locate.coordinates` (lon/lat,
easting/northing), :mod:`~geo.locate.grid_refs`, :mod:`~geo.locate.postcodes` (a postcode
directory), :mod:`~geo.locate.places` (a gazetteer), and :mod:`~geo.locate.combined` for rows
with several. Each returns a :class:`~geo.locate.located.Located`. Reading the directory and
gazetteer files is :mod:`geo.io`'s work (:mod:`~geo.io.postcode_files`,
:mod:`~geo.io.gazetteer_files`).
"""

from geo.locate.combined import locate_any
from geo.locate.coordinates import locate_en, locate_lonlat
from geo.locate.grid_refs import parse_grid_refs
from geo.locate.located import (
    COARSE_PRECISION_M,
    MIN_PRECISION_M,
    NO_LOCATION,
    Located,
    Message,
)
from geo.locate.places import DEFAULT_PLACE_PRECISION_M, Gazetteer
from geo.locate.postcodes import (
    POSTCODE_PRECISION_M,
    PostcodeDirectory,
    is_no_fixed_abode,
    normalise_postcode,
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
