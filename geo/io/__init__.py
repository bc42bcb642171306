"""Reading what users have and writing what they take away.

Reading: :mod:`~geo.io.text` (bytes decoded, separators found and headers normalised, once for
every reader), :mod:`~geo.io.tables` (CSV and XLSX as text), :mod:`~geo.io.columns` (their
headers matched to canonical fields), :mod:`~geo.io.values` (dates, yes/no, ages,
nationality...), :mod:`~geo.io.boundaries` (ward and area files in any GDAL format),
:mod:`~geo.io.postcode_files` (postcodes as written; ONSPD, NSPL and Code-Point Open files) and
:mod:`~geo.io.gazetteer_files` (the user's own named places). Writing: :mod:`geo.io.exports`,
its CSV cells made safe by :mod:`~geo.io.spreadsheet`.
"""
