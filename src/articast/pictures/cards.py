"""The cards the video shows: the title card, the section cards and the end card.

Drawn by ``pictures.slides`` (the visuals stage) with Pillow, in the colours of a ``Style``.
A section card is drawn once per *state* of its plan (``SectionView``): the key points
revealed so far (the layout is computed for all of them, so nothing jumps when one appears),
and in the panel beside them whatever is up at that moment: a number, a quote, a chart, the
section's own picture, or its icon. A slim agenda strip at the top names the chapters and
marks the current one. Every card leaves the bottom band free for the burned-in captions.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from articast.captions import layout_lines
from articast.lang import Labels, get_language
from articast.models import Beat, Talk
from articast.pictures.charts import Quantity, draw_chart
from articast.pictures.icons import render_icon
from articast.pictures.imaging import (
    Font,
    contain,
    cover,
    darken,
    fit_text,
    font,
    open_image,
)
from articast.pictures.style import RGB, Style

__all__ = [
    "Ctx",
    "SectionView",
    "caption_band",
    "end_card",
    "ground",
    "section_card",
    "talk_link",
    "title_card",
]

_WHITE: RGB = (255, 255, 255)


def caption_band(size: tuple[int, int]) -> tuple[int, int]:
    """Top and bottom pixel rows of the band kept free for burned-in captions."""
    w, h = size
    if h > w:  # vertical: captions sit in the lower third, above the platform's own UI
        return round(h * 0.62), round(h * 0.80)
    return round(h * 0.76), round(h * 0.965)


def talk_link(talk: Talk) -> str:
    """The talk's URL with its start time (``t=N``) when the article gave one."""
    return talk.timed_url


@dataclass(frozen=True)
class Ctx:
    """A frame size and the style to draw in."""

    size: tuple[int, int]
    style: Style

    @property
    def w(self) -> int:
        """Width in pixels."""
        return self.size[0]

    @property
    def h(self) -> int:
        """Height in pixels."""
        return self.size[1]

    @property
    def vertical(self) -> bool:
        """Taller than wide (1080x1920)."""
        return self.h > self.w

    @property
    def unit(self) -> int:
        """A base length: 1/100 of the shorter side (scales the layout to any size)."""
        return max(1, min(self.w, self.h) // 100)


# --------------------------------------------------------------------------- drawing helpers


@functools.lru_cache(maxsize=16)
def ground(size: tuple[int, int], style: Style) -> Image.Image:
    """The style's ground: a vertical gradient, with a squared grid for the whiteboard."""
    w, h = size
    top = np.array(style.background, dtype=np.float32)
    bottom = np.array(style.background_end, dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    rows = (top[None, :] * (1 - ramp) + bottom[None, :] * ramp).astype(np.uint8)
    img = Image.fromarray(np.ascontiguousarray(np.repeat(rows[:, None, :], w, axis=1)))
    if style.grid:
        draw = ImageDraw.Draw(img)
        step = max(4, style.grid * max(1, min(w, h) // 100))
        for x in range(0, w, step):
            draw.line([(x, 0), (x, h)], fill=style.rule, width=1)
        for y in range(0, h, step):
            draw.line([(0, y), (w, y)], fill=style.rule, width=1)
    return img


def _lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    f: Font,
    xy: tuple[float, float],
    fill: RGB,
    *,
    centre: bool = False,
    spacing: float = 1.22,
    bold: bool = False,
) -> float:
    """Draw ``lines`` from ``xy`` (top-left, or top-centre); the y below the block."""
    x, y = xy
    for line in lines:
        lx = x - f.getlength(line) / 2 if centre else x
        stroke = max(1, f.size // 30) if bold else 0
        draw.text((lx, y), line, font=f, fill=fill, stroke_width=stroke, stroke_fill=fill)
        y += f.size * spacing
    return y


def _rounded(
    img: Image.Image, box: tuple[float, float, float, float], fill: RGB, radius: int
) -> None:
    x0, y0, x1, y1 = (round(v) for v in box)
    ImageDraw.Draw(img).rounded_rectangle((x0, y0, x1, y1), radius=radius, fill=fill)


def _panel(img: Image.Image, box: tuple[float, float, float, float], alpha: int = 150) -> None:
    """Darken ``box`` of ``img`` (in place) as a readable backing for text over a photo."""
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(img.width, x1), min(img.height, y1)
    if x1 <= x0 or y1 <= y0:
        return
    region = img.crop((x0, y0, x1, y1))
    shade = Image.new("RGB", region.size, (6, 8, 14))
    img.paste(Image.blend(region, shade, alpha / 255), (x0, y0))


def _display(text: str) -> str:
    """A key point as shown: its first letter a capital (the words stay the author's)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _paste_icon(img: Image.Image, name: str, side: int, colour: RGB, xy: tuple[int, int]) -> None:
    icon = render_icon(name, side, colour, stroke=1.75)
    img.paste(icon, xy, icon)


def _agenda(ctx: Ctx, img: Image.Image, chapters: Sequence[str], current: int) -> int:
    """The chapter strip at the top; returns its height. The current chapter is marked."""
    if not chapters:
        return 0
    u, st = ctx.unit, ctx.style
    h = 5 * u
    draw = ImageDraw.Draw(img)
    n = len(chapters)
    margin = 3 * u
    width = (ctx.w - 2 * margin) / n
    track_y = h - u
    for i, title in enumerate(chapters):
        x0 = margin + i * width
        x1 = x0 + width - u
        on = i == current
        draw.rectangle(
            (x0, track_y, x1, track_y + (u // 2 if not on else u)),
            fill=st.accent if on else st.rule,
        )
        if n <= 8 and width > 12 * u:
            f, shown = fit_text(title, width - 2 * u, 1, round(2.2 * u), round(1.6 * u))
            if shown:
                draw.text((x0, u), shown[0], font=f, fill=st.text if on else st.muted)
    if n > 8:  # too many to name: the current one only, after its mark
        title = chapters[current] if 0 <= current < n else ""
        f, shown = fit_text(title, ctx.w - 2 * margin, 1, round(2.2 * u), round(1.6 * u))
        if shown:
            draw.text((margin, u * 0.8), shown[0], font=f, fill=st.text)
    return h


# --------------------------------------------------------------------------- title and end


def title_card(
    ctx: Ctx, show_name: str, title: str, photo: Image.Image | None, icon: str = ""
) -> Image.Image:
    """The episode's opening card (and the thumbnail): show name and title, over the
    article's lead picture when it has one, else on the style's ground with an icon."""
    u, st = ctx.unit, ctx.style
    margin = 7 * u
    band_top, _ = caption_band(ctx.size)
    max_w = ctx.w - 2 * margin
    f_title, lines = fit_text(title, max_w, 4 if ctx.vertical else 3, 11 * u, 5 * u)
    f_show = font(5 * u, show_name)
    block_h = f_show.size * 1.8 + len(lines) * f_title.size * 1.2
    top = max(margin, (band_top - block_h) / 2)
    if photo is not None:
        img = darken(cover(photo, ctx.size), 0.5)
        _panel(img, (0, top - 3 * u, ctx.w, top + block_h + 2 * u), 140)
        text, accent = _WHITE, st.caption_highlight
    else:
        img = ground(ctx.size, st).copy()
        text, accent = st.text, st.accent
        if icon:
            side = round(min(ctx.w, ctx.h) * 0.22)
            x = ctx.w - margin - side if not ctx.vertical else (ctx.w - side) // 2
            y = margin if not ctx.vertical else round(top + block_h + 6 * u)
            _paste_icon(img, icon, side, st.accent, (x, y))
        # A rule under the show name: the card reads as designed, not empty.
        ImageDraw.Draw(img).rectangle(
            (
                margin,
                top + f_show.size * 1.45,
                margin + 14 * u,
                top + f_show.size * 1.45 + u // 2 + 1,
            ),
            fill=accent,
        )
    draw = ImageDraw.Draw(img)
    draw.text((margin, top), show_name.upper(), font=f_show, fill=accent)
    _lines(draw, lines, f_title, (margin, top + f_show.size * 1.8), text, bold=True, spacing=1.2)
    return img


def _qr_image(url: str, target: int) -> Image.Image:
    import segno

    qr = segno.make(url, error="m")
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=4)]
    modules = len(rows)
    arr = np.where(np.array(rows, dtype=bool), 0, 255).astype(np.uint8)
    scale = max(2, target // modules)
    return (
        Image.fromarray(arr)
        .resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
        .convert("RGB")
    )


def _break_url(url: str, f: Font, max_w: float) -> tuple[str, ...]:
    lines: list[str] = []
    cur = ""
    for ch in url:
        if cur and f.getlength(cur + ch) > max_w:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][:-1] + "…"]
    return tuple(lines)


def end_card(
    ctx: Ctx,
    talk: Talk | None,
    show_name: str,
    episode_title: str,
    article_url: str | None,
    labels: Labels | None = None,
) -> Image.Image:
    """The closing card: where to watch the talk (title, channel, link, QR code, thumbnail),
    or the article's link and a thank-you when there is no talk."""
    u, st = ctx.unit, ctx.style
    img = ground(ctx.size, st).copy()
    draw = ImageDraw.Draw(img)
    band_top, _ = caption_band(ctx.size)
    margin = 6 * u
    url = talk_link(talk) if talk is not None else (article_url or "")
    labels = labels or get_language("en").labels
    heading = labels.watch_talk if talk is not None else labels.thanks
    title = talk.display_title if talk is not None else episode_title
    sub = (talk.channel or "") if talk is not None else show_name
    # YouTube's smaller thumbnails (320x180 "mqdefault") are still worth showing.
    thumb = (
        open_image(talk.thumbnail, min_side=90, draft=(1920, 1920)) if talk is not None else None
    )
    if ctx.vertical:
        qr_side = round(ctx.w * 0.42)
        text_w = ctx.w - 2 * margin
        qr_xy: tuple[int, int | None] = ((ctx.w - qr_side) // 2, None)
    else:
        qr_side = round(min(band_top - 2 * margin, ctx.w * 0.3))
        text_w = ctx.w - 3 * margin - qr_side
        qr_xy = (ctx.w - margin - qr_side, margin)
    y: float = margin
    f_head = font(6 * u, heading)
    draw.text((margin, y), heading, font=f_head, fill=st.accent)
    y += f_head.size * 1.5
    f_title, lines = fit_text(title, text_w, 3, 8 * u if ctx.vertical else 7 * u, 4 * u)
    y = _lines(draw, lines, f_title, (margin, y), st.text, bold=True, spacing=1.2)
    if sub:
        f_sub = font(4 * u, sub)
        sub_lines = fit_text(sub, text_w, 1, 4 * u, 3 * u)[1]
        y = _lines(draw, sub_lines, f_sub, (margin, y + u), st.muted, spacing=1.2)
    if url:
        # A URL has no spaces to break at: the largest size that fits one line, else split
        # it by width, characters at a time.
        size = 4 * u
        while size > 3 * u and font(size, url).getlength(url) > text_w:
            size -= 1
        f_url = font(size, url)
        y = _lines(draw, _break_url(url, f_url, text_w), f_url, (margin, y + 2 * u), st.accent)
        qr = _qr_image(url, qr_side)
        qx = qr_xy[0]
        qy = qr_xy[1] if qr_xy[1] is not None else round(y + 3 * u)
        img.paste(qr, (qx + (qr_side - qr.width) // 2, qy + (qr_side - qr.height) // 2))
        if qr_xy[1] is None:
            y = qy + qr_side
    if thumb is not None:
        room_h = band_top - 2 * u - (y + 3 * u)
        if room_h > 10 * u:
            t = contain(thumb, (round(text_w if not ctx.vertical else ctx.w * 0.6), round(room_h)))
            tx = margin if not ctx.vertical else (ctx.w - t.width) // 2
            img.paste(t, (tx, round(y + 3 * u)))
    return img


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class SectionView:
    """One state of a section card: what is on screen between two changes."""

    title: str
    points: tuple[str, ...] = ()
    """Every key point of the section (the layout holds them all)."""
    shown: int = 0
    """How many of ``points`` are visible."""
    focal: Beat | None = None
    """The number, quote or chart up in the panel (times are ignored)."""
    photo: Path | None = None
    """The section's picture: in the panel when no focal beat is up."""
    icon: str = ""
    agenda: tuple[str, ...] = ()
    """Chapter titles for the strip at the top."""
    current: int = -1
    """Index of this section's chapter in ``agenda``."""


def _points_block(
    ctx: Ctx, points: Sequence[str], box: tuple[int, int, int, int]
) -> tuple[Font, list[tuple[str, ...]], float]:
    """One font size for all the points, the lines of each, and the gap between them: the
    largest size at which every point fits the box."""
    u = ctx.unit
    x0, y0, x1, y1 = box
    bullet = 4 * u
    max_w = x1 - x0 - bullet
    size = round(5.2 * u) if not ctx.vertical else round(5.0 * u)
    smallest = round(2.6 * u)
    said = " ".join(points)
    while True:
        f = font(size, said)
        laid: list[tuple[str, ...]] = []
        for p in points:
            # As few lines as the point needs: one when it fits (the caption line breaker
            # balances lines, which a list of points does not want).
            text = _display(p)
            lines = (
                next(
                    (ls for n in (1, 2, 3) if (ls := layout_lines(text, f, max_w, max_lines=n))),
                    None,
                )
                or fit_text(text, max_w, 3, size, size)[1]
            )
            laid.append(lines)
        gap = f.size * 0.9
        height = sum(len(ls) for ls in laid) * f.size * 1.22 + gap * max(0, len(points) - 1)
        if height <= y1 - y0 or size <= smallest:
            return f, laid, gap
        size = max(smallest, int(size * 0.92))


def _focal_number(ctx: Ctx, img: Image.Image, beat: Beat, box: tuple[int, int, int, int]) -> None:
    u, st = ctx.unit, ctx.style
    x0, y0, x1, y1 = box
    _rounded(img, box, st.panel, 2 * u)
    draw = ImageDraw.Draw(img)
    inner = x1 - x0 - 6 * u
    f_big, big = fit_text(beat.value, inner, 1, round(min(20 * u, (y1 - y0) * 0.42)), 6 * u)
    rest = beat.text.replace(beat.value, " ", 1).strip() if beat.text != beat.value else ""
    f_rest, rest_lines = (
        fit_text(rest, inner, 3, round(5 * u), round(3 * u)) if rest else (f_big, ())
    )
    block = f_big.size * 1.15 + len(rest_lines) * f_rest.size * 1.22
    y = y0 + (y1 - y0 - block) / 2
    cx = (x0 + x1) / 2
    y = _lines(draw, big, f_big, (cx, y), st.accent, centre=True, bold=True, spacing=1.15)
    _lines(draw, rest_lines, f_rest, (cx, y), st.text, centre=True)


def _focal_quote(ctx: Ctx, img: Image.Image, beat: Beat, box: tuple[int, int, int, int]) -> None:
    u, st = ctx.unit, ctx.style
    x0, y0, x1, y1 = box
    _rounded(img, box, st.panel, 2 * u)
    draw = ImageDraw.Draw(img)
    draw.rectangle((x0 + 3 * u, y0 + 3 * u, x0 + 3 * u + u, y1 - 3 * u), fill=st.accent)
    inner_x = x0 + 7 * u
    inner_w = x1 - inner_x - 3 * u
    who = f"— {beat.attribution}" if beat.attribution else ""
    room = y1 - y0 - 6 * u - (6 * u if who else 0)
    size = round(5 * u)
    while True:
        f, lines = fit_text(f"\u201c{beat.text}\u201d", inner_w, 8, size, size)
        if len(lines) * f.size * 1.25 <= room or size <= round(2.6 * u):
            break
        size = int(size * 0.92)
    block = len(lines) * f.size * 1.25 + (6 * u if who else 0)
    y = y0 + (y1 - y0 - block) / 2
    y = _lines(draw, lines, f, (inner_x, y), st.text, spacing=1.25)
    if who:
        f_who, who_lines = fit_text(who, inner_w, 1, round(3.6 * u), round(2.4 * u))
        _lines(draw, who_lines, f_who, (inner_x, y + 2 * u), st.muted)


def _focal_chart(ctx: Ctx, img: Image.Image, beat: Beat, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    items = [Quantity(i.label, i.shown, i.value) for i in beat.items]
    chart = draw_chart(
        "timeline" if beat.chart == "timeline" else "bars", items, (x1 - x0, y1 - y0), ctx.style
    )
    img.paste(chart, (x0, y0))


def _focal_photo(
    ctx: Ctx, img: Image.Image, photo: Image.Image, box: tuple[int, int, int, int]
) -> None:
    x0, y0, x1, y1 = box
    fg = contain(photo, (x1 - x0, y1 - y0))
    # A soft shadow under the picture lifts it off a light ground.
    shadow = Image.new("L", img.size, 0)
    px, py = x0 + (x1 - x0 - fg.width) // 2, y0 + (y1 - y0 - fg.height) // 2
    off = max(2, ctx.unit)
    ImageDraw.Draw(shadow).rectangle(
        (px + off, py + off, px + fg.width + off, py + fg.height + off), fill=90
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(2 * off))
    img.paste(Image.new("RGB", img.size, (0, 0, 0)), (0, 0), shadow)
    img.paste(fg, (px, py))


def section_card(ctx: Ctx, view: SectionView, photo: Image.Image | None) -> Image.Image:
    """A section card in one state (``view``); ``photo`` is ``view.photo`` opened."""
    u, st = ctx.unit, ctx.style
    img = ground(ctx.size, st).copy()
    band_top, _ = caption_band(ctx.size)
    top = _agenda(ctx, img, view.agenda, view.current)
    margin = 5 * u
    draw = ImageDraw.Draw(img)
    # Heading: the icon, then the title beside it.
    icon_side = round(9 * u * st.heading_scale)
    head_y = top + 3 * u
    text_x = margin
    if view.icon:
        _paste_icon(img, view.icon, icon_side, st.accent, (margin, head_y))
        text_x = margin + icon_side + 3 * u
    f_title, title_lines = fit_text(
        view.title or "", ctx.w - text_x - margin, 2, round(6.2 * u * st.heading_scale), 4 * u
    )
    title_h = len(title_lines) * f_title.size * 1.15
    ty = head_y + max(0.0, (icon_side - title_h) / 2) if view.icon else head_y
    _lines(draw, title_lines, f_title, (text_x, ty), st.text, bold=True, spacing=1.15)
    body_top = round(max(head_y + icon_side, ty + title_h) + 3 * u)
    body_bottom = band_top - 2 * u
    # The panel and the points' column.
    if ctx.vertical:
        panel = (
            margin,
            body_top,
            ctx.w - margin,
            body_top + round((body_bottom - body_top) * 0.55),
        )
        column = (margin, panel[3] + 3 * u, ctx.w - margin, body_bottom)
    else:
        split = round(ctx.w * 0.53)
        column = (margin, body_top, split - 2 * u, body_bottom)
        panel = (split + 2 * u, body_top, ctx.w - margin, body_bottom)
    focal = view.focal
    has_points = bool(view.points)
    if not has_points:  # nothing to list: the panel takes the whole body
        panel = (margin, body_top, ctx.w - margin, body_bottom)
    if focal is not None and focal.kind == "number":
        _focal_number(ctx, img, focal, panel)
    elif focal is not None and focal.kind == "quote":
        _focal_quote(ctx, img, focal, panel)
    elif focal is not None and focal.kind == "chart" and len(focal.items) >= 2:
        _focal_chart(ctx, img, focal, panel)
    elif photo is not None:
        _focal_photo(ctx, img, photo, panel)
    elif view.icon:
        side = round(min(panel[2] - panel[0], panel[3] - panel[1]) * 0.62)
        cx, cy = (panel[0] + panel[2]) // 2, (panel[1] + panel[3]) // 2
        _rounded(img, panel, st.panel, 2 * u)
        _paste_icon(img, view.icon, side, st.accent, (cx - side // 2, cy - side // 2))
    if has_points:
        f, laid, gap = _points_block(ctx, view.points, column)
        y: float = column[1]
        draw = ImageDraw.Draw(img)
        for k, lines in enumerate(laid):
            if k < view.shown:
                r = max(3, f.size // 5)
                mid = y + f.size * 0.62
                draw.ellipse((column[0], mid - r, column[0] + 2 * r, mid + r), fill=st.accent)
                _lines(draw, lines, f, (column[0] + 4 * u, y), st.text)
            y += len(lines) * f.size * 1.22 + gap
    return img
