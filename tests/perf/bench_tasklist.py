"""Benchmark: a 200-page policy document read and imported by ``duban import-tasks``.

Run on demand, never by pytest (``tests/perf/conftest.py`` keeps bench_* out)::

    PYTHONPATH=. python3 tests/perf/bench_tasklist.py [--pages 200] [--runs 3]

The document is written here in the shapes of the fixture corpus: 20 sections, each
with numbered key works whose units come in trailing clauses, label lines or verbs,
sub-items (（1）) as measures, inline deadlines, and a few paragraphs without units.
Each page holds about 1,500 characters (a printed A4 page of 仿宋 三号 holds about 500;
this is a dense "small four" layout), so 200 pages are about 300,000 characters and
1,600 key works. It is read as .txt, as .docx (one paragraph per line) and as a PDF
with a text layer; each is then resolved against a fresh ledger and committed.

The figure to hold (issue 12): a 200-page document imports in under 10 s.

Last run (2026-11-30, branch tasklist, 2 CPUs shared with other test runs, load average
about 10): 3,002 key works; .txt 12.7 s wall / 3.1 s CPU, .docx 15.5 s / 3.7 s, .pdf
(pdftotext) 14.3 s / 3.2 s — reading 7–10 s, resolving and committing about 5 s. The wall
clock was inflated about fourfold by the load; re-run on a quiet machine for the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

_OFFICES = [
    "县发改局",
    "县财政局",
    "县住建局",
    "县交通运输局",
    "县农业农村局",
    "县教育局",
    "县卫健局",
    "县民政局",
    "县商务局",
    "县市场监管局",
    "县生态环境分局",
    "县水利局",
    "县文旅局",
    "县人社局",
    "县数据局",
    "县公安局",
]
_MONTHS = ["3月底前", "6月底前", "9月底前", "年底前", "三季度末", "上半年"]


def build_text(pages: int) -> str:
    """Return a policy document of about ``pages`` dense pages."""
    lines = [
        "示例县人民政府关于印发示例县2025年重点工作任务分解方案的通知",
        "示政发〔2025〕1号",
        "各乡镇人民政府、街道办事处，县政府各部门：",
        "现将方案印发给你们，请认真贯彻落实。",
        "示例县2025年重点工作任务分解方案",
        "一、总体要求",
        "坚持稳中求进，统筹推进各项工作。",
    ]
    item = 0
    chars = sum(len(line) for line in lines)
    target = pages * 1500
    section = 1
    while chars < target:
        section += 1
        heading = f"{_cn(section)}、第{section}方面重点工作"
        lines.append(heading)
        for _ in range(80):
            item += 1
            a, b, c = (_OFFICES[(item + k) % len(_OFFICES)] for k in (0, 3, 7))
            due = _MONTHS[item % len(_MONTHS)]
            body = (
                f"{item}.推进第{item}项重点工作。围绕年度目标细化措施，{due}完成阶段任务，"
                f"全年完成投资{item % 50 + 5}亿元以上，建立台账逐月调度，确保按期见效。"
            )
            shape = item % 4
            if shape == 0:
                lines.append(body + f"（牵头单位：{a}；责任单位：{b}、{c}、各乡镇（街道））")
            elif shape == 1:
                lines.append(body + f"（{a}牵头，{b}、{c}配合）")
            elif shape == 2:
                lines += [body, f"牵头单位：{a}", f"责任单位：{b}、{c}", f"完成时限：2025年{item % 12 + 1}月底前"]
            else:
                lines.append(body + f"（{a}、{b}等有关部门按职责分工负责）")
            lines += [
                f"（1）完善第{item}项工作机制，明确责任分工和时间节点。",
                f"（2）加强第{item}项工作督查，每季度通报一次进展情况。",
            ]
        chars = sum(len(line) for line in lines)
    lines += [
        f"{_cn(section + 1)}、保障措施",
        "（一）加强组织领导。成立工作专班。",
        "抄送：县委办公室。",
        "示例县人民政府办公室 2025年1月10日印发",
    ]
    return "\n".join(lines) + "\n"


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _write(kind: str, text: str, folder: Path) -> Path:
    if kind == "txt":
        path = folder / "方案.txt"
        path.write_text(text, encoding="utf-8")
        return path
    if kind == "docx":
        import docx

        document = docx.Document()
        for line in text.splitlines():
            document.add_paragraph(line)
        path = folder / "方案.docx"
        document.save(str(path))
        return path
    from tasklist_accuracy import _write_pdf

    return _write_pdf(folder / "方案.pdf", text)


def measure(kind: str, text: str, runs: int) -> dict:
    """Median seconds to read, to resolve and commit into a fresh ledger, and in all."""
    from db.ledger import create_ledger
    from db.plan_import import commit_draft, resolve_draft
    from reports.tasklist import read_task_list

    reads, commits, totals, cpus = [], [], [], []
    key_works = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            path = _write(kind, text, Path(tmp))
            db = create_ledger(Path(tmp) / "台账.db")
            started, cpu_started = time.perf_counter(), time.process_time()
            draft = read_task_list(path)
            read_done = time.perf_counter()
            resolve_draft(db, draft)
            commit_draft(db, draft, allow_unassigned=True)
            finished = time.perf_counter()
            db.close()
            key_works = len(draft.key_works)
            reads.append(read_done - started)
            commits.append(finished - read_done)
            totals.append(finished - started)
            cpus.append(time.process_time() - cpu_started)
    return {
        "key_works": key_works,
        "read": statistics.median(reads),
        "commit": statistics.median(commits),
        "total": statistics.median(totals),
        "cpu": statistics.median(cpus),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=["txt", "docx", "pdf"])
    args = parser.parse_args(argv)
    text = build_text(args.pages)
    print(f"{args.pages} 页，{len(text):,} 字")
    for kind in args.kinds:
        r = measure(kind, text, args.runs)
        print(
            f"{kind:5} 重点工作 {r['key_works']:,} 项：读取 {r['read']:.2f} s，核对并写入 {r['commit']:.2f} s，"
            f"合计 {r['total']:.2f} s，其中本进程 CPU {r['cpu']:.2f} s（{args.runs} 次中位数）"
        )
    print(f"机器负载（1 分钟平均）：{os.getloadavg()[0]:.1f}，CPU {os.cpu_count()} 个")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
