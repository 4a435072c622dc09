"""The exchange with reporting units: handoff workbooks out, returns in, and township mode.

- :mod:`reports.exchange.handoff` writes a unit's handoff workbook (and the 催报 list);
- :mod:`reports.exchange.returns` reads a returned workbook into plain cells;
- :mod:`reports.exchange.collect` finds the workbooks in files, folders and .zip archives;
- :mod:`reports.exchange.importing` examines each against the ledger and applies it as an import batch;
- :mod:`reports.exchange.township` is the township clerk's side (open a handoff, export the return).

The ledger-only parts (undoing a batch, review, the round board) live in :mod:`db`.
"""
