"""Map layers: folium maps built from frames, loading scripts only from ``static/vendor/``.

Rooms: ``offline_assets`` (local copies instead of CDN links) and ``maps`` (base map, areas,
points, heat, layer control). Nothing here imports streamlit; ``ui.offline_maps`` shows the maps.
"""
