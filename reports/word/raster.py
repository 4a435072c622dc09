"""Charts as print-resolution pictures for Word: a reportlab drawing painted with Pillow.

The PDF draws the charts of :mod:`reports.pdf.charts` as vectors. Word needs a picture,
and reportlab's own rasteriser needs a Cairo back end that duban does not ship; the
charts use only rectangles, lines and horizontal text, so they are painted here from the
same drawing — one chart design, two outputs.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String, UserNode
from reportlab.pdfbase.pdfmetrics import stringWidth

#: Print resolution of chart pictures.
DPI = 300


def _multiply(a: tuple, b: tuple) -> tuple:
    """Return the affine transform ``a`` applied after ``b`` (reportlab's 6-tuples)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a2 * b1,
        a1 * b0 + a3 * b1,
        a0 * b2 + a2 * b3,
        a1 * b2 + a3 * b3,
        a0 * b4 + a2 * b5 + a4,
        a1 * b4 + a3 * b5 + a5,
    )


def _rgb(color) -> tuple[int, int, int] | None:
    if color is None:
        return None
    return (round(color.red * 255), round(color.green * 255), round(color.blue * 255))


class _Painter:
    def __init__(self, drawing: Drawing, fonts: dict[str, tuple[str, int]], dpi: int):
        self.scale = dpi / 72.0
        self.height = drawing.height
        size = (max(1, round(drawing.width * self.scale)), max(1, round(drawing.height * self.scale)))
        self.image = Image.new("RGB", size, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.fonts = fonts
        self._loaded: dict[tuple[str, float], ImageFont.FreeTypeFont] = {}

    def point(self, m: tuple, x: float, y: float) -> tuple[float, float]:
        px = m[0] * x + m[2] * y + m[4]
        py = m[1] * x + m[3] * y + m[5]
        return px * self.scale, (self.height - py) * self.scale

    def font(self, name: str, size: float):
        key = (name, size)
        if key not in self._loaded:
            path, index = self.fonts.get(name, (None, 0))
            pixels = max(1, round(size * self.scale))
            self._loaded[key] = (
                ImageFont.truetype(path, pixels, index=index) if path else ImageFont.load_default(pixels)
            )
        return self._loaded[key]

    def walk(self, node, m: tuple) -> None:
        if isinstance(node, UserNode):
            node = node.provideNode()
        if isinstance(node, Group):
            inner = _multiply(m, tuple(node.transform))
            for child in node.contents:
                self.walk(child, inner)
        elif isinstance(node, Rect):
            (x0, y0), (x1, y1) = self.point(m, node.x, node.y), self.point(m, node.x + node.width, node.y + node.height)
            box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
            stroke = _rgb(node.strokeColor) if node.strokeWidth else None
            width = max(1, round((node.strokeWidth or 0) * self.scale))
            self.draw.rectangle(box, fill=_rgb(node.fillColor), outline=stroke, width=width)
        elif isinstance(node, Line):
            ends = [self.point(m, node.x1, node.y1), self.point(m, node.x2, node.y2)]
            width = max(1, round((node.strokeWidth or 1) * self.scale))
            if node.strokeColor is not None:
                self.draw.line(ends, fill=_rgb(node.strokeColor), width=width)
        elif isinstance(node, PolyLine):
            pts = node.points
            ends = [self.point(m, pts[i], pts[i + 1]) for i in range(0, len(pts), 2)]
            if node.strokeColor is not None and len(ends) > 1:
                self.draw.line(ends, fill=_rgb(node.strokeColor), width=max(1, round(node.strokeWidth * self.scale)))
        elif isinstance(node, String):
            width = stringWidth(node.text, node.fontName, node.fontSize)
            shift = {"start": 0, "middle": width / 2, "end": width}.get(node.textAnchor, 0)
            x, y = self.point(m, node.x - shift, node.y)
            font = self.font(node.fontName, node.fontSize)
            self.draw.text((x, y), node.text, font=font, fill=_rgb(node.fillColor) or (0, 0, 0), anchor="ls")


def drawing_png(drawing: Drawing, fonts: dict[str, tuple[str, int]], dpi: int = DPI) -> bytes:
    """Return ``drawing`` painted as a PNG at ``dpi``.

    Args:
        drawing: a reportlab drawing of rectangles, lines and horizontal text.
        fonts: reportlab font name → (font file, subfont index) for the text.
        dpi: dots per inch.
    """
    painter = _Painter(drawing, fonts, dpi)
    for node in drawing.contents:
        painter.walk(node, (1, 0, 0, 1, 0, 0))
    out = BytesIO()
    painter.image.save(out, "PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()
