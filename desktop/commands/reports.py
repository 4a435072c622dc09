"""Report commands: ``duban report <kind>`` for every kind in :data:`reports.kinds.REPORT_KINDS`, ``duban export-ledger``, ``duban fonts``."""

from __future__ import annotations

from db.documents import TEXT_FIELDS
from desktop.cli import Context


def register(sub) -> None:
    """Add ``duban report <kind>`` for every registered report kind, and the ledger and font commands."""
    from reports.kinds import REPORT_KINDS

    kinds = [kind for kind in REPORT_KINDS if kind.command]
    p = sub.add_parser("report", help="生成报表：" + "、".join(kind.help.split("（")[0] for kind in kinds))
    rsub = p.add_subparsers(dest="report_command", metavar="报告", required=True, parser_class=type(p))
    for kind in kinds:
        r = rsub.add_parser(kind.name, help=kind.help)
        for param in kind.params:
            r.add_argument(
                param.option,
                dest=param.keyword,
                type=int if param.kind in ("year", "int") else str,
                required=param.required,
                help=param.help,
            )
        formats = "|".join(f"F{suffix}" for suffix in kind.formats)
        r.add_argument(
            "--out", required=True, metavar=formats, help="输出文件，扩展名决定格式：" + "、".join(kind.formats)
        )
        r.set_defaults(func=cmd_report, report_kind=kind.name)

    r = rsub.add_parser("fields", help="查看或设置本台账的默认公文字段（发文机关、文号、主送、抄送、印发机关、签发人）")
    for key, _label, option, help_text in TEXT_FIELDS:
        r.add_argument(option, dest=key, help=help_text)
    r.set_defaults(func=cmd_report_fields)

    p = sub.add_parser("problems", help="问题清单：导出为 Excel、PDF 或 Word（默认只列未销号的）")
    p.add_argument("--round", dest="round_id", help="只列该轮次报送中提出的问题")
    p.add_argument("--unit", help="只列该单位的问题")
    p.add_argument("--state", default="未销号", choices=("未销号", "已销号", "全部"), help="默认未销号")
    p.add_argument("--out", required=True, metavar="F.xlsx|F.pdf|F.docx", help="输出文件，扩展名决定格式")
    p.set_defaults(func=cmd_problems)

    p = sub.add_parser("export-ledger", help="把台账导出为 Excel（1+N 格式，含各轮进度）")
    p.add_argument("--out", required=True, metavar="F.xlsx", help="输出的 Excel 文件")
    p.add_argument("--round", help="只导出该轮次的进度列（默认全部轮次）")
    p.set_defaults(func=cmd_export_ledger)

    p = sub.add_parser("fonts", help="列出生成 PDF 时找到和使用的中文字体")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_fonts)


def _print_result(result) -> None:
    print(f"已生成：{result.path}" + (f"（{result.pages} 页）" if result.pages else ""))
    for line in result.fonts:
        print(line)
    for warning in result.warnings:
        print(f"注意：{warning}")


def cmd_report(args, ctx: Context) -> int:
    """Write the report kind the subcommand names, with the options it registered."""
    from reports.kinds import REPORTS, write_report

    kind = REPORTS[args.report_kind]
    out = kind.check_out_path(args.out)
    params = {param.keyword: getattr(args, param.keyword) for param in kind.params}
    _print_result(write_report(ctx.open_db(), kind.name, out, **params))
    return 0


def cmd_report_fields(args, ctx: Context) -> int:
    """Show the ledger's default 公文 fields, storing any given first."""
    from db.documents import official_defaults, save_official_defaults

    db = ctx.open_db()
    given = {key: getattr(args, key) for key, *_rest in TEXT_FIELDS if getattr(args, key) is not None}
    values = save_official_defaults(db, given, "cli") if given else official_defaults(db)
    if given:
        print("已保存默认公文字段。")
    for key, label, _option, _help in TEXT_FIELDS:
        print(f"{label}：{values[key] or '（不填）'}")
    return 0


def cmd_problems(args, ctx: Context) -> int:
    """Write the 问题清单."""
    from reports.kinds import write_problems

    result = write_problems(ctx.open_db(), args.out, round_id=args.round_id, unit=args.unit, state=args.state)
    print(f"已导出问题清单（{result.figures['which']}，{result.figures['problems']} 个问题）：{result.path}")
    for line in result.fonts:
        print(line)
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
