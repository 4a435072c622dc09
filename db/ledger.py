"""Opening, creating, migrating, checking and backing up a ledger file.

One connection per thread: every caller (CLI command, GUI worker) opens its own
``Database`` from the path with :func:`open_ledger`.

Every connection is a :class:`LedgerConnection` inside a :class:`LedgerDatabase`: each
writing transaction starts with ``BEGIN IMMEDIATE`` (explicit ones through
:meth:`LedgerDatabase.atomic`, implicit ones through the connection's isolation level),
so a second process waits for the write lock under the busy timeout instead of failing
half-way through, and SQLite's fault codes (busy, disk full, read-only, damaged, I/O)
become one Chinese sentence each (:func:`ledger_fault`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from db.errors import (
    DamagedLedgerError,
    DiskFullError,
    DubanError,
    LedgerBusyError,
    LedgerReadOnlyError,
    LedgerUnavailableError,
    NewerSchemaError,
    NotALedgerError,
)
from db.schema import LATEST_VERSION, MIGRATIONS

log = logging.getLogger("duban.ledger")

SQLITE_HEADER = b"SQLite format 3\x00"

#: How long a writer waits for another process's write transaction before it gives up.
#: A file of returns is applied in well under a second even at county scale, so a wait this
#: long only runs out when the other process is stuck (or a window sits in a long edit).
DEFAULT_WRITE_WAIT_SECONDS = 30.0

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26

#: File systems on which SQLite's locking cannot be trusted (two PCs may both "hold" the lock).
NETWORK_FILESYSTEMS = frozenset(
    {"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs", "9p", "fuse.sshfs", "davfs", "fuse.davfs2"}
)


def now_iso() -> str:
    """Return the local time as ``YYYY-MM-DDTHH:MM:SS`` (what the audit log stores)."""
    return datetime.now().replace(microsecond=0).isoformat()


def write_wait_seconds() -> float:
    """How long a write waits for another process (``DUBAN_WRITE_WAIT_SECONDS`` overrides it)."""
    try:
        return max(0.0, float(os.environ.get("DUBAN_WRITE_WAIT_SECONDS", DEFAULT_WRITE_WAIT_SECONDS)))
    except ValueError:
        return DEFAULT_WRITE_WAIT_SECONDS


# ---------------------------------------------------------------------------
# Who else has the ledger open (named in the "another duban is writing" sentence)
# ---------------------------------------------------------------------------


def _users_dir(path: Path) -> Path:
    key = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "duban-users" / key


def _describe_this_process() -> str:
    args = sys.argv[1:]
    words = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--db":
            skip = True
            continue
        if not arg.startswith("-"):
            words.append(arg)
    return f"duban {words[0]}" if words else "duban 窗口"


def announce_use(path: str | Path, what: str | None = None) -> None:
    """Note that this process has the ledger open, so that a blocked writer can say who holds it.

    The note lives in the temporary folder (never beside the ledger) and is removed when the
    process ends; a note left by a killed process is ignored because its process is gone.
    """
    note = _users_dir(Path(path)) / f"{os.getpid()}.json"
    _OPEN_COUNTS[note] = _OPEN_COUNTS.get(note, 0) + 1
    if _OPEN_COUNTS[note] > 1:
        return
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(
            json.dumps({"pid": os.getpid(), "what": what or _describe_this_process(), "since": now_iso()}),
            encoding="utf-8",
        )
    except OSError:
        return
    atexit.register(note.unlink, missing_ok=True)


#: How many open connections of this process each "in use" note stands for.
_OPEN_COUNTS: dict[Path, int] = {}


def withdraw_use(path: str | Path) -> None:
    """Undo one :func:`announce_use`; the note goes when this process's last connection closes."""
    note = _users_dir(Path(path)) / f"{os.getpid()}.json"
    count = _OPEN_COUNTS.get(note, 0) - 1
    if count > 0:
        _OPEN_COUNTS[note] = count
        return
    _OPEN_COUNTS.pop(note, None)
    with contextlib.suppress(OSError):
        note.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def other_users(path: str | Path) -> list[str]:
    """Describe the other running duban processes that have the ledger open, e.g. ``duban import-returns（进程 4242）``."""
    path = Path(path)
    found: dict[int, str] = {}
    with contextlib.suppress(OSError, ValueError):
        # The window's lock file (QLockFile): pid, application name, host name, one a line.
        lines = path.resolve().with_name(path.name + ".lock").read_text(encoding="utf-8", errors="replace").split("\n")
        pid = int(lines[0])
        if pid != os.getpid() and process_alive(pid):
            found[pid] = "duban 窗口"
    with contextlib.suppress(OSError):
        for note in _users_dir(path).glob("*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                info = json.loads(note.read_text(encoding="utf-8"))
                pid = int(info["pid"])
                if not process_alive(pid):
                    note.unlink(missing_ok=True)  # left by a process that was killed
                elif pid != os.getpid() and pid not in found:
                    found[pid] = str(info["what"])
    return [f"{what}（进程 {pid}）" for pid, what in sorted(found.items())]


# ---------------------------------------------------------------------------
# Faults: one sentence each
# ---------------------------------------------------------------------------


def _folder_of(path: Path | None) -> str:
    return str(path.resolve().parent) if path else "台账所在的文件夹"


def _disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


def busy_sentence(path: Path | None) -> str:
    """The sentence for a write that waited for another process in vain."""
    name = f"“{path.name}”" if path else ""
    users = other_users(path) if path else []
    who = f"（{'、'.join(users)}）" if users else ""
    return (
        f"另一个 duban{who}正在写入台账{name}，等了 {write_wait_seconds():.0f} 秒仍未写完；"
        "本次操作没有做任何改动，请等它完成后再试。"
    )


def disk_full_sentence(path: Path | None, doing: str = "写入台账") -> str:
    """The sentence for a full disk (the ledger is as it was before the operation)."""
    return (
        f"磁盘空间已满，{doing}失败，本次操作没有保存（台账仍是操作前的样子）；"
        f"请清理“{_folder_of(path)}”所在磁盘的空间后重试。"
    )


def read_only_sentence(path: Path | None, opened: bool = False) -> str:
    """The sentence for a ledger whose file or folder cannot be written."""
    name = f"“{path.name}”" if path else ""
    head = f"台账{name}是只读的（文件或所在文件夹没有写权限，或在只读的 U 盘、光盘上）"
    if opened:
        return f"{head}，已按只读方式打开：可以查看和出报表，不能修改；要修改请把它复制到自己可写的文件夹。"
    return f"{head}，不能修改，本次操作没有保存；可以查看和出报表，要修改请把它复制到自己可写的文件夹。"


def network_share_sentence(path: Path, kind: str) -> str:
    """The warning for a ledger on a network share."""
    return (
        f"台账“{path.name}”在网络共享盘上（{kind}），两台电脑同时写入时 SQLite 的锁并不可靠，台账可能损坏；"
        "请把台账放在本机硬盘上（如 D:\\督办），用 U 盘或邮件交换填报表。"
    )


def damaged_sentence(path: Path | None, detail: str = "") -> str:
    """The sentence for a damaged ledger, naming the newest good backup and the restore command."""
    if path is None:
        return "台账文件已损坏，未做任何改动。"
    detail = f"（{detail}）" if detail else ""
    good = newest_good_backup(path)
    if good is None:
        advice = "没有找到完好的备份；请不要再写入这个文件，把它复制一份发给技术支持。"
    else:
        advice = (
            f"最近一个完好的备份是 {good.taken_at:%Y-%m-%d %H:%M} 的“{good.path.name}”，"
            f"恢复请运行 duban --db “{path}” restore “{good.path}”（当前文件会先另存一份）。"
        )
    return f"台账“{path.name}”已损坏{detail}，未做任何改动。{advice}"


def ledger_fault(exc: BaseException, path: str | Path | None) -> DubanError | None:
    """Translate a SQLite or OS error met while using the ledger at ``path`` into one sentence.

    Returns:
        The :class:`DubanError` to raise instead, or None when ``exc`` is not a fault of the
        file, the disk or another process (a bug stays a bug).
    """
    path = Path(path) if path is not None else None
    if isinstance(exc, DubanError):
        return exc
    if isinstance(exc, OSError):
        named = getattr(exc, "filename", None)
        return os_fault(exc, Path(named) if named else path, "读写文件")
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return LedgerBusyError(busy_sentence(path))
    if primary == _SQLITE_FULL or "disk is full" in text:
        return DiskFullError(disk_full_sentence(path))
    if primary == _SQLITE_READONLY or "readonly database" in text:
        return LedgerReadOnlyError(read_only_sentence(path))
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return DamagedLedgerError(damaged_sentence(path, str(exc)))
    if primary in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or "disk i/o error" in text or "unable to open" in text:
        folder = path.resolve().parent if path else None
        if folder is not None and _disk_nearly_full(folder):
            return DiskFullError(disk_full_sentence(path))
        if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK):
            return LedgerReadOnlyError(read_only_sentence(path))
        where = f"台账“{path.name}”" if path else "台账"
        return LedgerUnavailableError(
            f"读写{where}时出现磁盘错误（U 盘被拔出、网络盘断开或磁盘故障都会这样），本次操作没有保存；"
            "请检查文件所在的磁盘后重试。"
        )
    return None


def os_fault(exc: OSError, path: Path | None, doing: str = "写入文件") -> DubanError:
    """One sentence for an operating-system error while reading or writing ``path``."""
    import errno

    where = f"“{path}”" if path else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or getattr(exc, "winerror", None) in (39, 112):
        return DiskFullError(f"磁盘空间已满，{doing}{where}失败，原有文件未被改动；请清理磁盘空间后重试。")
    if exc.errno == errno.EROFS:
        return LedgerReadOnlyError(
            f"{where}在只读的磁盘上（如写保护的 U 盘、光盘），{doing}失败；请换一个可写的文件夹。"
        )
    if isinstance(exc, PermissionError):
        return LedgerReadOnlyError(
            f"没有权限{doing}{where}（文件或文件夹只读，或文件正被 Excel/WPS 等程序占用）；请换一个文件夹或关闭占用它的程序。"
        )
    return LedgerUnavailableError(f"{doing}{where}时出错（{exc.strerror or exc}）；请检查磁盘后重试。")


class LedgerConnection(sqlite3.Connection):
    """A SQLite connection whose faults arrive as one-sentence :class:`DubanError` subclasses."""

    ledger_path: Path | None = None
    #: Opened read-only because the disk was full: a refused write says so, not "read-only".
    disk_full: bool = False

    def _raise_fault(self, exc: sqlite3.Error) -> None:
        fault = ledger_fault(exc, self.ledger_path)
        if fault is None:
            raise exc
        if self.disk_full and isinstance(fault, LedgerReadOnlyError):
            fault = DiskFullError(disk_full_sentence(self.ledger_path))
        raise fault from exc

    def execute(self, sql, parameters=(), /):  # noqa: D102 - same as sqlite3.Connection.execute
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            self._raise_fault(exc)

    def executemany(self, sql, parameters, /):  # noqa: D102 - same as sqlite3.Connection.executemany
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            self._raise_fault(exc)

    def executescript(self, script, /):  # noqa: D102 - same as sqlite3.Connection.executescript
        try:
            return super().executescript(script)
        except sqlite3.Error as exc:
            self._raise_fault(exc)

    def commit(self):  # noqa: D102 - same as sqlite3.Connection.commit
        try:
            return super().commit()
        except sqlite3.Error as exc:
            self._raise_fault(exc)


class LedgerDatabase(sqlite_utils.Database):
    """An open ledger: sqlite-utils' ``Database`` whose transactions take the write lock first.

    Attributes:
        path: the ledger file.
        read_only: opened read-only (the file or its folder cannot be written).
        warnings: sentences the caller should show once (read-only, network share).
        quick_check_seconds: how long ``PRAGMA quick_check`` took when the ledger was opened.
    """

    path: Path
    read_only: bool = False
    warnings: list[str]
    quick_check_seconds: float | None = None

    def close(self) -> None:
        """Close the connection and withdraw this process's "in use" note when it was the last one."""
        super().close()
        path = getattr(self, "path", None)
        if path is not None:
            withdraw_use(path)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[LedgerDatabase]:
        """One transaction (a savepoint when nested) that takes the write lock when it begins.

        ``BEGIN IMMEDIATE`` waits for another process's write under the busy timeout; a
        deferred ``BEGIN`` would read first and then fail at its first write without waiting.
        """
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise


def _connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> LedgerDatabase:
    """Open a connection to ``path`` as a :class:`LedgerDatabase` (nothing checked yet)."""
    wait = write_wait_seconds()
    try:
        if read_only:
            uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
            conn = sqlite3.connect(uri, uri=True, timeout=wait, factory=LedgerConnection)
        else:
            conn = sqlite3.connect(str(path), timeout=wait, factory=LedgerConnection)
    except sqlite3.Error as exc:
        raise ledger_fault(exc, path) or exc from exc
    conn.ledger_path = path
    # Python's implicit transactions (before INSERT/UPDATE/DELETE outside db.atomic()) take
    # the write lock at once, like the explicit ones.
    conn.isolation_level = "IMMEDIATE"
    db = LedgerDatabase(conn)
    db.path = path
    db.read_only = read_only
    db.warnings = []
    db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    return db


def _inspect(path: Path) -> int:
    """Return the schema version of an existing ledger without writing to it.

    Raises:
        NotALedgerError: the file is not SQLite, or SQLite but not a duban ledger.
        DamagedLedgerError: SQLite says the file is damaged.
        NewerSchemaError: written by a newer duban.
        DubanError: the file cannot be read (disk fault, no permission), each in its own sentence.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise os_fault(exc, path, "读取台账") from None
    if header != SQLITE_HEADER:
        if not header.strip(b"\x00"):
            # All zeros or empty: what a failed copy or a disk fault leaves, not someone else's file.
            raise DamagedLedgerError(damaged_sentence(path, "文件是空的"))
        raise NotALedgerError(f"“{path.name}”不是 duban 台账文件（不是 SQLite 数据库），未做任何改动。")
    # Read-only URI: inspecting must not create a journal or change a byte.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not _wal_has_frames(path):
        # With no pending WAL the file alone is the whole truth; immutable=1 keeps SQLite
        # from creating -wal/-shm side files next to a file we may be about to refuse.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            app = None
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key='app'").fetchone()
                app = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        fault = ledger_fault(exc, path)
        if fault is None:
            raise NotALedgerError(f"“{path.name}”已损坏或不是 duban 台账文件（{exc}），未做任何改动。") from exc
        raise fault from exc
    if app != "duban":
        raise NotALedgerError(f"“{path.name}”是 SQLite 文件，但不是 duban 台账，未做任何改动。")
    if version > LATEST_VERSION:
        raise NewerSchemaError(
            f"台账“{path.name}”由更新版本的 duban 写入（结构版本 {version}，本程序支持到 {LATEST_VERSION}），"
            "请升级 duban 后再打开；文件未做任何改动。"
        )
    return version


def _configure(db: sqlite_utils.Database) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    if db.journal_mode != "wal":
        db.enable_wal()


def migrate(db: sqlite_utils.Database, target: int = LATEST_VERSION) -> int:
    """Apply pending migrations up to ``target``, each in its own transaction.

    Returns:
        The schema version reached.
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number in range(version + 1, target + 1):
        _name, fn = MIGRATIONS[number - 1]
        with db.atomic():
            fn(db)
            # user_version is transactional, so a crash leaves the old number.
            db.execute(f"PRAGMA user_version = {number}")
    return max(version, target)


def migration_backup_path(path: Path, version: int) -> Path:
    """Return where the copy taken before migrating from ``version`` is kept."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.v{version}-{stamp}.bak{path.suffix or '.db'}")


def create_ledger(path: str | Path) -> LedgerDatabase:
    """Create a new, empty ledger at ``path`` (which must not exist yet)."""
    path = Path(path)
    if path.exists():
        raise DubanError(f"“{path}”已存在，不会覆盖；请换一个文件名，或直接打开它。")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_fault(exc, path.parent, "新建台账文件夹") from None
    db = _connect(path)
    try:
        _configure(db)
        migrate(db)
    except BaseException:
        db.close()
        # A ledger that could not be created completely is no ledger: leave nothing half-made.
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                path.with_name(path.name + suffix).unlink()
        raise
    announce_use(path)
    return db


def _writable(path: Path) -> bool:
    """Whether SQLite can write the ledger and create its -wal/-shm side files."""
    folder = path.resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _mount_table() -> str:
    """The text of the mount table (Linux); empty elsewhere."""
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def network_share(path: str | Path) -> str | None:
    """Return the kind of network share that holds ``path`` ("SMB"/"NFS"/…), or None when it is local."""
    path = Path(path)
    text = str(path)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        if text.startswith(("\\\\", "//")):
            return "网络路径"
        import ctypes

        drive = os.path.splitdrive(str(path.resolve()))[0]
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # DRIVE_REMOTE
            return f"网络驱动器 {drive}"
        return None
    resolved = str(path.resolve())
    best, kind = "", None
    for line in _mount_table().splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        fs_type = fields[2].lower()
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, fs_type
    if kind and (kind in NETWORK_FILESYSTEMS or kind.startswith(("nfs", "smb", "cifs"))):
        return kind.upper()
    return None


def quick_check(db: sqlite_utils.Database) -> list[str]:
    """Run ``PRAGMA quick_check`` and return its complaints (empty when the file is sound)."""
    try:
        rows = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # a damaged page can stop the check itself
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def integrity_check(db: sqlite_utils.Database) -> list[str]:
    """Run the full ``PRAGMA integrity_check`` (indexes included) and return its complaints."""
    try:
        rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def open_ledger(path: str | Path, *, create: bool = False, check: bool = True) -> LedgerDatabase:
    """Open an existing ledger, checking it, and migrating it forward after keeping a copy.

    A ledger whose file or folder cannot be written opens read-only (reports still work) with
    a sentence in ``db.warnings``; so does a ledger on a network share.

    Args:
        path: the ledger file.
        create: create an empty ledger when the file does not exist.
        check: run ``PRAGMA quick_check`` (timed in ``db.quick_check_seconds``).

    Raises:
        DubanError: missing file, not a ledger, damaged (naming the newest good backup), newer
            schema, or unreadable; the file is untouched.
    """
    path = Path(path)
    if not path.exists():
        if create:
            return create_ledger(path)
        raise DubanError(f"找不到台账文件“{path}”。新建请运行 duban --db “{path}” init。")
    if path.is_dir():
        raise NotALedgerError(f"“{path}”是文件夹，不是台账文件。")
    version = _inspect(path)
    writable = _writable(path)
    if not writable and version < LATEST_VERSION:
        raise LedgerReadOnlyError(
            f"台账“{path.name}”需要升级结构才能由本版本打开，但文件或所在文件夹是只读的；"
            "请把它复制到自己可写的文件夹后再打开。"
        )
    if version < LATEST_VERSION:
        _checkpoint_quietly(path)
        _copy_checked(path, migration_backup_path(path, version), "升级前备份台账")
    try:
        db = _open_checked(path, version, writable=writable, check=check)
    except DiskFullError:
        if version < LATEST_VERSION or _wal_has_frames(path):
            raise
        # A full disk cannot even take SQLite's shared-memory file; the ledger itself is whole,
        # so it is still shown (and reports made elsewhere), while any write says the disk is full.
        db = _open_checked(path, version, writable=False, check=check)
        db.conn.disk_full = True
        db.warnings[:] = [
            f"磁盘空间已满，台账“{path.name}”已按只读方式打开：可以查看和出报表（请存到别的磁盘），"
            f"不能修改；请清理“{_folder_of(path)}”所在磁盘的空间。"
        ]
    share = network_share(path)
    if share:
        db.warnings.append(network_share_sentence(path, share))
    announce_use(path)
    return db


def _wal_has_frames(path: Path) -> bool:
    """Whether the ledger's WAL holds committed writes not yet folded into the main file."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _open_checked(path: Path, version: int, *, writable: bool, check: bool) -> LedgerDatabase:
    """Connect to an inspected ledger, quick-check it, and configure (and migrate) it when writable."""
    if writable:
        db = _connect(path)
    else:
        db = _connect(path, read_only=True, immutable=not _wal_has_frames(path))
        db.warnings.append(read_only_sentence(path, opened=True))
    try:
        if check and not _checked_unchanged(path):
            started = time.perf_counter()
            problems = quick_check(db)
            db.quick_check_seconds = time.perf_counter() - started
            log.info("quick_check %s: %.3f s", path.name, db.quick_check_seconds)
            if problems:
                raise DamagedLedgerError(damaged_sentence(path, problems[0]))
            _remember_checked(path)
        if writable:
            _configure(db)
            if version < LATEST_VERSION:
                migrate(db)
        else:
            db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        db.close()
        raise
    return db


def _file_stamp(path: Path) -> list[int]:
    """Size and modification time of the ledger and its WAL: what changes when anything is written."""
    stamp = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            st = file.stat()
        except OSError:
            st = None
        # An empty WAL is what every open connection has; only one with frames holds writes.
        stamp += [st.st_size, st.st_mtime_ns, st.st_ino] if st and st.st_size else [0, 0, 0]
    return stamp


def _check_note(path: Path) -> Path:
    return _users_dir(path).with_name(_users_dir(path).name + ".checked")


def _checked_unchanged(path: Path) -> bool:
    """Whether the ledger passed a quick check and has not been written since.

    Checking the county ledger takes about a tenth of a second; the window's start and a
    run of commands on an unchanged file need not pay it again and again.
    """
    try:
        return json.loads(_check_note(path).read_text(encoding="utf-8")) == _file_stamp(path)
    except (OSError, ValueError):
        return False


def _remember_checked(path: Path) -> None:
    with contextlib.suppress(OSError):
        note = _check_note(path)
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(json.dumps(_file_stamp(path)), encoding="utf-8")


def _checkpoint_quietly(path: Path) -> None:
    """Fold a leftover WAL into the main file so that a copy of the main file is complete."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise ledger_fault(exc, path) or exc from exc
        finally:
            conn.close()


def _copy_checked(source: Path, target: Path, doing: str) -> None:
    """Copy a file through a temporary name; never leave a partial or empty copy at ``target``."""
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        if partial.stat().st_size != source.stat().st_size:
            raise OSError(0, "复制不完整")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise os_fault(exc, target, doing) from None


# ---------------------------------------------------------------------------
# Backups
# ---------------------------------------------------------------------------

#: Why a backup was taken (the last part of its file name) → what the clerk reads.
BACKUP_REASONS = {
    "import": "导入回收表前",
    "before-import": "导入回收表前",
    "undo-import": "撤销导入前",
    "before-undo-import": "撤销导入前",
    "before-tasklist": "导入任务清单前",
    "before-import-tasks": "导入任务清单前",
    "before-restore": "恢复备份前的台账",
    "manual": "手动备份",
    "migration": "升级台账结构前",
}

#: Backups the retention rule never removes: the clerk asked for them, or they are the only
#: way back to an older duban.
KEPT_FOREVER = frozenset({"manual", "migration"})

#: The default retention rule (ledger setting ``backup_retention`` overrides any key).
DEFAULT_RETENTION = {"keep_last": 10, "daily_days": 30, "per_closed_round": True}

_BACKUP_NAME = re.compile(r"-(\d{8}-\d{6})(?:-(\d{6}))?-([A-Za-z0-9_-]+)\.db$")
_MIGRATION_NAME = re.compile(r"\.v(\d+)-(\d{8}-\d{6})\.bak")


@dataclass(frozen=True)
class Backup:
    """One backup copy of a ledger."""

    path: Path
    taken_at: datetime
    reason: str
    size: int

    @property
    def label(self) -> str:
        """Why it was taken, in Chinese."""
        return BACKUP_REASONS.get(self.reason, "自动备份")


def backups_dir(path: str | Path) -> Path:
    """Return the folder that holds automatic backups of the ledger at ``path``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.backups")


def read_backup_file(file: Path) -> Backup | None:
    """Describe one backup file from its name (when, why) and size; None when it cannot be read."""
    try:
        stat = file.stat()
    except OSError:
        return None
    m = _BACKUP_NAME.search(file.name)
    if m:
        taken = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
        if m.group(2):
            taken = taken.replace(microsecond=int(m.group(2)))
        return Backup(file, taken, m.group(3), stat.st_size)
    m = _MIGRATION_NAME.search(file.name)
    if m:
        return Backup(file, datetime.strptime(m.group(2), "%Y%m%d-%H%M%S"), "migration", stat.st_size)
    return Backup(file, datetime.fromtimestamp(stat.st_mtime), "backup", stat.st_size)


def backup_catalog(path: str | Path) -> list[Backup]:
    """Every backup of the ledger at ``path``, newest first: the automatic ones and the copies kept before migrating."""
    path = Path(path)
    files: list[Path] = []
    with contextlib.suppress(OSError):
        files += [f for f in backups_dir(path).glob("*.db") if f.is_file()]
    with contextlib.suppress(OSError):
        files += [f for f in path.parent.glob(f"{glob_escape(path.stem)}.v*.bak*") if not f.name.endswith(".partial")]
    found = [b for b in map(read_backup_file, files) if b is not None and b.size > 0]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def glob_escape(text: str) -> str:
    """Escape the characters glob treats specially in a file name."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def list_backups(path: str | Path) -> list[Path]:
    """Return the automatic backups of a ledger (in its backups folder), newest first."""
    folder = backups_dir(path)
    return [b.path for b in backup_catalog(path) if b.path.parent == folder]


def backup_is_good(backup: str | Path) -> bool:
    """Whether a backup is a sound duban ledger this version can open (read-only check)."""
    backup = Path(backup)
    try:
        _inspect(backup)
        conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] == ["ok"]
        finally:
            conn.close()
    except (DubanError, sqlite3.Error, OSError):
        return False


def newest_good_backup(path: str | Path) -> Backup | None:
    """The newest backup of the ledger at ``path`` that passes a quick check, or None."""
    for backup in backup_catalog(path):
        if backup.reason != "before-restore" and backup_is_good(backup.path):
            return backup
    return None


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup_ledger(db: sqlite_utils.Database, path: str | Path, reason: str) -> Path:
    """Write a consistent copy of the open ledger (SQLite online backup) and return its path.

    The copy is written under a temporary name and renamed only when complete, so a failure
    (disk full) never leaves an empty or partial backup; afterwards the retention rule
    (:func:`prune_backups`) removes the copies no longer needed.

    Raises:
        DubanError: the copy could not be written (one sentence; the operation that wanted
            the backup must not go on).
    """
    path = Path(path)
    folder = backups_dir(path)
    safe_reason = "".join(ch for ch in reason if ch.isalnum() or ch in "-_") or "backup"
    target = folder / f"{path.stem}-{_stamp()}-{safe_reason}.db"
    partial = target.with_name(target.name + ".partial")
    doing = "写入前备份台账"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(partial)
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
        with partial.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise OSError(0, "备份文件不完整")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        if "full" in str(exc).lower() or _disk_nearly_full(folder):
            raise DiskFullError(disk_full_sentence(path, doing)) from None
        raise LedgerUnavailableError(f"{doing}失败（{exc}），本次操作没有执行；请检查“{folder}”后重试。") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if _disk_nearly_full(folder.parent):
            raise DiskFullError(disk_full_sentence(path, doing)) from None
        raise os_fault(exc, folder, doing) from None
    try:
        prune_backups(path, db)
    except (OSError, sqlite3.Error, DubanError):  # pruning is housekeeping: never fail the operation for it
        log.warning("pruning backups of %s failed", path, exc_info=True)
    return target


@contextlib.contextmanager
def backup_before(db: sqlite_utils.Database, path: str | Path, reason: str) -> Iterator[Path]:
    """Back up the ledger, run the block, and drop the backup again when the block changed nothing and failed.

    A refused operation (an undo that is not allowed, an import with nothing to apply that
    raised) leaves no backup behind; one that wrote anything before failing keeps it.
    """
    changes = db.conn.total_changes
    target = backup_ledger(db, path, reason)
    try:
        yield target
    except BaseException:
        if db.conn.total_changes == changes:
            target.unlink(missing_ok=True)
        raise


def retention_rule(db: sqlite_utils.Database | None) -> dict:
    """The ledger's backup retention rule: ``keep_last``, ``daily_days``, ``per_closed_round``."""
    rule = dict(DEFAULT_RETENTION)
    if db is not None:
        with contextlib.suppress(sqlite3.Error, DubanError):
            custom = get_meta(db, "backup_retention")
            if isinstance(custom, dict):
                rule.update({k: custom[k] for k in DEFAULT_RETENTION if k in custom})
    return rule


def backups_to_remove(
    backups: list[Backup], rule: dict, closed_rounds: list[datetime], now: datetime | None = None
) -> list[Backup]:
    """Apply the retention rule: which backups are no longer needed.

    Kept: the newest ``keep_last``; the newest of each day of the last ``daily_days`` days;
    for each closed round, the newest taken before it was closed; manual backups and the
    copies kept before a migration always.
    """
    now = now or datetime.now()
    candidates = sorted((b for b in backups if b.reason not in KEPT_FOREVER), key=lambda b: b.taken_at, reverse=True)
    keep = set(candidates[: max(0, int(rule.get("keep_last", 0) or 0))])
    days = int(rule.get("daily_days", 0) or 0)
    seen_days = set()
    for backup in candidates:
        day = backup.taken_at.date()
        if now - backup.taken_at <= timedelta(days=days) and day not in seen_days:
            keep.add(backup)
            seen_days.add(day)
    if rule.get("per_closed_round"):
        for closed_at in closed_rounds:
            before = next((b for b in candidates if b.taken_at <= closed_at), None)
            if before is not None:
                keep.add(before)
    return [b for b in candidates if b not in keep]


def prune_backups(path: str | Path, db: sqlite_utils.Database | None = None) -> list[Backup]:
    """Remove the backups the retention rule no longer needs (and leftovers of failed ones); return them."""
    path = Path(path)
    closed: list[datetime] = []
    if db is not None:
        with contextlib.suppress(sqlite3.Error, DubanError):
            for (closed_at,) in db.execute(
                "SELECT closed_at FROM rounds WHERE state = 'closed' AND closed_at IS NOT NULL"
            ):
                with contextlib.suppress(ValueError):
                    closed.append(datetime.fromisoformat(closed_at))
    folder = backups_dir(path)
    catalog = [b for b in backup_catalog(path) if b.path.parent == folder]
    removed = backups_to_remove(catalog, retention_rule(db), closed)
    for backup in removed:
        backup.path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        for leftover in folder.glob("*.partial"):
            # A partial copy older than a minute belongs to a backup that died half-way.
            if time.time() - leftover.stat().st_mtime > 60:
                leftover.unlink(missing_ok=True)
        for empty in folder.glob("*.db"):
            if empty.stat().st_size == 0:
                empty.unlink(missing_ok=True)
    return removed


def restore_backup(backup: str | Path, path: str | Path) -> Path:
    """Replace the ledger at ``path`` with ``backup``, keeping the current file as a backup first.

    The caller must have closed every connection to ``path`` first. The backup is checked
    before anything is touched; the current file (even a damaged one) is copied aside whole,
    then the backup is copied in under a temporary name and renamed over the ledger.

    Returns:
        Where the current ledger was kept (``…-before-restore.db``); the path of the ledger
        itself when there was no current file.

    Raises:
        DubanError: the backup is not a good ledger, or the files cannot be written.
    """
    backup, path = Path(backup), Path(path)
    if not backup.is_file():
        raise DubanError(f"找不到备份文件“{backup}”；用 duban backups 查看有哪些备份。")
    _inspect(backup)
    if not backup_is_good(backup):
        raise DamagedLedgerError(f"备份“{backup.name}”本身已损坏，不能用来恢复；请选另一个备份（duban backups）。")
    folder = backups_dir(path)
    kept = folder / f"{path.stem}-{_stamp()}-before-restore.db"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with contextlib.suppress(DubanError, sqlite3.Error):
                _checkpoint_quietly(path)
            _copy_checked(path, kept, "恢复前另存当前台账")
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size:
                # A WAL that could not be folded in (damaged ledger) is kept beside the copy.
                _copy_checked(wal, kept.with_name(kept.name + "-wal"), "恢复前另存当前台账")
        else:
            kept = path
        incoming = path.with_name(f".{path.name}.restoring")
        _copy_checked(backup, incoming, "恢复备份")
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(incoming, path)
    except OSError as exc:
        raise os_fault(exc, path, "恢复备份") from None
    return kept


def ledger_identity(db: sqlite_utils.Database) -> dict[str, str]:
    """The ledger's permanent id and its name (``ledger_name``, else the office's name, else the file's name).

    The id travels in every export id and handoff, so that a return or a township's ledger
    always knows which office's ledger it belongs to.
    """
    ledger_id = get_meta(db, "ledger_id") or ""
    name = get_meta(db, "ledger_name") or get_meta(db, "org_name")
    if not name:
        path = getattr(db, "path", None)
        name = Path(path).stem if path else "督办台账"
    return {"id": str(ledger_id), "name": str(name)}


def get_meta(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    """Return a JSON-decoded ledger setting."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    if row is None or row[0] is None:
        return default
    try:
        return json.loads(row[0])
    except json.JSONDecodeError:
        return row[0]


def set_meta(db: sqlite_utils.Database, key: str, value: Any, source: str = "settings") -> None:
    """Store a ledger setting (JSON-encoded) and log the change."""
    old = get_meta(db, key)
    encoded = json.dumps(value, ensure_ascii=False)
    with db.atomic():
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, encoded],
        )
        audit(db, "meta", key, "value", old, value, source)


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def audit(
    db: sqlite_utils.Database,
    table: str,
    row_id: Any,
    field: str | None,
    old: Any,
    new: Any,
    source: str,
) -> None:
    """Append one entry to the audit log (inside the caller's transaction)."""
    write_audit_entries(db, [audit_entry(table, row_id, field, old, new, source)])


def audit_entry(
    table: str, row_id: Any, field: str | None, old: Any, new: Any, source: str, at: str | None = None
) -> tuple:
    """Return one audit-log entry for :func:`write_audit_entries` (many writes logged together)."""
    return (
        at or now_iso(),
        table,
        None if row_id is None else str(row_id),
        field,
        _as_text(old),
        _as_text(new),
        source,
    )


def write_audit_entries(db: sqlite_utils.Database, entries: list[tuple]) -> None:
    """Append entries made by :func:`audit_entry` to the audit log, in order (inside the caller's transaction)."""
    if entries:
        db.conn.executemany(
            "INSERT INTO audit_log (at, table_name, row_id, field, old_value, new_value, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            entries,
        )


def insert_audited(db: sqlite_utils.Database, table: str, row: dict, source: str) -> int:
    """Insert a row, log it, and return its id."""
    with db.atomic():
        row_id = db[table].insert(row).last_pk
        audit(db, table, row_id, None, None, row, source)
    return row_id


def update_audited(db: sqlite_utils.Database, table: str, row_id: Any, changes: dict, source: str) -> dict:
    """Update the given fields of one row, logging each field that really changed.

    Returns:
        The fields that changed, as ``{field: (old, new)}``.
    """
    with db.atomic():
        current = db[table].get(row_id)
        changed = {k: (current.get(k), v) for k, v in changes.items() if current.get(k) != v}
        if changed:
            db[table].update(row_id, {k: new for k, (_old, new) in changed.items()})
            for field, (old, new) in changed.items():
                audit(db, table, row_id, field, old, new, source)
    return changed


def delete_audited(db: sqlite_utils.Database, table: str, row_id: Any, source: str) -> dict:
    """Delete one row, logging what it held; return the deleted row."""
    with db.atomic():
        current = db[table].get(row_id)
        db[table].delete(row_id)
        audit(db, table, row_id, None, current, None, source)
    return current


def check_ledger_file(path: Path, immutable: bool) -> tuple[list[str], float, list[tuple]]:
    """Run the full integrity and reference checks on a ledger file, read-only (``duban doctor``).

    Args:
        path: the ledger file; it is opened read-only on its own, whatever opened it elsewhere.
        immutable: no ``-wal`` file beside it, so SQLite may read it without any lock.

    Returns:
        ``PRAGMA integrity_check``'s lines (``["ok"]`` when sound), the seconds it took, and the
        rows of ``PRAGMA foreign_key_check`` (table first; empty when every reference holds).

    Raises:
        sqlite3.Error: the file cannot be read as a database at all.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True)
    try:
        started = time.perf_counter()
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        took = time.perf_counter() - started
        keys = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return problems, took, keys
