"""Show folium maps in Streamlit with no internet: the only module that imports streamlit_folium.

Before drawing a map, :func:`show_map` makes sure folium (:func:`layers.offline_assets.patch`)
and streamlit-folium (:func:`patch_streamlit_folium`) point at the local copies, for the whole
process, so every map in every session loads its scripts from ``/app/static/vendor/``. Nothing
is patched by importing this module. A map that needs a file which was not copied in raises
:class:`layers.offline_assets.RemoteAssetError` instead of rendering blank.

A map is drawn as a base (the map, its boundaries and their legend) and overlays (layers a page
lets the user switch). streamlit-folium keeps a map mounted in the browser while its base script
stays the same, and only swaps the overlays: switching a layer then sends the overlays' code
and nothing is reloaded, panned or zoomed. What the browser learns only when it first mounts a
map (scripts, stylesheets, the page header, what the map reports back) must therefore be on the
base; :func:`show_map` checks the scripts and remounts when ``returned_objects`` changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

import folium
import streamlit_folium
from branca.element import Element
from folium.elements import JSCSSMixin
from jinja2 import Template
from streamlit_folium import st_folium

from layers.offline_assets import localise, patch

#: What a map can report back (``st_folium``'s ``returned_objects``, streamlit-folium 0.27).
RETURNABLE: Final = frozenset(
    {
        "last_clicked",
        "last_object_clicked",
        "last_object_clicked_count",
        "last_object_clicked_tooltip",
        "last_object_clicked_popup",
        "all_drawings",
        "last_active_drawing",
        "bounds",
        "zoom",
        "center",
        "last_circle_radius",
        "last_circle_polygon",
        "selected_layers",
        "selected_tags",
        "last_geocoder_result",
    }
)


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
    overlays: Sequence[folium.FeatureGroup] = (),
    layer_control: bool = False,
    height: int = 600,
    returned_objects: Iterable[str] = (),
) -> dict[str, Any]:
    """Draw ``m`` across the container's width, with ``overlays`` on it; return what the user did.

    ``m`` is the base: build it the same way for as long as the page's filters stay the same,
    and the map stays mounted (its view kept) while ``overlays`` change. ``overlays`` are layers
    built unattached (``m=None``), sent apart from the base (streamlit-folium's
    ``feature_group_to_add``); the scripts they need must be on the base already
    (:func:`layers.registry.add_layer_scripts` with every layer the page offers). Both are
    drawn once: build them again on the next run.

    ``layer_control`` adds a layer switcher listing the base's layers and the overlays (the
    base must then have none of its own). ``key`` keeps the map mounted across reruns.
    ``returned_objects`` names the interactions that rerun the page (``"last_clicked"``,
    ``"bounds"``...); by default none do, so panning and zooming never rerun the script.
    Changing it remounts the map, because the browser reads it only when it mounts one.

    Raises
    ------
    ValueError
        If an overlay is on a map already, if the base lacks a script an overlay needs, or if
        ``returned_objects`` names something a map cannot report.
    """
    use_local_assets()
    groups = list(overlays)
    _check_overlays(m, groups)
    returned = _checked_returns(returned_objects)
    if returned:
        _Reports(returned).add_to(m)
    result = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=returned,
        feature_group_to_add=groups,
        layer_control=folium.LayerControl(collapsed=False) if layer_control else None,
    )
    return dict(result or {})


class _Reports(folium.MacroElement):
    """Writes into the base script what the map reports back, so that a change remounts it.

    streamlit-folium keys the mounted map on its base script and reads ``returned_objects``
    only when it mounts a map: without this, a page switched to "click the map" would keep a
    map that reports nothing.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}/* reports: {{ this.names|join(', ') }} */{% endmacro %}"
    )

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self._name = "Reports"
        # streamlit-folium's key ignores "_word" in the script: "last_clicked" and
        # "last_object_clicked" would both read "last"
        self.names = [name.replace("_", "-") for name in names]


def _checked_returns(names: Iterable[str]) -> list[str]:
    names = list(names)
    unknown = [name for name in names if name not in RETURNABLE]
    if unknown:
        raise ValueError(
            f"returned_objects {unknown!r} are not what a map reports; use some of "
            f"{', '.join(sorted(RETURNABLE))}"
        )
    return names


def _check_overlays(m: folium.Map, groups: list[folium.FeatureGroup]) -> None:
    """Every overlay is an unattached FeatureGroup whose scripts the base map loads already."""
    on_base = set(localise(_links(m)))
    for group in groups:
        if not isinstance(group, folium.FeatureGroup):
            raise TypeError(f"overlays must be folium.FeatureGroup, got {type(group).__name__}")
        if group._parent is not None:
            raise ValueError(
                f"the overlay {group.layer_name!r} is on a map already: build it with m=None "
                "(build_layer(..., m=None)) so it is sent apart from the base map"
            )
        missing = [link for link in localise(_links(group)) if link not in on_base]
        if missing:
            raise ValueError(
                f"the overlay {group.layer_name!r} needs {', '.join(missing)}, which the base "
                "map does not load; the browser loads scripts only when it first draws a map, "
                "so call layers.registry.add_layer_scripts(m, specs) on the base with every "
                "layer the page offers"
            )


def _links(element: Element) -> list[str]:
    """The script and stylesheet links of ``element`` and everything in it."""
    return [
        url
        for part in _walk(element)
        if isinstance(part, JSCSSMixin)
        for _, url in (*part.default_js, *part.default_css)
    ]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)
