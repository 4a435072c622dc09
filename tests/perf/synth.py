"""Synthetic ledgers at county and city scale, for the benchmarks in this folder.

County scale: one county, 300 key works with 1,000 measures, 80 units (56 departments
and 24 townships), four quarterly rounds of reports (2024Q1–Q3 closed, 2024Q4 open and
partly reported). City scale: twelve such counties rolled into one ledger plus 40
city-level departments — 3,600 key works, 12,000 measures, 1,000 units.

The ledger is written through duban's own ``db`` functions (units, key works,
assignments, milestones, indicators, reports, problems, closing rounds), so it has the
shape, the audit log and the frozen snapshots a real ledger would have. Everything is
drawn from a seeded random generator: the same scale always gives the same ledger.

Also here: :func:`write_task_list` writes a county's task list as a "1+N" Excel workbook
(one row per measure, parent columns merged vertically, the lead unit marked ``*``), the
input of the ``import-tasks`` benchmark.

Run ``python3 tests/perf/synth.py county /tmp/county.db`` to build one by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db.deadlines import period_of  # noqa: E402
from db.jobs import Progress  # noqa: E402
from db.ledger import create_ledger, set_meta  # noqa: E402
from db.problems import close_problem, record_problem  # noqa: E402
from db.progress import review_report, save_report  # noqa: E402
from db.round_closing import close_round  # noqa: E402
from db.rounds import open_round  # noqa: E402
from db.status import expected_progress  # noqa: E402
from db.tasks import add_indicator, add_key_work, add_milestone, add_plan, assign  # noqa: E402
from db.units import add_unit  # noqa: E402

SOURCE = "synthetic"
YEAR = 2024
#: (round id, cut-off, due date, closed?) — the fourth round is open and partly reported.
ROUNDS = (
    ("2024Q1", date(2024, 3, 31), date(2024, 4, 10), True),
    ("2024Q2", date(2024, 6, 30), date(2024, 7, 10), True),
    ("2024Q3", date(2024, 9, 30), date(2024, 10, 10), True),
    ("2024Q4", date(2024, 12, 31), date(2025, 1, 10), False),
)
#: Share of assignments that already reported in the open round when the ledger is built.
OPEN_ROUND_REPORTED = 0.6


@dataclass(frozen=True)
class Scale:
    """How big a synthetic ledger is."""

    name: str
    counties: int
    key_works_per_county: int = 300
    measures_per_county: int = 1000
    departments_per_county: int = 56
    townships_per_county: int = 24
    city_departments: int = 0

    @property
    def key_works(self) -> int:
        """Key works in the whole ledger."""
        return self.counties * self.key_works_per_county

    @property
    def units(self) -> int:
        """Units in the whole ledger."""
        return self.counties * (self.departments_per_county + self.townships_per_county) + self.city_departments


COUNTY = Scale("county", counties=1)
CITY = Scale("city", counties=12, city_departments=40)
SCALES = {"county": COUNTY, "city": CITY}

COUNTY_NAMES = ("东江", "西岭", "南湖", "北山", "青石", "白沙", "金溪", "银湖", "玉泉", "松林", "梅岭", "竹溪")
DEPARTMENTS = (
    "发展和改革局",
    "经济和信息化局",
    "教育局",
    "科学技术局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和广电旅游体育局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "综合行政执法局",
    "大数据发展管理局",
    "信访局",
    "金融工作中心",
    "税务局",
    "供电公司",
    "总工会",
    "团委",
    "妇联",
    "工商联",
    "科协",
    "残联",
    "投资促进中心",
    "机关事务管理中心",
    "行政审批局",
    "人民防空办公室",
    "档案馆",
    "气象局",
    "消防救援大队",
    "烟草专卖局",
    "邮政管理局",
    "公共资源交易中心",
    "城市管理局",
    "林业局",
    "粮食和物资储备局",
    "乡村振兴局",
    "融媒体中心",
    "国有资产管理中心",
    "交通投资集团",
    "城市建设投资集团",
    "文化旅游投资集团",
    "水务集团",
)
TOWNSHIP_SYLLABLES = "安宝城大丰凤福港高河和红湖华江金锦康兰乐龙梅南宁平清仁瑞山石双松桃天田万溪新兴阳永玉云长竹"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕鹏飞"
CATEGORIES = (
    "优化营商环境",
    "推动产业转型升级",
    "扩大有效投资",
    "推进城乡融合发展",
    "加强生态环境保护",
    "保障和改善民生",
    "提升社会治理水平",
    "深化重点领域改革",
)
SUBJECTS = (
    "“个转企”培育",
    "小微企业园建设",
    "数字化改造",
    "招商引资",
    "重大项目攻坚",
    "老旧小区改造",
    "农村生活污水治理",
    "垃圾分类",
    "养老服务体系",
    "托育服务",
    "义务教育优质均衡",
    "县域医共体",
    "企业减负降本",
    "政务服务增值化",
    "信用体系建设",
    "矛盾纠纷化解",
    "安全生产整治",
    "河湖长制落实",
    "高标准农田建设",
    "乡村旅游",
    "科技企业孵化",
    "人才引育",
    "消费提振",
    "外贸稳量提质",
    "交通基础设施",
    "城市有机更新",
    "历史文化保护",
    "食品安全",
    "就业创业",
    "社会救助",
)
VERBS = ("推进", "深化", "实施", "加快", "完善", "强化", "开展", "落实")
MEASURE_TEMPLATES = (
    "制定{s}专项工作方案，明确责任分工和时间节点，建立月度推进机制。",
    "建立{s}工作台账，实行清单化管理、项目化推进、责任化落实。",
    "组织开展{s}专项督查，对进度滞后的乡镇（街道）和部门实行挂图作战。",
    "加大{s}政策宣传力度，编印政策汇编，开展送政策上门服务不少于{n}次。",
    "统筹安排{s}专项资金{n}00万元，强化用地、用能等要素保障。",
    "推动{s}数字化应用场景建设，实现数据归集共享和线上办理。",
)
PERIODS = ("2024年", "年底前", "6月底前", "上半年", "三季度末", "2023-2027年", "长期实施", "2024-2025年")
MILESTONE_PHRASES = ("3月底前", "6月底前", "9月底前", "11月底前", "12月底前")
INDICATORS = (
    ("新增“个转企”", 480, "户", "at_least"),
    ("问题化解率", 95, "%", "at_least"),
    ("完成投资", 12.5, "亿元", "at_least"),
    ("新增就业", 3000, "人", "at_least"),
    ("改造老旧小区", 36, "个", "at_least"),
    ("万元GDP能耗下降", 3, "%", "at_least"),
    ("劣V类水体比例", 35, "%", "at_most"),
)
PROGRESS_TEMPLATES = (
    "已制定{s}工作方案，明确责任分工和时间节点，召开专题推进会{n}次，协调解决具体问题{m}个。",
    "{s}目前已完成阶段性任务，累计投入工作人员{n}0人次，形成月度工作台账，完成年度任务的{p}%。",
    "对照目标任务逐项推进，{s}按计划实施，已完成年度任务的{p}%，其中重点项目完成投资{n}.{m}亿元。",
    "组织开展专项督查{n}次，发现问题{m}个并督促整改到位，{s}整体进展平稳，部分指标超序时进度。",
)
PROBLEM_TEXTS = (
    "项目前期手续办理周期较长，影响整体进度。",
    "资金到位不及时，部分子项目推进缓慢。",
    "部分乡镇（街道）工作力量不足，基础数据报送不及时。",
    "用地指标紧张，个别项目尚未落地。",
    "企业参与积极性不高，需进一步加强政策宣传。",
    "跨部门数据共享不畅，系统对接尚未完成。",
)
NEXT_STEPS = (
    "下步将加强统筹协调，倒排工期，确保按时完成年度目标。",
    "下步将加大督查力度，对进度滞后的环节实行挂图作战。",
    "下步将做好政策宣传和要素保障，推动各项措施落地见效。",
)
#: How a key work's lead unit progresses through the year.
TRAJECTORIES = ("on",) * 10 + ("behind",) * 4 + ("done",) * 2 + ("far_behind", "not_started", "overdue")


@dataclass
class _KeyWorkPlan:
    """What the generator decided about one key work (kept to fill rounds and workbooks)."""

    county: str
    number: str
    category: str
    title: str
    targets: list[str]
    measures: list[str]
    period: str
    lead: str
    responsible: list[str]
    supporting: list[str]
    township_wide: bool
    leader: str
    liaison: str
    milestones: list[str]
    indicator: tuple | None
    trajectory: str
    key_work_id: int | None = None


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _township_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    suffixes = ("镇",) * 5 + ("乡",) * 2 + ("街道",) * 2
    while len(names) < count:
        name = "".join(rng.sample(TOWNSHIP_SYLLABLES, 2)) + rng.choice(suffixes)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def county_units(scale: Scale, county: str, rng: random.Random, taken: set[str]) -> tuple[list[str], list[str]]:
    """Return (departments, townships) of one county, named the way a county writes them."""
    departments = [f"{county}县{d}" for d in DEPARTMENTS[: scale.departments_per_county]]
    townships = [f"{county}县{t}" for t in _township_names(rng, scale.townships_per_county, taken)]
    return departments, townships


def plan_county(
    scale: Scale, county: str, departments: list[str], townships: list[str], rng: random.Random
) -> list[_KeyWorkPlan]:
    """Decide the key works of one county: categories, measures, units, milestones, indicators."""
    n = scale.key_works_per_county
    # Spread the measures so that the county has exactly measures_per_county of them.
    base, extra = divmod(scale.measures_per_county, n)
    measure_counts = [base + 1] * extra + [base] * (n - extra)
    rng.shuffle(measure_counts)
    per_category = -(-n // len(CATEGORIES))
    plans = []
    for i in range(n):
        subject = SUBJECTS[i % len(SUBJECTS)]
        category = CATEGORIES[min(i // per_category, len(CATEGORIES) - 1)]
        title = f"{rng.choice(VERBS)}{subject}工作（第{i // len(SUBJECTS) + 1}批）"
        measures = [
            # Distinct templates: importers rightly merge a measure repeated word for word.
            template.format(s=subject, n=rng.randint(2, 9))
            for template in rng.sample(MEASURE_TEMPLATES, measure_counts[i])
        ]
        units = rng.sample(departments, 6)
        indicator = rng.choice(INDICATORS) if rng.random() < 0.3 else None
        targets = [f"全年完成{subject}目标任务"]
        if indicator:
            name, value, unit, direction = indicator
            targets.append(
                f"{name}{'控制在' if direction == 'at_most' else '达'}{value:g}{unit}"
                f"{'以下' if direction == 'at_most' else '以上'}"
            )
        plans.append(
            _KeyWorkPlan(
                county=county,
                number=str(i + 1),
                category=category,
                title=title,
                targets=targets,
                measures=measures,
                period=rng.choice(PERIODS),
                lead=units[0],
                responsible=units[1 : 1 + rng.randint(1, 3)],
                supporting=units[4 : 4 + rng.randint(0, 2)],
                township_wide=rng.random() < 0.08,
                leader=_person(rng),
                liaison=_person(rng),
                milestones=sorted(rng.sample(MILESTONE_PHRASES, rng.randint(1, 2)), key=MILESTONE_PHRASES.index),
                indicator=indicator,
                trajectory=rng.choice(TRAJECTORIES),
            )
        )
    return plans


def _percent(trajectory: str, expected: float, round_index: int, rng: random.Random) -> float:
    if trajectory == "done" or (trajectory == "on" and expected >= 100):
        return 100.0 if round_index >= 2 or expected >= 100 else min(95.0, expected + 15)
    if trajectory == "not_started":
        return 0.0
    delta = {
        "on": rng.randint(0, 8),
        "behind": -rng.randint(12, 25),
        "far_behind": -rng.randint(32, 45),
        "overdue": -rng.randint(5, 15),
    }[trajectory]
    return float(max(0, min(95, round(expected + delta))))


def _status(percent: float, expected: float) -> str:
    if percent >= 100:
        return "已完成"
    if percent == 0:
        return "未启动"
    return "进度滞后" if percent < expected - 10 else "序时推进"


def build_ledger(path: str | Path, scale: Scale = COUNTY, *, seed: int = 2024, progress: Progress | None = None):
    """Create a synthetic ledger at ``path`` (which must not exist) and return it open.

    Args:
        path: where to write the ledger.
        scale: :data:`COUNTY`, :data:`CITY` or a custom :class:`Scale`.
        seed: random seed; the same seed and scale give the same ledger.
        progress: called as ``progress(done, total, message)`` after each step.
    """
    report = progress or (lambda _d, _t, _m: None)
    rng = random.Random(seed)
    db = create_ledger(path)
    steps = scale.counties + len(ROUNDS) + 1
    with db.atomic():
        set_meta(db, "mode", "office", SOURCE)
        set_meta(
            db, "org_name", "示例市重点工作督办办公室" if scale.counties > 1 else f"{COUNTY_NAMES[0]}县督查室", SOURCE
        )
        contacts: dict[int, tuple[str, str]] = {}
        taken: set[str] = set()
        for d in DEPARTMENTS[: scale.city_departments]:
            person, phone = _person(rng), _phone(rng)
            contacts[add_unit(db, f"市{d}", "部门", person, phone, SOURCE)] = (person, phone)
        all_plans: list[_KeyWorkPlan] = []
        for c in range(scale.counties):
            county = COUNTY_NAMES[c % len(COUNTY_NAMES)] + ("" if c < len(COUNTY_NAMES) else str(c))
            departments, townships = county_units(scale, county, rng, taken)
            unit_ids: dict[str, int] = {}
            for name in departments + townships:
                person, phone = _person(rng), _phone(rng)
                kind = "乡镇街道" if name in townships else "部门"
                unit_ids[name] = add_unit(db, name, kind, person, phone, SOURCE)
                contacts[unit_ids[name]] = (person, phone)
            plan_id = add_plan(
                db,
                f"{county}县{YEAR}年重点工作任务清单",
                YEAR,
                f"{county}委办发〔{YEAR}〕{c + 3}号",
                f"中共{county}县委办公室",
                f"{county}县任务清单.xlsx",
                SOURCE,
            )
            plans = plan_county(scale, county, departments, townships, rng)
            for kw in plans:
                kw.key_work_id = add_key_work(
                    db,
                    plan_id,
                    kw.number,
                    kw.title,
                    category=kw.category,
                    period_phrase=kw.period,
                    targets=kw.targets,
                    measures=kw.measures,
                    plan_year=YEAR,
                    source=SOURCE,
                )
                roles = [(kw.lead, "牵头")] + [(u, "责任") for u in kw.responsible]
                roles += [(u, "配合") for u in kw.supporting]
                if kw.township_wide:
                    roles += [(t, "责任") for t in townships]
                for name, role in roles:
                    assign(
                        db,
                        kw.key_work_id,
                        unit_ids[name],
                        role,
                        kw.leader,
                        kw.liaison if role == "牵头" else contacts[unit_ids[name]][0],
                        SOURCE,
                    )
                for phrase in kw.milestones:
                    add_milestone(db, kw.key_work_id, phrase, YEAR, source=SOURCE)
                if kw.indicator:
                    name, value, unit, direction = kw.indicator
                    add_indicator(db, kw.key_work_id, name, value, unit, direction, YEAR, source=SOURCE)
            all_plans.extend(plans)
            report(c + 1, steps, f"{county}县：{len(plans)} 项重点工作")
        _mark_milestones(db, all_plans, rng)

    for index, (round_id, cutoff, due, closed) in enumerate(ROUNDS):
        with db.atomic():
            open_round(db, round_id, cutoff, due_date=due, source=SOURCE)
            _fill_round(db, round_id, index, cutoff, due, all_plans, contacts, rng, closed)
            if closed:
                for (pid,) in db.execute("SELECT id FROM problems WHERE state = 'open' ORDER BY id").fetchall():
                    if rng.random() < 0.4:
                        close_problem(
                            db, pid, "经协调已解决，单位确认销号。", (cutoff - timedelta(days=5)).isoformat(), SOURCE
                        )
                close_round(db, round_id, SOURCE)
        report(scale.counties + index + 1, steps, f"轮次 {round_id}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report(steps, steps, "完成")
    return db


def _mark_milestones(db, plans: list[_KeyWorkPlan], rng: random.Random) -> None:
    """Meet the milestones of key works that are not meant to be late (as of the year's end)."""
    for kw in plans:
        if kw.trajectory in ("overdue", "not_started", "far_behind"):
            continue
        for m in db.query("SELECT id, due_date FROM milestones WHERE key_work_id = ?", [kw.key_work_id]):
            if m["due_date"]:
                done = date.fromisoformat(m["due_date"]) - timedelta(days=rng.randint(1, 10))
                db["milestones"].update(m["id"], {"done_date": done.isoformat()})


def _fill_round(db, round_id, index, cutoff, due, plans, contacts, rng, closed) -> None:
    """Write every unit's report for one round (in the open round, only some of them)."""
    for kw in plans:
        start, end = period_of(kw.period, YEAR)
        expected = expected_progress(start, end, cutoff)
        lead_pct = _percent(kw.trajectory, expected, index, rng)
        indicators = list(
            db.query("SELECT id, target_value, direction FROM indicators WHERE key_work_id = ?", [kw.key_work_id])
        )
        for a in db.query("SELECT id, unit_id, role FROM assignments WHERE key_work_id = ?", [kw.key_work_id]):
            if not closed and rng.random() > OPEN_ROUND_REPORTED:
                continue
            if closed and a["role"] != "牵头" and rng.random() < 0.04:
                continue  # a few units never report in a round
            if a["role"] == "牵头" or lead_pct in (0.0, 100.0):
                pct = lead_pct
            else:
                pct = float(max(0, min(99, lead_pct + rng.randint(-6, 6))))
            subject = kw.title[2:].split("工作")[0]
            text = rng.choice(PROGRESS_TEMPLATES).format(
                s=subject, n=rng.randint(2, 9), m=rng.randint(1, 9), p=int(pct)
            )
            problems = rng.choice(PROBLEM_TEXTS) if kw.trajectory != "on" and rng.random() < 0.5 else None
            contact, phone = contacts[a["unit_id"]]
            values = None
            if indicators and a["role"] == "牵头":
                values = {
                    i["id"]: round(i["target_value"] * (0.7 if i["direction"] == "at_most" else pct / 100), 1)
                    for i in indicators
                }
            save_report(
                db,
                a["id"],
                round_id,
                {
                    "progress_text": text,
                    "percent": pct,
                    "reported_status": _status(pct, expected),
                    "problems": problems,
                    "next_steps": rng.choice(NEXT_STEPS),
                    "reporter": contact,
                    "phone": phone,
                },
                indicator_values=values,
                source=SOURCE,
            )
            if problems:
                record_problem(db, kw.key_work_id, a["unit_id"], round_id, problems, SOURCE)
    # Submission times around the due date (a tenth of the units late), and the office's review.
    for (report_id,) in db.execute("SELECT id FROM reports WHERE round_id = ?", [round_id]).fetchall():
        day = due + timedelta(days=rng.randint(1, 6) if rng.random() < 0.1 else -rng.randint(0, 8))
        stamp = datetime.combine(day, datetime.min.time()).replace(hour=9 + rng.randint(0, 8)).isoformat()
        db.execute("UPDATE reports SET submitted_at = ?, updated_at = ? WHERE id = ?", [stamp, stamp, report_id])
        if closed or rng.random() < 0.5:
            review_report(db, report_id, "accepted", source=SOURCE)


def county_task_plan(scale: Scale = COUNTY, *, seed: int = 2024) -> list[_KeyWorkPlan]:
    """Return the key works :func:`write_task_list` writes (the first county, drawn from ``seed``)."""
    rng = random.Random(seed)
    departments, townships = county_units(scale, COUNTY_NAMES[0], rng, set())
    return plan_county(scale, COUNTY_NAMES[0], departments, townships, rng)


def write_task_list(path: str | Path, scale: Scale = COUNTY, *, seed: int = 2024) -> int:
    """Write one county's task list as a "1+N" workbook, one row per measure; return the data rows.

    Layout as offices send it: a title row merged across, the header
    序号 / 总体任务 / 重点工作 / 全市目标 / 落实举措 / 实施阶段 / 责任单位 / 分管领导/联络员, the
    parent columns merged vertically over a key work's measures, the lead unit first and
    marked ``*``, units separated by 、, leader and liaison on two lines of one cell.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    county = COUNTY_NAMES[0]
    plans = county_task_plan(scale, seed=seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    headers = ["序号", "总体任务", "重点工作", "全市目标", "落实举措", "实施阶段", "责任单位", "分管领导/联络员"]
    ws.append([f"{county}县{YEAR}年重点工作“1+N”任务清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(size=16, bold=True)
    ws.append(headers)
    wrap = Alignment(wrap_text=True, vertical="center")
    row = 3
    for kw in plans:
        units = [f"{kw.lead}*", *kw.responsible, *kw.supporting] + (["各乡镇（街道）"] if kw.township_wide else [])
        parent = [
            kw.number,
            kw.category,
            kw.title,
            "；".join(kw.targets),
            None,
            kw.period,
            "、".join(units),
            f"{kw.leader}\n{kw.liaison}",
        ]
        first = row
        for measure_index, measure in enumerate(kw.measures):
            values = list(parent) if measure_index == 0 else [None] * len(headers)
            values[4] = f"{measure_index + 1}.{measure}"
            for col, value in enumerate(values, 1):
                if value is not None:
                    ws.cell(row, col, value).alignment = wrap
            row += 1
        if row - 1 > first:
            for col in (1, 2, 3, 4, 6, 7, 8):
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
    for col, width in zip("ABCDEFGH", (6, 14, 24, 24, 48, 12, 30, 12), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)
    return row - 3


def build_unit_registry(path: str | Path, scale: Scale = COUNTY, *, seed: int = 2024):
    """Create a ledger holding only the units of :func:`write_task_list`'s county; return it open.

    That is an office before its first import: the unit registry is set up, the year's
    task list is not in yet.
    """
    rng = random.Random(seed)
    departments, townships = county_units(scale, COUNTY_NAMES[0], rng, set())
    db = create_ledger(path)
    with db.atomic():
        set_meta(db, "mode", "office", SOURCE)
        for name in departments + townships:
            add_unit(db, name, "乡镇街道" if name in townships else "部门", _person(rng), _phone(rng), SOURCE)
    return db


def main(argv: list[str] | None = None) -> int:
    """Build a synthetic ledger (and optionally its task-list workbook) from the command line."""
    parser = argparse.ArgumentParser(description="Build a synthetic duban ledger for the benchmarks.")
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("out", type=Path, help="ledger file to create")
    parser.add_argument("--task-list", type=Path, help="also write the county's 1+N task list workbook here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    db = build_ledger(args.out, SCALES[args.scale], progress=lambda d, t, m: print(f"[{d}/{t}] {m}", file=sys.stderr))
    counts = db.execute(
        "SELECT (SELECT COUNT(*) FROM key_works), (SELECT COUNT(*) FROM measures), (SELECT COUNT(*) FROM units), "
        "(SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM problems)"
    ).fetchone()
    db.close()
    print(
        f"{args.out}: key works {counts[0]}, measures {counts[1]}, units {counts[2]}, assignments {counts[3]}, "
        f"reports {counts[4]}, problems {counts[5]} ({time.perf_counter() - started:.1f} s)"
    )
    if args.task_list:
        rows = write_task_list(args.task_list, SCALES[args.scale])
        print(f"{args.task_list}: {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
