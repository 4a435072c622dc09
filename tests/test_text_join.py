"""Measures and clauses are joined without doubled punctuation (window, handoff, reports)."""

from __future__ import annotations

from db.text import join_clauses


def test_clause_ends_are_not_doubled():
    measures = [
        "组织干部结对走访企业，建立问题清单、责任清单、落实清单。",
        "对企业反映问题实行交办、督办、销号闭环管理。",
    ]
    joined = join_clauses(measures, end="。")
    assert (
        joined == "组织干部结对走访企业，建立问题清单、责任清单、落实清单；对企业反映问题实行交办、督办、销号闭环管理。"
    )
    for doubled in ("。；", "；；", "。。", "；。"):
        assert doubled not in joined


def test_blank_parts_skipped_and_nothing_to_close():
    assert join_clauses([None, "  ", "。"], end="。") == ""
    assert join_clauses(["推行告知承诺制；", "", "建立专班"], "，") == "推行告知承诺制，建立专班"


def test_question_mark_is_kept_and_not_closed_again():
    assert join_clauses(["是否按期完成？"], end="。") == "是否按期完成？"


def test_line_breaks_keep_each_measure_as_written():
    assert join_clauses(["推行告知承诺制。", " 建立专班。 "], "\n") == "推行告知承诺制。\n建立专班。"


def test_township_form_and_handoff_use_the_helper(demo_db):
    """The handoff's 落实举措 cell and the annual summary's targets read as written, never 。；."""
    from reports.exchange.handoff import _joined_by_key_work

    texts = _joined_by_key_work(demo_db, "measures", [2])
    assert (
        texts[2]
        == "组织干部结对走访企业，建立问题清单、责任清单、落实清单。\n对企业反映问题实行交办、督办、销号闭环管理。"
    )
