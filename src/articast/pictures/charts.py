"""A simple chart of comparable quantities an article states, labelled in its own words.

Sits inside the visuals stage, below ``pictures.cards``: a section card draws ``draw_chart``
for the section's ``chart`` beat (the plan found two to six quantities that compare: shares of
groups, amounts, or years of events) and pastes the picture into the card. It knows nothing of
articles or plans: it is given ``Quantity`` items, a size and a ``Style``.

- ``bars``: one horizontal bar per quantity, in the given order, its length proportional to the
  value from zero; the article's words above each bar, the number as written at its end.
- ``timeline``: the quantities (years, in the order given) evenly spaced along a line, a dot
  each, the year as written above the line and the article's words below.

Everything is measured in units of 1/100 of the picture's shorter side, so the same layout works
from 300x200 to 1600x1000; every text goes through ``imaging.fit_text`` (it never leaves its
box). Shapes are drawn oversampled and scaled down (smooth edges), text at full size. The same
input always gives the same pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from articast.pictures.imaging import fit_text, font
from articast.pictures.style import RGB, Style

__all__ = ["MAX_ITEMS", "MIN_ITEMS", "ChartKind", "Quantity", "draw_chart"]

MIN_ITEMS = 2
"""Fewer quantities make no comparison: ``draw_chart`` raises ValueError."""
MAX_ITEMS = 6
"""More than this many quantities: only the first ones are drawn."""

ChartKind = Literal["bars", "timeline"]
"""The kinds of chart: ``bars`` (amounts) or ``timeline`` (years)."""

Font = ImageFont.FreeTypeFont

_SMALLEST_FONT = 10
"""No text is drawn smaller than this many pixels, whatever the chart's size."""
_LINE_SPACING = 1.08
"""Distance between the lines of a wrapped label, relative to the font's ascent + descent."""


@dataclass(frozen=True)
class Quantity:
    """One quantity the article states, as the chart shows it."""

    label: str
    """What it counts, in the article's words ("adults over 65", "in 2019")."""
    shown: str
    """The number exactly as the article writes it ("40%", "$3.5 million", "1998")."""
    value: float
    """Its numeric value, for scaling (40.0, 3_500_000.0, 1998.0)."""


def draw_chart(
    kind: ChartKind,
    items: Sequence[Quantity],
    size: tuple[int, int],
    style: Style,
    *,
    title: str = "",
) -> Image.Image:
    """An RGB picture of exactly ``size``: the first six ``items`` drawn as ``kind`` on a
    ``style.panel`` rounded box over ``style.background``, with ``title`` (optional) in one
    line at the top.

    ValueError for fewer than two items, an unknown kind or a size under 1 pixel.
    """
    if kind not in ("bars", "timeline"):
        raise ValueError(f"unknown chart kind {kind!r}; choose bars or timeline")
    if len(items) < MIN_ITEMS:
        raise ValueError(f"a chart needs at least {MIN_ITEMS} quantities, got {len(items)}")
    w, h = int(size[0]), int(size[1])
    if w < 1 or h < 1:
        raise ValueError(f"a chart needs a positive size, got {size!r}")
    chosen = tuple(items[:MAX_ITEMS])
    canvas = _Canvas((w, h), style)
    top = canvas.draw_title(title)
    if kind == "bars":
        _bars(canvas, chosen, top)
    else:
        _timeline(canvas, chosen, top)
    return canvas.finish()


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class _Text:
    """A line of text to draw: where (``anchor`` as in Pillow), with which font and colour."""

    xy: tuple[float, float]
    text: str
    font: Font
    fill: RGB
    anchor: str


class _Canvas:
    """The chart being drawn: shapes on an oversampled layer, texts kept for the end (drawn at
    full size over the scaled-down shapes, so they stay sharp)."""

    def __init__(self, size: tuple[int, int], style: Style) -> None:
        self.w, self.h = size
        self.style = style
        self.u = min(self.w, self.h) / 100
        self.pad = max(4, round(4.5 * self.u))
        self.left, self.right = self.pad, self.w - self.pad
        self.bottom = self.h - self.pad
        # Oversampling: smooth round corners and dots (less for very large charts).
        self.scale = 3 if self.w * self.h <= 1_100_000 else 2
        s = self.scale
        self.shapes = Image.new("RGB", (self.w * s, self.h * s), style.background)
        self.draw = ImageDraw.Draw(self.shapes)
        self.draw.rounded_rectangle(
            (0, 0, self.w * s - 1, self.h * s - 1),
            radius=max(2, round(3 * self.u)) * s,
            fill=style.panel,
        )
        self.texts: list[_Text] = []

    def px(self, units: float) -> int:
        """A font size of ``units`` units, in pixels (never under the smallest font)."""
        return max(_SMALLEST_FONT, round(units * self.u))

    def box(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: RGB,
        radius: float = 0,
        corners: tuple[bool, bool, bool, bool] | None = None,
    ) -> None:
        """Fill the pixels from (x0, y0) up to, not including, (x1, y1)."""
        s = self.scale
        if x1 <= x0 or y1 <= y0:
            return
        xy = (round(x0 * s), round(y0 * s), round(x1 * s) - 1, round(y1 * s) - 1)
        r = min(radius, (x1 - x0) if corners else (x1 - x0) / 2, (y1 - y0) / 2)
        if r * s >= 1:
            self.draw.rounded_rectangle(xy, radius=round(r * s), fill=fill, corners=corners)
        else:
            self.draw.rectangle(xy, fill=fill)

    def dot(self, cx: float, cy: float, r: float, fill: RGB) -> None:
        """A filled circle of radius ``r`` centred on (cx, cy)."""
        s = self.scale
        self.draw.ellipse(
            (
                round((cx - r) * s),
                round((cy - r) * s),
                round((cx + r) * s) - 1,
                round((cy + r) * s) - 1,
            ),
            fill=fill,
        )

    def text(self, xy: tuple[float, float], text: str, f: Font, fill: RGB, anchor: str) -> None:
        """Draw ``text`` at the end (see ``_Text``)."""
        if text:
            self.texts.append(_Text(xy, text, f, fill, anchor))

    def draw_title(self, title: str) -> float:
        """The title in one line at the top; the y where the chart below it may start."""
        title = " ".join(title.split())
        if not title:
            return float(self.pad)
        f, lines = fit_text(title, self.right - self.left, 1, self.px(4.5), self.px(3.5))
        self.text((self.left, self.pad), lines[0] if lines else "", f, self.style.muted, "la")
        return self.pad + _line_height(f) + 2.5 * self.u

    def finish(self) -> Image.Image:
        """The picture: the shapes scaled down, the texts drawn over them."""
        img = self.shapes.resize((self.w, self.h), Image.Resampling.BOX)
        draw = ImageDraw.Draw(img)
        for t in self.texts:
            draw.text(t.xy, t.text, font=t.font, fill=t.fill, anchor=t.anchor)
        return img


def _line_height(f: Font) -> int:
    """The height a line of ``f`` needs: its ascent plus descent."""
    ascent, descent = f.getmetrics()
    return int(ascent + descent)


def _block_height(f: Font, lines: int) -> float:
    """The height of ``lines`` lines of ``f``."""
    if lines <= 0:
        return 0.0
    return _line_height(f) * (1 + _LINE_SPACING * (lines - 1))


def _complete(text: str, lines: tuple[str, ...]) -> bool:
    """``lines`` hold all of ``text`` (``fit_text`` did not cut it short)."""
    return "".join("".join(lines).split()) == "".join(text.split())


def _fit_all(
    texts: Sequence[str], max_width: float, max_lines: int, size: int, min_size: int
) -> tuple[list[tuple[Font, tuple[str, ...]]], int]:
    """``texts`` fitted as ``fit_text`` does, all at one size (the size the longest allows),
    and that size: quantities side by side read as equals."""
    size = max(size, min_size)
    common = min(
        (
            int(f.size)
            for f, _ in (fit_text(t, max_width, max_lines, size, min_size) for t in texts)
        ),
        default=size,
    )
    return [fit_text(t, max_width, max_lines, common, common) for t in texts], common


def _labels(
    texts: Sequence[str],
    max_width: float,
    height_for: float,
    max_lines: int,
    c: _Canvas,
    *,
    largest: float,
    smallest: float,
) -> list[tuple[Font, tuple[str, ...]]]:
    """The labels at one size, in the number of lines (1 to ``max_lines``) that shows them
    whole at the largest size that fits ``height_for`` pixels of height."""
    ratio = _line_height(font(100, "".join(texts))) / 100
    best: tuple[tuple[bool, int, int, int], list[tuple[Font, tuple[str, ...]]], int] | None = None
    for lines in range(1, max_lines + 1):
        by_height = height_for / (ratio * (1 + _LINE_SPACING * (lines - 1)))
        top = max(_SMALLEST_FONT, min(c.px(largest), math.floor(by_height)))
        low = min(top, c.px(smallest))
        fitted, common = _fit_all(texts, max_width, lines, top, low)
        whole = all(_complete(t, ls) for t, (_, ls) in zip(texts, fitted, strict=True))
        # Whole labels: the largest size, then the fewest lines; cut ones: the most words.
        shown = 0 if whole else sum(len(" ".join(ls)) for _, ls in fitted)
        score = (whole, shown, common, -lines)
        if best is None or score > best[0]:
            best = (score, fitted, lines)
    assert best is not None
    return best[1]


def _clean(items: Sequence[Quantity]) -> tuple[list[str], list[str], list[float]]:
    """Labels and numbers with their whitespace tidied, values clamped at zero (a negative,
    infinite or undefined value draws no bar)."""
    labels = [" ".join(q.label.split()) for q in items]
    shown = [" ".join(q.shown.split()) for q in items]
    values = [q.value if math.isfinite(q.value) and q.value > 0 else 0.0 for q in items]
    return labels, shown, values


# --------------------------------------------------------------------------- bars


def _bars(c: _Canvas, items: Sequence[Quantity], top: float) -> None:
    """Horizontal bars from a shared zero line: the label above each, the number at its end."""
    style, u = c.style, c.u
    labels, shown, values = _clean(items)
    n = len(items)
    area = max(1.0, c.bottom - top)
    row = area / n
    plot_w = c.right - c.left
    gap_label = 0.05 * row  # between a label and its bar
    bar_h = max(3.0, min(0.37 * row, 8 * u))

    axis_w = max(2, round(0.5 * u))
    x0 = c.left + axis_w  # where every bar starts (zero)
    label_x = x0 + max(1, round(0.8 * u))  # clear of the zero line
    fitted = _labels(
        labels, c.right - label_x, 0.40 * row, 2 if n <= 4 else 1, c, largest=6, smallest=4
    )
    label_h = max(_block_height(f, len(ls)) for f, ls in fitted) if any(labels) else 0.0

    # The numbers: the biggest text, at most 40% of the width, their ink no taller than the bar
    # and the space around it.
    shown_max = max(_SMALLEST_FONT, min(c.px(9), math.floor((bar_h + 2 * gap_label) / 0.75)))
    numbers, size = _fit_all(shown, 0.4 * plot_w, 1, shown_max, min(shown_max, c.px(4)))
    ink_limit = bar_h + 2 * gap_label
    while size > _SMALLEST_FONT and max(_ink(f, ls)[1] for f, ls in numbers) > ink_limit:
        numbers, size = _fit_all(shown, 0.4 * plot_w, 1, size - 1, size - 1)
    widths = [_ink(f, ls)[0] for f, ls in numbers]

    gap_number = max(4, round(2.4 * u))
    room = c.right - x0
    min_len = max(4, round(0.8 * u))
    vmax = max(values)
    # The longest bar such that every bar's number still fits after its end.
    full = min(
        (
            (room - gap_number - wd) * vmax / v
            for v, wd in zip(values, widths, strict=True)
            if v > 0
        ),
        default=float(room),
    )
    full = max(0.0, full)
    lengths = [0 if v <= 0 else max(min_len, round(v / vmax * full)) for v in values]

    # Rows: label block, gap, bar; centred in the area with even gaps between rows.
    row_h = label_h + gap_label + bar_h
    # A number taller than its bar reaches below it (at most the gap under a label).
    below = max(0.0, (max(_ink(f, ls)[1] for f, ls in numbers) - bar_h) / 2)
    used = n * row_h + below
    between = min(max(0.0, area - used) / (n - 1), 5 * u) if n > 1 else 0.0
    y = top + max(0.0, (area - used - (n - 1) * between) / 2)
    colour = style.chart[0] if style.chart else style.accent
    first_bar = last_bar = 0.0
    for i in range(n):
        f, ls = fitted[i]
        for k, line in enumerate(ls):
            c.text((label_x, y + k * _LINE_SPACING * _line_height(f)), line, f, style.text, "la")
        bar_y = round(y + label_h + gap_label)
        bar_b = round(bar_y + bar_h)
        if i == 0:
            first_bar = bar_y
        last_bar = bar_b
        c.box(
            x0,
            bar_y,
            x0 + lengths[i],
            bar_b,
            colour,
            radius=0.3 * bar_h,
            corners=(False, True, True, False),
        )
        nf, nls = numbers[i]
        if nls:
            left, t, _, b = nf.getbbox(nls[0], anchor="ls")
            baseline = (bar_y + bar_b) / 2 - (t + b) / 2
            c.text((x0 + lengths[i] + gap_number - left, baseline), nls[0], nf, style.text, "ls")
        y += row_h + between
    # The zero line, a little beyond the first and last bars.
    reach = 0.15 * bar_h
    c.box(c.left, first_bar - reach, x0, last_bar + reach, style.rule)


def _ink(f: Font, lines: tuple[str, ...]) -> tuple[float, float]:
    """Width and height of the ink of a one-line text (0, 0 for none)."""
    if not lines:
        return 0.0, 0.0
    left, t, right, b = f.getbbox(lines[0], anchor="ls")
    return float(right - left), float(b - t)


# --------------------------------------------------------------------------- timeline


def _timeline(c: _Canvas, items: Sequence[Quantity], top: float) -> None:
    """Points evenly spaced along a line: the year as written above, the label below."""
    style, u = c.style, c.u
    labels, shown, _ = _clean(items)
    n = len(items)
    area = max(1.0, c.bottom - top)
    plot_w = c.right - c.left
    col = plot_w / n
    radius = max(3.0, 1.7 * u)
    halo = max(1.5, 0.6 * u)
    thick = max(2, round(0.7 * u))
    gap_above = max(3.0, 2.2 * u)  # between the year's ink and the dot
    gap_below = max(3.0, 2.6 * u)  # between the dot and the label

    years_max = max(_SMALLEST_FONT, min(c.px(11), math.floor(area * 0.26)))
    years, _ = _fit_all(shown, col * 0.88, 1, years_max, min(years_max, c.px(5)))
    year_h = max((_ink(f, ls)[1] for f, ls in years), default=0.0)
    fixed = year_h + gap_above + 2 * (radius + halo) + gap_below
    fitted = _labels(labels, col * 0.94, max(1.0, area - fixed), 3, c, largest=5, smallest=4)
    label_h = max(_block_height(f, len(ls)) for f, ls in fitted) if any(labels) else 0.0

    block = fixed + label_h
    y = top + max(0.0, (area - block) / 2)
    line_y = round(y + year_h + gap_above + radius + halo)
    centres = [c.left + col * (i + 0.5) for i in range(n)]
    reach = min(col * 0.4, 8 * u)
    c.box(
        centres[0] - reach,
        line_y - thick / 2,
        centres[-1] + reach,
        line_y + thick / 2,
        style.rule,
        radius=thick / 2,
    )
    for i, cx in enumerate(centres):
        cx = round(cx)
        c.dot(cx, line_y, radius + halo, style.panel)
        c.dot(cx, line_y, radius, style.accent)
        yf, yls = years[i]
        if yls:
            left, _, right, b = yf.getbbox(yls[0], anchor="ls")
            c.text((cx - (left + right) / 2, y + year_h - b), yls[0], yf, style.accent, "ls")
        lf, lls = fitted[i]
        label_top = line_y + radius + halo + gap_below
        for k, line in enumerate(lls):
            c.text(
                (cx, label_top + k * _LINE_SPACING * _line_height(lf)), line, lf, style.text, "ma"
            )
