"""Garbage that holds Qt objects is collected in the GUI thread, never in a worker (a crash otherwise)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QDialog

from desktop.workers import GuiThreadCollector, start_job


class _Cycle:
    def __init__(self, dialog):
        self.dialog = dialog
        self.me = self


def test_a_running_job_leaves_collection_to_the_gui_thread(qtbot, monkeypatch):
    collected_in: list[str] = []
    original = GuiThreadCollector.collect

    def spy(self):
        collected_in.append(threading.current_thread().name)
        original(self)

    monkeypatch.setattr(GuiThreadCollector, "collect", spy)
    started = threading.Event()
    release = threading.Event()

    def work(progress=None):
        started.set()
        release.wait(10)
        # Plenty of allocation in the worker: with automatic collection on, this is where a
        # collection would start and destroy the dialog below from the wrong thread.
        return len([[i] for i in range(200_000)])

    job = start_job(None, "测试", work)
    qtbot.waitUntil(started.is_set)
    assert not gc.isenabled()
    dialog = QDialog()
    alive = weakref.ref(dialog)
    _Cycle(dialog)
    del dialog
    release.set()
    with qtbot.waitSignal(job.signals.finished, timeout=10_000):
        pass
    saved = gc.get_threshold()
    gc.set_threshold(1)  # so that the next timer tick collects the young generation
    try:
        qtbot.waitUntil(lambda: alive() is None, timeout=5_000)
    finally:
        gc.set_threshold(*saved)
    assert collected_in and set(collected_in) == {threading.main_thread().name}
