"""Show folium maps in Streamlit with no internet: the only module that imports streamlit_folium.

Before drawing a map, :func:`show_map` makes sure folium (:func:`layers.offline_assets.patch`)
and streamlit-folium (:func:`patch_streamlit_folium`) point at the local copies, for the whole
process, so every map in every session loads its scripts from ``/app/static/vendor/``. Nothing
is patched by importing this module. A map that needs a file which was not copied in raises
:class:`layers.offline_assets.RemoteAssetError` instead of rendering blank.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import folium
import streamlit_folium
from streamlit_folium import st_folium

from layers.offline_assets import localise, patch


class _LocalisedComponent:
    """Wraps streamlit-folium's component function so its links go through ``localise``."""

    #: Marks the wrapper, so patching twice (even after this module is reloaded) wraps once.
    atlas_localised = True

    def __init__(self, component: Callable[..., Any]) -> None:
        self.component = component

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        for name in ("js_links", "css_links"):
            if name in kwargs:
                kwargs[name] = localise(list(kwargs[name] or []))
        return self.component(*args, **kwargs)


def patch_streamlit_folium() -> None:
    """Route every ``st_folium`` call's ``js_links``/``css_links`` through ``localise``.

    streamlit-folium adds d3 from d3js.org and cdnjs by itself whenever a branca colormap is on
    the map, whatever folium's defaults say; this rewrites those links and rejects unknown remote
    ones. Idempotent.
    """
    if not getattr(streamlit_folium._component_func, "atlas_localised", False):
        streamlit_folium._component_func = _LocalisedComponent(streamlit_folium._component_func)


_offline_lock = threading.Lock()


def use_local_assets() -> None:
    """Point folium and streamlit-folium at the vendored copies (idempotent, thread-safe)."""
    with _offline_lock:
        patch()
        patch_streamlit_folium()


def show_map(
    m: folium.Map,
    *,
    key: str,
    height: int = 600,
    returned_objects: Iterable[str] = (),
) -> dict[str, Any]:
    """Draw ``m`` across the container's width and return what the user did with it.

    ``key`` keeps the map mounted across reruns. ``returned_objects`` names the interactions
    that rerun the page (``"last_object_clicked_tooltip"``, ``"bounds"``...); by default none
    do, so panning and zooming never rerun the script.
    """
    use_local_assets()
    result = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returned_objects),
    )
    return dict(result or {})
