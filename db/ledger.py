"""Opening, creating, migrating and backing up a ledger file.

One connection per thread: every caller (CLI command, GUI worker) opens its own
``Database`` from the path with :func:`open_ledger`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from db.errors import DubanError, NewerSchemaError, NotALedgerError
from db.schema import LATEST_VERSION, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"


def now_iso() -> str:
    """Return the local time as ``YYYY-MM-DDTHH:MM:SS`` (what the audit log stores)."""
    return datetime.now().replace(microsecond=0).isoformat()


def _inspect(path: Path) -> int:
    """Return the schema version of an existing ledger without writing to it.

    Raises:
        NotALedgerError: the file is not SQLite, or SQLite but not a duban ledger.
        NewerSchemaError: written by a newer duban.
    """
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotALedgerError(f"“{path.name}”不是 duban 台账文件（不是 SQLite 数据库），未做任何改动。")
    # Read-only URI: inspecting must not create a journal or change a byte. absolute(), not
    # resolve(): resolving a path longer than 260 characters fails on some Windows systems.
    uri = f"{path.absolute().as_uri()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
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
        raise NotALedgerError(f"“{path.name}”已损坏或不是 duban 台账文件（{exc}），未做任何改动。") from exc
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
    db.execute("PRAGMA busy_timeout = 5000")
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


def create_ledger(path: str | Path) -> sqlite_utils.Database:
    """Create a new, empty ledger at ``path`` (which must not exist yet)."""
    path = Path(path)
    if path.exists():
        raise DubanError(f"“{path}”已存在，不会覆盖；请换一个文件名，或直接打开它。")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    _configure(db)
    migrate(db)
    return db


def open_ledger(path: str | Path, *, create: bool = False) -> sqlite_utils.Database:
    """Open an existing ledger, migrating it forward after keeping a copy.

    Args:
        path: the ledger file.
        create: create an empty ledger when the file does not exist.

    Raises:
        DubanError: missing file, not a ledger, or newer schema; the file is untouched.
    """
    path = Path(path)
    if not path.exists():
        if create:
            return create_ledger(path)
        raise DubanError(f"找不到台账文件“{path}”。新建请运行 duban --db “{path}” init。")
    if path.is_dir():
        raise NotALedgerError(f"“{path}”是文件夹，不是台账文件。")
    version = _inspect(path)
    if version < LATEST_VERSION:
        _checkpoint_quietly(path)
        shutil.copy2(path, migration_backup_path(path, version))
    db = sqlite_utils.Database(path)
    _configure(db)
    if version < LATEST_VERSION:
        migrate(db)
    return db


def _checkpoint_quietly(path: Path) -> None:
    """Fold a leftover WAL into the main file so that the pre-migration copy is complete."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def backups_dir(path: str | Path) -> Path:
    """Return the folder that holds automatic backups of the ledger at ``path``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.backups")


def backup_ledger(db: sqlite_utils.Database, path: str | Path, reason: str) -> Path:
    """Write a consistent copy of the open ledger (SQLite online backup) and return its path."""
    folder = backups_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    safe_reason = "".join(ch for ch in reason if ch.isalnum() or ch in "-_") or "backup"
    target = folder / f"{Path(path).stem}-{stamp}-{safe_reason}.db"
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def list_backups(path: str | Path) -> list[Path]:
    """Return the automatic backups of a ledger, newest first."""
    folder = backups_dir(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)


def restore_backup(backup: str | Path, path: str | Path) -> Path:
    """Replace the ledger at ``path`` with ``backup``, keeping the current file as a backup.

    The caller must have closed every connection to ``path`` first.
    """
    backup, path = Path(backup), Path(path)
    _inspect(backup)
    folder = backups_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = folder / f"{path.stem}-{stamp}-before-restore.db"
    if path.exists():
        _checkpoint_quietly(path)
        shutil.copy2(path, kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()
    shutil.copy2(backup, path)
    return kept


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
