"""Import and export of the partner network in the formats partners already use.

Modules: ``rows`` (flat cells <-> records), ``cells`` (formula escaping),
``csvfiles`` (the two CSV files),
``xlsx`` (workbooks and the template), ``graphfiles`` (GraphML, GEXF,
node-link JSON), ``geo`` (GeoJSON), ``hsds`` (Open Referral HSDS 3.0),
``importer`` (validate a batch, write it all or nothing), ``records``
(protected fields hidden on export) and ``formats`` (every format behind
``export_bytes`` / ``import_bytes``, for the CLI and the API).

Lossless formats -- CSV, XLSX, node-link JSON and GraphML -- import back to
an identical network anything the schema accepts: :mod:`network.schemas`
strips surrounding whitespace at every entry point alike and refuses what a
file cannot carry (lone surrogates, control characters, tabs and line breaks
outside description and notes, ``;`` in list items, ``=`` in ``external_ids``
keys). CSV and XLSX escape text a spreadsheet would run as a formula, and
their import undoes exactly that (:mod:`network.io.cells`).
"""
