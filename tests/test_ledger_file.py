"""Opening ledger files: migration with a kept copy, refusing newer or foreign files untouched."""

import hashlib
import sqlite3

import pytest

from db.errors import DubanError, NewerSchemaError, NotALedgerError
from db.ledger import backup_ledger, list_backups, migrate, open_ledger, restore_backup
from db.schema import LATEST_VERSION


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_old_ledger(path, version=1):
    import sqlite_utils

    db = sqlite_utils.Database(path)
    migrate(db, target=version)
    db.execute("INSERT INTO units (name, name_key, kind) VALUES ('城东街道', '城东街道', '乡镇街道')")
    db.conn.commit()
    db.close()


def test_new_ledger_is_current_and_in_wal_mode(tmp_path):
    db = open_ledger(tmp_path / "new.db", create=True)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_missing_file_is_not_created_without_asking(tmp_path):
    with pytest.raises(DubanError, match="找不到台账文件"):
        open_ledger(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_older_ledger_is_migrated_after_a_copy_is_kept_beside_it(tmp_path):
    path = tmp_path / "old.db"
    make_old_ledger(path, version=1)
    before = digest(path)
    db = open_ledger(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert "exports" in db.table_names() and "round_snapshots" in db.table_names()
    assert db.execute("SELECT name FROM units").fetchone()[0] == "城东街道"
    copies = list(tmp_path.glob("old.v1-*.bak.db"))
    assert len(copies) == 1
    assert digest(copies[0]) == before
    db.close()
    # Opening again migrates nothing and keeps no further copy.
    open_ledger(path).close()
    assert len(list(tmp_path.glob("old.v1-*.bak.db"))) == 1


def test_newer_schema_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "future.db"
    open_ledger(path, create=True).close()  # a WAL-mode ledger, like every real one
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NewerSchemaError, match="更新版本"):
        open_ledger(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.db"]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a database at all\n" * 100, b"PK\x03\x04" + b"\x00" * 200, b"SQLite format 3\x00" + b"\xff" * 600],
    ids=["empty", "text", "zip", "damaged-sqlite"],
)
def test_file_that_is_not_a_ledger_is_refused_untouched(tmp_path, content):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(NotALedgerError):
        open_ledger(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_other_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NotALedgerError, match="不是 duban 台账"):
        open_ledger(path)
    assert digest(path) == before


def test_backup_and_restore(tmp_path):
    path = tmp_path / "l.db"
    db = open_ledger(path, create=True)
    db.execute("INSERT INTO units (name, name_key) VALUES ('甲单位', '甲单位')")
    db.conn.commit()
    copy = backup_ledger(db, path, "before-import")
    db.execute("INSERT INTO units (name, name_key) VALUES ('乙单位', '乙单位')")
    db.conn.commit()
    db.close()
    assert list_backups(path) == [copy]
    restore_backup(copy, path)
    db = open_ledger(path)
    assert [r[0] for r in db.execute("SELECT name FROM units")] == ["甲单位"]
    assert len(list_backups(path)) == 2  # the replaced file was kept too
