"""``duban selftest``: the installation check for IT staff (see :mod:`desktop.selftest`)."""

from __future__ import annotations


def register(sub) -> None:
    """Add the selftest subcommand."""
    p = sub.add_parser("selftest", help="自检：台账读写、中文字体、Excel、PDF、主窗口截图（供信息科使用）")
    p.add_argument("--out", required=True, metavar="DIR", help="截图和日志保存到的文件夹")
    p.set_defaults(func=cmd_selftest)


def cmd_selftest(args, ctx) -> int:
    """Run the self-test; exit 0 only if every check passed."""
    import os

    from desktop.selftest import _has_display, run_selftest

    if not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results = run_selftest(args.out)
    failed = [r for r in results if not r.ok]
    print(f"自检{'通过' if not failed else '未通过'}：{len(results) - len(failed)}/{len(results)} 项正常。")
    return 0 if not failed else 1
