"""The orchestrator: wires the stages, times them, and publishes the episode folder atomically.

::

    source -> ingest -> talk -> narrate -> voices -> artwork -> audio -> captions
           -> visuals -> video -> publish (manifest, description, page) -> feed

An episode is built in a hidden temporary folder beside its target (``.<slug>.building-*``)
and renamed into place only when complete, so a crash never leaves a half-written episode and
never destroys the previous one. ``cleanup_leftovers`` finishes or removes what a killed
build left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import json
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from articast.cache import atomic_write_text, content_key
from articast.captions import shown_words
from articast.clips import ClipRequest, ClipsResult
from articast.config import Settings
from articast.episodes import (
    MANIFEST,
    SOURCE_MARK,
    cleanup_leftovers,
    episode_lock,
    episode_slug,
    leftover_path,
    read_manifest,
    source_identity,
    swap_into_place,
)
from articast.errors import ArticastError, InputError, RenderError
from articast.models import (
    MANIFEST_SCHEMA,
    Article,
    Beat,
    Chapter,
    Episode,
    EpisodeFiles,
    EpisodeSection,
    EpisodeSentence,
    EpisodeShow,
    LoudnessStats,
    Master,
    ProgressEvent,
    Script,
    SectionPlan,
    Slides,
    Speech,
    SpeechStats,
    Talk,
    TalkLink,
    TimedWord,
    VideoResult,
    VideoStats,
)
from articast.slug import slugify
from articast.version import __version__

ProgressFn = Callable[[ProgressEvent], None]

STAGES = (
    "ingest",
    "talk",
    "narrate",
    "voices",
    "artwork",
    "audio",
    "encode",
    "captions",
    "visuals",
    "video",
    "publish",
)
GUID_NAMESPACE = uuid.UUID("6f0b0e1e-2f43-5d38-9c1a-8a1e7a2c3a11")


@dataclass(frozen=True)
class EpisodeResult:
    """What ``build_episode`` made."""

    folder: Path
    """The published episode folder ``<out>/<slug>``."""
    episode: Episode
    """The manifest, as written to ``episode.json``."""

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as the JSON dict of ``episode.json`` (kept for scripts written before
        ``episode`` was typed); ``result.manifest["duration"] == result.episode.duration``."""
        return self.episode.to_json()


class _Timer:
    """Records wall time per stage and tags errors with the stage they came from."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self.times: dict[str, float] = {}
        self.progress = progress

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self.progress:
            self.progress(ProgressEvent("stage", STAGES.index(stage), len(STAGES), stage))
        t0 = time.perf_counter()
        try:
            yield
        except BaseException as exc:
            if getattr(exc, "stage", None) is None:
                with contextlib.suppress(AttributeError, TypeError):
                    exc.stage = stage  # type: ignore[attr-defined]
            raise
        finally:
            self.times[stage] = round(self.times.get(stage, 0.0) + time.perf_counter() - t0, 4)


def settings_hash(settings: Settings) -> str:
    """Hash of every setting that changes an episode's content (not where it is written)."""
    data = dataclasses.asdict(settings)
    # Where it is written, and the clips (made from the episode, not part of it).
    for key in ("out_dir", "cache_dir", "config_path", "clips"):
        data.pop(key, None)
    if not data.get("outputs"):
        data.pop("outputs", None)  # no output options: the hash of the settings before them
    return content_key("settings-v1", data, __version__)[:16]


def _summary(article: Article, limit: int = 400) -> str:
    """The article's opening, repaired for reading (spaces, capitals), cut at a word."""
    from articast.text.rules import REPAIR_RULES, apply_rules

    text = " ".join(p for s in article.sections for p in s.paragraphs)
    text = " ".join(apply_rules(text, REPAIR_RULES).split())
    if len(text) <= limit:
        return text
    from articast.narrate import split_sentences

    summary = ""
    from articast.lang import get_language

    for sentence in split_sentences(text[: limit * 3], get_language(article.language).splitter):
        if len(summary) + len(sentence) + 1 > limit:
            break
        summary = f"{summary} {sentence}".strip()
    if summary:
        return summary
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _manifest(
    *,
    article: Article,
    script: Script,
    speech: Speech,
    talk: Talk | None,
    master: Master,
    video: VideoResult | None,
    slug: str,
    settings: Settings,
    previous: Episode | None,
    warnings: list[str],
    times: dict[str, float],
    files: EpisodeFiles,
    plans: Sequence[SectionPlan | None] = (),
) -> Episode:
    now = datetime.now(UTC)
    chapters = tuple(
        Chapter(c.title, round(c.start, 3), round(c.end, 3), c.url) for c in master.chapters
    )
    kinds = [seg.segment.kind for seg in speech.segments]
    timing = {
        seg.segment.title: sorted({u.timing for u in seg.utterances})[0]
        if seg.utterances
        else "none"
        for seg in speech.segments
    }
    return Episode(
        schema=MANIFEST_SCHEMA,
        articast_version=__version__,
        title=article.title,
        slug=slug,
        guid=(previous and previous.guid)
        or str(uuid.uuid5(GUID_NAMESPACE, f"{settings.show.name}/{slug}")),
        pub_date=(previous and previous.pub_date) or format_datetime(now),
        created=(previous and previous.created) or now.isoformat(timespec="seconds"),
        updated=now.isoformat(timespec="seconds"),
        voice=speech.voice,
        requested_voice=speech.requested_voice or speech.voice,
        fallback_used=speech.requested_voice is not None,
        duration=round(master.duration, 3),
        language=article.language,
        source=article.source,
        source_url=article.source_url,
        kind=article.kind,
        content_hash=article.content_hash,
        settings_hash=settings_hash(settings),
        script_edited=script.edited,
        summary=_summary(article),
        show=EpisodeShow(name=settings.show.name, author=settings.show.author),
        chapters=chapters,
        sections=tuple(
            EpisodeSection(
                c.title, c.start, c.end, k, _rounded_beats(plans[i] if i < len(plans) else None)
            )
            for i, (c, k) in enumerate(zip(chapters, kinds, strict=False))
        ),
        sentences=tuple(
            EpisodeSentence(
                # what pages and transcripts show (the author's words) and what the voice said
                s.form.display if s.form is not None else s.text,
                round(s.start, 3),
                round(s.end, 3),
                s.segment_index,
                spoken=s.text,
                words=tuple(
                    TimedWord(w.text, round(w.start, 3), round(w.end, 3)) for w in shown_words(s)
                ),
            )
            for s in master.sentences
        ),
        talk=talk,
        talks=tuple(TalkLink(t.url, t.video_id, t.start) for t in article.talks),
        warnings=tuple(warnings),
        stages=dict(times),
        speech=SpeechStats(synthesized=speech.synthesized, cached=speech.cached, timing=timing),
        loudness=LoudnessStats(
            premaster_lufs=master.premaster_lufs,
            integrated_lufs=master.loudness_lufs,
            true_peak_dbtp=master.true_peak_dbtp,
        ),
        video=VideoStats(rendered_sections=video.rendered_sections if video else ()),
        files=files,
        style=settings.video.style,
    )


def _rounded_beats(plan: SectionPlan | None) -> tuple[Beat, ...]:
    """A plan's beats for the manifest (times to the millisecond)."""
    if plan is None:
        return ()
    return tuple(
        dataclasses.replace(b, start=round(b.start, 3), end=round(b.end, 3)) for b in plan.beats
    )


def article_words(article: Article) -> int:
    """Words in the article's text (headings and paragraphs)."""
    return sum(len(p.split()) for s in article.sections for p in (s.title or "", *s.paragraphs))


@dataclass(frozen=True)
class Narrated:
    """An article's narration: the talk it points at, the script, and what to tell the user."""

    talk: Talk | None
    script: Script
    warnings: tuple[str, ...]
    """The talk's and the script's warnings, in that order (the article's are its own)."""


@dataclass(frozen=True)
class ScriptResult:
    """What ``write_script`` made."""

    path: Path
    """The written ``<out>/<slug>/script.md``."""
    article: Article
    narrated: Narrated

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every warning: the article's, the talk's, the script's."""
        return (*self.article.warnings, *self.narrated.warnings)


StageTimer = Callable[[str], contextlib.AbstractContextManager[None]]


def _untimed(stage: str) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


def narrate_article(
    article: Article,
    settings: Settings,
    *,
    script_path: Path | None = None,
    timer: StageTimer = _untimed,
) -> Narrated:
    """The talk and the narration script of ``article``, as an episode voices them: the talk
    resolved (cache, then network unless offline), the script written (or read back from the
    edited ``script_path``) and bounded by the time and memory limits. Nothing is voiced."""
    from articast.narrate import build_script, load_lexicon, read_script_md
    from articast.narrate.limits import bound_script, check_article_length
    from articast.talk import resolve_talk

    warnings: list[str] = []
    talk: Talk | None = None
    with timer("talk"):
        if article.talk is not None:
            talk, talk_warnings = resolve_talk(
                article.talk, settings.cache_root, offline=settings.offline
            )
            warnings.extend(talk_warnings)
    with timer("narrate"):
        if script_path is not None:
            lexicon = load_lexicon(settings.narrate.lexicon)
            script = read_script_md(Path(script_path), lexicon, article.language)
        else:
            check_article_length(article_words(article), settings.voice.rate)
            script = build_script(article, talk, settings.narrate)
        # Time and memory limits, checked before any sentence is voiced.
        a = settings.audio
        pauses = (a.sentence_pause, a.paragraph_pause, a.section_pause)
        script = bound_script(script, settings.voice.rate, pauses)
        warnings.extend(script.warnings)
    return Narrated(talk, script, tuple(warnings))


def write_script(source: str | Path, settings: Settings) -> ScriptResult:
    """Write the narration script of ``source`` to ``<out>/<slug>/script.md`` (the folder its
    episode will have), voicing nothing: ingest, talk and narrate as ``build_episode`` runs
    them, so the script is the one an episode would voice. Edit it and build with
    ``build_episode(source, settings, script_path=...)``."""
    from articast.ingest import load_article
    from articast.narrate import write_script_md
    from articast.outputs import check as check_outputs

    settings.check_files()
    check_outputs(settings)
    article = load_article(source, settings.ingest_settings)
    narrated = narrate_article(article, settings)
    out_dir = settings.out_dir
    identity = source_identity(source)
    slug = episode_slug(out_dir, article.title, identity, article.content_hash)
    path = out_dir / slug / "script.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_manifest(path.parent) is None:
        atomic_write_text(path.parent / SOURCE_MARK, identity + "\n")
    write_script_md(narrated.script, path)
    return ScriptResult(path, article, narrated)


_SLOW_IMPORTS = ("scipy.signal", "scipy.ndimage", "moviepy")
"""Modules the stages after ``voices`` import on first use that take 0.2-0.7 s each to load
(the loudness filters and resampler, the moving parts of the video)."""


@functools.cache
def _warm_imports() -> None:
    """Load ``_SLOW_IMPORTS`` and the icon index in a background thread, once per process,
    while the script is voiced: a rebuild that voices one sentence would otherwise wait for
    them after it (a whole script's voices leave it a little room too: measured, a cold
    build is faster with it). Not earlier: until the voice's model is loaded, both would
    hold the interpreter's lock by turns."""

    def load() -> None:
        for name in _SLOW_IMPORTS:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        with contextlib.suppress(Exception):  # a broken icon set is reported where it is used
            from articast.pictures.icons import load_index

            load_index()

    threading.Thread(target=load, name="articast-imports", daemon=True).start()


def build_episode(
    source: str | Path,
    settings: Settings,
    *,
    script_path: Path | None = None,
    progress: ProgressFn | None = None,
    update_feed: bool = True,
) -> EpisodeResult:
    """Build one episode of ``source`` into ``settings.out_dir/<slug>/`` and refresh the feed.

    ``update_feed=False`` leaves the feed alone (a batch rebuilds it once at the end).
    """
    from articast.ingest import load_article
    from articast.outputs import check as check_outputs
    from articast.outputs import publish_show

    settings.check_files()  # a missing artwork, lexicon or music file fails before any work
    check_outputs(settings)  # and so does a bad [outputs.<name>] table
    timer = _Timer(progress)
    started = time.perf_counter()
    with timer("ingest"):
        article = load_article(source, settings.ingest_settings)
        if script_path is not None and not Path(script_path).is_file():
            raise InputError(f"script not found: {script_path}; write one with 'articast script'")
    out_dir = settings.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    identity = source_identity(source)
    with episode_lock(out_dir, article.title):
        # A killed earlier build of this episode: put an interrupted swap back before reading it.
        cleanup_leftovers(out_dir, slug=slugify(article.title))
        slug = episode_slug(out_dir, article.title, identity, article.content_hash)
        if slug != slugify(article.title):
            cleanup_leftovers(out_dir, slug=slug)
        episode = _build_locked(
            article, settings, slug, identity, timer, started, script_path=script_path,
            progress=progress,
        )  # fmt: skip
    final = out_dir / slug
    if not update_feed:
        return EpisodeResult(final, episode)
    feed_notes: list[str] = []
    try:
        publish_show(settings, feed_notes)  # the feed
    except ArticastError as exc:
        exc.add_note(f"episode {slug} was published; only the feed update failed")
        raise
    if feed_notes:
        episode = dataclasses.replace(episode, warnings=(*episode.warnings, *feed_notes))
    return EpisodeResult(final, episode)


def _build_locked(
    article: Article,
    settings: Settings,
    slug: str,
    identity: str,
    timer: _Timer,
    started: float,
    *,
    script_path: Path | None,
    progress: ProgressFn | None,
) -> Episode:
    """The stages after ingest, run while the episode's lock is held; returns the manifest."""
    from articast import audio, outputs
    from articast.captions import make_cues
    from articast.pictures.cover import cover_art
    from articast.pictures.slides import make_slides, plan_visuals
    from articast.pictures.style import get_style
    from articast.publish.chapter_art import add_chapter_art, prepare_chapter_art
    from articast.video import pictures_share, render_pictures
    from articast.voices import release as release_voices
    from articast.voices import speak
    from articast.voices import warm as warm_voice
    from articast.voices.choose import choose_voice

    out_dir = settings.out_dir
    cache_root = settings.cache_root
    final = out_dir / slug
    previous = read_manifest(final)
    tmp = leftover_path(out_dir, slug)
    tmp.mkdir()
    workdir = tmp / ".work"
    workdir.mkdir()
    warnings: list[str] = list(article.warnings)
    try:
        # The voice loads (a neural model: seconds) while the script is written; what is
        # wrong with the voice is reported by the voices stage.
        with contextlib.suppress(ArticastError):
            warm_voice(choose_voice(settings.voice, article.language).settings, cache_root)
        narrated = narrate_article(article, settings, script_path=script_path, timer=timer)
        talk, script = narrated.talk, narrated.script
        warnings.extend(narrated.warnings)
        made = outputs.Made(
            folder=tmp, settings=settings, article=article, script=script, talk=talk,
            workdir=workdir, progress=progress, notes=warnings, timer=timer,
        )  # fmt: skip
        with timer("voices"):
            _warm_imports()
            choice = choose_voice(settings.voice, article.language)
            warnings.extend(choice.warnings)
            speech = speak(script, choice.settings, cache_root, progress)
            warnings.extend(speech.warnings)
            release_voices()  # the audio and video stages need no ONNX sessions beside them
        with timer("artwork"):
            # The show's own artwork is checked and normalised (square, 1400-3000 px, RGB) too.
            cover = cover_art(
                article, talk, settings.show, tmp / "cover.jpg",
                style=get_style(settings.video.style),
            )  # fmt: skip
        with timer("audio"):
            # The timeline first (or a finished master from the cache): captions and pictures
            # start from it while the audio is levelled and written.
            sound = audio.start(
                speech, talk, article, settings.show, settings.audio,
                cover=cover, out_dir=tmp, workdir=workdir, cache_root=cache_root,
            )  # fmt: skip
            timeline = sound.timeline

        # The audio encodes give way to the video's pictures when those are the longer job
        # (a cold build); in an edit that re-renders a few chunks, the audio is the longer.
        audio_background = [True]

        # The video's pictures are encoded while the audio is levelled; then the MP3 is
        # encoded, measured and tagged while the video's AAC track is encoded and joined.
        helpers: list[threading.Thread] = []
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="articast-bg") as pool:
            with timer("captions"):
                cues = make_cues(timeline.sentences)
            made = dataclasses.replace(made, timeline=timeline, cues=cues)
            outputs.render("timeline", made)  # script.md, captions
            with timer("visuals"):
                plans = plan_visuals(article, script, timeline)
            pictures = slides_job = None
            if settings.video.enabled:

                def draw_slides() -> Slides:
                    with timer("visuals"):
                        drawn = make_slides(
                            article,
                            script,
                            talk,
                            timeline,
                            settings.show,
                            settings.video,
                            workdir=workdir,
                            cache_root=cache_root,
                            plans=plans,
                        )
                        # Before any picture is rendered (and cached).
                        share = pictures_share(drawn, cues, settings.video, cache_root=cache_root)
                        audio_background[0] = share >= 0.25
                        return drawn

                def chapter_art(drawn: Slides) -> None:
                    # A card that fails here fails again, and is reported, when published.
                    with contextlib.suppress(Exception):
                        prepare_chapter_art(drawn, cache_root)

                def encode_pictures(drawn: Future[Slides]) -> tuple[str, ...]:
                    art = threading.Thread(
                        target=chapter_art, args=(drawn.result(),), name="articast-art"
                    )
                    art.start()  # the chapters' pictures, while the video encodes
                    helpers.append(art)
                    return render_pictures(
                        drawn.result(),
                        cues,
                        settings.video,
                        workdir=workdir,
                        cache_root=cache_root,
                        progress=progress,
                    )

                # The slides are drawn and their pictures encoded while the audio is levelled.
                slides_job = pool.submit(draw_slides)
                pictures = pool.submit(encode_pictures, slides_job)
            with timer("audio"):
                draft = sound.levelled()
            slides = slides_job.result() if slides_job is not None else None
            media = outputs.Media(sound, draft, slides, pictures, audio_background[0])
            made = dataclasses.replace(made, media=media)
            # The MP3 on a thread of the pool while the video is joined here.
            made_media = outputs.render("media", made, pool=pool)
        master = made_media.get("mp3")
        if not isinstance(master, Master):  # pragma: no cover - the mp3 output is always on
            raise RenderError("no output made the MP3; this is a bug in articast")
        found = made_media.get("mp4")
        video = found if isinstance(found, VideoResult) else None
        # The manifest lists what the outputs made (the publish outputs' files: to be made).
        listed = {"cover": cover.name}
        for output in outputs.enabled(settings):
            for f in output.files(settings):
                if output.phase == "publish" or (tmp / f.name).is_file():
                    listed[f.key] = f.name
        files = EpisodeFiles.from_keys(listed)
        with timer("publish"):
            episode = _manifest(
                article=article,
                script=script,
                speech=speech,
                talk=talk,
                master=master,
                video=video,
                slug=slug,
                settings=settings,
                previous=previous,
                warnings=warnings,
                times=timer.times,
                files=files,
                plans=plans,
            )
            episode = dataclasses.replace(episode, source_id=identity)
            if video is not None and slides is not None:
                for helper in helpers:
                    helper.join()
                add_chapter_art(tmp, slides, settings.show.base_url, slug, cache_root=cache_root)
            # Timed as the publish stage already (not again per output).
            outputs.render("publish", dataclasses.replace(made, episode=episode, timer=None))
            shutil.rmtree(workdir, ignore_errors=True)
        # Stage times overlap where stages run together (encode beside captions and video).
        # The warnings again: a publish output's notes (``Made.notes``) come after the manifest.
        episode = dataclasses.replace(
            episode,
            warnings=tuple(warnings),
            stages=dict(timer.times),
            build_seconds=round(time.perf_counter() - started, 3),
        )
        atomic_write_text(
            tmp / MANIFEST, json.dumps(episode.to_json(), indent=2, ensure_ascii=False)
        )
        swap_into_place(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return episode


def make_episode_clips(
    folder: Path,
    settings: Settings,
    request: ClipRequest,
    *,
    progress: ProgressFn | None = None,
) -> ClipsResult:
    """Make clips of the published episode in ``folder`` (``articast clips``) and publish them:
    ``clips.json``, the episode page's players and the feed's soundbites. ``settings.out_dir``
    becomes the folder's parent (the show the episode belongs to)."""
    from articast.clips import episode_at, make_clips
    from articast.outputs import Made, publish_show, registry

    folder = Path(folder)
    episode = episode_at(folder)
    settings = dataclasses.replace(settings, out_dir=folder.parent)
    with episode_lock(settings.out_dir, episode.title):
        episode = episode_at(folder)  # as it is now that no build is writing it
        result = make_clips(folder, settings, request, episode=episode, progress=progress)
        registry()["pages"].render(Made(folder=folder, settings=settings, episode=episode))
    notes: list[str] = list(result.warnings)
    publish_show(settings, notes)
    return dataclasses.replace(result, warnings=tuple(notes))
