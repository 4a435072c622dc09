"""Writing an output file so that a failure never leaves half a file where the old one was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.errors import DubanError

#: Permissions of a finished file on POSIX; a temporary file is created owner-only, and a
#: handoff or report copied to a share or a USB stick must stay readable by others.
FINISHED_MODE = 0o644

#: What a clerk reads when Windows refuses a file another program holds open (Excel and WPS
#: open a workbook without letting others replace or delete it; Linux never refuses).
FILE_IN_USE = "文件正被其他程序打开，请关闭后重试"


def file_in_use_message(path: str | Path, doing: str, opened_in: str | None = None) -> str:
    """Return the one sentence for a file that another program holds open.

    Args:
        path: the file.
        doing: what duban was doing with it ("写入", "读取").
        opened_in: the program that most likely holds it, named in brackets when known.
    """
    hint = f"（多半是 {opened_in}）" if opened_in else ""
    return f"无法{doing}“{Path(path).name}”：{FILE_IN_USE}{hint}。"


@contextmanager
def replaced_atomically(out_path: str | Path, *, opened_in: str) -> Iterator[Path]:
    """Yield a temporary path beside ``out_path``; when the block succeeds, move it in place.

    A failure or cancellation inside the block removes the temporary file and leaves any
    existing ``out_path`` untouched.

    Args:
        out_path: the file to write.
        opened_in: the program that may hold ``out_path`` open ("Excel/WPS", "PDF 阅读器"),
            named in the message when the file cannot be replaced.

    Raises:
        DubanError: the folder or the file cannot be written.
    """
    out_path = Path(out_path)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".duban-", suffix=out_path.suffix, dir=out_path.parent)
    except OSError as exc:
        raise DubanError(f"无法在“{out_path.parent}”中写入文件（{exc.strerror or exc}），请换一个文件夹。") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, FINISHED_MODE)
        os.replace(tmp, out_path)
    except PermissionError:
        raise DubanError(file_in_use_message(out_path, "写入", opened_in)) from None
    except OSError as exc:
        raise DubanError(f"无法写入“{out_path}”（{exc.strerror or exc}）。") from None
    finally:
        tmp.unlink(missing_ok=True)
