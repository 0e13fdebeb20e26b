"""Agendas in and out: a pasted text agenda (``text``: the title block and description;
``segments`` reads the agenda line by line, ``lines`` knows one line's forms, ``dates`` its
days, ``zones`` its time zone notes, ``places`` its venue's city; ``plan`` makes the
segments a programme that loads) and spreadsheets (``spreadsheet``, CSV import and export),
turned into programme files (``toml`` writes them; ``plausible`` is what ``podium check``
warns about). Both importers share ``names`` (ids, people) and return ``imported``.

May import: ``podium.core``. Used by the CLI; the live server never imports an agenda.
"""
