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


class LedgerBusyError(DubanError):
    """Another process kept the ledger's write lock longer than duban waits."""


class LedgerReadOnlyError(DubanError):
    """The ledger file or its folder cannot be written (opened read-only)."""


class DiskFullError(DubanError):
    """The disk holding the ledger or an output file has no space left."""


class DamagedLedgerError(NotALedgerError):
    """The ledger file is damaged; the message names the newest good backup."""


class LedgerUnavailableError(DubanError):
    """The ledger file cannot be reached or read (I/O error, share gone, no permission)."""
