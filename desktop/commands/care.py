"""Looking after the ledger file: ``duban backups``, ``duban restore``, ``duban doctor``."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from db.errors import DubanError
from desktop.cli import EXIT_USER_ERROR, Context
from desktop.textout import format_table


def register(sub) -> None:
    """Add the backup, restore and doctor subcommands to ``duban``."""
    p = sub.add_parser("backups", help="列出台账的备份（时间、原因、大小）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="用一个备份恢复台账（当前台账先另存一份）")
    p.add_argument(
        "backup",
        metavar="备份",
        help="备份文件（路径，或 duban backups 列出的文件名、序号；latest 表示最近一个完好的备份）",
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("doctor", help="全面检查台账文件：完整性、位置、磁盘空间、备份")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_doctor)


def _size(nbytes: int) -> str:
    if nbytes >= 1024 * 1024:
        return f"{nbytes / 1024 / 1024:.1f} MB"
    return f"{max(1, round(nbytes / 1024))} KB"


def cmd_backups(args, ctx: Context) -> int:
    """List the backups of the ledger, newest first."""
    from db.ledger import DEFAULT_RETENTION, backup_catalog, backups_dir

    catalog = backup_catalog(ctx.db_path)
    if args.json:
        ctx.print_json(
            [
                {
                    "number": i,
                    "file": str(b.path),
                    "taken_at": b.taken_at.isoformat(),
                    "reason": b.label,
                    "size": b.size,
                }
                for i, b in enumerate(catalog, 1)
            ]
        )
        return 0
    if not catalog:
        print(
            f"台账“{ctx.db_path.name}”还没有备份（导入、撤销导入和导入任务清单之前会自动备份，在 {backups_dir(ctx.db_path)}）。"
        )
        return 0
    print(
        format_table(
            ["序号", "时间", "原因", "大小", "文件"],
            [
                [i, f"{b.taken_at:%Y-%m-%d %H:%M:%S}", b.label, _size(b.size), b.path.name]
                for i, b in enumerate(catalog, 1)
            ],
            max_width=60,
        )
    )
    total = sum(b.size for b in catalog)
    rule = DEFAULT_RETENTION
    print(
        f"共 {len(catalog)} 个，{_size(total)}，在 {backups_dir(ctx.db_path)}。"
        f"保留规则：最近 {rule['keep_last']} 个、{rule['daily_days']} 天内每天最后一个、每个已关闭轮次关闭前的一个，"
        "手动备份和升级前备份一直保留（台账设置 backup_retention 可改）。"
        f"恢复：duban --db “{ctx.db_path}” restore 序号"
    )
    return 0


def _choose_backup(text: str, ledger: Path) -> Path:
    from db.ledger import backup_catalog, newest_good_backup

    if text.lower() == "latest":
        good = newest_good_backup(ledger)
        if good is None:
            raise DubanError(f"台账“{ledger.name}”没有完好的备份可以恢复。")
        return good.path
    catalog = backup_catalog(ledger)
    if text.isdigit() and not Path(text).exists():
        number = int(text)
        if not 1 <= number <= len(catalog):
            raise DubanError(f"没有序号为 {number} 的备份（共 {len(catalog)} 个，用 duban backups 查看）。")
        return catalog[number - 1].path
    by_name = [b.path for b in catalog if b.path.name == text]
    if by_name and not Path(text).exists():
        return by_name[0]
    return Path(text)


def cmd_restore(args, ctx: Context) -> int:
    """Replace the ledger with one of its backups; the current file is kept as a backup first."""
    from db.ledger import other_users, restore_backup

    backup = _choose_backup(args.backup, ctx.db_path)
    users = other_users(ctx.db_path)
    if users:
        raise DubanError(
            f"台账“{ctx.db_path.name}”正被{'、'.join(users)}使用，恢复会让它丢失正在做的修改；请先关闭它再恢复。"
        )
    kept = restore_backup(backup, ctx.db_path)
    aside = f"恢复前的台账另存为“{kept}”。" if kept != ctx.db_path else "原来没有台账文件。"
    print(f"已用备份“{backup.name}”恢复台账“{ctx.db_path}”；{aside}")
    return 0


def _doctor_checks(path: Path) -> list[tuple[bool, str, str]]:
    """Run every check on the ledger file; return (passed, name, detail) lines."""
    from db.ledger import (
        _inspect,
        _writable,
        backup_catalog,
        check_ledger_file,
        damaged_sentence,
        network_share,
        network_share_sentence,
        newest_good_backup,
        other_users,
    )

    lines: list[tuple[bool, str, str]] = []
    if not path.is_file():
        return [(False, "台账文件", f"找不到“{path}”。")]
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    try:
        version = _inspect(path)
        lines.append((True, "台账文件", f"{path}，{_size(size)}，结构版本 {version}"))
    except DubanError as exc:
        lines.append((False, "台账文件", str(exc)))
        return lines
    share = network_share(path)
    lines.append((not share, "位置", network_share_sentence(path, share) if share else "本机磁盘"))
    writable = _writable(path)
    lines.append((True, "读写", "可以读写" if writable else "只读：可以查看和出报表，不能修改"))
    try:
        free = shutil.disk_usage(path.resolve().parent).free
        enough = free > 3 * (size + wal_size) + 50 * 1024 * 1024
        lines.append(
            (enough, "磁盘空间", f"剩余 {_size(free)}" + ("" if enough else "，不够做一次导入和备份，请清理磁盘"))
        )
    except OSError as exc:
        lines.append((False, "磁盘空间", f"无法查询（{exc.strerror or exc}）"))
    try:
        problems, took, keys = check_ledger_file(path, immutable=not wal_size)
        if problems == ["ok"]:
            lines.append((True, "完整性检查", f"无误（integrity_check 用时 {took:.2f} 秒）"))
        else:
            lines.append((False, "完整性检查", damaged_sentence(path, problems[0])))
        lines.append(
            (not keys, "引用检查", "无误" if not keys else f"{len(keys)} 处引用指向不存在的记录（表 {keys[0][0]}）")
        )
    except sqlite3.Error as exc:
        lines.append((False, "完整性检查", damaged_sentence(path, str(exc))))
    catalog = backup_catalog(path)
    good = newest_good_backup(path)
    if good:
        detail = (
            f"{len(catalog)} 个，共 {_size(sum(b.size for b in catalog))}；"
            f"最近一个完好的是 {good.taken_at:%Y-%m-%d %H:%M} 的“{good.path.name}”"
        )
    else:
        detail = "还没有完好的备份（每次导入前会自动备份）"
    lines.append((True, "备份", detail))
    users = other_users(path)
    lines.append((True, "正在使用", "、".join(users) if users else "没有别的 duban 打开这个台账"))
    return lines


def cmd_doctor(args, ctx: Context) -> int:
    """Check the ledger file thoroughly; exit 0 only when it is sound."""
    lines = _doctor_checks(ctx.db_path)
    if args.json:
        ctx.print_json([{"ok": ok, "check": name, "detail": detail} for ok, name, detail in lines])
    else:
        for ok, name, detail in lines:
            print(f"{'✔' if ok else '✘'} {name}：{detail}")
    sound = all(ok for ok, name, _ in lines if name in ("台账文件", "完整性检查", "引用检查"))
    if not args.json:
        print("台账完好。" if sound else "台账有问题，见上面标 ✘ 的行。")
    return 0 if sound else EXIT_USER_ERROR
