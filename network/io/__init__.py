"""Import and export of the partner network in the formats partners already use.

Modules: ``rows`` (flat cells <-> records), ``csvfiles`` (the two CSV files),
``xlsx`` (workbooks and the template), ``graphfiles`` (GraphML, GEXF,
node-link JSON), ``geo`` (GeoJSON), ``hsds`` (Open Referral HSDS 3.0),
``importer`` (validate a batch, write it all or nothing), ``records``
(protected fields hidden on export) and ``formats`` (every format behind
``export_bytes`` / ``import_bytes``, for the CLI and the API).

Lossless formats -- CSV, XLSX, node-link JSON and GraphML -- import back to
an identical network, provided text has no control characters other than
newline and no surrounding whitespace, list items contain no ``;`` and
``external_ids`` keys no ``=`` or ``;`` (the schema is the place to refuse
those; until it does, such values are split or trimmed on re-import).
"""
