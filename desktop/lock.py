"""One duban window per ledger file: a second instance is refused politely.

Two windows writing the same SQLite file would not corrupt it (SQLite locks), but each
would show stale data and undo would fight. The lock file sits beside the ledger
(``台账.db.lock``); a lock left behind by a crashed duban is detected as stale (its
process is gone) and taken over.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLockFile

from db.errors import LedgerLockedError


def lock_path_for(ledger: str | Path) -> Path:
    """Return the lock file that guards ``ledger``."""
    ledger = Path(ledger).resolve()
    return ledger.with_name(ledger.name + ".lock")


class LedgerLock:
    """The lock held by the window that has a ledger open.

    Use :meth:`acquire` once; :meth:`release` (or process exit) frees it.
    """

    def __init__(self, ledger: str | Path):
        self.ledger = Path(ledger)
        self.path = lock_path_for(ledger)
        self._lock = QLockFile(str(self.path))
        # A lock older than this whose owner still runs is respected anyway; 0 = never stale by age.
        self._lock.setStaleLockTime(0)
        #: True when the ledger's folder cannot be written, so no lock was taken (see :meth:`acquire`).
        self.read_only = False

    def acquire(self) -> None:
        """Take the lock or raise a polite :class:`LedgerLockedError`.

        In a folder nobody can write (a write-protected USB stick, a CD) there is no lock to
        take and none is needed: the ledger opens read-only, so no window can change it.
        """
        if self.path.parent.is_dir() and not os.access(self.path.parent, os.W_OK):
            self.read_only = True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._lock.tryLock(0):
            return
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            # removeStaleLockFile only removes a lock whose process no longer exists.
            if self._lock.removeStaleLockFile() and self._lock.tryLock(0):
                return
            info = self._lock.getLockInfo()
            # PySide6 returns (pid, hostname, appname), or with a leading success flag in older releases.
            info = info[1:] if len(info) == 4 else info
            pid, host = info[0], info[1]
            who = f"（进程 {pid}，计算机 {host}）" if pid else ""
            raise LedgerLockedError(
                f"台账“{self.ledger.name}”已经在另一个 duban 窗口中打开{who}。"
                "请切换到那个窗口继续工作；同一个台账同时只能打开一个窗口，以免互相覆盖。"
            )
        raise LedgerLockedError(
            f"无法在“{self.path.parent}”中建立锁文件（可能没有写权限）。请把台账复制到自己的文档文件夹后再打开。"
        )

    def release(self) -> None:
        """Free the lock (safe to call twice)."""
        if self._lock.isLocked():
            self._lock.unlock()

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._lock.isLocked()
