"""GUI test fixtures: a main window on a fresh demo ledger, with every question answered by the test."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    """Every test here drives Qt; the offscreen platform's harmless size-hint notice is not a failure."""
    for item in items:
        if "tests/gui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def _automatic_gc_between_tests():
    """Jobs switch Python's automatic collection off (GUI-thread collection instead); give it back after each test."""
    yield
    from desktop.workers import _RUNNING, collect_garbage_in_gui_thread

    collector = collect_garbage_in_gui_thread()
    if collector is not None and not _RUNNING:
        collector.stop()


class Answers:
    """What the test answers when a page asks something; records what the user was told."""

    def __init__(self):
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.confirms: list[str] = []
        self.confirm_answer = True
        self.dialogs: list = []
        self._fillers: list = []
        self.files: list[str] = []
        self.save_path: str | None = None
        self.folder: str | None = None

    def fill_next(self, filler) -> None:
        """Queue a function that fills the next dialog; it returns False to cancel."""
        self._fillers.append(filler)

    def run_dialog(self, dialog) -> bool:
        self.dialogs.append(dialog)
        if not self._fillers:
            raise AssertionError(f"unexpected dialog: {dialog.windowTitle()}")
        filler = self._fillers.pop(0)
        result = filler(dialog)
        return result is not False


@pytest.fixture
def answers(monkeypatch) -> Answers:
    from desktop.dialogs import common

    a = Answers()
    monkeypatch.setattr(common, "show_error", lambda parent, message, title="": a.errors.append(message))
    monkeypatch.setattr(common, "show_info", lambda parent, message, title="": a.infos.append(message))

    def confirm(parent, message, title="", yes=""):
        a.confirms.append(message)
        return a.confirm_answer

    monkeypatch.setattr(common, "confirm", confirm)
    monkeypatch.setattr(common, "run_dialog", a.run_dialog)
    monkeypatch.setattr(common, "choose_open_files", lambda *args, **kw: list(a.files))
    monkeypatch.setattr(common, "choose_open_file", lambda *args, **kw: a.files[0] if a.files else None)
    monkeypatch.setattr(common, "choose_save_file", lambda *args, **kw: a.save_path)
    monkeypatch.setattr(common, "choose_folder", lambda *args, **kw: a.folder)
    return a


@pytest.fixture
def window(qtbot, demo_path, answers):
    """The main window on a fresh copy of the demo ledger (office mode)."""
    from desktop.app import open_window

    win = open_window(demo_path)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.session.db.conn:
        win.close()


def wait_for_jobs(qtbot, timeout: int = 30000) -> None:
    """Wait until every background job has finished and delivered its result."""
    from desktop.workers import _RUNNING

    qtbot.waitUntil(lambda: not _RUNNING, timeout=timeout)
