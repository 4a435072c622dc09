"""The task-list readers over the fixture corpus hold the accuracy targets of issue 12.

The corpus and the measures are described in tests/tasklist_accuracy.py (run it as a
script to see the figures per document).
"""

from __future__ import annotations

from tasklist_accuracy import measure_corpus


def test_corpus_accuracy_holds_the_targets():
    total, per_doc = measure_corpus()
    rates = total.rates()
    problems = "\n".join(total.problems)
    assert len(per_doc) >= 40
    assert not total.crashed, total.crashed
    assert not total.refused, total.refused
    assert rates["tasks"] >= 0.95, problems
    assert rates["lead"] >= 0.95, problems
    assert rates["unit_precision"] >= 0.95, problems
    assert rates["unit_recall"] >= 0.90, problems
    assert rates["deadlines"] >= 0.90, problems
    assert rates["non_tasks"] <= 0.05, problems


def test_every_document_of_the_corpus_is_read_and_the_scan_is_refused():
    _total, per_doc = measure_corpus()
    scores = dict(per_doc)
    # The scanned PDF has no text layer: refused (no tasks expected), everything else is read.
    assert scores["f03"].read_total == 0
    assert all(score.found for doc_id, score in per_doc if doc_id != "f03")
