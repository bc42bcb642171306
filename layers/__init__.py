"""Map layers: folium maps built from frames, loading scripts only from ``static/vendor/``.

Rooms: ``registry`` (every layer as a spec: its title, the roles it is for, its builder; pages
make their toggles from it), ``wards`` (the ward map of figures, small numbers kept hidden),
``overlays`` (records, heat, services, police.uk ASB), ``maps`` (base map, areas, points, heat,
legends, layer control) and ``offline_assets`` (local copies instead of CDN links). Nothing here
imports streamlit; ``ui.offline_maps`` shows the maps.
"""
