"""Clips stage: an episode folder -> short clips for social media, and ``clips.json``.

After ``publish`` on the map (it reads what a build published, so it also runs later, on its
own: ``articast clips EPISODE_DIR``)::

    episode.json  --> _choose   the strongest moments, from the text: whole sentences of one
                                chapter, scored by key phrases, key points, quotes, numbers
                                and a first sentence that stands on its own; explained in words
    episode.mp3   --> _render   each moment's sound at the podcast's loudness, faded; its frame
    cover.jpg                   (``pictures.clip_cards``), waveform, karaoke captions, end card;
                                one ffmpeg run; kept in the cache by what it shows and says
                  --> clip-01.mp4 (strongest first), clip-01.vtt ..., clips.json

``clips.json`` lists each clip as ``{"file", "start", "end", "score", "why", "text", ...}``
(``models.Clip``), times in the episode; the feed gives each a ``<podcast:soundbite>`` and
the episode page a player. An unchanged episode makes its clips again from the cache; an
edit re-renders only the clips whose words, timing or look it changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from articast.cache import Cache, atomic_copy, atomic_write_text, content_key, file_hash
from articast.config import CLIP_FORMATS, CLIP_MAX_SECONDS, CLIP_MIN_SECONDS, Settings
from articast.episodes import CLIP_NAME, CLIPS_FILE, MANIFEST, read_clips
from articast.errors import InputError
from articast.models import (
    CLIP_SIZES,
    Clip,
    ClipFormat,
    Cue,
    Episode,
    ProgressEvent,
    clips_to_json,
)

if TYPE_CHECKING:
    from articast.clips._choose import Moment

__all__ = [
    "CLIPS_FILE",
    "ClipRequest",
    "ClipsResult",
    "episode_at",
    "make_clips",
    "read_clips",
]

ProgressFn = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class ClipRequest:
    """What to make: ``[clips]`` of the config file with the command's flags over it."""

    count: int = 3
    length: float = 45.0
    format: str = "vertical"
    cross_chapters: bool = False
    fps: int = 30
    style: str = ""
    """The pictures' style; empty: the episode's."""

    @classmethod
    def like(cls, clips: tuple[Clip, ...], settings: Settings) -> ClipRequest:
        """A request that makes ``clips`` (an episode's last ones) again."""
        first = clips[0]
        length = first.aim or settings.clips.length
        return cls(len(clips), length, first.format, settings.clips.cross_chapters, first.fps)

    @classmethod
    def from_settings(cls, settings: Settings, **flags: object) -> ClipRequest:
        """The ``[clips]`` table, ``count`` 3 when it asks for none, the flags given over it."""
        c = settings.clips
        base = cls(c.count or 3, c.length, c.format, c.cross_chapters, c.fps)
        given = {k: v for k, v in flags.items() if v is not None}
        return dataclasses.replace(base, **given)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ClipsResult:
    """What ``make_clips`` made."""

    clips: tuple[Clip, ...]
    rendered: int
    """Clips rendered in this run (the others came from the cache)."""
    warnings: tuple[str, ...] = ()


def _check(request: ClipRequest, episode: Episode) -> None:
    if request.count < 1:
        raise InputError(f"--count {request.count}: make at least 1 clip")
    if request.count > 20:
        raise InputError(f"--count {request.count}: at most 20 clips an episode")
    if not CLIP_MIN_SECONDS <= request.length <= CLIP_MAX_SECONDS:
        raise InputError(
            f"--length {request.length:g}: a clip is {CLIP_MIN_SECONDS:g} to "
            f"{CLIP_MAX_SECONDS:g} seconds long"
        )
    if request.format not in CLIP_FORMATS:
        raise InputError(f"--format {request.format}: one of {', '.join(CLIP_FORMATS)}")
    if not 10 <= request.fps <= 60:
        raise InputError(f"clip fps {request.fps}: 10 to 60 frames per second")
    if request.length > episode.duration:
        raise InputError(
            f"--length {request.length:g}: longer than the episode ({episode.duration:.1f} s); "
            "ask for shorter clips"
        )


def make_clips(
    folder: Path,
    settings: Settings,
    request: ClipRequest,
    *,
    episode: Episode | None = None,
    progress: ProgressFn | None = None,
    workdir: Path | None = None,
) -> ClipsResult:
    """Make ``request.count`` clips of the episode in ``folder`` (its manifest ``episode``,
    read from ``episode.json`` when not given) and write ``clips.json`` there.

    Raises ``InputError`` (a user's mistake: exit 2) when ``folder`` is not an episode, the
    request is out of range, or no moment of the episode fits a clip.
    """
    from articast.captions import write_vtt
    from articast.clips._choose import END_CARD, longest_moment
    from articast.clips._render import (
        LINE_CHARS,
        ClipJob,
        Look,
        cached_clip,
        clip_cues,
        moment_sound,
        render_clip,
        store_clip,
    )
    from articast.lang import get_language
    from articast.pictures.style import get_style

    if episode is None:
        episode = episode_at(folder)
    mp3 = folder / episode.files.audio
    if not mp3.is_file():
        raise InputError(f"{folder}: the episode has no {episode.files.audio}; build it again")
    _check(request, episode)
    moments = _moments(episode, request, Cache(settings.cache_root, "clip-moments"))
    if not moments:
        longest = longest_moment(episode, cross_chapters=request.cross_chapters)
        hint = "" if request.cross_chapters else "; try --cross-chapters"
        raise InputError(
            f"no moment of {CLIP_MIN_SECONDS:g} s or more in the episode's sections (the "
            f"longest run of sentences{'' if request.cross_chapters else ' in one chapter'} is "
            f"{longest:g} s){hint}"
        )
    warnings: list[str] = []
    if len(moments) < request.count:
        warnings.append(
            f"made {len(moments)} clip{'s' * (len(moments) != 1)}, not {request.count}: the "
            "episode has no more moments of that length that do not overlap"
        )
    fmt: ClipFormat = request.format  # type: ignore[assignment]
    size = CLIP_SIZES[fmt]
    style = get_style(request.style or episode.style or settings.video.style)
    labels = get_language(episode.language or "en").labels
    base = settings.show.base_url.strip()
    page = f"{base.rstrip('/')}/{quote(episode.slug)}/{quote(episode.files.page)}" if base else ""
    talk = episode.talk
    if talk is not None:
        qr_url, qr_label = talk.timed_url, labels.watch_talk
    else:
        qr_url, qr_label = page, labels.full_episode
    art = folder / episode.files.cover if episode.files.cover else None
    art = art if art is not None and art.is_file() else None
    art_key = file_hash(art) if art is not None else ""
    show = episode.show.name or settings.show.name
    chars = LINE_CHARS[fmt]
    cache = Cache(settings.cache_root, "clips")
    made: list[Clip] = []
    staged: list[tuple[Path, tuple[Cue, ...]]] = []
    rendered = 0
    with contextlib.ExitStack() as stack:
        scratch = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for n, moment in enumerate(moments, 1):
            if progress is not None:
                progress(ProgressEvent("clips", n - 1, len(moments), moment.chapter))
            name = f"clip-{n:02d}"
            sentences = episode.sentences[moment.first : moment.last + 1]
            length = round(moment.end - moment.start, 3)
            cues = clip_cues(sentences, moment.start, moment.end, chars=chars)
            sound_key = content_key(
                episode.voice, episode.settings_hash, length,
                [(s.spoken or s.text, round(s.start - moment.start, 3),
                  round(s.end - moment.start, 3)) for s in sentences],
            )  # fmt: skip
            look = Look(
                size, style, show, episode.title, moment.headline, art, art_key, page, qr_url,
                qr_label, labels,
            )  # fmt: skip
            job = ClipJob(
                look, request.fps, length, END_CARD, cues,
                sound_key, settings.audio.target_lufs, settings.audio.true_peak, chars,
            )  # fmt: skip
            hit = cached_clip(job, cache)
            if hit is None:
                sound = moment_sound(
                    mp3, moment.start, job.moment, END_CARD,
                    target_lufs=settings.audio.target_lufs, true_peak=settings.audio.true_peak,
                )  # fmt: skip
                out = scratch / f"{name}.mp4"
                render_clip(job, sound, out, scratch / name)
                hit = store_clip(job, cache, out)
                rendered += 1
            clip = Clip(
                file=f"{name}.mp4", start=moment.start, end=moment.end, score=moment.score,
                why=moment.why, text=moment.text, headline=moment.headline,
                chapter=moment.chapter, format=fmt, width=size[0], height=size[1],
                duration=round(job.frames / job.fps, 3), captions=f"{name}.vtt",
                poster=f"{name}.jpg",
                first_sentence=moment.first, last_sentence=moment.last, aim=request.length,
                fps=request.fps,
            )  # fmt: skip
            made.append(clip)
            staged.append((hit, cues))
    if progress is not None:
        progress(ProgressEvent("clips", len(moments), len(moments), "done"))
    # Into the folder once every clip is made: a failure above leaves the clips there were.
    for clip, (hit, cues) in zip(made, staged, strict=True):
        atomic_copy(hit / "clip.mp4", folder / clip.file)
        atomic_copy(hit / "poster.jpg", folder / clip.poster)
        write_vtt(cues, folder / clip.captions, episode.language)
    atomic_write_text(
        folder / CLIPS_FILE, json.dumps(clips_to_json(made), indent=2, ensure_ascii=False) + "\n"
    )
    keep = {name for c in made for name in (c.file, c.captions, c.poster)}
    for old in folder.iterdir():
        if CLIP_NAME.fullmatch(old.name) and old.name not in keep:
            old.unlink(missing_ok=True)
    return ClipsResult(tuple(made), rendered, tuple(warnings))


def _moments(episode: Episode, request: ClipRequest, cache: Cache) -> list[Moment]:
    """The moments ``request`` asks of ``episode``, kept by what they are chosen from: an
    unchanged episode does not score its sentences again (nor load the key-phrase model)."""
    from articast.clips._choose import Moment, choose_moments

    data = episode.to_json()
    key = content_key(
        "clip-moments-v1", data["language"], data["duration"], data["sections"],
        data["sentences"], request.count, request.length, request.cross_chapters,
    )  # fmt: skip
    found = cache.get_json(key)
    if isinstance(found, list):
        with contextlib.suppress(TypeError):
            return [Moment(**m) for m in found]
    moments = choose_moments(
        episode, request.count, request.length, cross_chapters=request.cross_chapters
    )
    cache.put_json(key, [dataclasses.asdict(m) for m in moments])
    return moments


def episode_at(folder: Path) -> Episode:
    """The manifest of the episode folder ``folder``; ``InputError`` when it is not one."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder; give an episode folder 'articast episode' made"
        )
    try:
        return Episode.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError(
            f"{folder} is not an episode folder (it has no {MANIFEST}); give a folder "
            "'articast episode' made"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable episode manifest ({exc})") from None
