"""The map layers, one spec each: what it is called, who it is for, and how it is built.

Pages build their layer toggles from :func:`layers_for` and draw with :func:`build_layer`;
a new layer is a new :class:`LayerSpec` in :data:`LAYERS`, not a new branch in a page::

    specs = layers_for(role)
    shown = [s for s in specs if st.toggle(s.title, value=s.on_by_default, key=f"layer-{s.name}")]
    groups = [build_layer(s.name, frames[s.source], role=role) for s in shown]
    add_layer_scripts(base, specs)  # every layer offered, shown or not: see the function
    show_map(base, key="records-map", overlays=groups)  # ui.offline_maps

``frames[s.source]`` is the frame the page already loaded for that source (see
:class:`LayerSpec`). :func:`build_layer` returns the layer unattached (``m=None``) so
streamlit-folium can add and remove it without redrawing the base map; pass ``m=`` to draw it
on a map directly (exports, tests). Who may see a layer is checked here too (fail closed), but
the frame is what counts: every frame comes from a role-aware reader in ``geo/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

import folium
import pandas as pd
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap, MarkerCluster
from jinja2 import Template

from geo.errors import AccessDenied
from geo.privacy import ROLES, Role, check_role
from layers import offline_assets
from layers.analysis import (
    add_agency_coverage,
    add_coverage_gaps,
    add_hotspot_cells,
    add_patrol_route,
    add_persistent_sites,
)
from layers.overlays import add_police_asb, add_record_heat, add_records, add_services
from layers.wards import add_ward_figures

#: Where a layer's frame comes from, so a page can load each once:
#: ``ward_figures``: ``area_summary(store, role=role, ...).areas`` (outlines: ``boundaries=``);
#: ``records``: ``store.records(role=role)`` (coordinator, police);
#: ``services``: ``store.services()``; ``police_incidents``: ``store.police_incidents()``;
#: ``hotspot_cells``: ``questions.hotspot_cells(store, role=role)``; ``sites``:
#: ``questions.sites(store, role=role)``; ``agency_coverage`` and ``gaps``: the ``agencies`` and
#: ``gaps`` of ``questions.coverage_gaps(store, role=role)``; ``patrol``: the ``stops`` of
#: ``questions.plan(store, role=role, ...)`` (its start: ``start=``).
LayerSource = Literal[
    "ward_figures",
    "records",
    "services",
    "police_incidents",
    "hotspot_cells",
    "sites",
    "agency_coverage",
    "gaps",
    "patrol",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


#: ``build(m, data, **options) -> folium.FeatureGroup``: draws one layer from a frame into a
#: new FeatureGroup, added to ``m`` unless ``m`` is None. Options are keyword-only.
LayerBuilder = Callable[..., folium.FeatureGroup]


@dataclass(frozen=True)
class LayerSpec:
    """One map layer.

    Attributes
    ----------
    name
        Stable key (widget keys, URLs, tests): lower case, digits and underscores.
    title
        Plain words for the layer's toggle and its name in a layer control.
    roles
        The roles the layer is for.
    build
        ``build(m, data, **options) -> folium.FeatureGroup``; every builder takes ``label``
        and ``show``.
    source
        The frame it draws (see :data:`LayerSource`).
    on_by_default
        Whether its toggle starts on.
    scripts
        The folium plugins whose scripts the layer needs (see :func:`add_layer_scripts`).
    """

    name: str
    title: str
    roles: tuple[Role, ...]
    build: LayerBuilder
    source: LayerSource
    on_by_default: bool = False
    scripts: tuple[type[JSCSSMixin], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(
                f"layer name {self.name!r} must be lower case letters, digits and underscores"
            )
        unknown = [r for r in self.roles if r not in ROLES]
        if not self.roles or unknown:
            raise ValueError(
                f"layer {self.name!r} needs roles from {', '.join(ROLES)}; got {self.roles!r}"
            )


#: Every layer, in the order pages list their toggles (the ward map first).
LAYERS: Final[tuple[LayerSpec, ...]] = (
    LayerSpec(
        name="ward_figures",
        title="Wards: people counted",
        roles=("coordinator", "police", "councillor"),
        build=add_ward_figures,
        source="ward_figures",
        on_by_default=True,
    ),
    LayerSpec(
        name="records",
        title="Sightings and contacts",
        roles=("coordinator", "police"),
        build=add_records,
        source="records",
        on_by_default=True,
        scripts=(MarkerCluster,),
    ),
    LayerSpec(
        name="heat",
        title="Heat of people seen",
        roles=("coordinator", "police"),
        build=add_record_heat,
        source="records",
        scripts=(HeatMap,),
    ),
    LayerSpec(
        name="hotspot_cells",
        title="Hot cells (busier than chance)",
        roles=("coordinator", "police"),
        build=add_hotspot_cells,
        source="hotspot_cells",
        on_by_default=True,
    ),
    LayerSpec(
        name="persistent_sites",
        title="Persistent sites",
        roles=("coordinator", "police"),
        build=add_persistent_sites,
        source="sites",
        on_by_default=True,
    ),
    LayerSpec(
        name="agency_coverage",
        title="Coverage by agency",
        roles=("coordinator", "police"),
        build=add_agency_coverage,
        source="agency_coverage",
        on_by_default=True,
    ),
    LayerSpec(
        name="coverage_gaps",
        title="Coverage gaps, ranked",
        roles=("coordinator", "police"),
        build=add_coverage_gaps,
        source="gaps",
        on_by_default=True,
    ),
    LayerSpec(
        name="patrol_route",
        title="Patrol route",
        roles=("coordinator", "police"),
        build=add_patrol_route,
        source="patrol",
        on_by_default=True,
    ),
    LayerSpec(
        name="services",
        title="Services",
        roles=("coordinator", "police", "councillor"),
        build=add_services,
        source="services",
        on_by_default=True,
    ),
    LayerSpec(
        name="police_asb",
        title="police.uk anti-social behaviour",
        roles=("coordinator", "police"),
        build=add_police_asb,
        source="police_incidents",
        scripts=(MarkerCluster,),
    ),
)


def layers_for(role: object) -> tuple[LayerSpec, ...]:
    """The layers ``role`` may switch on, in :data:`LAYERS` order; none for an unknown role.

    Fails closed: a missing or unknown role (``None``, ``""``, ``"Coordinator"``) gets no
    layers rather than an error or the most powerful role's.
    """
    try:
        known = check_role(role)
    except AccessDenied:
        return ()
    return tuple(spec for spec in LAYERS if known in spec.roles)


def layer_spec(name: str) -> LayerSpec:
    """The spec called ``name``; ``KeyError`` naming the layers there are."""
    for spec in LAYERS:
        if spec.name == name:
            return spec
    raise KeyError(f"no map layer {name!r}; layers are {', '.join(s.name for s in LAYERS)}")


def build_layer(
    name: str,
    data: pd.DataFrame,
    *,
    role: Role,
    m: folium.Map | folium.FeatureGroup | None = None,
    **options: Any,
) -> folium.FeatureGroup:
    """Build layer ``name`` from ``data`` for ``role``, unattached unless ``m`` is given.

    The layer is named by its spec's title unless ``label=`` says otherwise; other
    ``options`` go to the builder (``boundaries=`` and ``period=`` for the ward figures,
    ``show=``...).

    Raises
    ------
    AccessDenied
        If ``role`` is unknown or the layer is not for it.
    """
    known = check_role(role)
    spec = layer_spec(name)
    if known not in spec.roles:
        raise AccessDenied(
            f"the {known} role does not see the {spec.title!r} layer; its layers are "
            f"{', '.join(s.name for s in layers_for(known)) or 'none'}"
        )
    options.setdefault("label", spec.title)
    return spec.build(m, data, **options)


def add_layer_scripts(m: folium.Map, specs: Iterable[LayerSpec]) -> None:
    """Load with the base map what every layer of ``specs`` needs: scripts (local copies) and
    the header styles of GeoJson tooltips and popups.

    streamlit-folium loads scripts, stylesheets and the page header only when it first draws a
    map, not when a layer arrives later through ``feature_group_to_add``: a heat layer switched
    on after the map is drawn would find no ``L.heatLayer``. Call this on the base map with
    every layer the page offers (``layers_for(role)``, or the page's share of it), shown or not.
    """
    offline_assets.patch()
    _Scripts([plugin for spec in specs for plugin in spec.scripts]).add_to(m)


class _Scripts(JSCSSMixin):
    """Nothing on the map; only the script and stylesheet links of some plugins, and the
    styles folium writes into the page header for a GeoJson tooltip or popup (``.foliumtooltip``,
    ``.foliumpopup``, as folium 0.20 writes them), which a layer added later cannot bring."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- for name, style in (("foliumtooltip", ""), ("foliumpopup", "margin: auto;")) %}
        <style>
            .{{ name }} { {{ style }} }
            .{{ name }} table { margin: auto; }
            .{{ name }} tr { text-align: left; }
            .{{ name }} th { padding: 2px; padding-right: 8px; }
        </style>
        {%- endfor %}
        {% endmacro %}
        {% macro script(this, kwargs) %}{% endmacro %}
        """
    )

    def __init__(self, plugins: Iterable[type[JSCSSMixin]]) -> None:
        super().__init__()
        self._name = "LayerScripts"
        plugins = list(plugins)
        self.default_js = list(dict.fromkeys(link for p in plugins for link in p.default_js))
        self.default_css = list(dict.fromkeys(link for p in plugins for link in p.default_css))
