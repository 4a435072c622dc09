"""Errors a user can act on.

Every message is plain Chinese and says what to do next; the command line prints
it on one line and exits with status 2, the GUI shows it in a dialog.
"""


class DubanError(Exception):
    """A problem caused by input or state the user controls (not a bug)."""


class NotALedgerError(DubanError):
    """The file exists but is not a duban ledger."""


class NewerSchemaError(DubanError):
    """The ledger was written by a newer duban and must not be touched."""


class LedgerLockedError(DubanError):
    """Another duban process has the ledger open."""


class RoundClosedError(DubanError):
    """A write was attempted against a closed reporting round."""
