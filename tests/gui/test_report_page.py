"""The 报表 page: kinds from the registry, the 公文 fields box, the 通报's names the office may untick."""

from __future__ import annotations

from PySide6.QtCore import Qt

from db.documents import official_defaults
from db.queries import key_work_states
from reports.content.bulletin import bulletin_content, omitted_names
from reports.content.figures import named_items
from reports.kinds import REPORT_KINDS


def test_the_page_offers_every_registered_kind_and_the_official_fields(window, answers):
    page = window.page("报表")
    window.go("报表")
    assert [page.kind_box.itemData(i) for i in range(page.kind_box.count())] == [k.name for k in REPORT_KINDS]
    page.kind_box.setCurrentIndex(page.kind_box.findData("bulletin"))
    assert page.official_box.isVisible() and page.names_box.isVisible()
    page.fields["cc"].setText("县委办公室")
    page.save_defaults()
    assert official_defaults(page.db)["cc"] == "县委办公室"
    assert page.fields["cc"].placeholderText() == "县委办公室"
    page.kind_box.setCurrentIndex(page.kind_box.findData("progress"))
    assert not page.official_box.isVisible() and not page.names_box.isVisible()


def test_unticking_a_name_leaves_it_out_of_that_rounds_bulletin(window, answers):
    page = window.page("报表")
    window.go("报表")
    page.kind_box.setCurrentIndex(page.kind_box.findData("bulletin"))
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q2"))
    red, yellow = named_items(key_work_states(page.db, "2024Q2"))
    assert page.names_list.count() == len(red) + len(yellow)
    first = page.names_list.item(0)
    assert first.checkState() == Qt.CheckState.Checked
    first.setCheckState(Qt.CheckState.Unchecked)
    number = first.data(Qt.ItemDataRole.UserRole)
    assert omitted_names(page.db, "2024Q2") == [number]
    assert number not in bulletin_content(page.db, "2024Q2").figures["red"]
    # Coming back to the round shows the choice kept.
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q3"))
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q2"))
    assert page.names_list.item(0).checkState() == Qt.CheckState.Unchecked
