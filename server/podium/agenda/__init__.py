"""Agendas in and out: a pasted text agenda (``text``: the title block and sessions, read by
``segments`` line by line, with ``zones`` for its time zone notes) and spreadsheets
(``spreadsheet``, CSV import and export), turned into programme files (``toml`` writes
them). Both importers share ``names`` (ids, people) and return ``imported``.

May import: ``podium.core``. Used by the CLI; the live server never imports an agenda.
"""
