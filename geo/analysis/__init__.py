"""The analyses, as plain functions of frames: no store, no roles.

- :mod:`~geo.analysis.ward_figures`: counts by area and period, change and emerging wards.
- :mod:`~geo.analysis.hotspots`: Getis-Ord Gi* hotspots, the heat surface, persistent sites.
- :mod:`~geo.analysis.coverage`: who covered where, coverage gaps and overlaps.
- :mod:`~geo.analysis.patrol`: which places to check and in what walking order.

:mod:`geo.questions` reads the store for a role and calls these.
"""
