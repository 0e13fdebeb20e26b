"""Agendas in and out: a pasted text agenda (``text``) and spreadsheets (``spreadsheet``,
CSV import and export), turned into programme files.

May import: ``podium.core``. Used by the CLI; the live server never imports an agenda.
"""
