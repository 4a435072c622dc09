"""The demo ledger's figures look like a county's: counts are whole numbers."""

from __future__ import annotations

from db.text import to_halfwidth
from db.values import COUNT_UNITS


def test_demo_counts_are_whole_numbers_and_other_figures_keep_one_decimal(demo_db):
    rows = list(
        demo_db.query(
            "SELECT i.name, i.measure_unit, a.value FROM indicator_actuals a JOIN indicators i ON i.id = a.indicator_id"
        )
    )
    counts = [r for r in rows if to_halfwidth(r["measure_unit"] or "") in COUNT_UNITS]
    # 户, 家, 个, 项, 张, 名, 人次 … indicators are in the demo, and none has a fraction.
    assert {"户", "家", "个", "项", "张"} <= {r["measure_unit"] for r in counts}
    assert [r for r in counts if r["value"] != int(r["value"])] == []
    assert all(round(r["value"], 1) == r["value"] for r in rows)
    # Amounts such as 亿元 still carry their decimal where there is one.
    assert any(r["value"] != int(r["value"]) for r in rows if r["measure_unit"] == "亿元")
