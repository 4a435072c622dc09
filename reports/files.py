"""Writing an output file so that a failure never leaves half a file where the old one was.

Every output (handoff, report, ledger export, 催报清单) is written to a temporary file
beside its target, named ``.duban-<process id>-….<ext>``, and renamed into place only
when complete. A run killed half-way (``kill -9``, a power cut) leaves its temporary file
behind; the next run that writes into the same folder removes the ones whose process is
gone (:func:`sweep_leftovers`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.errors import DubanError
from db.ledger import os_fault, process_alive

#: Permissions of a finished file on POSIX; a temporary file is created owner-only, and a
#: handoff or report copied to a share or a USB stick must stay readable by others.
FINISHED_MODE = 0o644

#: The prefix of every temporary output file.
TEMP_PREFIX = ".duban-"
_TEMP_NAME = re.compile(r"^\.duban-(\d+)-")
#: A temporary file without a process id (written by an older duban) this old is a leftover.
_ORPHAN_AGE_SECONDS = 24 * 3600


def sweep_leftovers(folder: str | Path) -> list[Path]:
    """Remove temporary output files in ``folder`` left by runs that no longer exist; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for leftover in Path(folder).glob(f"{TEMP_PREFIX}*"):
            m = _TEMP_NAME.match(leftover.name)
            with contextlib.suppress(OSError):
                if m:
                    if int(m.group(1)) == os.getpid() or process_alive(int(m.group(1))):
                        continue
                elif time.time() - leftover.stat().st_mtime < _ORPHAN_AGE_SECONDS:
                    continue
                leftover.unlink()
                removed.append(leftover)
    return removed


@contextmanager
def replaced_atomically(out_path: str | Path, *, opened_in: str) -> Iterator[Path]:
    """Yield a temporary path beside ``out_path``; when the block succeeds, move it in place.

    A failure or cancellation inside the block removes the temporary file and leaves any
    existing ``out_path`` untouched. A ledger record of the file belongs inside the block,
    after the file is written: the file then appears at its name only once the record is
    committed.

    Args:
        out_path: the file to write.
        opened_in: the program that may hold ``out_path`` open ("Excel/WPS", "PDF 阅读器"),
            named in the message when the file cannot be replaced.

    Raises:
        DubanError: the folder or the file cannot be written (disk full, read-only, in use).
    """
    out_path = Path(out_path)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(out_path.parent)
        fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=out_path.suffix, dir=out_path.parent)
    except OSError as exc:
        raise os_fault(exc, out_path.parent, "在文件夹中写入文件") from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
        except OSError as exc:
            # Writing the temporary file failed (disk full, quota): the old file is untouched.
            raise os_fault(exc, out_path, "写入") from None
        os.chmod(tmp, FINISHED_MODE)
        os.replace(tmp, out_path)
    except PermissionError:
        raise DubanError(f"无法写入“{out_path.name}”：文件可能正在 {opened_in} 中打开，请关闭后重试。") from None
    except OSError as exc:
        raise os_fault(exc, out_path, "写入") from None
    finally:
        tmp.unlink(missing_ok=True)
