"""Ledger commands: init, demo, units, tasks, rounds, round open/close/reopen, status, progress."""

from __future__ import annotations

from db.mode import MODE_LABELS, OFFICE
from desktop.cli import Context, iso_date
from desktop.textout import format_table

_STATE_LABEL = {"open": "进行中", "closed": "已关闭"}


def register(sub) -> None:
    """Add the ledger subcommands to ``duban``."""
    p = sub.add_parser("init", help="新建一个空台账")
    p.add_argument(
        "--mode",
        choices=list(MODE_LABELS.values()),
        default=MODE_LABELS[OFFICE],
        help=f"使用方式（默认 {MODE_LABELS[OFFICE]}）",
    )
    p.add_argument("--org", help="本单位名称，如 示例县重点工作督办办公室")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="生成示例县演示台账（并打开图形界面）")
    p.add_argument("--no-gui", action="store_true", help="只生成台账，不打开窗口")
    p.add_argument("--replace", action="store_true", help="--db 指定的文件已存在时覆盖它")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("units", help="列出单位")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("tasks", help="列出重点工作")
    p.add_argument("--unit", help="只看某单位承担的工作")
    p.add_argument("--status", help="只看某状态：已完成/序时推进/进度滞后/逾期/未启动/未报送")
    p.add_argument("--round", help="按哪一轮判断状态（默认最近的进行中轮次）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("rounds", help="列出填报轮次")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_rounds)

    p = sub.add_parser("round", help="开启、关闭或重新打开轮次")
    rsub = p.add_subparsers(dest="round_command", metavar="操作", required=True, parser_class=type(p))
    r = rsub.add_parser("open", help="开启新轮次")
    r.add_argument("round_id", metavar="轮次", help="如 2024Q3")
    r.add_argument("--cutoff", type=iso_date, help="截止日期（默认季末/半年末）")
    r.add_argument("--due", type=iso_date, help="报送期限（默认截止日后 10 天）")
    r.add_argument("--kind", choices=["季度", "半年", "年度", "专项"])
    r.set_defaults(func=cmd_round_open)
    r = rsub.add_parser("close", help="关闭轮次并冻结数据")
    r.add_argument("round_id", metavar="轮次")
    r.set_defaults(func=cmd_round_close)
    r = rsub.add_parser("reopen", help="重新打开已关闭的轮次（记入日志）")
    r.add_argument("round_id", metavar="轮次")
    r.set_defaults(func=cmd_round_reopen)

    p = sub.add_parser("status", help="某轮次按状态、单位、亮灯统计")
    p.add_argument("--round", required=True, help="如 2024Q2")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("progress", help="某轮次每项分工的填报内容")
    p.add_argument("--round", required=True, help="如 2024Q2")
    p.add_argument("--unit", help="只看某单位")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_progress)


def cmd_init(args, ctx: Context) -> int:
    """Create an empty ledger."""
    from db.ledger import create_ledger, set_meta
    from db.mode import mode_of_label, set_ledger_mode

    db = create_ledger(ctx.db_path)
    set_ledger_mode(db, mode_of_label(args.mode), "init")
    if args.org:
        set_meta(db, "org_name", args.org, "init")
    print(f"已新建台账：{ctx.db_path}（{args.mode}）")
    return 0


def cmd_demo(args, ctx: Context) -> int:
    """Build the demo ledger, then start the GUI on it unless --no-gui."""
    from db.demo import build_demo
    from db.errors import DubanError
    from db.paths import user_data_dir

    path = ctx.db_path if ctx.db_given else user_data_dir() / "demo.db"
    if path.exists():
        if ctx.db_given and not args.replace:
            raise DubanError(f"“{path}”已存在。要用演示数据覆盖它，请加 --replace。")
        for suffix in ("", "-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.unlink()
    db = build_demo(path)
    from db.tasks import ledger_counts

    counts = ledger_counts(db)
    db.close()
    print(
        f"已生成演示台账：{path}（重点工作 {counts['key_works']} 项，单位 {counts['units']} 个，"
        f"分工 {counts['assignments']} 条，轮次 {counts['rounds']} 个）"
    )
    if args.no_gui:
        return 0
    from desktop.app import run_gui

    return run_gui(path)


def cmd_units(args, ctx: Context) -> int:
    """List the units with their aliases, contacts and number of assignments."""
    from db.units import unit_registry_rows

    db = ctx.open_db()
    rows = unit_registry_rows(db, by_kind_name=True)
    if args.json:
        ctx.print_json(rows)
    else:
        print(
            format_table(
                ["单位", "类型", "别名", "联系人", "电话", "分工数"],
                [[r["name"], r["kind"], r["aliases"], r["contact"], r["phone"], r["assignments"]] for r in rows],
            )
        )
    return 0


def cmd_tasks(args, ctx: Context) -> int:
    """List key works with their lead unit and status for a round."""
    from db.errors import DubanError
    from db.queries import key_work_states, round_states
    from db.status import STATUSES
    from db.units import require_unit

    db = ctx.open_db()
    if args.status and args.status not in STATUSES:
        raise DubanError(f"状态“{args.status}”不存在，可选：{'、'.join(STATUSES)}。")
    from db.rounds import default_round

    round_id = args.round or default_round(db)
    rows = []
    if round_id is None:
        if args.status:
            raise DubanError("台账中还没有轮次，无法按状态筛选；请先用 duban round open 开启轮次。")
        from db.tasks import key_works_with_lead

        for r in key_works_with_lead(db):
            rows.append({**r, "status": None, "light": None})
    elif args.unit:
        unit_id = require_unit(db, args.unit)
        for s in round_states(db, round_id, unit_id=unit_id):
            rows.append(
                {
                    "number": s.number,
                    "title": s.title,
                    "category": s.category,
                    "lead": None,
                    "role": s.role,
                    "status": s.status,
                    "light": s.light,
                    "percent": s.result.percent,
                    "expected": s.result.expected,
                }
            )
    else:
        for k in key_work_states(db, round_id):
            rows.append(
                {
                    "number": k.number,
                    "title": k.title,
                    "category": k.category,
                    "lead": k.lead_unit,
                    "status": k.result.status,
                    "light": k.result.light,
                    "percent": k.result.percent,
                    "expected": k.result.expected,
                }
            )
    if args.status:
        rows = [r for r in rows if r["status"] == args.status]
    if args.json:
        ctx.print_json({"round": round_id, "tasks": rows})
        return 0
    title = f"轮次 {round_id}" if round_id else "（尚无轮次）"
    print(f"{title}：{len(rows)} 项")
    if args.unit:
        print(
            format_table(
                ["编号", "重点工作", "分工", "状态", "亮灯", "完成进度", "序时进度"],
                [
                    [
                        r["number"],
                        r["title"],
                        r["role"],
                        r["status"],
                        r["light"],
                        _pct(r["percent"]),
                        _pct(r["expected"]),
                    ]
                    for r in rows
                ],
            )
        )
    else:
        print(
            format_table(
                ["编号", "总体任务", "重点工作", "牵头单位", "状态", "亮灯", "完成进度", "序时进度"],
                [
                    [
                        r["number"],
                        r["category"],
                        r["title"],
                        r["lead"],
                        r["status"],
                        r["light"],
                        _pct(r.get("percent")),
                        _pct(r.get("expected")),
                    ]
                    for r in rows
                ],
                max_width=30,
            )
        )
    return 0


def _pct(value) -> str:
    return "" if value is None else f"{value:g}%"


def cmd_rounds(args, ctx: Context) -> int:
    """List rounds with their kind, cut-off and state."""
    from db.rounds import list_rounds

    db = ctx.open_db()
    rows = list_rounds(db)
    if args.json:
        ctx.print_json([{**r, "state_label": _STATE_LABEL[r["state"]]} for r in rows])
        return 0
    print(
        format_table(
            ["轮次", "类型", "截止日期", "报送期限", "状态"],
            [[r["id"], r["kind"], r["cutoff"], r["due_date"], _STATE_LABEL[r["state"]]] for r in rows],
        )
    )
    return 0


def cmd_round_open(args, ctx: Context) -> int:
    """Open a reporting round."""
    from db.rounds import open_round

    db = ctx.open_db()
    row = open_round(db, args.round_id, args.cutoff, args.kind, args.due, source="cli")
    print(f"已开启轮次 {row['id']}（{row['kind']}，截止 {row['cutoff']}，报送期限 {row['due_date']}）")
    return 0


def cmd_round_close(args, ctx: Context) -> int:
    """Close a round and freeze its figures."""
    from db.round_closing import close_round
    from db.rounds import normalise_round_id

    db = ctx.open_db()
    frozen = close_round(db, args.round_id, source="cli")
    print(f"已关闭轮次 {normalise_round_id(args.round_id)}，冻结 {frozen} 条分工的状态与数据。")
    return 0


def cmd_round_reopen(args, ctx: Context) -> int:
    """Re-open a closed round."""
    from db.round_closing import reopen_round
    from db.rounds import normalise_round_id

    db = ctx.open_db()
    reopen_round(db, args.round_id, source="cli")
    print(f"已重新打开轮次 {normalise_round_id(args.round_id)}（已记入日志）。关闭时会重新冻结。")
    return 0


def cmd_status(args, ctx: Context) -> int:
    """Print counts by status, unit and light for a round."""
    from db.queries import status_summary
    from db.status import STATUSES

    db = ctx.open_db()
    summary = status_summary(db, args.round)
    if args.json:
        ctx.print_json(summary)
        return 0
    state = _STATE_LABEL[summary["state"]]
    print(f"轮次 {summary['round']}（{summary['kind']}，截止 {summary['cutoff']}，{state}）")
    print(
        f"重点工作 {summary['key_works']} 项："
        + "，".join(f"{k} {v}" for k, v in summary["key_works_by_status"].items() if v)
    )
    print(f"分工 {summary['assignments']} 条：" + "，".join(f"{k} {v}" for k, v in summary["by_status"].items() if v))
    print("亮灯：" + "，".join(f"{k}灯 {v}" for k, v in summary["by_light"].items() if v))
    print()
    print(
        format_table(
            ["单位", *STATUSES],
            [[unit, *[counts.get(s, "") for s in STATUSES]] for unit, counts in summary["by_unit"].items()],
        )
    )
    return 0


def cmd_progress(args, ctx: Context) -> int:
    """Print every assignment's report for a round."""
    from db.queries import progress_rows
    from db.units import require_unit

    db = ctx.open_db()
    unit_id = require_unit(db, args.unit) if args.unit else None
    rows = progress_rows(db, args.round, unit_id)
    if args.json:
        ctx.print_json(rows)
        return 0
    for r in rows:
        print(
            f"【{r['number']}】{r['title']} — {r['unit']}（{r['role']}）  {r['status']} {r['light']}灯  "
            f"完成 {_pct(r['percent']) or '—'} / 序时 {_pct(r['expected'])}"
        )
        if r["progress_text"]:
            print(f"  进展情况：{r['progress_text']}")
        if r["problems"]:
            print(f"  存在问题：{r['problems']}")
        if r["next_steps"]:
            print(f"  下步计划：{r['next_steps']}")
        for ind in r["indicators"]:
            print(f"  指标 {ind['name']}：{ind['actual']:g} / {ind['target']:g}{ind['unit'] or ''}")
        if r["source"]:
            print(f"  来源：{r['source']}，填报人 {r['reporter'] or '—'} {r['phone'] or ''}")
    return 0
