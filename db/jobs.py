"""What long work reports while it runs, shared by every layer.

Long operations (export all handoffs, import a folder of returns, write a report) are plain
functions that take an optional ``progress`` callback; the window runs them on a worker thread
and turns the calls into a progress bar, the command line ignores them or prints a line.
"""

from collections.abc import Callable

#: ``progress(done, total, what)``: ``done`` of ``total`` steps finished, ``what`` names the step
#: in words a clerk reads (a unit's name, a file name).
Progress = Callable[[int, int, str], None]
