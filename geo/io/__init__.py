"""Reading what users have and writing what they take away.

Reading: :mod:`~geo.io.tables` (CSV and XLSX as text), :mod:`~geo.io.columns` (their headers
matched to canonical fields), :mod:`~geo.io.values` (dates, yes/no, ages, nationality...),
:mod:`~geo.io.boundaries` (ward and area files in any GDAL format). Writing:
:mod:`geo.io.exports`.
"""
