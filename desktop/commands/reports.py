"""Report commands: ``duban report progress|bulletin|annual``, ``duban export-ledger``, ``duban fonts``."""

from __future__ import annotations

from pathlib import Path

from desktop.cli import Context


def register(sub) -> None:
    """Add the report subcommands to ``duban``."""
    p = sub.add_parser("report", help="生成 PDF：季调度进展表、半年通报、全年总结")
    rsub = p.add_subparsers(dest="report_command", metavar="报告", required=True, parser_class=type(p))
    r = rsub.add_parser("progress", help="季调度进展表（A4 横向表格）")
    r.add_argument("--round", required=True, help="轮次，如 2024Q1")
    r.add_argument("--out", required=True, metavar="F.pdf", help="输出的 PDF 文件")
    r.set_defaults(func=cmd_report_progress)
    r = rsub.add_parser("bulletin", help="半年通报（公文格式）")
    r.add_argument("--round", required=True, help="轮次，如 2024Q2")
    r.add_argument("--out", required=True, metavar="F.pdf", help="输出的 PDF 文件")
    r.add_argument("--issue-no", type=int, help="期号，默认按本年轮次顺序")
    r.add_argument("--org", help="发文单位，默认台账设置中的单位名称")
    r.set_defaults(func=cmd_report_bulletin)
    r = rsub.add_parser("annual", help="全年总结（公文格式）")
    r.add_argument("--year", type=int, required=True, help="年份，如 2024")
    r.add_argument("--out", required=True, metavar="F.pdf", help="输出的 PDF 文件")
    r.set_defaults(func=cmd_report_annual)

    p = sub.add_parser("export-ledger", help="把台账导出为 Excel（1+N 格式，含各轮进度）")
    p.add_argument("--out", required=True, metavar="F.xlsx", help="输出的 Excel 文件")
    p.add_argument("--round", help="只导出该轮次的进度列（默认全部轮次）")
    p.set_defaults(func=cmd_export_ledger)

    p = sub.add_parser("fonts", help="列出生成 PDF 时找到和使用的中文字体")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_fonts)


def _print_result(result) -> None:
    print(f"已生成：{result.path}（{result.pages} 页）")
    print("字体：")
    for line in result.fonts:
        print(f"  {line}")
    for warning in result.warnings:
        print(f"注意：{warning}")


def _check_pdf_name(out: str) -> Path:
    from db.errors import DubanError

    path = Path(out)
    if path.suffix.lower() != ".pdf":
        raise DubanError(f"输出文件“{path.name}”应以 .pdf 结尾。")
    return path


def cmd_report_progress(args, ctx: Context) -> int:
    """Write the 季调度进展表."""
    from reports.pdf.progress_report import write_progress_report

    _print_result(write_progress_report(ctx.open_db(), args.round, _check_pdf_name(args.out)))
    return 0


def cmd_report_bulletin(args, ctx: Context) -> int:
    """Write the 半年通报."""
    from reports.pdf.bulletin import write_bulletin

    _print_result(
        write_bulletin(ctx.open_db(), args.round, _check_pdf_name(args.out), issue_no=args.issue_no, org=args.org)
    )
    return 0


def cmd_report_annual(args, ctx: Context) -> int:
    """Write the 全年总结."""
    from reports.pdf.annual import write_annual_summary

    _print_result(write_annual_summary(ctx.open_db(), args.year, _check_pdf_name(args.out)))
    return 0


def cmd_export_ledger(args, ctx: Context) -> int:
    """Write the ledger workbook."""
    from reports.ledger_export import export_ledger

    path = export_ledger(ctx.open_db(), args.out, round_id=args.round)
    print(f"已导出台账：{path}")
    return 0


def cmd_fonts(args, ctx: Context) -> int:
    """Print the fonts found and used (the ledger's font_paths setting applies when a ledger exists)."""
    from reports.pdf.fonts import find_fonts, fonts_for_ledger

    choice = fonts_for_ledger(ctx.open_db()) if ctx.db_path.exists() else find_fonts()
    if args.json:
        ctx.print_json(
            {
                "fonts": {
                    f.label: {
                        "family": f.family,
                        "path": f.path,
                        "subfont_index": f.subfont_index,
                        "substitute": f.substitute,
                        "embedded": f.embedded,
                    }
                    for f in choice.faces.values()
                },
                "builtin_only": choice.builtin_only,
                "warnings": choice.warnings,
                "searched": choice.searched,
            }
        )
        return 0
    print("使用的字体：")
    for line in choice.used():
        print(f"  {line}")
    if choice.builtin_only:
        print("注意：未找到可嵌入的中文字体，PDF 将使用内置 STSong-Light（不嵌入）。")
    for warning in choice.warnings:
        print(f"注意：{warning}")
    print("查找过的文件夹：" + "；".join(choice.searched))
    return 0
