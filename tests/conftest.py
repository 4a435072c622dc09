"""Shared fixtures: every test gets its own data folder and runs Qt offscreen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Set before any Qt import so that tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch) -> Path:
    """Redirect duban's user data folder (ledgers, settings, logs) into a temp dir."""
    path = tmp_path_factory.mktemp("duban-data")
    monkeypatch.setenv("DUBAN_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """Build the demo ledger once per session; tests copy it."""
    from db.demo import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    db = build_demo(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def demo_path(tmp_path, demo_template) -> Path:
    """A fresh copy of the demo ledger for one test."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    return target


@pytest.fixture
def demo_db(demo_path):
    """The demo ledger, opened."""
    from db.ledger import open_ledger

    db = open_ledger(demo_path)
    yield db
    db.close()


@pytest.fixture
def seeds_dir() -> Path:
    """The public seed documents in ../shared/seeds (the test is skipped when absent)."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS
