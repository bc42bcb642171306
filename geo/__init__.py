"""Outreach Atlas: all the logic, as plain Python with no Streamlit and no folium.

Rooms: ``schema`` (canonical tables), ``readers`` (files users have -> canonical frames),
``geocode`` (locations -> points), ``store`` (the one place that knows the backend),
``importer`` (read, geocode, account for every row, store atomically), ``demo`` (the
synthetic demo borough) and ``__main__`` (the command line).
"""
