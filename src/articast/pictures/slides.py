"""Visuals stage: Article + Script + Talk + Master -> Slides (the stills the video shows).

Sits after ``audio`` on the map (it needs the sentence and chapter times) and before
``video``. ``plan_visuals`` makes each section's visual plan (``pictures.plan``: key points,
numbers, quotes, a chart, the section's picture, an icon) from its own words, timed by the
voice; the plans go into the manifest too. ``make_slides`` turns them into stills: a title
card over the intro, one section card per state of each plan (a point revealed, a number or
a quote up, a chart) and an end card over the outro that sends viewers to the talk. moviepy
(``video``) cross-fades from one still to the next, so a new point or number fades in.

Stills are drawn with Pillow (``pictures.cards``) and cached by content (namespace
``slides``); every key holds the style's key, so another style draws everything again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from articast.cache import Cache, content_key, file_hash
from articast.config import ShowConfig, VideoSettings
from articast.errors import InputError, RenderError
from articast.lang import get_language
from articast.models import (
    Article,
    Beat,
    ImageRef,
    Master,
    Script,
    SectionPlan,
    Segment,
    Slide,
    SlideKind,
    Slides,
    Talk,
)
from articast.pictures.cards import (
    Ctx,
    SectionView,
    caption_band,
    end_card,
    section_card,
    talk_link,
    title_card,
)
from articast.pictures.imaging import open_image, remember_drawn
from articast.pictures.plan import Spoken, episode_icon, plan_section
from articast.pictures.style import Style, get_style

__all__ = [
    "MIN_STATE",
    "THUMBNAIL_SIZE",
    "caption_band",
    "make_slides",
    "plan_visuals",
    "section_picture",
    "talk_link",
]

THUMBNAIL_SIZE = (1280, 720)
_VERSION = "slides-v5"  # v5: styles, section cards with key points, numbers, quotes, charts
_MIN_IMAGE_SIDE = 200
MIN_STATE = 1.2
"""Shortest time a section card state is on screen: a change sooner than that after the
previous one is shown with it (a point a moment early rather than a flash)."""


def _open_image(path: Path | None, min_side: int = _MIN_IMAGE_SIDE) -> Image.Image | None:
    """An article picture, upright, when it is usable at ``min_side`` pixels or more."""
    return open_image(path, min_side=min_side, draft=(1920, 1920))


def _first_usable(refs: Sequence[ImageRef]) -> tuple[Path | None, Image.Image | None]:
    """The first of ``refs`` with a usable local picture, opened; (None, None) when none is."""
    for ref in refs:
        img = _open_image(ref.path)
        if img is not None:
            return ref.path, img
    return None, None


def _file_hash(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return file_hash(path)


def section_picture(article: Article, segment: Segment) -> Path | None:
    """The picture a section shows: the producer's (``script.md``), else the section's own
    first usable picture."""
    if segment.visuals is not None and segment.visuals.picture is not None:
        return segment.visuals.picture
    if segment.section_index is None or not 0 <= segment.section_index < len(article.sections):
        return None
    path, _img = _first_usable(article.sections[segment.section_index].images)
    return path


# --------------------------------------------------------------------------- plans


def _chapter_spans(master: Master) -> list[tuple[float, float]]:
    chapters = master.chapters
    spans = []
    for i, ch in enumerate(chapters):
        start = 0.0 if i == 0 else ch.start
        end = master.duration if i == len(chapters) - 1 else chapters[i + 1].start
        spans.append((start, max(start, end)))
    return spans


def plan_visuals(
    article: Article, script: Script, master: Master
) -> tuple[SectionPlan | None, ...]:
    """The visual plan of each script segment (None for the intro and the outro), from its
    sentences as shown and the times the voice says them."""
    by_segment: dict[int, list[Spoken]] = {}
    for s in master.sentences:
        text = s.form.display if s.form is not None else s.text
        by_segment.setdefault(s.segment_index, []).append(Spoken(text, s.start, s.end))
    ends = {ch.title: ch.end for ch in master.chapters}
    plans: list[SectionPlan | None] = []
    for i, seg in enumerate(script.segments):
        spoken = by_segment.get(i, [])
        if seg.kind != "section" or not spoken:
            plans.append(None)
            continue
        plans.append(
            plan_section(
                spoken,
                seg.title,
                article.language,
                image=section_picture(article, seg),
                overrides=seg.visuals,
                section_end=ends.get(seg.title, spoken[-1].end),
            )
        )
    return tuple(plans)


def _states(plan: SectionPlan, start: float, end: float) -> list[tuple[float, int, Beat | None]]:
    """``(from, points shown, focal beat)`` for each state of a section's card, in order.

    A change is never sooner than ``MIN_STATE`` after the previous one (it is shown with
    it, a moment early), so no state flashes by.
    """
    points = plan.of("points")
    focal = [b for b in plan.beats if b.kind in ("number", "quote", "chart")]
    times = sorted({start, *(b.start for b in points), *(b.start for b in focal),
                    *(b.end for b in focal if b.end < end)})  # fmt: skip
    moments: list[float] = []
    for t in times:
        t = max(start, t)
        if t >= end - MIN_STATE / 2 and moments:
            continue
        if moments and t - moments[-1] < MIN_STATE:
            continue
        moments.append(t)
    out: list[tuple[float, int, Beat | None]] = []
    for k, t in enumerate(moments):
        # What a state shows is what is due before the next state begins.
        until = moments[k + 1] if k + 1 < len(moments) else end
        shown = sum(1 for b in points if b.start < until - 1e-6)
        up = [b for b in focal if b.start < until - 1e-6 and b.end > t + 1e-6]
        current = max(up, key=lambda b: b.start) if up else None
        if out and out[-1][1] == shown and out[-1][2] == current:
            continue
        out.append((t, shown, current))
    return out


# --------------------------------------------------------------------------- slides


def _save(cache: Cache, key: str, draw: functools.partial[Image.Image]) -> Path:
    hit = cache.path(key, "slide.png")
    if hit is not None:
        return hit
    from io import BytesIO

    buf = BytesIO()
    image = draw()
    image.save(buf, "PNG", compress_level=1)
    cache.put(key, {"slide.png": buf.getvalue()})
    path = cache.path(key, "slide.png")
    if path is None:
        raise RenderError(
            f"slide cache entry {key[:12]} vanished after writing it; check {cache.root}"
        )
    remember_drawn(path, image)  # the video reads it back at once
    return path


def _shown_key(path: Path) -> str:
    """A slide's identity for the video's cache: what it shows, pixel for pixel (its PNG's
    hash), not what it was drawn from. An edit to a section's third key point leaves the
    states that show only the first two as they were, and their video chunks cached."""
    return "png:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _pairing(script: Script, master: Master) -> list[tuple[SlideKind, int | None]]:
    """Slide kind and segment index for each chapter of the master."""
    n = len(master.chapters)
    if n == len(script.segments):
        kinds: dict[str, SlideKind] = {"intro": "title", "section": "section", "outro": "end"}
        return [(kinds[seg.kind], i) for i, seg in enumerate(script.segments)]
    by_title = {seg.title: i for i, seg in enumerate(script.segments)}
    out: list[tuple[SlideKind, int | None]] = []
    for i, ch in enumerate(master.chapters):
        kind: SlideKind = "title" if i == 0 else "end" if i == n - 1 else "section"
        out.append((kind, by_title.get(ch.title)))
    return out


def _beat_key(beat: Beat | None) -> object:
    """What of a focal beat changes its picture (not its times)."""
    if beat is None:
        return None
    return (beat.kind, beat.text, beat.value, beat.attribution, beat.chart, beat.items)


def _section_slides(
    ctx: Ctx,
    cache: Cache,
    plan: SectionPlan,
    span: tuple[float, float],
    title: str,
    agenda: tuple[str, ...],
    current: int,
    photo_path: Path | None,
) -> list[Slide]:
    """One slide per state of the section's card over ``span``."""
    start, end = span
    icons = plan.of("icon")
    icon = icons[0].name if icons else ""
    points = tuple(b.text for b in plan.of("points"))
    photo_hash = ""
    photo: Image.Image | None = None
    if photo_path is not None:
        photo = _open_image(photo_path)
        photo_hash = _file_hash(photo_path) if photo is not None else ""
    states = _states(plan, start, end) or [(start, 0, None)]
    slides: list[Slide] = []
    for k, (t, shown, focal) in enumerate(states):
        until = states[k + 1][0] if k + 1 < len(states) else end
        view = SectionView(
            title=title,
            points=points,
            shown=shown,
            focal=focal,
            photo=photo_path if photo is not None else None,
            icon=icon,
            agenda=agenda,
            current=current,
        )
        key = content_key(
            _VERSION, "section", ctx.size, ctx.style.key, title, points, shown,
            _beat_key(focal), photo_hash, icon, agenda, current,
        )  # fmt: skip
        path = _save(cache, key, functools.partial(section_card, ctx, view, photo))
        slides.append(Slide("section", path, t, until, title, _shown_key(path)))
    return slides


def make_slides(
    article: Article,
    script: Script,
    talk: Talk | None,
    master: Master,
    show: ShowConfig,
    settings: VideoSettings,
    *,
    workdir: Path,
    cache_root: Path,
    plans: Sequence[SectionPlan | None] | None = None,
) -> Slides:
    """The stills of the video: the title card, each section's states, the end card.

    Slides are contiguous and cover ``0 .. master.duration``; a section has one slide per
    state of its plan (``plans``, one per script segment; made here when not given). Also
    draws a 1280x720 thumbnail (the title card) into ``workdir``.
    """
    w, h = settings.width, settings.height
    if w < 160 or h < 160 or w % 2 or h % 2:
        raise InputError(
            f"video size {w}x{h} is not usable: width and height must be even and at least 160"
        )
    style = get_style(settings.style)
    ctx = Ctx((w, h), style)
    cache = Cache(cache_root, "slides")
    if plans is None:
        plans = plan_visuals(article, script, master)
    lead_ref, lead = _first_usable(article.images)  # the first usable picture leads the title
    lead_hash = _file_hash(lead_ref)
    title_icon = episode_icon(article) if lead is None else ""  # the cover's icon too
    if master.chapters:
        spans = _chapter_spans(master)
        titles = [ch.title for ch in master.chapters]
        pairing = _pairing(script, master)
    else:
        spans = [(0.0, master.duration)]
        titles = [script.title]
        pairing = [("title", None)]
    agenda = tuple(t for t, (kind, _i) in zip(titles, pairing, strict=True) if kind == "section")
    slides: list[Slide] = []
    section_no = 0
    for (start, end), ch_title, (kind, seg_index) in zip(spans, titles, pairing, strict=True):
        seg = script.segments[seg_index] if seg_index is not None else None
        if kind == "title":
            key = content_key(
                _VERSION, "title", ctx.size, style.key, show.name, script.title, lead_hash,
                title_icon,
            )  # fmt: skip
            path = _save(
                cache,
                key,
                functools.partial(title_card, ctx, show.name, script.title, lead, title_icon),
            )
            slides.append(Slide(kind, path, start, end, ch_title, _shown_key(path)))
        elif kind == "end":
            t_fields = (
                None
                if talk is None
                else (talk_link(talk), talk.display_title, talk.channel, _file_hash(talk.thumbnail))
            )
            labels = get_language(article.language).labels
            key = content_key(
                _VERSION, "end", ctx.size, style.key, t_fields, show.name, script.title,
                article.source_url, labels.watch_talk, labels.thanks,
            )  # fmt: skip
            path = _save(
                cache,
                key,
                functools.partial(
                    end_card, ctx, talk, show.name, script.title, article.source_url, labels
                ),
            )
            slides.append(Slide(kind, path, start, end, ch_title, _shown_key(path)))
        else:
            plan = plans[seg_index] if seg_index is not None and seg_index < len(plans) else None
            title = ch_title or (seg.title if seg else "")
            picture = section_picture(article, seg) if seg is not None else None
            slides.extend(
                _section_slides(
                    ctx,
                    cache,
                    plan or SectionPlan(()),
                    (start, end),
                    title,
                    agenda,
                    section_no,
                    picture,
                )
            )
            section_no += 1
    workdir.mkdir(parents=True, exist_ok=True)
    thumb = workdir / "thumbnail.png"
    thumb.write_bytes(
        _thumbnail(cache, style, show.name, script.title, lead, lead_hash, title_icon).read_bytes()
    )
    return Slides(tuple(slides), thumbnail=thumb, size=(w, h))


def _thumbnail(
    cache: Cache,
    style: Style,
    show_name: str,
    title: str,
    lead: Image.Image | None,
    lead_hash: str,
    icon: str,
) -> Path:
    """The title card at 1280x720 in the episode's style (YouTube's thumbnail)."""
    ctx = Ctx(THUMBNAIL_SIZE, style)
    key = content_key(
        _VERSION, "thumb", THUMBNAIL_SIZE, style.key, show_name, title, lead_hash, icon
    )
    return _save(cache, key, functools.partial(title_card, ctx, show_name, title, lead, icon))
