"""What the video shows and when: a moviepy composition (private).

The episode's picture is a moviepy 2 ``CompositeVideoClip`` of *parts*, one per slide::

    episode = CompositeVideoClip([part_0, part_1, ...])          (``Scene.clip``)
    part_i  = CompositeVideoClip([slide, caption, caption, ...], use_bgclip=True)
                .with_start(b_i).with_duration(...)
                .with_effects([vfx.CrossFadeIn(crossfade)])      (every part after the first)
    slide   = ImageClip(slide picture)                           (zoomed and panned by a
                .transform(ken_burns)                             ``transform`` with --motion)
    caption = ImageClip(caption patch).with_start(...).with_duration(...).with_position(...)
    end     = ImageClip(card, blurred) + ImageClip(card)
                .with_effects([vfx.CrossFadeIn(EASE)]).with_position(easing up)

To change what is on screen, change ``_build_part`` (and, for a new kind of layer, the
``Mark`` that describes it): the renderer (``_h264``) only samples ``Scene.frame(t)``.

Sampling: ``Scene.runs`` splits a window of frames into runs. Where nothing moves, one run
per distinct picture is sampled once and shown for all its frames; where something moves (a
cross-fade, the end card easing in, a zoom) every frame is sampled. Which is which comes from
``Mark``s: one per layer, with its content key, its time on screen and the span where it
moves. The marks (no pictures needed) also give each chunk's cache key, so cached chunks are
never composed at all. Frames are sampled at their middle (``(i + 0.5) / fps``), so a layer
appears on the frame nearest its start time.

Captions never move or fade: a caption layer is static from its first word to its end.
Parts are built lazily, a few at a time, so memory stays flat however long the episode is.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from articast.cache import atomic_write_text
from articast.config import VideoSettings
from articast.models import Cue, Slide, Slides
from articast.pictures.imaging import load_rgb
from articast.pictures.overlay import CaptionLayers, caption_layers, caption_patch, caption_top
from articast.pictures.style import get_style

Frame = npt.NDArray[np.uint8]
"""One RGB picture, shape (height, width, 3)."""

END_EASE = 1.0
"""Seconds the end card's elements take to ease in over its blurred backdrop."""
END_RISE = 0.04
"""How far (fraction of the height) the end card's elements rise while easing in."""
ZOOM_TO = 1.06
"""Scale a section picture reaches at the end of its part with ``motion`` or ``zoom``."""
PAN = 0.35
"""With ``motion``, how far the zoomed window travels across the spare width (fraction)."""


def _moviepy() -> Any:
    """The moviepy module (imported on first use: it loads slowly)."""
    import moviepy

    return moviepy


@dataclass(frozen=True)
class Mark:
    """One layer of the composition as the renderer sees it (no pictures needed)."""

    key: str
    """Content identity: the same key shows the same pictures (relative to ``start``)."""
    start: float
    end: float
    moving: tuple[float, float] | None = None
    """Span (episode seconds) in which the layer changes from frame to frame."""
    label: str = ""
    """What it is (a caption's text, a slide's title), for people and tests."""

    def shows(self, t: float) -> bool:
        """On screen at ``t``."""
        return self.start <= t < self.end

    def moves(self, t: float) -> bool:
        """Changing at ``t``."""
        return self.moving is not None and self.moving[0] <= t < self.moving[1]


@dataclass(frozen=True)
class Run:
    """Frames of a window that show one sampled picture."""

    first: int
    """First frame (relative to the window's start)."""
    last: int
    """Frame after the last one."""
    at: float
    """Episode time sampled for it."""
    moving: bool
    """Part of a span where something moves (one frame per run)."""
    shows: tuple[str, ...]
    """Labels of the layers on screen."""
    key: tuple[object, ...]
    """What the picture depends on (layer keys, and times into moving layers)."""


@dataclass(frozen=True)
class _Caption:
    start: float
    end: float
    lines: tuple[str, ...]
    highlight: int | None


@dataclass(frozen=True)
class _Part:
    """One slide's part of the episode: its picture, its captions, how it enters."""

    slide: Slide
    start: float
    own_end: float
    """Where the next part starts."""
    end: float
    """Where this part stops showing (``own_end`` plus the next part's cross-fade)."""
    fade_in: float
    captions: tuple[_Caption, ...]
    motion: str
    """``""``, ``"zoom"`` (slow zoom) or ``"kenburns"`` (zoom and pan)."""
    ease_in: float
    """Seconds of the end card's elements easing in (0: none)."""
    motion_span: tuple[float, float] = (0.0, 0.0)
    """The whole section the motion runs over (its card's states are parts of their own):
    the zoom goes on from one state to the next instead of starting again."""


def _captions(
    cues: Sequence[Cue], start: float, end: float, highlight_words: bool
) -> tuple[_Caption, ...]:
    """The caption layers of a part: each cue clipped to ``start..end``; with
    ``highlight_words`` one layer per word (from its start to the next word's)."""
    out: list[_Caption] = []
    for cue in cues:
        a, b = max(cue.start, start), min(cue.end, end)
        if b <= a:
            continue
        if highlight_words and cue.words:
            edges = [a, *(min(b, max(a, w.start)) for w in cue.words[1:]), b]
            for k in range(len(cue.words)):
                if edges[k + 1] > edges[k]:
                    out.append(_Caption(edges[k], edges[k + 1], cue.lines, k))
        else:
            out.append(_Caption(a, b, cue.lines, None))
    out.sort(key=lambda c: c.start)
    # Overlapping cues: a later one replaces an earlier one (one caption on screen at a time).
    fixed: list[_Caption] = []
    for cap in out:
        if fixed and fixed[-1].end > cap.start:
            last = fixed[-1]
            if cap.start <= last.start:
                fixed.pop()
            else:
                fixed[-1] = _Caption(last.start, cap.start, last.lines, last.highlight)
        fixed.append(cap)
    return tuple(fixed)


def _ken_burns(base: Image.Image, duration: float, pan: float, offset: float = 0.0) -> Any:
    """A moviepy ``transform`` function: a slow zoom into ``base`` (and a pan with ``pan``)
    over ``duration`` seconds, of which the clip shows those from ``offset`` on."""
    w, h = base.size

    def frame(get_frame: Any, t: float) -> Frame:
        p = min(1.0, max(0.0, (offset + t) / duration)) if duration > 0 else 0.0
        z = 1.0 + (ZOOM_TO - 1.0) * p
        cw, ch = w / z, h / z
        spare = w - cw
        x0 = spare / 2 + (p - 0.5) * pan * spare
        y0 = (h - ch) / 2
        box = (x0, y0, x0 + cw, y0 + ch)
        return np.asarray(base.resize((w, h), Image.Resampling.BILINEAR, box=box))

    return frame


_SLIDES_KEPT = 12
"""Slides kept decoded and converted: parts come in order, but up to three encoders are fed
at once (whole pictures, slide strips, caption strips), each at its own place in the
episode; a slide dropped and needed again is read and converted again (40 ms at 1080p)."""


def _kept(store: dict[Any, Any], key: object, limit: int, make: Callable[[], Any]) -> Any:
    """``store[key]``, made with ``make`` on first use; the least recently used entry goes
    beyond ``limit``."""
    value = store.pop(key, None)
    if value is None:
        value = make()
        if len(store) >= limit:
            store.pop(next(iter(store)))
    store[key] = value
    return value


def _ease_out(x: float) -> float:
    """Cubic ease-out on 0..1."""
    x = min(1.0, max(0.0, x))
    return 1.0 - (1.0 - x) ** 3


class Scene:
    """The episode's picture: a moviepy composition of parts, and the marks that describe it."""

    def __init__(
        self,
        slides: Slides,
        cues: Sequence[Cue],
        settings: VideoSettings,
        bounds: Sequence[float],
    ) -> None:
        self.size = slides.size
        self.fps = settings.fps
        self.style = get_style(settings.style)
        self.duration = bounds[-1]
        xf = max(0.0, settings.crossfade)
        motion = "kenburns" if settings.motion else "zoom" if settings.zoom else ""
        shown = cues if settings.burn_captions else ()
        parts: list[_Part] = []
        n = len(slides.slides)
        # A section's states (consecutive section slides of one title) share one motion.
        spans: list[tuple[float, float]] = []
        for _key, run in itertools.groupby(
            range(n),
            key=lambda i: slides.slides[i].title if slides.slides[i].kind == "section" else -1 - i,
        ):
            members = list(run)
            spans += [(bounds[members[0]], bounds[members[-1] + 1])] * len(members)
        for i, slide in enumerate(slides.slides):
            b0, b1 = bounds[i], bounds[i + 1]
            # The next part fades in over this one: this one stays under it meanwhile.
            nxt = min(xf, (bounds[i + 2] - b1) / 2) if i + 1 < n else 0.0
            fade = min(xf, (b1 - b0) / 2) if i > 0 else 0.0
            parts.append(
                _Part(
                    slide=slide,
                    start=b0,
                    own_end=b1,
                    end=min(self.duration, b1 + nxt),
                    fade_in=fade if fade * self.fps >= 2 else 0.0,
                    captions=_captions(shown, b0, b1, settings.karaoke),
                    motion=motion if slide.kind == "section" else "",
                    motion_span=spans[i],
                    ease_in=min(END_EASE, (b1 - b0) / 2) if slide.kind == "end" and xf > 0 else 0.0,
                )
            )
        self.parts = tuple(parts)
        self.marks = tuple(m for i in range(n) for m in self._marks(i))
        self._built: dict[int, Any] = {}
        self._bases: dict[str, Image.Image] = {}
        self._arrays: dict[str, Frame] = {}
        self._yuv: dict[str, tuple[Frame, Frame, Frame]] = {}
        self._digests: dict[tuple[str, int, bool], str] = {}
        self._bands: dict[tuple[str, _Caption], tuple[int, int, tuple[Frame, Frame, Frame]]] = {}
        self._layers: dict[tuple[str, tuple[str, ...]], CaptionLayers] = {}
        self._joined: dict[tuple[int, ...], Any] = {}

    # ------------------------------------------------------------------ description

    def _marks(self, i: int) -> list[Mark]:
        p = self.parts[i]
        key = p.slide.key or str(p.slide.image)
        moving: tuple[float, float] | None = None
        span = p.end - p.start
        if p.motion:
            moving = (p.start, p.end)
        elif p.fade_in or p.ease_in:
            moving = (p.start, p.start + max(p.fade_in, p.ease_in))
        # Only what changes the part's pictures: its length matters to a zoom alone (in whole
        # frames, so that an edit elsewhere that shifts the part by a fraction of a frame,
        # or floating-point noise, leaves its key alone).
        length = f"{round(span * self.fps)}" if p.motion else "0"
        if p.motion:  # where in its section's motion the part starts, and how long that is
            a, b = p.motion_span
            length += f"/{round((p.start - a) * self.fps)}/{round((b - a) * self.fps)}"
        part_key = f"{key}|fade={p.fade_in:.3f}|{p.motion}:{length}|ease={p.ease_in:.3f}"
        out = [Mark(part_key, p.start, p.end, moving, p.slide.title or p.slide.kind)]
        for c in p.captions:
            text = "\n".join(c.lines)
            out.append(
                Mark(f"{key}|cap|{self.style.key}|{text}|{c.highlight}", c.start, c.end, None, text)
            )
        return out

    def runs(self, start: float, n: int) -> list[Run]:
        """The runs of frames ``0..n`` of a window starting at ``start`` (episode seconds)."""
        fps = self.fps
        end = start + n / fps
        marks = [m for m in self.marks if m.start < end + 1 / fps and m.end > start]
        out: list[Run] = []
        for i in range(n):
            t = start + (i + 0.5) / fps
            on = [m for m in marks if m.shows(t)]
            moving = any(m.moves(t) for m in on)
            # A moving layer's picture depends on how far into its motion the frame is
            # (in thousandths of a frame: immune to the floating-point noise of a shift).
            key: tuple[object, ...] = tuple(
                (m.key, round((t - m.start) * fps * 1000)) if m.moves(t) else m.key for m in on
            )
            prev = out[-1] if out else None
            if prev is not None and not moving and not prev.moving and prev.key == key:
                out[-1] = Run(prev.first, i + 1, prev.at, False, prev.shows, key)
            else:
                out.append(Run(i, i + 1, t, moving, tuple(m.label for m in on), key))
        return out

    # ------------------------------------------------------------------ pictures

    def _base(self, p: _Part) -> Image.Image:
        def load() -> Image.Image:
            base = load_rgb(p.slide.image, what="slide")
            if base.size != self.size:
                base = base.resize(self.size, Image.Resampling.LANCZOS)
            return base

        base: Image.Image = _kept(self._bases, str(p.slide.image), _SLIDES_KEPT, load)
        return base

    def _caption(self, p: _Part, c: _Caption) -> tuple[Image.Image, tuple[int, int]]:
        """A caption layer's patch and place; a karaoke cue's words are drawn once
        (``CaptionLayers``) and each highlighted word is a paste."""
        if c.highlight is None:
            return caption_patch(self._base(p), c.lines, style=self.style)
        layers: CaptionLayers = _kept(
            self._layers,
            (str(p.slide.image), c.lines),
            64,
            lambda: caption_layers(self._base(p), c.lines, self.style),
        )
        return layers.patch(c.highlight), layers.at

    def _array(self, p: _Part) -> Frame:
        """Part ``p``'s slide as an array (the most recently used are kept)."""
        base: Frame = _kept(
            self._arrays, str(p.slide.image), _SLIDES_KEPT, lambda: np.asarray(self._base(p))
        )
        return base

    def _caption_at(self, p: _Part, t: float) -> _Caption | None:
        """The caption layer of part ``p`` on screen at ``t`` (moviepy's ``is_playing``)."""
        tau = t - p.start
        for c in p.captions:
            start = c.start - p.start
            if start <= tau < start + (c.end - c.start):
                return c
        return None

    def _still(self, i: int, t: float) -> Frame:
        """Part ``i`` at ``t`` where nothing in it moves: its slide with the caption up then
        pasted on, exactly as its moviepy composite (``_build_part``) shows it, without
        moviepy's per-frame compositing."""
        p = self.parts[i]
        base = self._array(p)
        c = self._caption_at(p, t)
        if c is None:
            return base
        patch, (x0, y0) = self._caption(p, c)
        frame = base.copy()
        frame[y0 : y0 + patch.height, x0 : x0 + patch.width] = np.asarray(patch)
        return frame

    def _build_part(self, i: int) -> Any:
        """Part ``i`` as a moviepy clip placed on the episode timeline."""
        mp = _moviepy()
        p = self.parts[i]
        base = self._base(p)
        length = p.end - p.start
        slide = mp.ImageClip(np.asarray(base)).with_duration(length)
        if p.motion:
            pan = PAN if p.motion == "kenburns" else 0.0
            a, b = p.motion_span
            slide = slide.transform(_ken_burns(base, b - a, pan, p.start - a))
        layers = [slide]
        if p.ease_in:
            h = self.size[1]
            backdrop = base.filter(ImageFilter.GaussianBlur(radius=max(2, h // 60)))
            layers = [mp.ImageClip(np.asarray(backdrop)).with_duration(length)]
            rise, ease = END_RISE * h, p.ease_in
            card = (
                mp.ImageClip(np.asarray(base))
                .with_duration(length)
                .with_position(lambda t: (0, round(rise * (1.0 - _ease_out(t / ease)))))
                .with_effects([mp.vfx.CrossFadeIn(ease)])
            )
            layers.append(card)
        for c in p.captions:
            patch, at = self._caption(p, c)
            layers.append(
                mp.ImageClip(np.asarray(patch))
                .with_start(c.start - p.start)
                .with_duration(c.end - c.start)
                .with_position(at)
            )
        if len(layers) == 1:  # the slide alone: nothing to composite inside the part
            clip = layers[0]
        else:
            clip = mp.CompositeVideoClip(layers, size=self.size, use_bgclip=True)
        clip = clip.with_start(p.start).with_duration(length)
        if p.fade_in:
            clip = clip.with_effects([mp.vfx.CrossFadeIn(p.fade_in)])
        return clip

    def part_clip(self, i: int) -> Any:
        """Part ``i``'s clip, built on first use (the three most recent are kept)."""
        clip = self._built.get(i)
        if clip is None:
            if len(self._built) >= 3:
                self._built.pop(next(iter(self._built)))
                self._joined.clear()
            clip = self._built[i] = self._build_part(i)
        return clip

    @functools.cached_property
    def clip(self) -> Any:
        """The whole episode as one moviepy ``CompositeVideoClip`` (builds every part: for
        previews and tests; the renderer samples ``frame`` instead)."""
        mp = _moviepy()
        return mp.CompositeVideoClip(
            [self._build_part(i) for i in range(len(self.parts))],
            size=self.size,
            bg_color=(0, 0, 0),
        ).with_duration(self.duration)

    def _playing(self, t: float) -> tuple[int, ...]:
        """The parts on screen at ``t`` (past the end, the last one)."""
        playing = tuple(i for i, p in enumerate(self.parts) if p.start <= t < p.end)
        return playing or (len(self.parts) - 1,)

    def _still_part(self, t: float) -> int | None:
        """The part shown alone and still at ``t`` (not fading or easing in, no zoom), if any."""
        playing = self._playing(t)
        if len(playing) != 1:
            return None
        p = self.parts[playing[0]]
        if (p.fade_in and t < p.start + p.fade_in) or p.motion:
            return None
        # Once eased in, the end card sits in place, opaque: its slide, as any still part.
        if p.ease_in and t < p.start + p.ease_in:
            return None
        return playing[0]

    def frame(self, t: float) -> Frame:
        """The picture at ``t``: the composite of the parts playing then.

        Where one opaque part plays alone (not fading in), the composite is that part's own
        frame, so it is taken directly. Where parts overlap (a cross-fade), the earliest one
        covers the whole frame for the whole overlap, so it is the composite's background.
        """
        still = self._still_part(t)
        if still is not None:
            return self._still(still, t)
        playing = self._playing(t)
        first = self.parts[playing[0]]
        if len(playing) == 1 and not (first.fade_in and t < first.start + first.fade_in):
            return np.asarray(self.part_clip(playing[0]).get_frame(t - first.start), np.uint8)
        pair = self._fading_pair(t)
        if pair is not None:
            return self._cross_fade(*pair, t)
        comp = self._joined.get(playing)
        if comp is None:
            mp = _moviepy()
            clips = [self.part_clip(i) for i in playing]
            comp = mp.CompositeVideoClip(clips, size=self.size, use_bgclip=len(clips) > 1)
            self._joined[playing] = comp
        return np.asarray(comp.get_frame(t), dtype=np.uint8)

    def yuv_frame(self, t: float) -> list[memoryview]:
        """The picture at ``t`` as planar YUV 4:2:0 (BT.709, limited range): the Y, U and V
        planes' rows in order, in pieces to be written one after the other.

        A still part's slide is converted once; a caption over it converts only the rows it
        covers (a fifth of the picture), which is most frames of an episode. A cross-fade of
        two still parts blends their converted pictures (the conversion is linear).
        """
        i = self._still_part(t)
        if i is not None:
            return [piece.data for plane in self._still_yuv(i, t) for piece in plane]
        pair = self._fading_pair(t)
        if pair is not None:
            under, over, alpha = pair
            a, b = self._still_yuv(under, t), self._still_yuv(over, t)
            return [
                np.asarray(
                    Image.blend(Image.fromarray(_whole(x)), Image.fromarray(_whole(y)), alpha)
                ).data
                for x, y in zip(a, b, strict=True)
            ]
        return [m.data for m in rgb_to_yuv420(self.frame(t))]

    def _slide_yuv(self, i: int) -> tuple[Frame, Frame, Frame]:
        """Part ``i``'s slide as Y, U and V planes (the most recently used are kept)."""
        p = self.parts[i]
        planes: tuple[Frame, Frame, Frame] = _kept(
            self._yuv, str(p.slide.image), _SLIDES_KEPT, lambda: rgb_to_yuv420(self._base(p))
        )
        return planes

    def _still_yuv(self, i: int, t: float) -> list[list[Frame]]:
        """Part ``i`` at ``t`` (nothing in it moving) as the Y, U and V planes' rows: three
        pieces each where a caption is up (above it, its rows, below it), one otherwise."""
        p = self.parts[i]
        planes = self._slide_yuv(i)
        cap = self._caption_at(p, t)
        if cap is None:
            return [[plane] for plane in planes]

        def convert() -> tuple[int, int, tuple[Frame, Frame, Frame]]:
            patch, (x0, y0) = self._caption(p, cap)
            top = y0 - y0 % 2
            bottom = min(self.size[1], y0 + patch.height + (y0 + patch.height) % 2)
            band = self._base(p).crop((0, top, self.size[0], bottom))
            band.paste(patch, (x0, y0 - top))
            return top, bottom, rgb_to_yuv420(band)

        # A cross-fade asks for the same caption over the same slide frame after frame.
        top, bottom, rows = _kept(self._bands, (str(p.slide.image), cap), 4, convert)
        return [
            [plane[: top // k], new, plane[bottom // k :]]
            for plane, new, k in zip(planes, rows, (1, 2, 2), strict=True)
        ]

    def strip_top(self, t: float, rows: int) -> str | None:
        """What the picture at ``t`` shows above row ``rows``, where that is a still slide's
        own rows (its caption, if any, all below): the slide's key; else ``None``."""
        i = self._still_part(t)
        if i is None:
            return None
        p = self.parts[i]
        cap = self._caption_at(p, t)
        if cap is not None and caption_top(self.size, cap.lines) < rows:
            return None
        return str(p.slide.image)

    def strip_key(self, t: float, rows: int, *, top: bool) -> str:
        """What the strip of the picture at ``t`` (``strip_top`` says it has one) shows, as
        a key: the slide's rows above ``rows`` (their hash); or its rows from there down and
        the caption drawn over them (the caption's box is blended over those rows only)."""
        i = self._still_part(t)
        assert i is not None
        p = self.parts[i]

        def digest() -> str:
            # Kept beside the slide: an edit asks for the strips of slides it does not draw
            # again, and their pictures are not needed when their strips are cached.
            side = Path(f"{p.slide.image}.rows{rows}-{int(top)}")
            with contextlib.suppress(OSError):
                kept = side.read_text(encoding="ascii").strip()
                if len(kept) == 64:
                    return kept
            base = self._base(p)
            box = (0, 0, base.width, rows) if top else (0, rows, base.width, base.height)
            value = hashlib.sha256(base.crop(box).tobytes()).hexdigest()
            if (side.parent / ".complete").exists():  # a slide of our cache, never elsewhere
                with contextlib.suppress(OSError):
                    atomic_write_text(side, value)
            return value

        rows_key = _kept(self._digests, (str(p.slide.image), rows, top), 64, digest)
        if top:
            return f"top|{rows_key}"
        cap = self._caption_at(p, t)
        said = None if cap is None else (cap.lines, cap.highlight)
        return f"band|{rows_key}|{self.style.key}|{said!r}"

    def strip_yuv(self, t: float, rows: int, *, top: bool) -> list[memoryview]:
        """The picture at ``t`` (``strip_top`` says it has one) as planar YUV 4:2:0, its rows
        above ``rows`` (``top``) or from ``rows`` down only."""
        i = self._still_part(t)
        assert i is not None
        planes = [[plane] for plane in self._slide_yuv(i)] if top else self._still_yuv(i, t)
        out: list[memoryview] = []
        for pieces, k in zip(planes, (1, 2, 2), strict=True):
            begin, end = (0, rows // k) if top else (rows // k, self.size[1] // k)
            at = 0
            for piece in pieces:
                lo, hi = max(begin - at, 0), min(end - at, len(piece))
                if hi > lo:
                    out.append(np.ascontiguousarray(piece[lo:hi]).data)
                at += len(piece)
        return out

    def _fading_pair(self, t: float) -> tuple[int, int, float] | None:
        """(part under, part fading in, opacity) where two still parts cross-fade at ``t``;
        the opacity as moviepy's ``CrossFadeIn`` mask gives it (8-bit)."""
        playing = self._playing(t)
        if len(playing) != 2 or any(self.parts[i].motion or self.parts[i].ease_in for i in playing):
            return None
        p = self.parts[playing[1]]
        fading = np.float64(t - p.start) / p.fade_in if p.fade_in else np.float64(1.0)
        alpha = int((np.clip(fading, 0.0, 1.0) * 255).astype("uint8"))
        return playing[0], playing[1], alpha / 255

    def _cross_fade(self, under: int, over: int, alpha: float, t: float) -> Frame:
        """Part ``over`` fading in over part ``under`` at ``t``, both still, at opacity
        ``alpha`` (``_fading_pair``): what moviepy's ``CrossFadeIn`` in a
        ``CompositeVideoClip`` gives, without building the composite."""
        # Both pictures are opaque: Pillow's blend at alpha/255 is the alpha composite
        # (within one level of rounding) without the RGBA copies.
        bottom = Image.fromarray(self._still(under, t))
        top = Image.fromarray(self._still(over, t))
        return np.asarray(Image.blend(bottom, top, alpha))


def _whole(pieces: Sequence[Frame]) -> Frame:
    """Rows of a plane in pieces, as one array."""
    return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)


_KR, _KB = 0.2126, 0.0722
"""BT.709 luma weights of red and blue (HD video's colour matrix; the stream says so)."""
_KG = 1.0 - _KR - _KB
_YS, _CS = 219 / 255, 224 / 255
"""Limited ("TV") range: luma 16-235, chroma 16-240."""
_TO_Y = (_KR * _YS, _KG * _YS, _KB * _YS, 16.0)
_TO_U = (-_KR / (2 - 2 * _KB) * _CS, -_KG / (2 - 2 * _KB) * _CS, 0.5 * _CS, 128.0)
_TO_V = (0.5 * _CS, -_KG / (2 - 2 * _KR) * _CS, -_KB / (2 - 2 * _KR) * _CS, 128.0)
"""Pillow conversion matrices (``convert`` rounds to the nearest level and clips)."""


def rgb_to_yuv420(rgb: Frame | Image.Image) -> tuple[Frame, Frame, Frame]:
    """An RGB picture (even width and height) as BT.709 limited-range Y, U and V planes, the
    chroma averaged over 2x2 pixels: what ``-pix_fmt yuv420p`` would feed x264, made here so
    that a caption's rows can be converted without the rest of the picture."""
    im = rgb if isinstance(rgb, Image.Image) else Image.fromarray(np.ascontiguousarray(rgb))
    small = im.reduce(2)
    return (
        np.asarray(im.convert("L", _TO_Y)),
        np.asarray(small.convert("L", _TO_U)),
        np.asarray(small.convert("L", _TO_V)),
    )


__all__ = ["END_EASE", "Frame", "Mark", "Run", "Scene", "rgb_to_yuv420"]
