"""Run long, Qt-free work on the thread pool and turn its progress into Qt signals.

The back ends in ``db/`` and ``reports/`` report progress through an optional
``progress(done, total, message)`` callback (or by yielding ``(done, total, message)``
from a generator) and never import Qt. :class:`Job` wraps such a function: it runs on
:class:`QThreadPool`, opens its own database connection from the ledger path (SQLite
connections must not cross threads), and cancels by raising :class:`JobCancelled` from
inside the callback the next time the back end reports progress.
"""

from __future__ import annotations

import gc
import inspect
import logging
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.errors import DubanError

log = logging.getLogger("duban.gui")


class JobCancelled(Exception):
    """Raised inside the worker's progress callback when the user pressed 取消."""


class JobSignals(QObject):
    """Signals a :class:`Job` emits; they arrive in the GUI thread (queued connections)."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()


class Job(QRunnable):
    """One piece of long work, run on the thread pool.

    Args:
        work: called as ``work(db, progress)`` when ``db_path`` is given (``db`` is a
            connection opened in the worker thread and closed afterwards), else as
            ``work(progress)``. It may return a value, or be a generator yielding
            ``(done, total, message)`` tuples whose ``return`` value is the result.
        db_path: the ledger to open in the worker thread, or None for work without one.
    """

    def __init__(self, work: Callable[..., Any], db_path: str | Path | None = None):
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.db_path = Path(db_path) if db_path else None
        self.signals = JobSignals()
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: str | None = None
        self.was_cancelled = False
        self.done_event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    def report(self, done: int, total: int, message: str = "") -> None:
        """The progress callback handed to the back end."""
        if self._cancel.is_set():
            raise JobCancelled
        self.signals.progress.emit(int(done), int(total), str(message or ""))

    def _call(self) -> Any:
        db = None
        try:
            if self.db_path is not None:
                from db.ledger import open_ledger

                db = open_ledger(self.db_path)
                outcome = self.work(db, self.report)
            else:
                outcome = self.work(self.report)
            if inspect.isgenerator(outcome):
                gen = outcome
                try:
                    while True:
                        step = next(gen)
                        if step is not None:
                            self.report(*step)
                except StopIteration as stop:
                    outcome = stop.value
            return outcome
        finally:
            if db is not None:
                db.close()

    def run(self) -> None:  # noqa: D102 - QRunnable hook
        try:
            self.result = self._call()
        except JobCancelled:
            self.was_cancelled = True
        except DubanError as exc:
            self.error = str(exc)
        except Exception:  # noqa: BLE001 - a bug must reach the user as a sentence, and the log
            log.error("后台任务出错\n%s", traceback.format_exc())
            self.error = "程序内部出错，操作未完成；详细信息已写入日志（duban.log），请发给技术支持。"
        finally:
            if self._cancel.is_set() and self.error is None:
                self.was_cancelled = True
            if self.was_cancelled:
                self.signals.cancelled.emit()
            elif self.error is not None:
                self.signals.failed.emit(self.error)
            else:
                self.signals.succeeded.emit(self.result)
            self.signals.finished.emit()
            self.done_event.set()


class GuiThreadCollector(QObject):
    """Python's cyclic garbage collection, run only in the GUI thread.

    A collection starts in whichever thread happens to allocate when the counts run over,
    often a worker busy with openpyxl. If the garbage holds a Qt object of the GUI thread (a
    closed dialog caught in a reference cycle), it is destroyed from the worker thread, and
    Qt crashes the process. So automatic collection is switched off once workers exist, and
    a timer collects in the GUI thread as the collector itself would have (generation by
    generation, when its thresholds are passed).
    """

    INTERVAL_MS = 500

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("duban_gui_thread_collector")
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect the generations whose thresholds have been passed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return
        generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
        gc.collect(generation)

    def stop(self) -> None:
        """Hand collection back to Python (when no worker will run any more)."""
        self._timer.stop()
        self.setObjectName("")  # no longer found by collect_garbage_in_gui_thread
        gc.enable()
        self.deleteLater()


def collect_garbage_in_gui_thread() -> GuiThreadCollector | None:
    """Make sure cyclic garbage is collected in the GUI thread only (see :class:`GuiThreadCollector`)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    found = app.findChild(GuiThreadCollector, "duban_gui_thread_collector")
    return found or GuiThreadCollector(app)


#: Jobs still running; holding them keeps their signal objects alive.
_RUNNING: set[Job] = set()


def start_job(
    parent: QWidget | None,
    title: str,
    work: Callable[..., Any],
    *,
    db_path: str | Path | None = None,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Job:
    """Start ``work`` on the thread pool behind a progress dialog with a 取消 button.

    The dialog is window-modal so the clerk cannot edit the ledger the job is writing,
    but the window keeps repainting. Results come back in the GUI thread.
    """
    collect_garbage_in_gui_thread()
    job = Job(work, db_path)
    dialog = QProgressDialog(title, "取消", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    job.dialog = dialog

    def show_progress(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            dialog.setLabelText(message)

    def cancel_requested() -> None:
        dialog.setLabelText("正在取消……")
        job.cancel()

    def finished() -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()
        _RUNNING.discard(job)

    job.signals.progress.connect(show_progress)
    dialog.canceled.connect(cancel_requested)
    if on_success:
        job.signals.succeeded.connect(on_success)
    if on_failure:
        job.signals.failed.connect(on_failure)
    if on_cancel:
        job.signals.cancelled.connect(on_cancel)
    job.signals.finished.connect(finished)
    _RUNNING.add(job)
    (pool or QThreadPool.globalInstance()).start(job)
    return job
