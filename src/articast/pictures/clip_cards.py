"""The pictures of a social clip: its frame (show, headline, room for the voice's waveform
and the captions) and its end card (the episode, where to hear it, the talk's QR code).

Drawn in the episode's style for any of the three clip shapes (``models.CLIP_SIZES``); the
captions are laid over the frame's caption band by ``overlay`` as in the episode's video,
and ``clips`` lays the moving waveform into ``ClipFrame.wave``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from articast.captions import break_cost
from articast.lang.base import Labels, mostly_unspaced
from articast.pictures.cards import (
    Ctx,
    _display,
    _lines,
    _qr_image,
    _rounded,
    caption_band,
    ground,
)
from articast.pictures.imaging import Font, cover, fit_text, font

__all__ = ["ClipFrame", "clip_end_card", "clip_frame"]


@dataclass(frozen=True)
class ClipFrame:
    """The still under a clip, and where the waveform goes on it."""

    image: Image.Image
    wave: tuple[int, int, int, int]
    """Left, top, width, height of the waveform's box (even numbers)."""


def _even(v: float) -> int:
    return int(v) // 2 * 2


def _balanced(lines: tuple[str, ...], f: Font, max_w: float) -> tuple[str, ...]:
    """``lines`` broken again into as many lines of even length (a headline reads as a block:
    no lone word on a line above a long one); as they were when no even break fits."""
    words = " ".join(lines).split()
    n = len(lines)
    if n < 2 or len(words) <= n or mostly_unspaced(" ".join(words)):
        return lines
    width = [[0.0] * (len(words) + 1) for _ in words]
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            width[i][j] = f.getlength(" ".join(words[i:j]))
    # best[k][i]: least cost of words[i:] in k lines (cost: the squared room left on each
    # line but the last; no line ends where captions never break: after an article...).
    inf = float("inf")
    best = [[inf] * (len(words) + 1) for _ in range(n + 1)]
    cut = [[0] * (len(words) + 1) for _ in range(n + 1)]
    best[0][len(words)] = 0.0
    for k in range(1, n + 1):
        for i in range(len(words) - 1, -1, -1):
            for j in range(i + 1, len(words) + 1):
                if width[i][j] > max_w:
                    break
                if j < len(words) and break_cost(words[j - 1], words[j]) >= _NEVER:
                    continue
                rest = best[k - 1][j]
                if rest == inf or (j == len(words)) != (k == 1):
                    continue
                room = 0.0 if j == len(words) else (max_w - width[i][j]) ** 2
                if room + rest < best[k][i]:
                    best[k][i], cut[k][i] = room + rest, j
    if best[n][0] == inf:
        return lines
    out, i = [], 0
    for k in range(n, 0, -1):
        j = cut[k][i]
        out.append(" ".join(words[i:j]))
        i = j
    return tuple(out)


_NEVER = 1000.0
"""``captions.break_cost`` of a break never made (after an article, inside a name)."""


def _badge(
    ctx: Ctx,
    img: Image.Image,
    art: Image.Image | None,
    show: str,
    title: str,
    xy: tuple[int, int],
    side: int,
    width: int,
) -> int:
    """Cover art with the show's name and the episode's title beside it; the y below."""
    u, st = ctx.unit, ctx.style
    x, y = xy
    if art is not None:
        square = cover(art, (side, side))
        mask = Image.new("L", (side, side), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, side - 1, side - 1), radius=2 * u, fill=255)
        img.paste(square, (x, y), mask)
        tx = x + side + 3 * u
    else:
        tx = x
    room = x + width - tx
    draw = ImageDraw.Draw(img)
    f_show = font(4 * u, show)
    show_line = fit_text(show.upper(), room, 1, 4 * u, 3 * u)
    draw.text((tx, y + u // 2), show_line[1][0], font=show_line[0], fill=st.accent)
    f_title, lines = fit_text(title, room, 2, round(3.6 * u), round(2.8 * u))
    bottom = _lines(draw, lines, f_title, (tx, y + f_show.size * 1.6), st.muted, spacing=1.2)
    return max(y + side, round(bottom))


def clip_frame(
    ctx: Ctx, show: str, title: str, headline: str, art: Image.Image | None
) -> ClipFrame:
    """A clip's frame: the show (cover, name, episode title) at the top, the clip's key point
    large, the waveform's box, and the caption band kept free below it."""
    u, st = ctx.unit, ctx.style
    img = ground(ctx.size, st).copy()
    margin = 6 * u
    band_top, _ = caption_band(ctx.size)
    width = ctx.w - 2 * margin
    headline = _display(headline)
    draw = ImageDraw.Draw(img)
    if ctx.w > ctx.h:  # landscape: the cover large on the left, the words beside it
        side = min(band_top - 2 * margin - 22 * u, round(ctx.w * 0.24))
        if art is not None:
            img.paste(cover(art, (side, side)), (margin, margin))
        tx = margin + (side + 4 * u if art is not None else 0)
        room = ctx.w - margin - tx
        y = _badge(ctx, img, None, show, title, (tx, margin), 10 * u, room)
        f_head, lines = fit_text(headline, room, 3, 8 * u, 4 * u)
        lines = _balanced(lines, f_head, room)
        head_top = y + 2 * u
        draw.rectangle((tx, head_top, tx + 12 * u, head_top + u // 2 + 1), fill=st.accent)
        _lines(draw, lines, f_head, (tx, head_top + 3 * u), st.text, bold=True, spacing=1.2)
        wave_top = margin + side + 3 * u
        wave = (_even(margin), _even(wave_top), _even(width), _even(band_top - wave_top - 2 * u))
        return ClipFrame(img, wave)
    side = 16 * u if ctx.vertical else 12 * u
    y = _badge(ctx, img, art, show, title, (margin, margin), side, width)
    head_lines = 5 if ctx.vertical else 3
    head_size = 9 * u if ctx.vertical else 7 * u
    wave_h = 22 * u if ctx.vertical else 15 * u
    room_h = band_top - 3 * u - wave_h - (y + 6 * u)
    f_head, lines = fit_text(headline, width, head_lines, head_size, 4 * u)
    while len(lines) * f_head.size * 1.2 > room_h and f_head.size > 4 * u:
        f_head, lines = fit_text(headline, width, head_lines, round(f_head.size) - u, 4 * u)
    lines = _balanced(lines, f_head, width)
    head_top = y + 4 * u
    draw.rectangle((margin, head_top, margin + 12 * u, head_top + u // 2 + 1), fill=st.accent)
    bottom = _lines(
        draw, lines, f_head, (margin, head_top + 3 * u), st.text, bold=True, spacing=1.2
    )
    # The waveform halfway between the headline and the captions.
    below = bottom + max(u, (band_top - bottom - wave_h) / 2)
    wave = (_even(margin), _even(below), _even(width), _even(wave_h))
    return ClipFrame(img, wave)


def clip_end_card(
    ctx: Ctx,
    *,
    show: str,
    title: str,
    art: Image.Image | None,
    where: str,
    qr_url: str,
    qr_label: str,
    labels: Labels,
) -> Image.Image:
    """The clip's last frame: where it comes from (the episode's title, the show), where to
    hear it all (``where``: the episode page or the feed), and a QR code of ``qr_url`` (the
    talk, or the page) under ``qr_label``."""
    u, st = ctx.unit, ctx.style
    img = ground(ctx.size, st).copy()
    draw = ImageDraw.Draw(img)
    margin = 6 * u
    landscape = ctx.w > ctx.h
    qr_side = round(min(ctx.w, ctx.h) * (0.42 if ctx.vertical else 0.3)) if qr_url else 0
    text_w = ctx.w - 2 * margin - ((qr_side + 4 * u) if landscape and qr_url else 0)
    y: float = margin
    if art is not None:
        side = 22 * u if ctx.vertical else 14 * u
        img.paste(cover(art, (side, side)), (margin, round(y)))
        y += side + 3 * u
    f_head = font(5 * u, labels.full_episode)
    head = fit_text(labels.full_episode, text_w, 1, 5 * u, 3 * u)
    draw.text((margin, y), head[1][0], font=head[0], fill=st.accent)
    y += f_head.size * 1.6
    f_title, lines = fit_text(title, text_w, 3, 8 * u if ctx.vertical else 6 * u, 4 * u)
    y = _lines(draw, lines, f_title, (margin, y), st.text, bold=True, spacing=1.2)
    f_show, show_lines = fit_text(show, text_w, 1, 4 * u, 3 * u)
    y = _lines(draw, show_lines, f_show, (margin, y + u), st.muted, spacing=1.2)
    if where:
        f_where, where_lines = fit_text(where, text_w, 2, round(3.4 * u), 2 * u)
        y = _lines(draw, where_lines, f_where, (margin, y + 2 * u), st.accent, spacing=1.2)
    if qr_url:
        qr = _qr_image(qr_url, qr_side)
        if landscape:
            qx, qy = ctx.w - margin - qr_side, margin + 6 * u
        else:
            qx, qy = (ctx.w - qr_side) // 2, round(y + 5 * u)
            qy = min(qy, ctx.h - margin - qr_side - 6 * u)
        _rounded(img, (qx - u, qy - u, qx + qr_side + u, qy + qr_side + u), (255, 255, 255), u)
        img.paste(qr, (qx + (qr_side - qr.width) // 2, qy + (qr_side - qr.height) // 2))
        f_qr, qr_lines = fit_text(qr_label, qr_side + 8 * u, 1, round(3.4 * u), 2 * u)
        _lines(draw, qr_lines, f_qr, (qx + qr_side / 2, qy + qr_side + 2 * u), st.text,
               centre=True)  # fmt: skip
    return img
