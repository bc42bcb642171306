"""Point folium and streamlit-folium at the local copies in ``static/vendor/``, never at a CDN.

The app must work with no internet, and a third-party server would also learn which areas
users look at. Streamlit serves ``static/`` (next to the entry script, with
``server.enableStaticServing = true``) at ``/app/static/``; ``tools/refresh_vendor.sh`` fills
``static/vendor/`` from pinned npm versions.

Two steps, both needed:

- :func:`patch` replaces the CDN links folium writes into every map (``folium.Map``,
  ``MarkerCluster``, ``HeatMap``). It changes folium for the whole process, so call it at import
  time, unconditionally; ``layers.maps`` does.
- :func:`localise` rewrites the links streamlit-folium adds by itself (d3 v3 and v4 whenever a
  branca colormap is on the map) and raises :class:`RemoteAssetError` for any other remote link,
  so a plugin whose files were not copied in fails loudly instead of leaving a blank map.
  ``ui.offline_maps`` runs every ``st_folium`` call through it.

This module imports folium but never streamlit.
"""

from __future__ import annotations

from typing import Final

import folium
import folium.folium
from folium.plugins import HeatMap, MarkerCluster

from geo.errors import AtlasError

#: Where Streamlit serves ``static/vendor/`` (an absolute path on the app's own origin).
VENDOR_URL: Final = "/app/static/vendor"


class RemoteAssetError(AtlasError, RuntimeError):
    """A map needs a script or stylesheet from the internet, which the app must never fetch."""


def _local(path: str) -> str:
    return f"{VENDOR_URL}/{path}"


LEAFLET_JS: Final = _local("leaflet/leaflet.js")
LEAFLET_CSS: Final = _local("leaflet/leaflet.css")
JQUERY_JS: Final = _local("jquery/jquery.min.js")
BOOTSTRAP_JS: Final = _local("bootstrap/bootstrap.bundle.min.js")
BOOTSTRAP_CSS: Final = _local("bootstrap/bootstrap.min.css")
FONTAWESOME_CSS: Final = _local("fontawesome/css/all.min.css")
AWESOME_MARKERS_JS: Final = _local("leaflet.awesome-markers/leaflet.awesome-markers.js")
AWESOME_MARKERS_CSS: Final = _local("leaflet.awesome-markers/leaflet.awesome-markers.css")
MARKERCLUSTER_JS: Final = _local("leaflet.markercluster/leaflet.markercluster.js")
MARKERCLUSTER_CSS: Final = _local("leaflet.markercluster/MarkerCluster.css")
MARKERCLUSTER_DEFAULT_CSS: Final = _local("leaflet.markercluster/MarkerCluster.Default.css")
LEAFLET_HEAT_JS: Final = _local("leaflet.heat/leaflet_heat.min.js")
D3_V3_JS: Final = _local("d3-v3/d3.min.js")
D3_V4_JS: Final = _local("d3-v4/d3.min.js")

# What folium 0.20 puts on every map, with the same names, minus two stylesheets with no local
# copy: Bootstrap 3 glyphicons (only for folium.Icon's default prefix; use prefix="fa") and
# folium's leaflet.awesome.rotate.min.css (only for Icon(angle=...)).
_MAP_JS: Final = (
    ("leaflet", LEAFLET_JS),
    ("jquery", JQUERY_JS),
    ("bootstrap", BOOTSTRAP_JS),
    ("awesome_markers", AWESOME_MARKERS_JS),
)
_MAP_CSS: Final = (
    ("leaflet_css", LEAFLET_CSS),
    ("bootstrap_css", BOOTSTRAP_CSS),
    ("awesome_markers_font_css", FONTAWESOME_CSS),
    ("awesome_markers_css", AWESOME_MARKERS_CSS),
)
_MARKERCLUSTER_JS: Final = (("markerclusterjs", MARKERCLUSTER_JS),)
_MARKERCLUSTER_CSS: Final = (
    ("markerclustercss", MARKERCLUSTER_CSS),
    ("markerclusterdefaultcss", MARKERCLUSTER_DEFAULT_CSS),
)
_HEATMAP_JS: Final = (("leaflet-heat.js", LEAFLET_HEAT_JS),)

#: Every CDN URL folium, branca and streamlit-folium use for the maps this app draws, mapped to
#: the local copy. Versions differ where the local one is newer (same major version).
URL_MAP: Final[dict[str, str]] = {
    # folium.Map defaults (folium 0.20)
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": LEAFLET_JS,
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": LEAFLET_CSS,
    "https://code.jquery.com/jquery-3.7.1.min.js": JQUERY_JS,
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": JQUERY_JS,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": BOOTSTRAP_JS,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": BOOTSTRAP_CSS,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        FONTAWESOME_CSS
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (  # noqa: E501
        AWESOME_MARKERS_JS
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (  # noqa: E501
        AWESOME_MARKERS_CSS
    ),
    # folium.plugins.MarkerCluster / FastMarkerCluster
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (  # noqa: E501
        MARKERCLUSTER_JS
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        MARKERCLUSTER_CSS
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (  # noqa: E501
        MARKERCLUSTER_DEFAULT_CSS
    ),
    # folium.plugins.HeatMap
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": (  # noqa: E501
        LEAFLET_HEAT_JS
    ),
    # streamlit-folium adds both d3 versions whenever a branca colormap is on the map
    # (folium.Choropleth always adds one); branca's own templates use d3 v3.
    "https://d3js.org/d3.v4.min.js": D3_V4_JS,
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": D3_V3_JS,
    "https://d3js.org/d3.v3.min.js": D3_V3_JS,
}

#: folium defaults with no local copy, left out of every map by :func:`patch` (see above).
DROPPED_LINKS: Final = frozenset(
    {
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",  # noqa: E501
    }
)


def patch() -> None:
    """Make folium write local vendor links instead of CDN links, for the whole process.

    Idempotent: calling it again sets the same values. Covers ``folium.Map`` (Leaflet, jQuery,
    Bootstrap, Font Awesome, awesome-markers), ``MarkerCluster`` (and ``FastMarkerCluster``,
    which inherits its links) and ``HeatMap``. Any other plugin keeps its CDN links, which
    :func:`localise` then rejects.
    """
    folium.folium._default_js = list(_MAP_JS)
    folium.folium._default_css = list(_MAP_CSS)
    folium.Map.default_js = list(_MAP_JS)
    folium.Map.default_css = list(_MAP_CSS)
    MarkerCluster.default_js = list(_MARKERCLUSTER_JS)
    MarkerCluster.default_css = list(_MARKERCLUSTER_CSS)
    HeatMap.default_js = list(_HEATMAP_JS)


def _is_remote(link: str) -> bool:
    lowered = link.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


def localise(links: list[str]) -> list[str]:
    """Return ``links`` with every known CDN URL replaced by its local copy, duplicates removed.

    Links that are already local (not http, https or protocol-relative) pass unchanged.

    Raises
    ------
    RemoteAssetError
        For any remote link :data:`URL_MAP` does not know; the message names the link and the
        fix.
    """
    local: list[str] = []
    for link in links:
        if _is_remote(link):
            try:
                link = URL_MAP[link.strip()]
            except KeyError:
                raise RemoteAssetError(
                    f"the map needs {link!r} from the internet, and maps must work offline: "
                    "copy it into static/vendor/ by adding it to tools/refresh_vendor.sh, "
                    "then map its URL to the local copy in layers.offline_assets.URL_MAP "
                    "(or drop the plugin that needs it)"
                ) from None
        if link not in local:
            local.append(link)
    return local
