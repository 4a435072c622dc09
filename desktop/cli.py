"""The ``duban`` command line.

Every subcommand lives in a module listed in :data:`desktop.commands.COMMAND_MODULES`;
each module has ``register(subparsers)`` and its handlers take ``(args, ctx)``. Errors
the user can fix are :class:`db.errors.DubanError`: printed as one Chinese line on
stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import re
import sqlite3
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

from db.errors import DubanError
from db.paths import default_ledger_path

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1

_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", "参数 {0} 的取值“{1}”无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要跟一个值"),
    (r"argument (\S+): expected at least one argument", "参数 {0} 后面至少需要一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能和 {1} 同时使用"),
    (r"one of the arguments (.*) is required", "以下参数必须给出其一：{0}"),
    (r"argument (\S+): (.*)", "参数 {0}：{1}"),
]


def _translate_argparse(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        m = re.fullmatch(pattern, message)
        if m:
            return template.format(*m.groups())
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one Chinese line and exit status 2."""

    def __init__(self, *args, **kwargs):
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # noqa: D102 - argparse hook
        self.exit(EXIT_USER_ERROR, f"错误：{_translate_argparse(message)}（用 {self.prog} --help 查看用法）\n")


def iso_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` command-line date (full-width digits allowed)."""
    from db.text import to_halfwidth

    try:
        return date.fromisoformat(to_halfwidth(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应写成 2024-09-30") from None


class Context:
    """What a command handler needs: the ledger path, a way to open it, and output."""

    def __init__(self, db_path: Path, db_given: bool):
        self.db_path = db_path
        self.db_given = db_given

    def open_db(self, create: bool = False):
        """Open the ledger named by ``--db`` (or the default one)."""
        from db.ledger import open_ledger

        db = open_ledger(self.db_path, create=create)
        for warning in db.warnings:  # read-only, network share: said once, the command goes on
            print(f"注意：{warning}", file=sys.stderr)
        return db

    @staticmethod
    def print_json(data: Any) -> None:
        """Print data as UTF-8 JSON (Chinese kept readable)."""
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def build_parser() -> ChineseArgumentParser:
    """Build the full ``duban`` argument parser with every registered subcommand."""
    from desktop.commands import COMMAND_MODULES

    parser = ChineseArgumentParser(
        prog="duban",
        description="duban 督办：重点任务台账、离线填报、进展通报。不带子命令时启动图形界面。",
    )
    parser.add_argument("--db", metavar="PATH", help=f"台账文件（默认：{default_ledger_path()}）")
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=ChineseArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _setup_logging() -> Path | None:
    from db.paths import setup_logging

    return setup_logging()


def main(argv: list[str] | None = None) -> int:
    """Run the ``duban`` command and return its exit status."""
    for stream in (sys.stdout, sys.stderr):
        # Windows consoles default to a legacy code page; Chinese must still print.
        if hasattr(stream, "reconfigure") and stream.encoding and stream.encoding.lower() not in ("utf-8", "utf8"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass
    from db.paths import log_unraisable

    # A finaliser failing on a full disk (a half-written workbook's zip file) would print a
    # traceback after the one-sentence message; it goes to the log instead.
    sys.unraisablehook = log_unraisable
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(Path(args.db) if args.db else default_ledger_path(), bool(args.db))
    try:
        if not args.command:
            from desktop.app import run_gui

            return run_gui(ctx.db_path)
        result = args.func(args, ctx)
        return int(result or 0)
    except DubanError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (OSError, sqlite3.Error) as exc:
        # A fault of the disk, the file or another process met outside the ledger's own
        # connection (a cursor being read, a file being written): still one sentence.
        from db.ledger import ledger_fault

        fault = ledger_fault(exc, ctx.db_path)
        if fault is None:
            return _internal_error()
        print(f"错误：{fault}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception:  # noqa: BLE001 - last line of defence: log, never a raw traceback
        return _internal_error()


def _internal_error() -> int:
    """Log the exception being handled and print one sentence (called inside an ``except``)."""
    log_file = _setup_logging()
    if log_file is not None:
        logging.getLogger("duban").error("未预料的错误\n%s", traceback.format_exc())
    where = f"，详细信息已写入 {log_file}" if log_file else ""
    print(f"错误：程序内部出错{where}。请把该文件发给技术支持。", file=sys.stderr)
    if "DUBAN_DEBUG" in __import__("os").environ:
        traceback.print_exc()
    return EXIT_INTERNAL_ERROR
