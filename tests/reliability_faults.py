"""The record the reliability tests keep: which fault each one tried and how duban survived it.

Each ``tests/test_reliability_*.py`` calls :func:`survived` in its tests and ends with a test
that prints :func:`summary` (shown on the terminal even when output is captured).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_RECORD: dict[str, list[tuple[str, str]]] = defaultdict(list)


def survived(module: str, fault: str, outcome: str) -> None:
    """Note that ``fault`` was tried and duban came through with ``outcome``."""
    _RECORD[module].append((fault, outcome))


def summary(module: str) -> str:
    """The faults tried in ``module`` and what happened, one a line."""
    rows = _RECORD.get(module, [])
    lines = [f"{module}: {len(rows)} faults tried and survived"]
    lines += [f"  - {fault} → {outcome}" for fault, outcome in rows]
    return "\n".join(lines)


def print_summary(module: str, capsys) -> None:
    """Print the summary of ``module`` on the terminal."""
    with capsys.disabled():
        print("\n" + summary(module))


def duban(*args: str, env: dict | None = None, timeout: float = 300, obey_permissions: bool = False, cwd=None):
    """Run the ``duban`` command in a child process; return the completed process (text).

    Args:
        obey_permissions: run as root without the power to ignore file permissions (so that a
            chmod-read-only file is read-only for the child, as for a clerk); the caller skips
            the test when :func:`can_obey_permissions` is False.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("QT_QPA_PLATFORM", "offscreen")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if obey_permissions and is_root() else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "desktop", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def can_obey_permissions() -> bool:
    """Whether a child sees chmod permissions: not root, or root able to drop its override (setpriv)."""
    return not is_root() or shutil.which("setpriv") is not None


def one_sentence(stderr: str) -> str:
    """Assert ``stderr`` is one Chinese line without a traceback and return it."""
    text = stderr.strip()
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("注意：")]
    assert len(lines) == 1, text
    return lines[0]


def is_root() -> bool:
    """Whether the tests run as root (tiny file systems and read-only mounts can be made)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def tiny_disk(folder: Path, size: int, name: str = "disk") -> Iterator[Path]:
    """Mount a tmpfs of ``size`` bytes at ``folder / name`` for the block (root only; skips the test otherwise)."""
    if not is_root():
        pytest.skip("a tiny file system needs root (mount -t tmpfs); run the suite as root to try a full disk")
    point = folder / name
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def remount_read_only(point: Path) -> None:
    """Make a mounted tiny disk read-only (like a write-protected USB stick)."""
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True, capture_output=True)


def fill_disk(point: Path, leave: int = 0) -> Path:
    """Fill a tiny disk until at most about ``leave`` bytes are free; return the filler file."""
    filler = point / "filler.bin"
    fh = filler.open("wb", buffering=0)
    try:
        while shutil.disk_usage(point).free > leave + 4096:
            fh.write(b"\0" * 4096)
        if not leave:
            while True:
                fh.write(b"\0" * 512)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            fh.close()
    return filler
