"""``duban import-tasks``: read a task list or policy document, show the draft, commit it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop.cli import Context
from desktop.textout import format_table


def register(sub) -> None:
    """Add ``import-tasks`` to ``duban``."""
    p = sub.add_parser(
        "import-tasks",
        help="导入任务清单（Excel“1+N”清单、Word/文本政策文件）",
        description="读取任务清单或政策文件，列出读到的重点工作、责任单位、时间节点和需要核对的地方，然后写入台账。"
        "同一文件再次导入时更新原计划，并列出改动的条目。",
    )
    p.add_argument("file", metavar="文件", help=".xlsx / .xls / .docx / .txt，或 - 表示从标准输入读取文字")
    p.add_argument("--year", type=_year, help="计划年度（默认取文件中的年份）")
    p.add_argument("--plan-title", help="计划名称（默认取文件标题）")
    p.add_argument("--dry-run", action="store_true", help="只读取和核对，不写入台账")
    p.add_argument("--json", action="store_true", help="以 JSON 输出草稿（及导入结果）")
    p.add_argument(
        "--new-units",
        choices=["create", "refuse", "skip"],
        default="create",
        help="单位名录中没有的单位：create 新建（默认）、refuse 拒绝导入、skip 跳过其分工",
    )
    p.add_argument("--draft", action="store_true", help="文件是先前 --json 输出并经人工修改的草稿")
    p.add_argument(
        "--columns",
        metavar="列对应",
        help="表头无法识别时指明各列，如 任务=C,牵头单位=D,责任单位=E,完成时限=F（字母或列号）",
    )
    p.add_argument(
        "--allow-unassigned",
        action="store_true",
        help="确认导入没有读到责任单位的重点工作（默认拒绝导入，先列出它们的原文以便补填）",
    )
    p.add_argument(
        "--evidence", action="store_true", help="列出每项重点工作的原文，并标出读作牵头、责任单位和时限的文字"
    )
    p.set_defaults(func=cmd_import_tasks)


def _year(text: str) -> int:
    import argparse

    from db.text import to_halfwidth

    try:
        year = int(to_halfwidth(text).strip().rstrip("年"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度“{text}”应写成 2024 这样的四位数") from None
    if not 1990 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"年度“{text}”不在 1990–2100 之间")
    return year


def _read(args):
    from db.errors import DubanError
    from reports.tasklist import Draft, read_task_list, read_task_text

    if args.draft:
        try:
            draft = Draft.from_json(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DubanError(f"“{args.file}”不是 duban 导出的任务清单草稿（{exc}）。") from None
        if args.year:
            draft.set_year(args.year)
        if args.plan_title:
            draft.title = args.plan_title
        return draft
    if args.file == "-":
        return read_task_text(sys.stdin.read(), year=args.year, plan_title=args.plan_title, columns=args.columns)
    return read_task_list(args.file, year=args.year, plan_title=args.plan_title, columns=args.columns)


def cmd_import_tasks(args, ctx: Context) -> int:
    """Read, resolve, print, and (unless --dry-run) commit a task list."""
    from db.ledger import backup_before
    from db.plan_import import commit_draft, resolve_draft

    draft = _read(args)
    db = None
    if ctx.db_path.exists() or not args.dry_run:
        db = ctx.open_db()
        resolve_draft(db, draft)
    result = None
    if not args.dry_run:
        if not args.allow_unassigned and any(kw.unassigned for kw in draft.key_works) and not args.json:
            _print_summary(draft, evidence=True)
            print()
        with backup_before(db, ctx.db_path, "before-import-tasks"):
            result = commit_draft(db, draft, new_units=args.new_units, allow_unassigned=args.allow_unassigned)
    if args.json:
        data = draft.to_json()
        if result is not None:
            data["result"] = result.to_json()
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    _print_summary(draft, evidence=args.evidence)
    if result is None:
        print()
        print("（试运行：未写入台账。去掉 --dry-run 即可导入。）")
    else:
        print()
        for line in result.summary_lines():
            print(line)
    return 0


def _print_summary(draft, evidence: bool = False) -> None:
    s = draft.summary()
    year = f"{draft.year} 年（{draft.year_source}）" if draft.year else "未确定"
    print(f"计划：{draft.title}" + (f"（{draft.doc_no}）" if draft.doc_no else ""))
    print(f"来源：{draft.source_name}    年度：{year}")
    print(
        f"总体任务 {s['categories']} 类，重点工作 {s['key_works']} 项，目标 {s['targets']} 条，"
        f"落实举措 {s['measures']} 条，涉及单位 {s['units']} 个，分工 {s['assignments']} 条，"
        f"时间节点 {s['milestones']} 个，量化指标 {s['indicators']} 个。"
    )
    if s["new_units"]:
        print(f"新单位 {len(s['new_units'])} 个（单位名录中没有）：{'、'.join(s['new_units'])}")
    elif s["new_units"] is None:
        names = sorted(
            {
                u.name
                for kw in draft.key_works
                for u in kw.units
                if not u.skip and not u.all_townships and not u.use_unit
            }
        )
        if names:
            print(f"台账尚未建立，导入时将新建单位 {len(names)} 个：{'、'.join(names)}")
    _print_first_look(draft)
    if draft.preview and draft.preview.get("plan_exists"):
        p = draft.preview
        print(
            f"台账中已有此计划（编号 {p['plan_id']}）：将新增 {len(p['added'])} 项，修改 {len(p['changed'])} 项，"
            f"删除 {len(p['removed'])} 项，未变 {len(p['unchanged'])} 项。"
        )
    print()
    rows = []
    for kw in draft.key_works:
        lead = kw.lead_unit
        others = [u.name for u in kw.units if u is not lead and not u.skip]
        due = "；".join(f"{m.phrase}" + (f"→{m.due}" if m.due else "") for m in kw.milestones)
        rows.append(
            [
                kw.number,
                kw.category or "",
                kw.title,
                lead.name if lead else "（无）",
                "、".join(others),
                kw.period_phrase or due,
            ]
        )
    print(format_table(["编号", "总体任务", "重点工作", "牵头单位", "责任/配合单位", "时间"], rows, max_width=24))
    flags = draft.flags()
    if draft.warnings or flags:
        print()
        print(f"需要核对 {len(draft.warnings) + len(flags)} 处：")
        for w in draft.warnings:
            print(f"  - {w}")
        unknown: dict[str, list[str]] = {}
        for f in flags:
            if f.kind == "unknown_unit":
                unknown.setdefault(f.detail, []).append(f.number)
            else:
                print(f"  - {f.message}")
        proposals = {u.name: u.proposals for kw in draft.key_works for u in kw.units}
        for name, numbers in unknown.items():
            hint = f"是否指：{'、'.join(proposals.get(name) or [])}？" if proposals.get(name) else "将作为新单位添加"
            print(f"  - 单位“{name}”不在单位名录中（{hint}），见第 {'、'.join(numbers)} 项")
    if evidence:
        print()
        print("每项的原文（方括号内是读出的牵头、责任、配合单位，泛指，时限和领导）：")
        for kw in draft.key_works:
            if kw.source:
                print(f"  第 {kw.number} 项：" + kw.annotated_source().replace("\n", " / "))


def _print_first_look(draft) -> None:
    """List first what most needs a person: works without units, placeholders, unknown units."""
    lines = []
    for kw in draft.key_works:
        if kw.unassigned:
            source = kw.annotated_source().replace("\n", " / ") if kw.source else kw.title
            lines.append(f"  - 第 {kw.number} 项没有读到责任单位，原文：{source}")
    for kw in draft.key_works:
        for unit in kw.units:
            if unit.collective:
                lines.append(f"  - 第 {kw.number} 项的“{unit.name}”是泛指，未分配，已记为备注")
            elif unit.all_townships and (draft.resolved and not unit.township_names):
                lines.append(f"  - 第 {kw.number} 项的“{unit.name}”：台账中还没有这一类单位，暂只保留文字")
            elif unit.all_townships and not draft.resolved:
                lines.append(f"  - 第 {kw.number} 项的“{unit.name}”将分给台账中每个乡镇（街道）类单位")
    if draft.resolved:
        unknown: dict[str, list[str]] = {}
        for kw in draft.key_works:
            for unit in kw.units:
                if not unit.skip and not unit.known and not unit.use_unit and not unit.all_townships:
                    unknown.setdefault(unit.name, []).append(kw.number)
        for name, numbers in unknown.items():
            lines.append(f"  - 单位“{name}”不在单位名录中，见第 {'、'.join(numbers)} 项")
    if lines:
        print()
        print("先看这些：")
        for line in lines:
            print(line)
