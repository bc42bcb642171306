"""Outreach Atlas: all the logic, as plain Python with no Streamlit and no folium.

Rooms, from the ground up: ``errors``, ``schema`` (canonical tables), ``crs`` and ``nights``;
``io`` (files users have -> frames, and exports), ``locate`` (locations -> points -> areas),
``privacy`` (roles, what each may read, suppressed figures), ``store`` (the one place that knows
the backend), ``importing`` (frame in, every row accounted for), ``analysis`` (ward figures,
hotspots, sites, coverage, patrols), ``questions`` (what each role asks, read from the store),
``demo`` (the synthetic demo borough) and ``cli`` (``python -m geo``).
"""
