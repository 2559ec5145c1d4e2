"""The look of every picture: one ``Style`` object, three presets.

Colours, type sizes and spacing of the title card, section cards, charts, icons, end card,
captions, cover and thumbnail all come from here, so a style is one choice (``--style NAME``,
``[video] style``) and a picture's cache key holds ``Style.key`` (change a colour, and every
picture drawn with it is drawn again).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass

from articast.config import DEFAULT_STYLE, STYLE_NAMES
from articast.errors import InputError

__all__ = ["DEFAULT_STYLE", "RGB", "STYLES", "Style", "get_style"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    """Colours and proportions of the pictures. Lengths are in ``unit``s: 1/100 of the frame's
    shorter side, so a layout scales to any video size."""

    name: str
    """The preset's name (``--style``)."""
    background: RGB
    """The card's ground, top."""
    background_end: RGB
    """The card's ground, bottom (a vertical gradient; equal to ``background`` for a flat one)."""
    text: RGB
    """Headings, key points, numbers."""
    muted: RGB
    """Secondary text: labels, attributions, the agenda's other chapters."""
    accent: RGB
    """Bullets, big numbers, the icon, the current chapter, the karaoke word."""
    panel: RGB
    """Boxes behind quotes and charts."""
    rule: RGB
    """Thin lines: chart axes, the agenda strip's track, a whiteboard's grid."""
    chart: tuple[RGB, ...]
    """Bar colours, in order."""
    caption_box: RGB
    """The box behind burned-in captions."""
    caption_box_opacity: float
    """How much of the picture under a caption box is covered (0-1)."""
    caption_text: RGB
    """Caption words not being spoken."""
    caption_highlight: RGB
    """The word being spoken (karaoke)."""
    grid: int = 0
    """Spacing of a background grid in units (0: none): the whiteboard's squared paper."""
    heading_scale: float = 1.0
    """Size of section headings relative to the default."""

    @functools.cached_property
    def key(self) -> str:
        """A short hash of every field: part of every picture's cache key (worked out once:
        the video asks for it for every caption state)."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def dark(self) -> bool:
        """True when text is light on a dark ground."""
        return sum(self.background) < 3 * 128


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style(
            name="dark",
            background=(17, 24, 39),
            background_end=(9, 12, 22),
            text=(243, 244, 246),
            muted=(156, 163, 175),
            accent=(255, 196, 61),
            panel=(31, 41, 61),
            rule=(55, 65, 81),
            chart=((255, 196, 61), (96, 165, 250), (52, 211, 153), (244, 114, 182)),
            caption_box=(0, 0, 0),
            caption_box_opacity=0.72,
            caption_text=(255, 255, 255),
            caption_highlight=(255, 214, 102),
        ),
        Style(
            name="paper",
            background=(246, 241, 231),
            background_end=(236, 229, 214),
            text=(38, 34, 30),
            muted=(110, 100, 90),
            accent=(180, 58, 38),
            panel=(255, 252, 245),
            rule=(205, 195, 178),
            chart=((180, 58, 38), (52, 96, 140), (196, 140, 40), (90, 130, 80)),
            caption_box=(38, 34, 30),
            caption_box_opacity=0.85,
            caption_text=(255, 252, 245),
            caption_highlight=(255, 196, 61),
            heading_scale=1.05,
        ),
        Style(
            name="whiteboard",
            background=(255, 255, 255),
            background_end=(250, 251, 253),
            text=(22, 45, 99),
            muted=(85, 98, 130),
            accent=(214, 40, 57),
            panel=(241, 245, 252),
            rule=(214, 224, 240),
            chart=((22, 45, 99), (214, 40, 57), (20, 140, 90), (230, 150, 20)),
            caption_box=(22, 45, 99),
            caption_box_opacity=0.88,
            caption_text=(255, 255, 255),
            caption_highlight=(255, 214, 102),
            grid=4,
        ),
    )
}
if tuple(STYLES) != STYLE_NAMES:  # pragma: no cover - the two lists are edited together
    raise ImportError(f"styles drawn {tuple(STYLES)} differ from config.STYLE_NAMES")


def get_style(name: str) -> Style:
    """The preset called ``name``; ``InputError`` naming the presets when there is none."""
    style = STYLES.get(name.strip().lower())
    if style is None:
        raise InputError(
            f"unknown style {name!r}; choose one of: {', '.join(STYLES)} (--style or [video] style)"
        )
    return style
