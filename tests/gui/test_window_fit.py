"""The window on a township laptop and a supervisor's desk: it fits the screen, nothing is cut off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

pytestmark = pytest.mark.gui

OFFICE_PAGES = ("仪表盘", "台账", "填报轮次", "单位", "问题清单", "报表")
#: A 1366×768 laptop, the same laptop less a Windows task bar and title bar, and a 1920×1080
#: screen at 150 % (1280×720 of layout).
WINDOW_SIZES = ((1366, 768), (1366, 700), (1280, 720))


def _show_at(qtbot, window, size) -> None:
    window.showNormal()
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=3000)


def _on_page(qtbot, window, title) -> list[str]:
    from desktop.screenshots import layout_problems

    window.go(title)
    page = window.page(title)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=3000)
    if title == "台账":
        page.select_key_work(page.model.rows[8].id)
    for _ in range(3):
        qtbot.wait(1)
    return layout_problems(window)


def test_first_size_comes_from_the_screen():
    from desktop.mainwindow import first_geometry

    laptop = QRect(0, 0, 1366, 728)  # 1366×768 less the task bar
    rect, maximise = first_geometry(laptop)
    assert maximise and laptop.contains(rect)
    rect, maximise = first_geometry(QRect(0, 0, 1280, 680))  # 1920×1080 at 150 %
    assert maximise and rect.width() <= 1280 and rect.height() <= 680
    big = QRect(0, 0, 1920, 1040)
    rect, maximise = first_geometry(big)
    assert not maximise and big.contains(rect) and rect.center() == big.center()
    assert (rect.width(), rect.height()) == (1440, 900)


def test_saved_geometry_is_clamped_to_the_screen_it_opens_on():
    from desktop.mainwindow import clamped_geometry

    laptop = QRect(0, 0, 1366, 728)
    # Last closed on a 2560-wide monitor at the right: comes back whole on the laptop.
    rect = clamped_geometry(QRect(1500, 200, 1800, 1000), laptop)
    assert laptop.contains(rect) and (rect.width(), rect.height()) == (1366, 728)
    rect = clamped_geometry(QRect(1200, 600, 800, 500), laptop)
    assert laptop.contains(rect) and (rect.width(), rect.height()) == (800, 500)
    inside = QRect(100, 50, 900, 600)
    assert clamped_geometry(inside, laptop) == inside


def test_a_window_saved_on_a_big_monitor_reopens_on_the_screen(qtbot, demo_path, answers):
    from desktop.app import open_window
    from desktop.dialogs.common import app_settings

    first = open_window(demo_path)
    qtbot.addWidget(first)
    first.showNormal()
    first.setGeometry(3000, 1500, 2400, 1300)  # somewhere on a monitor that is gone now
    first.close()
    assert app_settings().value("window/geometry") is not None
    second = open_window(demo_path)
    qtbot.addWidget(second)
    available = second.available_geometry()
    assert available.contains(second.geometry()) or second.isMaximized()
    second.close()


@pytest.mark.parametrize("size", WINDOW_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_office_page_fits_and_key_columns_are_whole(qtbot, window, size):
    _show_at(qtbot, window, size)
    problems = {title: _on_page(qtbot, window, title) for title in OFFICE_PAGES}
    assert {title: found for title, found in problems.items() if found} == {}
    # The window was not forced larger than asked by some page's minimum size.
    assert window.minimumSizeHint().width() <= size[0] and window.minimumSizeHint().height() <= size[1]


@pytest.mark.parametrize("size", WINDOW_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_township_form_fits_and_scrolls_instead_of_losing_fields(qtbot, demo_db, answers, tmp_path, size):
    from db.units import require_unit
    from desktop.app import open_window
    from desktop.screenshots import layout_problems
    from reports.exchange.handoff import export_handoff
    from reports.exchange.township import open_handoff

    files = export_handoff(demo_db, "2024Q3", [require_unit(demo_db, "城东街道")], tmp_path / "out")
    ledger = tmp_path / "城东街道.db"
    open_handoff(ledger, files[0].path)
    win = open_window(ledger)
    qtbot.addWidget(win)
    win.show()
    _show_at(qtbot, win, size)
    win.pages[0].checklist.setCurrentRow(1)
    qtbot.wait(1)
    assert layout_problems(win) == []
    page = win.pages[0]
    # The last field of the form (联系电话) can be reached: it is inside the scrolled form.
    assert page.phone.isVisible()
    assert not win.nav.isVisible()  # one page: no navigation list taking the form's width
    win.close()


def test_larger_font_scales_the_whole_window_and_is_remembered(qtbot, window, demo_path):
    from PySide6.QtWidgets import QApplication

    from desktop.app import open_window
    from desktop.dialogs.common import app_settings

    _show_at(qtbot, window, (1920, 1080))
    base = QApplication.font().pointSizeF()
    ledger = window.page("台账")
    window.go("台账")
    name_width = ledger.table.columnWidth(ledger.model.COL_LEAD)
    window.font_size_actions["特大"].trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.3)
    assert ledger.table.columnWidth(ledger.model.COL_LEAD) > name_width  # columns fitted again
    assert app_settings().value("view/font_size") == "特大"
    problems = {title: _on_page(qtbot, window, title) for title in OFFICE_PAGES}
    assert {title: found for title, found in problems.items() if found} == {}
    _show_at(qtbot, window, (1366, 768))
    window.font_size_actions["大"].trigger()
    problems = {title: _on_page(qtbot, window, title) for title in OFFICE_PAGES}
    assert {title: found for title, found in problems.items() if found} == {}
    window.close()
    again = open_window(demo_path)
    qtbot.addWidget(again)
    assert again.font_size == "大" and again.font_size_actions["大"].isChecked()
    again.font_size_actions["标准"].trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(base)
    again.close()


def test_column_widths_and_sort_order_are_remembered_per_table(qtbot, window, demo_path):
    from desktop.app import open_window

    page = window.page("问题清单")
    window.go("问题清单")
    model = page.model
    header = page.table.horizontalHeader()
    header.resizeSection(model.COL_UNIT, 300)  # what a drag of the column edge does
    page.table.sortByColumn(model.COL_AGE, Qt.DescendingOrder)
    window.close()

    again = open_window(demo_path)
    qtbot.addWidget(again)
    again.resize(1366, 768)
    again.show()
    page = again.page("问题清单")
    again.go("问题清单")
    header = page.table.horizontalHeader()
    assert abs(page.table.columnWidth(model.COL_UNIT) - 300) <= 2
    assert header.sortIndicatorSection() == model.COL_AGE and header.sortIndicatorOrder() == Qt.DescendingOrder
    ages = [page.proxy.index(r, model.COL_AGE).data() for r in range(page.proxy.rowCount())]
    numbers = [int(a.split()[0]) for a in ages if a]
    assert numbers == sorted(numbers, reverse=True)
    # Another table keeps its own fitted widths.
    board = again.page("填报轮次").board_table
    assert board.sizer.saved == {}
    again.close()


@pytest.mark.slow
def test_screenshots_at_150_percent_show_nothing_cut_off(tmp_path):
    """The same check in a process started at QT_SCALE_FACTOR 1.5 on a 1920×1080 screen."""
    from desktop.screenshots import REPORT_FORM_SHOT, take_screenshots

    saved, problems = take_screenshots(tmp_path, screens=("150",))
    assert problems == []
    names = {path.name for path in saved}
    assert {"gui-1-dashboard.png", "gui-3-rounds.png", "gui-7-township.png", REPORT_FORM_SHOT} <= names
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "150" / "gui-3-rounds.png"))
    # 1920×1080 pixels less the offscreen frame: the layout is 1280×720 at 150 %.
    assert image.width() >= 1900 and image.height() >= 1060
