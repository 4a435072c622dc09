"""The page geometry every renderer shares, in points (1/72 inch).

GB/T 9704-2012 党政机关公文格式 7.1/7.2: A4 portrait, top margin 37 mm, left 28 mm, type
area 156 × 225 mm, body 3号 on a grid of 22 lines × 28 characters, page numbers
"— 1 —" in 4号 7 mm below the type area. The PDF and the Word renderer read these numbers
from here, so both lay out the same page.
"""

#: One millimetre in points (computed the way reportlab does, so figures agree to the bit).
MM = 72.0 / 2.54 * 0.1

A4_WIDTH = 210 * MM
A4_HEIGHT = 297 * MM

GB_TOP = 37 * MM
GB_LEFT = 28 * MM
GB_WIDTH = 156 * MM
GB_HEIGHT = 225 * MM
#: 3号 is 16 pt; 28 characters must fit 156 mm, so the grid cell is 156 mm / 28.
GB_CHARS_PER_LINE = 28
GB_LINES_PER_PAGE = 22
GB_BODY_SIZE = round(GB_WIDTH / GB_CHARS_PER_LINE - 0.005, 2)
GB_LEADING = GB_HEIGHT / GB_LINES_PER_PAGE - 0.001
GB_TITLE_SIZE = 22
GB_PAGE_NUMBER_SIZE = 14
GB_PAGE_NUMBER_GAP = 7 * MM

LANDSCAPE_MARGIN = 14 * MM
LANDSCAPE_FOOTER = 9 * MM

#: Print colours (red, green, blue in 0–1) of the lights; each light is also named in words
#: so grey print stays readable; their lightness (luma ≈ 0.31 / 0.83 / 0.55, 未报 white)
#: keeps them apart in grey.
LIGHT_RGB = {
    "红": (0.80, 0.10, 0.10),
    "黄": (0.98, 0.85, 0.30),
    "绿": (0.35, 0.68, 0.38),
    "灰": (0.62, 0.62, 0.62),
}
#: Symbols that tell the lights apart without colour.
LIGHT_SYMBOLS = {"红": "●", "黄": "◆", "绿": "○", "灰": "—"}
LIGHT_WORDS = {"红": "红灯", "黄": "黄灯", "绿": "绿灯", "灰": "未报"}
#: Status colours for charts: distinct in hue and in lightness (luma ≈ 0.25 / 0.69 / 0.85 /
#: 0.44 / 0.57 / 1.0 in stacking order, each at least 0.1 from every other), so the
#: segments stay apart in grey print too.
STATUS_RGB = {
    "已完成": (0.10, 0.35, 0.15),
    "序时推进": (0.55, 0.80, 0.50),
    "进度滞后": (0.99, 0.88, 0.35),
    "逾期": (0.90, 0.25, 0.20),
    "未启动": (0.55, 0.55, 0.75),
    "未报送": (1, 1, 1),
}
#: The red of the 版头 and its rule.
MASTHEAD_RGB = (0.8, 0, 0)
