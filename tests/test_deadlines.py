"""Deadline phrases to dates (db.deadlines), including phrases from the seed documents."""

import re
from datetime import date

import pytest

from db.deadlines import parse_deadline, period_of


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("6月底前", date(2024, 6, 30)),
        ("6 月底前", date(2024, 6, 30)),
        ("６月底前", date(2024, 6, 30)),
        ("2月底前", date(2024, 2, 29)),
        ("12月底前", date(2024, 12, 31)),
        ("十二月底前", date(2024, 12, 31)),
        ("年底前", date(2024, 12, 31)),
        ("年内完成", date(2024, 12, 31)),
        ("上半年", date(2024, 6, 30)),
        ("下半年", date(2024, 12, 31)),
        ("三季度末", date(2024, 9, 30)),
        ("第一季度", date(2024, 3, 31)),
        ("2024年6月30日前", date(2024, 6, 30)),
        ("2025年3月15日", date(2025, 3, 15)),
        ("到2023年底", date(2023, 12, 31)),
        ("2025年底前", date(2025, 12, 31)),
        ("6月中旬", date(2024, 6, 20)),
        ("9月上旬", date(2024, 9, 10)),
        ("11月下旬", date(2024, 11, 30)),
    ],
)
def test_single_due_dates(phrase, due):
    parsed = parse_deadline(phrase, 2024)
    assert parsed.understood
    assert parsed.due == due
    assert parsed.phrase == phrase


def test_every_quarter_gives_four_quarter_ends():
    parsed = parse_deadline("每季度", 2024)
    assert parsed.recurring == "季度"
    assert parsed.dates == (date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31))
    assert parsed.due is None


def test_long_term_is_ongoing_without_a_date():
    parsed = parse_deadline("长期实施", 2024)
    assert parsed.ongoing and parsed.understood and parsed.due is None


@pytest.mark.parametrize("phrase", ["2023-2027年", "2023－2027年", "2023-\n\n2027年", "2023至2027年"])
def test_year_spans(phrase):
    parsed = parse_deadline(phrase, 2024)
    assert parsed.period == (date(2023, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize("phrase", ["明年春天", "视情况而定", "13月底前", "2027-2023年", "", "2月30日前"])
def test_unknown_phrases_are_kept_and_flagged_never_guessed(phrase):
    parsed = parse_deadline(phrase, 2024)
    assert not parsed.understood
    assert parsed.due is None and parsed.period is None
    assert parsed.phrase == phrase


def test_period_of_a_key_work():
    assert period_of("2023-2025年", 2024) == (date(2023, 1, 1), date(2025, 12, 31))
    assert period_of("长期实施", 2024) == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_of("6月底前", 2024) == (date(2024, 1, 1), date(2024, 6, 30))
    assert period_of(None, 2024) == (date(2024, 1, 1), date(2024, 12, 31))


_SEED_PHRASE = re.compile(r"(\d+ ?月(?:底|末)前|年底前|上半年|下半年|长期实施|20\d\d-\s*20\d\d年|到20\d\d年底|每季度)")


def test_every_deadline_phrase_in_the_seed_documents_is_understood(seeds_dir):
    phrases = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        phrases.update(m.group(1) for m in _SEED_PHRASE.finditer(path.read_text(encoding="utf-8")))
    # The 乐清 list's 实施阶段 column and the inline deadlines of the other documents.
    assert {"长期实施", "到2023年底", "年底前", "6月底前"} <= phrases
    assert any(p.startswith("2023-") and "2027" in p for p in phrases)
    for phrase in phrases:
        parsed = parse_deadline(phrase, 2023)
        assert parsed.understood, phrase
        assert parsed.due or parsed.period or parsed.ongoing or parsed.recurring, phrase


def test_zhi_at_the_start_means_by():
    assert parse_deadline("至2027年底", 2024).due == date(2027, 12, 31)
    assert parse_deadline("2023年至2027年", 2024).period == (date(2023, 1, 1), date(2027, 12, 31))
