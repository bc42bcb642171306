"""The tiles under a page's map: a council's tile server, the store's own base map, or none.

Thin on purpose: the choice and the unpacking are :func:`geo.io.basemap.served_tiles`, tested
without Streamlit. Here is only where this app serves files: ``static/`` beside
``streamlit_app.py``, at ``/app/static`` (``server.enableStaticServing``). The store's base map
is unpacked into ``static/basemap/<key>/`` once (the folder is in .gitignore), so the maps ask
nothing of any other server unless ``OUTREACH_ATLAS_TILES`` names one.

A page passes the result to :func:`layers.maps.base_map`::

    m = maps.base_map(tuple(wards.total_bounds), tiles=base_tiles(store.location))
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from geo.errors import AtlasError
from geo.importing.basemap import store_basemap_path
from geo.io.basemap import BaseTiles, served_tiles

#: The folder Streamlit serves at :data:`STATIC_URL`.
STATIC_DIR: Final = Path(__file__).resolve().parents[1] / "static"
STATIC_URL: Final = "/app/static"

_log = logging.getLogger(__name__)


def base_tiles(store_location: str) -> BaseTiles | None:
    """The tiles to draw under the wards of the store at ``store_location``, or None.

    A base map that cannot be used (a broken file, a bad ``OUTREACH_ATLAS_TILES``) is logged
    and left out: the map still draws its wards on the plain background.
    """
    try:
        return served_tiles(
            store_location,
            static_dir=STATIC_DIR,
            url_root=STATIC_URL,
            mbtiles=store_basemap_path(store_location),
        )
    except (AtlasError, OSError) as err:
        _log.warning("base map not shown: %s", err)
        return None
