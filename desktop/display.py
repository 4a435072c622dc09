"""Can a window be shown here at all? Asked before Qt is started, because Qt aborts the process when it cannot.

On Linux Qt's xcb platform plugin needs a display and a dozen system libraries a bare
Debian/Ubuntu/UOS/Kylin install may lack; without them Qt prints a hint and aborts
(exit 134) instead of raising. This module is Qt-free and answers in one sentence.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: Libraries the xcb platform plugin of PySide6 loads → the Debian/Ubuntu/UOS/Kylin package that has each.
QT_XCB_LIBRARIES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

#: Platforms that need no screen (tests, the self-test, remote use).
_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_qt_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The packages to install for the libraries Qt's xcb plugin cannot load here."""
    return [package for soname, package in QT_XCB_LIBRARIES.items() if not loads(soname)]


def _x_server_socket_missing(display: str) -> bool:
    """Whether ``DISPLAY`` names a local X server whose socket does not exist."""
    if not display.startswith(":"):
        return False  # host:0 or a forwarded display: cannot tell without connecting
    number = display[1:].split(".")[0]
    return number.isdigit() and not Path(f"/tmp/.X11-unix/X{number}").exists()


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    loads: Callable[[str], bool] = _loads,
) -> str | None:
    """Return one sentence saying why no window can be shown, or None when Qt should start.

    Args:
        environ: the environment (default: ``os.environ``).
        platform: ``sys.platform`` (default: this machine's).
        loads: whether a shared library can be loaded (tests pass a fake).
    """
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform in ("win32", "darwin"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if chosen.startswith(_HEADLESS_PLATFORMS) or chosen == "wayland" or (not chosen and environ.get("WAYLAND_DISPLAY")):
        return None
    tail = "图形界面无法启动；台账没有受影响，可以用命令行（duban --help）继续，或在有桌面的电脑上打开（duban demo 可加 --no-gui 只生成台账）。"
    display = environ.get("DISPLAY", "")
    if not display:
        return f"这台电脑没有可用的图形显示（没有桌面会话，DISPLAY 未设置），{tail}"
    if _x_server_socket_missing(display):
        return f"找不到图形显示 {display}（桌面会话没有运行），{tail}"
    missing = missing_qt_packages(loads)
    if missing:
        return (
            f"缺少图形界面需要的系统库，请让信息科安装：sudo apt install {' '.join(missing)}（UOS、麒麟同名）；{tail}"
        )
    return None
