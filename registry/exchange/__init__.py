"""Excel/CSV exchange (issue 8): templates, import with a full report, export; headers from registry.core.dictionary.

Modules, one job each: reader (bytes → sheets, limits and file safety), validator (column-wise
types, vocabularies, USCC, regions, duplicates; the schemas' cross-field rules), plan (the
registry's side: permissions, references, create/update/unchanged; the registration's own
plausibility checks, registry/enterprises/plausibility.py), importer (the sequence; the writes
are enterprises.operations.import_registrations, Core executemany + bulk audit in
registry/enterprises/bulk.py), report, exporter (scoped reads), workbook
(XlsxWriter/CSV output), neutralise (formula injection), operations (use cases for the three
doors), views, api, cli, auth.

Decisions worth knowing:
- Sheets are flat: Enterprises (key USCC), Lines (USCC + line code; SO2/NOx/PM/VOCs status,
  reached-on date, concentration and limit as columns), Equipment (USCC + line code + name),
  Permits (number; holder by USCC). Rows are created or updated, never deleted: a line that
  is not in the file stays as it is.
- A blank cell means the field's default (as the forms do); a column that is not in the sheet
  keeps the stored value on update. A changed line whose emission columns are in the file gets
  exactly those emissions (a blank status removes that pollutant's row).
- Vocabulary cells accept the 中文 term or the code; exports write the 中文 term (English: the
  code); yes/no is 是/否. Export → import is a no-op (tested on both databases).
- Officials import within their region subtree; enterprises they create by import are
  recorded as approved (the county's register is the official's own attestation), submitted
  and approved now, created_by the official. Enterprise accounts import only their own
  enterprise's rows while the registration is draft or returned, and cannot create one.
  See plan.py.
- Formulas are never evaluated: calamine reads the value Excel saved; such cells are warned.
- Plausibility (warnings, never refusals): permit industry vs enterprise sector; a line with a
  capacity whose enterprise holds no permit in force; a permit marked issued but expired. The
  permit model has no permitted capacity, so capacity is checked against a permit in force.
"""
