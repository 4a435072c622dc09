"""The duban ledger: one SQLite file, its schema, migrations and domain rules.

Nothing in this package imports Qt; the desktop UI and the command line call the
same functions.
"""
