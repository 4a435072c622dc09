"""催报通知 and 督办通知单: what they name, one page each, printable at 10 pt or more."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from db.errors import DubanError
from db.queries import key_work_states, round_states
from db.units import require_unit
from reports.content import model
from reports.content.notices import notice_content, supervise_content
from reports.kinds import REPORTS, write_notice, write_supervision


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(str(path)).pages))


def _smallest_font(path) -> float:
    sizes = []
    for page in PdfReader(str(path)).pages:

        def visit(text, cm, tm, _font, size, sizes=sizes):
            if text.strip():
                sizes.append(size * (tm[0] if tm[0] else 1) * (cm[0] if cm[0] else 1))

        page.extract_text(visitor_text=visit)
    return min(sizes)


def test_a_notice_names_every_missing_and_sent_back_item_with_contact_and_deadline(demo_db, tmp_path):
    unit_id = require_unit(demo_db, "白石乡")
    owed = [
        s for s in round_states(demo_db, "2024Q3", unit_id=unit_id) if not s.report or s.report["review"] == "returned"
    ]
    assert owed
    result = write_notice(demo_db, "2024Q3", tmp_path / "n.pdf", unit="白石乡", deadline="2024-10-20")
    text = _text(tmp_path / "n.pdf")
    assert result.pages == 1
    assert "白石乡：" in text and "2024年10月20日前" in text
    for s in owed:
        assert f"第{s.number}项{s.title}".replace(" ", "") in text
    comment = next((s.report["review_comment"] for s in owed if s.report and s.report["review_comment"]), None)
    if comment:
        assert comment.rstrip("。")[:10] in text
    contact = demo_db.execute("SELECT contact, phone FROM units WHERE id = ?", [unit_id]).fetchone()
    assert contact[0] in text and contact[1] in text
    assert _smallest_font(tmp_path / "n.pdf") >= 10


def test_notices_for_every_unit_owing_come_a_page_each(demo_db, tmp_path):
    doc = notice_content(demo_db, "2024Q3")
    result = write_notice(demo_db, "2024Q3", tmp_path / "all.pdf")
    assert result.pages == len(doc.figures["units"]) >= 2
    assert sum(isinstance(b, model.PageBreak) for b in doc.blocks) == len(doc.figures["units"]) - 1
    default = date.fromisoformat(doc.figures["official"]["issued"]) + timedelta(days=3)
    assert doc.figures["reply_by"] == default.isoformat()


def test_a_unit_that_owes_nothing_gets_one_sentence(demo_db):
    with pytest.raises(DubanError, match="不需要催报"):
        notice_content(demo_db, "2024Q2", unit="县财政局")


def test_a_supervision_notice_says_status_reports_requirements_and_reply_date(demo_db, tmp_path):
    kw = next(k for k in key_work_states(demo_db, "2024Q3") if k.number == "17")
    result = write_supervision(demo_db, "17", tmp_path / "s.pdf", deadline="2024-10-25")
    text = _text(tmp_path / "s.pdf")
    assert result.pages == 1
    assert "督办通知单" in text and f"第17项“{kw.title}”" in text
    assert f"{kw.lead_unit}：" in text and kw.result.status in text
    assert "序时进度" in text and "督办要求" in text and "2024年10月25日前书面反馈" in text
    for part in kw.parts:
        assert part.unit in text
    assert _smallest_font(tmp_path / "s.pdf") >= 10


def test_unknown_key_work_is_one_sentence(demo_db):
    with pytest.raises(DubanError, match="没有第999项"):
        supervise_content(demo_db, "999")


def test_notices_are_registered_report_kinds_with_both_formats():
    for name in ("notice", "supervise"):
        assert REPORTS[name].formats == (".pdf", ".docx")
    assert {p.option for p in REPORTS["supervise"].params} >= {"--key-work", "--unit", "--round", "--deadline"}
    assert {p.option for p in REPORTS["notice"].params} >= {"--round", "--unit", "--deadline"}
