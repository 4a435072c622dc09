"""Offline exchange commands.

export-handoff, import-returns, undo-import, import-batches, missing, review, open-handoff, export-return.
"""

from __future__ import annotations

import sys

from desktop.cli import EXIT_USER_ERROR, Context
from desktop.textout import format_table
from reports.filetypes import HANDOFF_SUFFIXES, RETURN_ARCHIVE_SUFFIXES, RETURN_WORKBOOK_SUFFIXES, suffix_list


def register(sub) -> None:
    """Add the exchange subcommands to ``duban``."""
    p = sub.add_parser("export-handoff", help="导出各单位本轮填报表（Excel）")
    p.add_argument("--round", required=True, help="轮次，如 2024Q3（须为进行中）")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", nargs="+", metavar="名称", help="单位名称（可多个）")
    who.add_argument("--all", action="store_true", help="所有承担任务的单位")
    p.add_argument("--out", required=True, metavar="DIR", help="保存填报表的文件夹")
    p.set_defaults(func=cmd_export_handoff)

    p = sub.add_parser("import-returns", help="导入各单位报送的填报表（文件、文件夹或 .zip）")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=f"{suffix_list(RETURN_WORKBOOK_SUFFIXES)} 文件、文件夹或 {suffix_list(RETURN_ARCHIVE_SUFFIXES)} 压缩包",
    )
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入台账")
    p.add_argument("--force", action="store_true", help="较旧的文件也导入（覆盖较新的报送）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_import_returns)

    p = sub.add_parser("undo-import", help="撤销一个导入批次（精确恢复导入前的内容）")
    p.add_argument("batch", type=int, metavar="BATCH", help="批次编号")
    p.set_defaults(func=cmd_undo_import)

    p = sub.add_parser("import-batches", help="列出导入批次")
    p.add_argument("--round", help="只看某轮次")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("missing", help="催报清单：未报送或被退回的单位")
    p.add_argument("--round", required=True, help="轮次，如 2024Q3")
    p.add_argument("--out", metavar="F.xlsx", help="另存为 Excel 催报清单")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_missing)

    p = sub.add_parser("review", help="审核某单位本轮填报：通过或退回修改")
    p.add_argument("--round", required=True, help="轮次，如 2024Q3")
    p.add_argument("--unit", required=True, metavar="名称", help="单位名称")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--accept", action="store_true", help="审核通过")
    what.add_argument("--send-back", metavar="意见", help="退回修改，并写明意见（会出现在下次的填报表中）")
    p.add_argument(
        "--task", nargs="+", metavar="编号", help="只审核这些任务编号（默认：通过待审核的填报，或退回未退回的填报）"
    )
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("open-handoff", help="填报端：把督办室发来的填报表导入本地台账")
    p.add_argument("file", metavar="FILE", help=f"填报表 {suffix_list(HANDOFF_SUFFIXES)}")
    p.set_defaults(func=cmd_open_handoff)

    p = sub.add_parser("export-return", help="填报端：导出填好的填报表，报送督办室")
    p.add_argument("--out", required=True, metavar="FILE", help="保存为 .xlsx")
    p.add_argument("--export", metavar="ID", help="哪一份填报表（默认最近打开的一份）")
    p.set_defaults(func=cmd_export_return)


def _printer(total_label: str):
    def report(done: int, total: int, message: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{total_label} {done}/{total} {message}    ", end="", file=sys.stderr, flush=True)

    return report


def cmd_export_handoff(args, ctx: Context) -> int:
    """Write one handoff workbook per unit and print one line per file."""
    from db.rounds import normalise_round_id
    from db.units import require_unit
    from reports.exchange.handoff import export_handoff

    db = ctx.open_db()
    unit_ids = None if args.all else [require_unit(db, name) for name in args.unit]
    files = export_handoff(db, normalise_round_id(args.round), unit_ids, args.out)
    for f in files:
        print(f"{f.unit}\t{f.rows} 项\t{f.path}")
    print(f"共导出 {len(files)} 份填报表（轮次 {normalise_round_id(args.round)}）。")
    return 0


def _field_label(db, key: str) -> str:
    """Return the column a change is about, as the clerk's workbook names it."""
    if key.startswith("indicator:"):
        from db.tasks import indicator_name

        found = indicator_name(db, int(key.split(":", 1)[1]))
        return f"指标：{found}" if found else "指标"
    from db.report_fields import REPORT_FIELD_LABELS

    return REPORT_FIELD_LABELS.get(key, key)


def _value(value) -> str:
    if value is None:
        return "（空）"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = text.replace("\n", "⏎")
    return text if len(text) <= 40 else text[:39] + "…"


def cmd_import_returns(args, ctx: Context) -> int:
    """Preview or import returned workbooks; print per file what happened and why."""
    from reports.exchange.importing import OUTCOME_LABELS, import_returns

    db = ctx.open_db()
    results = import_returns(
        db, args.paths, force=args.force, dry_run=args.dry_run, ledger_path=None if args.dry_run else ctx.db_path
    )
    if args.json:
        ctx.print_json([r.to_dict() for r in results])
    else:
        for r in results:
            who = f"{r.unit} {r.round_id}" if r.unit else "—"
            if r.rejected:
                print(f"✗ {r.path}：{r.rejected}")
                continue
            counts = "，".join(f"{OUTCOME_LABELS[k]} {v}" for k, v in r.counts.items() if v)
            if r.applied:
                verdict = f"已导入（批次 {r.batch_id}）"
            elif args.dry_run and not (r.duplicate or r.needs_force):
                verdict = "预览，未写入" if r.to_apply else "无需改动"
            else:
                verdict = "未改动"
            print(f"{'✓' if not r.needs_force else '!'} {r.path}：{who}，{counts or '无数据行'} → {verdict}")
            if r.notice:
                print(f"    {r.notice}")
            for w in r.warnings:
                print(f"    注意：{w}")
            for row in r.rows:
                if row.outcome == "rejected":
                    print(f"    拒绝：{row.reason}")
                    continue
                if row.rejected_fields:
                    # Every problem of the row at once; the row's readable fields are kept.
                    print(f"    部分退回：{row.reason}（这些栏保留原值，该行其余内容照常导入）")
                if row.outcome in ("new", "changed") and args.dry_run:
                    changes = "；".join(
                        f"{_field_label(db, k)} {_value(old)} → {_value(new)}"
                        for k, (old, new) in row.changes.items()
                        if k != "rejected_fields"
                    )
                    if changes:
                        print(f"    {OUTCOME_LABELS[row.outcome]} 任务 {row.number}：{changes}")
                for warning in row.warnings:
                    print(f"    待核实 任务 {row.number}：{warning}")
            rejected_rows = r.counts["rejected"]
            partly = sum(1 for row in r.rows if row.rejected_fields and row.outcome != "rejected")
            if rejected_rows or partly:
                counted = "，".join(
                    part
                    for part in (
                        f"{rejected_rows} 行未导入" if rejected_rows else "",
                        f"{partly} 行部分退回" if partly else "",
                    )
                    if part
                )
                print(
                    f"    以上 {counted}，{'其余内容已照常导入' if r.applied else '其余内容不受影响'}；"
                    f"请把拒绝原因告诉{r.unit}，改正后重新报送（重新报送时只导入有改动的内容）。"
                )
            for msg in r.locked_changes:
                print(f"    忽略：{msg}")
            if r.problems_added:
                print(f"    问题清单新增 {r.problems_added} 条。")
        applied = sum(1 for r in results if r.applied)
        print(f"共 {len(results)} 个文件，{'预览' if args.dry_run else f'导入 {applied} 个'}。")
    return EXIT_USER_ERROR if any(r.rejected or r.needs_force for r in results) else 0


def cmd_undo_import(args, ctx: Context) -> int:
    """Undo one import batch."""
    from db.import_batches import undo_import
    from db.ledger import backup_before

    db = ctx.open_db()
    # A refused undo (already undone, changed since) leaves no backup behind.
    kept: list[str] = []
    with backup_before(db, ctx.db_path, "undo-import"):
        restored = undo_import(db, args.batch, source="cli", kept_problems=kept)
    print(f"已撤销导入批次 {args.batch}，恢复 {restored} 条填报到导入前的内容。")
    if kept:
        print(f"保留了该批次带来的 {len(kept)} 条问题（仍有别的记录用到）：{'；'.join(kept)}")
    return 0


def cmd_batches(args, ctx: Context) -> int:
    """List import batches."""
    from db.import_batches import list_batches

    db = ctx.open_db()
    rows = list_batches(db, args.round)
    if args.json:
        ctx.print_json(rows)
        return 0
    if not rows:
        where = f"轮次 {args.round} " if args.round else ""
        print(f"{where}还没有导入过填报表。导入请用：duban import-returns 文件或文件夹")
        return 0
    print(
        format_table(
            ["批次", "单位", "轮次", "文件", "导入时间", "新增", "修改", "拒绝", "状态"],
            [
                [
                    r["id"],
                    r["unit"],
                    r["round_id"],
                    r["file_name"],
                    (r["imported_at"] or "").replace("T", " "),
                    r["counts"].get("new", 0),
                    r["counts"].get("changed", 0),
                    r["counts"].get("rejected", 0),
                    f"已撤销 {r['undone_at'].replace('T', ' ')}" if r["undone_at"] else "有效",
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_missing(args, ctx: Context) -> int:
    """Print (and optionally save) the 催报清单."""
    from db.board import missing_units
    from db.ledger import get_meta
    from db.rounds import normalise_round_id
    from reports.exchange.handoff import write_missing_list

    db = ctx.open_db()
    round_id = normalise_round_id(args.round)
    rows = missing_units(db, round_id)
    if args.out:
        write_missing_list(rows, round_id, args.out, get_meta(db, "org_name"))
    if args.json:
        ctx.print_json(rows)
        return 0
    if not rows:
        print(f"轮次 {round_id}：所有单位均已报送，没有需要催报的单位。")
    else:
        print(f"轮次 {round_id} 催报清单：{len(rows)} 个单位")
        print(
            format_table(
                ["单位", "联系人", "联系电话", "应报", "未报", "退回", "说明"],
                [
                    [r["unit"], r["contact"], r["phone"], r["assignments"], r["missing"], r["sent_back"], r["reason"]]
                    for r in rows
                ],
            )
        )
    if args.out:
        print(f"已保存：{args.out}")
    return 0


def cmd_review(args, ctx: Context) -> int:
    """Accept a unit's reports or send them back with a comment."""
    from db.review import review_unit
    from db.rounds import normalise_round_id
    from db.units import require_unit

    db = ctx.open_db()
    unit_id = require_unit(db, args.unit)
    decision = "accepted" if args.accept else "returned"
    count = review_unit(db, args.round, unit_id, decision, args.send_back, args.task, source="cli")
    action = "审核通过" if args.accept else f"退回修改（意见：{args.send_back}）"
    print(f"{args.unit} {normalise_round_id(args.round)}：{count} 条填报已{action}。")
    return 0


def cmd_open_handoff(args, ctx: Context) -> int:
    """Open a handoff workbook into the local township ledger."""
    from reports.exchange.township import open_handoff

    info = open_handoff(ctx.db_path, args.file)
    made = "新建" if info["created"] else "更新"
    print(
        f"已{made}填报端台账 {info['ledger']}：{info['unit']} {info['round_id']}，任务 {info['rows']} 项"
        f"（已带入预填内容 {info['prefilled']} 项）。填好后用 duban export-return --out 文件.xlsx 导出报送。"
    )
    return 0


def cmd_export_return(args, ctx: Context) -> int:
    """Export the township ledger's filled workbook for the office."""
    from reports.exchange.township import export_return

    db = ctx.open_db()
    path = export_return(db, args.out, args.export)
    print(f"已导出报送文件：{path}")
    return 0
