"""The studio's library: every action of ``articast studio`` is a call on ``Studio``.

The web app (``articast.studio.web``) is a thin layer over it, and tests call it directly. It
works on the episode folders of one output folder, through the same library calls the CLI
makes: ``write_script`` for a new episode, ``build_episode`` with the folder's ``script.md``
for a build, ``publish_show`` for the feed. Edits go to the episode's ``script.md`` (the file
the CLI reads), so the CLI and the studio never disagree.

What it may read: files inside its input folders and the uploads it keeps in
``<out>/.studio/articles``; what it writes: the output folder only. Nothing in an article is
run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import re
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from articast.cache import atomic_write_bytes, atomic_write_text, content_key
from articast.config import Settings, VoiceSettings
from articast.episodes import CLIP_NAME, MANIFEST, SOURCE_MARK, read_manifest
from articast.errors import ArticastError, InputError
from articast.models import Article, Beat, Chapter, Episode, Script, Segment
from articast.studio.jobs import Job, JobOutcome, JobQueue

STUDIO_DIR = ".studio"
"""The studio's own folder in the output folder: uploads and the voices chosen per episode."""
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")
_CHAPTER_ART = re.compile(r"chapter-\d{2}\.jpg")
MAX_LINE_CHARS = 4000
"""The longest edit of one sentence (several lines make several sentences)."""
UPLOAD_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt")
FEED_FILE = "feed.xml"
LISTEN_VERSION = "studio-listen-v1"


# --------------------------------------------------------------------------- what pages show


@dataclass(frozen=True)
class EpisodeCard:
    """One episode in the library."""

    slug: str
    title: str
    status: str
    """``script`` (not built yet), ``built``, ``edited`` (the script changed since the build),
    ``queued``, ``building`` or ``failed`` (the last build: see ``message``)."""
    duration: float | None = None
    updated: str = ""
    """ISO time of the last build."""
    language: str = ""
    voice: str = ""
    """The voice the episode was built with."""
    message: str = ""


@dataclass(frozen=True)
class SentenceView:
    """One sentence of the script as an editor shows it."""

    index: int
    line: str
    """As written in ``script.md``: the display text with ``word{spoken}`` pronunciations."""
    display: str
    spoken: str
    start: float | None = None
    """Where the built episode says it (None when it changed since the build)."""
    end: float | None = None


@dataclass(frozen=True)
class PartView:
    """A part of the script (intro, a section, outro) beside the article's section."""

    index: int
    kind: str
    title: str
    sentences: tuple[SentenceView, ...]
    article_heading: str = ""
    article_text: tuple[str, ...] = ()
    """The paragraphs of the article's section it narrates."""
    beats: tuple[Beat, ...] = ()
    """The section's picture plan in the last build (what the video shows, and when)."""
    preview: str = ""
    """The file of its picture in the last build (``chapter-NN.jpg``), when there is one."""
    start: float | None = None
    end: float | None = None
    warnings: tuple[str, ...] = ()
    """Warnings of ingestion and narration about this part."""


@dataclass(frozen=True)
class VoiceOption:
    spec: str
    label: str
    available: bool = True


@dataclass(frozen=True)
class EpisodeView:
    """Everything the episode page shows."""

    card: EpisodeCard
    parts: tuple[PartView, ...]
    warnings: tuple[str, ...]
    """Warnings that are about no one part."""
    files: dict[str, str]
    """What the last build made that a page can play or link (key -> file name)."""
    chapters: tuple[Chapter, ...]
    voice: str
    """The voice the next build speaks with."""
    voices: tuple[VoiceOption, ...]
    version: str
    """A hash of the script and the build: another tab compares it to see a change."""
    source: str
    jobs: tuple[Job, ...]


@dataclass(frozen=True)
class Said:
    """One sentence voiced for a listen."""

    wav: bytes
    voice: str
    spoken: str
    synthesized: bool
    """False when it came from the speech cache (a build's, or an earlier listen's)."""
    seconds: float


@dataclass(frozen=True)
class Published:
    feed: Path
    feed_url: str
    """The feed's public URL (``base_url``), or its path under the studio when none is set."""
    episodes: int
    """Episodes in the feed."""
    in_feed: bool
    """Whether the episode asked about is one of them."""
    warnings: tuple[str, ...] = ()


def describe_error(exc: BaseException) -> str:
    """One line for the page, as the CLI would say it."""
    from articast.sanitize import clean_line

    if isinstance(exc, InputError):
        return clean_line(str(exc))
    if isinstance(exc, ArticastError):
        stage = getattr(exc, "stage", None)
        return clean_line(f"failed{f' in {stage}' if stage else ''}: {exc}")
    return clean_line(f"internal error: {type(exc).__name__}: {exc}")


def _wav(pcm: bytes, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


class Studio:
    """The studio over ``settings.out_dir``: its episodes, their scripts, builds and feed.

    ``inputs``: the folders an article may be read from by path (uploads are kept in
    ``<out>/.studio/articles``). Thread-safe: the web app calls it from many threads.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        inputs: Sequence[Path] = (),
        max_upload: int | None = None,
    ) -> None:
        self.settings = settings
        self.out_dir = Path(settings.out_dir).resolve()
        self.inputs = tuple(Path(p).resolve() for p in inputs)
        self.uploads = self.out_dir / STUDIO_DIR / "articles"
        self.max_upload = max_upload or settings.ingest.max_bytes
        self._lock = threading.RLock()
        self._script_locks: dict[str, threading.Lock] = {}
        self._saved_during: dict[str, str] = {}
        """Per episode being built: the script text the studio saved since its build began."""
        self._articles: dict[tuple[str, float], Article | None] = {}
        self._warm: set[str] = set()
        """Voices loaded for listens since the last build (a build unloads them)."""
        self.jobs = JobQueue(describe_error)

    def close(self, wait: float = 0.0) -> None:
        """Stop the build queue (see ``JobQueue.close``)."""
        self.jobs.close(wait)

    # ----------------------------------------------------------------- paths and state

    def folder(self, slug: str) -> Path:
        """The folder of episode ``slug``; ``InputError`` when there is none."""
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            raise InputError(f"no episode {slug!r} in {self.out_dir}")
        folder = self.out_dir / slug
        if folder.is_symlink() or not folder.is_dir():
            raise InputError(f"no episode {slug!r} in {self.out_dir}")
        if not (folder / "script.md").is_file() and not (folder / MANIFEST).is_file():
            raise InputError(f"no episode {slug!r} in {self.out_dir}")
        return folder

    def _script_lock(self, slug: str) -> threading.Lock:
        with self._lock:
            return self._script_locks.setdefault(slug, threading.Lock())

    def _state_path(self) -> Path:
        return self.out_dir / STUDIO_DIR / "voices.json"

    def _voices_chosen(self) -> dict[str, str]:
        try:
            data = json.loads(self._state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def voice_of(self, slug: str, episode: Episode | None = None) -> str:
        """The voice the next build of ``slug`` speaks with: the one chosen in the studio,
        else the one it was built with, else the configured voice ('' for the default)."""
        chosen = self._voices_chosen()
        if slug in chosen:
            return chosen[slug]  # '' when the default voice was chosen
        if episode is not None and (episode.requested_voice or episode.voice):
            return episode.requested_voice or episode.voice
        return self.settings.voice.voice

    def choose_voice(self, slug: str, voice: str) -> str:
        """Make ``voice`` the one ``slug`` is built with from now on."""
        from articast.voices.registry import parse_spec

        self.folder(slug)
        voice = voice.strip()
        if voice:
            parse_spec(voice)  # InputError for an unknown backend
        with self._lock:
            chosen = self._voices_chosen()
            chosen[slug] = voice
            atomic_write_text(self._state_path(), json.dumps(chosen, indent=1) + "\n")
        return voice

    def _settings_for(self, slug: str, episode: Episode | None) -> Settings:
        s = self.settings
        voice = self.voice_of(slug, episode)
        return dataclasses.replace(s, voice=dataclasses.replace(s.voice, voice=voice))

    @staticmethod
    def _identity(folder: Path, episode: Episode | None) -> str:
        """The source of the episode in ``folder`` (``episode``: its manifest, or None)."""
        if episode is not None and (episode.source_id or episode.source):
            return episode.source_id or episode.source
        try:
            return (folder / SOURCE_MARK).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def _source(self, folder: Path, episode: Episode | None) -> str | Path:
        """The article of the episode in ``folder``, checked to be one the studio may read."""
        identity = self._identity(folder, episode)
        if re.match(r"^https?://", identity, re.I):
            return identity
        if not identity:
            raise InputError(f"{folder.name}: its article is not recorded; build it with the CLI")
        return self._readable(Path(identity))

    def _readable(self, path: Path) -> Path:
        """``path`` (an article file) when it lies inside an input folder or the uploads."""
        real = path.resolve()
        allowed = (*self.inputs, self.uploads.resolve())
        if not any(real.is_relative_to(folder) for folder in allowed):
            where = ", ".join(str(f) for f in self.inputs) or "none"
            raise InputError(
                f"{path} is outside the studio's input folders ({where}); start the studio "
                "with --input FOLDER to use it"
            )
        if not real.is_file():
            raise InputError(f"article not found: {path}")
        return real

    # ----------------------------------------------------------------- the library

    def episodes(self) -> list[EpisodeCard]:
        """Every episode (and script not built yet) in the output folder, newest first."""
        cards = []
        try:
            entries = sorted(self.out_dir.iterdir())
        except OSError:
            return []
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink() or not entry.is_dir():
                continue
            if not _SLUG.fullmatch(entry.name):
                continue
            if not (entry / MANIFEST).is_file() and not (entry / "script.md").is_file():
                continue
            cards.append(self.card(entry.name))
        return sorted(cards, key=lambda c: (c.updated, c.slug), reverse=True)

    def card(self, slug: str, episode: Episode | None = None) -> EpisodeCard:
        folder = self.out_dir / slug
        episode = episode or read_manifest(folder)
        jobs = [j for j in self.jobs.of(slug) if j.kind == "build"]
        status = "built"
        message = ""
        if episode is None:
            status = "script"
        elif self._edited_since_build(folder):
            status = "edited"
        if any(j.state == "running" for j in jobs):
            status = "building"
        elif any(j.state == "queued" for j in jobs):
            status = "queued"
        elif jobs and jobs[-1].state == "failed":
            status, message = "failed", jobs[-1].message
        title = episode.title if episode else self._script_title(folder) or slug
        return EpisodeCard(
            slug=slug,
            title=title,
            status=status,
            duration=episode.duration if episode else None,
            updated=episode.updated if episode else "",
            language=episode.language if episode else "",
            voice=episode.voice if episode else "",
            message=message,
        )

    @staticmethod
    def _edited_since_build(folder: Path) -> bool:
        try:
            return (folder / "script.md").stat().st_mtime > (folder / MANIFEST).stat().st_mtime
        except OSError:
            return False

    @staticmethod
    def _script_title(folder: Path) -> str:
        try:
            with (folder / "script.md").open(encoding="utf-8", errors="replace") as fh:
                for _, line in zip(range(200), fh, strict=False):
                    if line.startswith("# "):
                        return line[2:].strip()
        except OSError:
            pass
        return ""

    # ----------------------------------------------------------------- new episodes

    def articles(self, limit: int = 500) -> list[str]:
        """The article files in the input folders (and one level of folders below them), as
        the path to give ``create``: relative to the first input folder when inside it."""
        found: list[str] = []
        for folder in self.inputs:
            try:
                entries = sorted(folder.iterdir())
                entries += sorted(p for d in entries if d.is_dir() and not d.is_symlink()
                                  and not d.name.startswith(".") for p in d.iterdir())  # fmt: skip
            except OSError:
                continue
            for path in entries:
                if path.name.startswith(".") or path.suffix.lower() not in UPLOAD_SUFFIXES:
                    continue
                if path.is_symlink() or not path.is_file():
                    continue
                rel = path.relative_to(self.inputs[0]) if folder == self.inputs[0] else path
                found.append(str(rel))
                if len(found) >= limit:
                    return found
        return found

    def create(self, source: str | Path, *, build: bool = True) -> EpisodeCard:
        """A new episode of ``source`` (an http(s) URL, or a file in an input folder; a
        relative path is taken from the first input folder): its script is written at once
        (ingest and narrate; ``InputError`` for what is not an article), its build queued."""
        from articast.pipeline import write_script

        text = str(source).strip()
        if not text:
            raise InputError("no article given: choose a file, paste the text or give a URL")
        if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) and not re.match(
            r"^https?://", text, re.I
        ):
            raise InputError(f"{text}: only http(s) addresses and files can be read")
        chosen: str | Path = text
        if not re.match(r"^https?://", text, re.I):
            path = Path(text).expanduser()
            if not path.is_absolute() and self.inputs:
                path = self.inputs[0] / path
            chosen = self._readable(path)
        result = write_script(chosen, self.settings)
        slug = result.path.parent.name
        with self._lock:
            key = (self._identity(result.path.parent, read_manifest(result.path.parent)), 0.0)
            self._articles[key] = result.article
        if build:
            self.build(slug)
        return self.card(slug)

    def create_from_upload(self, name: str, data: bytes, *, build: bool = True) -> EpisodeCard:
        """A new episode of an uploaded (or pasted) article, kept in ``<out>/.studio/articles``
        as ``<sha256 prefix>-<safe name>``: the same bytes uploaded again are the same
        article (its episode is built again, not copied)."""
        from articast.slug import slugify

        if len(data) > self.max_upload:
            raise InputError(
                f"the upload is {len(data):,} bytes, over the {self.max_upload:,}-byte limit "
                "([ingest] max_bytes); is it the article itself?"
            )
        if not data.strip():
            raise InputError("the article is empty; choose a file or paste its text")
        stem, dot, suffix = Path(name or "article.txt").name.rpartition(".")
        suffix = f".{suffix.lower()}" if dot else ".txt"
        if suffix not in UPLOAD_SUFFIXES:
            suffix = ".txt"
        safe = slugify(stem or "article", max_len=40)
        digest = hashlib.sha256(data).hexdigest()[:12]
        # The same bytes again (under any name) are the same article: the same episode.
        same = sorted(self.uploads.glob(f"{digest}-*")) if self.uploads.is_dir() else []
        if same and same[0].is_file() and not same[0].is_symlink():
            return self.create(same[0], build=build)
        path = self.uploads / f"{digest}-{safe}{suffix}"
        atomic_write_bytes(path, data)
        try:
            return self.create(path, build=build)
        except BaseException:
            path.unlink(missing_ok=True)  # not an article: nothing is kept
            raise

    # ----------------------------------------------------------------- one episode

    def _article(self, folder: Path, episode: Episode | None) -> Article | None:
        """The episode's article as ingested (kept in memory while its file is unchanged);
        None when it cannot be read now (a URL while offline, a file gone)."""
        from articast.ingest import load_article

        identity = self._identity(folder, episode)
        try:
            source = self._source(folder, episode)
            stamp = Path(source).stat().st_mtime if isinstance(source, Path) else 0.0
        except (InputError, OSError):
            return None
        key = (identity, stamp)
        with self._lock:
            if key in self._articles:
                return self._articles[key]
        try:
            article: Article | None = load_article(source, self.settings.ingest_settings)
        except ArticastError:
            article = None
        with self._lock:
            self._articles[key] = article
        return article

    def _language(self, folder: Path, episode: Episode | None) -> str:
        if episode is not None:
            return episode.language
        article = self._article(folder, episode)
        return article.language if article else "en"

    def _lexicon(self) -> Any:
        from articast.narrate import load_lexicon

        return load_lexicon(self.settings.narrate.lexicon)

    def script_text(self, slug: str) -> str:
        from articast.narrate.script_md import read_script_text

        return read_script_text(self.folder(slug) / "script.md")

    def view(self, slug: str) -> EpisodeView:
        """The episode page: its parts beside the article, the last build's files, its jobs."""
        from articast.narrate.script_md import script_lines

        folder = self.folder(slug)
        episode = read_manifest(folder)
        language = self._language(folder, episode)
        text = self.script_text(slug)
        script, lines = script_lines(text, folder / "script.md", self._lexicon(), language)
        article = self._article(folder, episode)
        voice = self.voice_of(slug, episode)
        parts = []
        general: list[str] = []
        warnings = list(episode.warnings if episode else ())
        if article is not None:
            warnings = [*article.warnings, *(w for w in warnings if w not in article.warnings)]
        warnings.extend(w for w in script.warnings if w not in warnings)
        placed: dict[int, list[str]] = {}
        for w in warnings:
            at = _part_of(w, script)
            if at is None:
                general.append(w)
            else:
                placed.setdefault(at, []).append(w)
        for i, (seg, seg_lines) in enumerate(zip(script.segments, lines, strict=True)):
            parts.append(
                self._part(i, seg, seg_lines, episode, folder, article, tuple(placed.get(i, ())))
            )
        files: dict[str, str] = {}
        if episode is not None:
            listed = dataclasses.asdict(episode.files)
            extra = listed.pop("extra", {})
            for key, name in [*listed.items(), *extra.items()]:
                if isinstance(name, str) and (folder / name).is_file():
                    files[key] = name
        self._warm_voice(voice, language)
        stamp = hashlib.sha256(text.encode()).hexdigest()[:16]
        version = f"{stamp}-{episode.updated if episode else ''}"
        return EpisodeView(
            card=self.card(slug, episode),
            parts=tuple(parts),
            warnings=tuple(general),
            files=files,
            chapters=episode.chapters if episode else (),
            voice=voice,
            voices=self.voices(language, voice),
            version=version,
            source=self._identity(folder, episode),
            jobs=tuple(self.jobs.of(slug)),
        )

    def _part(
        self,
        i: int,
        seg: Segment,
        seg_lines: tuple[str, ...],
        episode: Episode | None,
        folder: Path,
        article: Article | None,
        warnings: tuple[str, ...],
    ) -> PartView:
        built = [s for s in episode.sentences if s.segment == i] if episode else []
        sentences = []
        for j, line in enumerate(seg_lines):
            form = seg.form(j)
            start = end = None
            if j < len(built) and built[j].text == form.display:
                start, end = built[j].start, built[j].end
            sentences.append(SentenceView(j, line, form.display, form.spoken, start, end))
        heading, text = "", tuple[str, ...]()
        at = seg.section_index
        if article is not None and at is not None and 0 <= at < len(article.sections):
            section = article.sections[at]
            heading, text = section.title or "", tuple(section.paragraphs)
        beats: tuple[Beat, ...] = ()
        preview = ""
        start = end = None
        if episode is not None and i < len(episode.sections):
            built_part = episode.sections[i]
            if built_part.title == seg.title:
                beats = built_part.visuals
                start, end = built_part.start, built_part.end
                art = f"chapter-{i + 1:02d}.jpg"
                if (folder / art).is_file():
                    preview = art
        return PartView(
            index=i,
            kind=seg.kind,
            title=seg.title,
            sentences=tuple(sentences),
            article_heading=heading,
            article_text=text,
            beats=beats,
            preview=preview,
            start=start,
            end=end,
            warnings=warnings,
        )

    def _warm_voice(self, voice: str, language: str) -> None:
        """Load the voice a Play button will speak with, in the background, once (a neural
        model takes most of a second): the page is open, a listen is likely."""
        from articast.voices import warm
        from articast.voices.choose import choose_voice

        key = f"{voice}|{language}"
        with self._lock:
            if key in self._warm or any(j.state == "running" for j in self.jobs.all()):
                return
            self._warm.add(key)
        settings = dataclasses.replace(self.settings.voice, voice=voice)
        with contextlib.suppress(ArticastError):
            warm(choose_voice(settings, language).settings, self.settings.cache_root)

    def voices(self, language: str, current: str = "") -> tuple[VoiceOption, ...]:
        """The voices that speak ``language`` (and ``current``), neural ones first."""
        from articast.voices.registry import list_voices

        found = list_voices(self.settings.voice, language=language)
        options = []
        for v in found:
            if v.backend == "fake":
                continue
            quality = f", {v.quality}" if v.quality else ""
            net = ", online" if v.needs_network else ""
            label = f"{v.spec} ({v.language}{quality}{net})"
            options.append(VoiceOption(v.spec, label, v.available))
        if current and all(o.spec != current for o in options):
            options.insert(0, VoiceOption(current, current))
        if not current:
            from articast.voices.choose import choose_voice

            picked = choose_voice(dataclasses.replace(self.settings.voice, voice=""), language)
            options.insert(0, VoiceOption("", f"default for {language}: {picked.settings.voice}"))
        return tuple(options)

    # ----------------------------------------------------------------- editing

    def edit(
        self, slug: str, part: int, sentence: int, line: str, *, old: str | None = None
    ) -> EpisodeView:
        """Replace sentence ``sentence`` of part ``part`` of ``slug``'s ``script.md`` with
        ``line`` (``word{spoken}`` pronunciations; several lines make several sentences, an
        empty one removes it). ``old``: the line as the editor saw it, so an edit made
        meanwhile elsewhere is not overwritten. ``InputError`` and nothing changed when the
        edit is not possible (see ``narrate.script_md.edit_sentence``)."""
        from articast.narrate.script_md import edit_sentence, read_script_text

        if len(line) > MAX_LINE_CHARS:
            raise InputError(f"the sentence is over {MAX_LINE_CHARS:,} characters; split it")
        folder = self.folder(slug)
        path = folder / "script.md"
        language = self._language(folder, read_manifest(folder))
        with self._script_lock(slug):
            text = read_script_text(path)
            edited, _ = edit_sentence(
                text, part, sentence, line, old=old, path=path, lexicon=self._lexicon(),
                language=language,
            )  # fmt: skip
            atomic_write_text(path, edited)
            with self._lock:
                if slug in self._saved_during:
                    self._saved_during[slug] = edited
        return self.view(slug)

    def say(self, slug: str, line: str, *, voice: str | None = None) -> Said:
        """Voice one sentence (a ``script.md`` line) as the episode's build would: the same
        voice, reading rules and settings. A sentence the builds have voiced comes from their
        speech cache; a new one is synthesised and kept in the studio's own listening cache
        (a second listen is not synthesised again), not in the build's: the build voices
        the sentences an edit changed itself (piper and espeak-ng say a sentence the same way
        every time: the episode says what was heard)."""
        from articast.cache import Cache
        from articast.narrate.script_md import read_line
        from articast.voices import speak
        from articast.voices.choose import choose_voice

        if len(line) > MAX_LINE_CHARS:
            raise InputError(f"the sentence is over {MAX_LINE_CHARS:,} characters; split it")
        folder = self.folder(slug)
        episode = read_manifest(folder)
        language = self._language(folder, episode)
        sentence = read_line(" ".join(line.split()), self._lexicon(), language)
        if sentence is None or not any(ch.isalnum() for ch in sentence.spoken):
            raise InputError("there is nothing to say in that sentence; write some words")
        chosen = voice.strip() if voice and voice.strip() else self.voice_of(slug, episode)
        settings = self._settings_for(slug, episode).voice
        settings = choose_voice(dataclasses.replace(settings, voice=chosen), language).settings
        listens = Cache(self.settings.cache_root, "studio-listens")
        key = _listen_key(settings, sentence.spoken)
        meta = listens.get_json(key) if key else None
        wav = listens.path(key, "said.wav") if key else None
        if isinstance(meta, dict) and wav is not None and meta.get("spoken") == sentence.spoken:
            with contextlib.suppress(OSError, KeyError, TypeError, ValueError):
                return Said(wav.read_bytes(), str(meta["voice"]), sentence.spoken, False,
                            float(meta["seconds"]))  # fmt: skip
        script = Script(
            sentence.display or "sentence",
            (Segment("section", "listen", (sentence.spoken,), forms=(sentence,)),),
        )
        speech = speak(script, settings, self.settings.cache_root, store=False)
        utt = speech.segments[0].utterances[0]
        said = Said(
            wav=_wav(utt.pcm, utt.sample_rate),
            voice=speech.voice,
            spoken=sentence.spoken,
            synthesized=speech.synthesized > 0,
            seconds=round(utt.duration, 3),
        )
        if said.synthesized and key:
            info = {"voice": said.voice, "spoken": said.spoken, "seconds": said.seconds}
            listens.put(key, {"data.json": json.dumps(info).encode(), "said.wav": said.wav})
        return said

    # ----------------------------------------------------------------- builds and the feed

    def build(self, slug: str, *, voice: str | None = None) -> Job:
        """Queue a build of ``slug`` from its ``script.md`` (after any build already queued:
        two builds of one episode run one after the other)."""
        folder = self.folder(slug)
        self._source(folder, read_manifest(folder))  # one it may not read fails now, not queued
        if voice is not None:
            self.choose_voice(slug, voice)

        def work(progress: Any) -> JobOutcome:
            return self._build(slug, progress)

        return self.jobs.submit("build", slug, work)

    def _build(self, slug: str, progress: Any) -> JobOutcome:
        from articast.narrate.script_md import read_script_text
        from articast.pipeline import build_episode

        folder = self.folder(slug)
        episode = read_manifest(folder)
        source = self._source(folder, episode)
        settings = self._settings_for(slug, episode)
        path = folder / "script.md"
        with self._script_lock(slug):
            voiced = read_script_text(path)
            with self._lock:
                self._saved_during[slug] = voiced
        try:
            result = build_episode(
                source, settings, script_path=path, progress=progress, update_feed=False
            )
        finally:
            with self._script_lock(slug), self._lock:
                self._warm.clear()  # the build unloaded the voices
                latest = self._saved_during.pop(slug, voiced)
                if latest != voiced and folder.is_dir():
                    # Edited while it was built: the build published the script it voiced.
                    atomic_write_text(path, latest)
        ep = result.episode
        minutes, seconds = divmod(round(ep.duration), 60)
        return JobOutcome(
            message=(
                f"built {ep.title}: {minutes}:{seconds:02d}, voice {ep.voice}, "
                f"{ep.speech.synthesized} sentence(s) synthesised, {ep.speech.cached} cached"
            ),
            warnings=ep.warnings,
            synthesized=ep.speech.synthesized,
            cached=ep.speech.cached,
        )

    def publish(self, slug: str | None = None) -> Published:
        """Update the show's feed and index page over every built episode; whether ``slug``
        is in the feed. Run now (not queued); the build lock keeps it from racing a build."""
        from articast.outputs import publish_show

        episode = read_manifest(self.folder(slug)) if slug is not None else None
        if slug is not None and episode is None:
            raise InputError(f"{slug} is not built yet; build it before publishing")
        notes: list[str] = []
        publish_show(self.settings, notes)
        feed = self.out_dir / FEED_FILE
        guids, count = _feed_items(feed)  # (an episode's guid is kept across rebuilds)
        base = self.settings.show.base_url.strip()
        url = f"{base.rstrip('/')}/{FEED_FILE}" if base else f"/{FEED_FILE}"
        return Published(
            feed=feed,
            feed_url=url,
            episodes=count,
            in_feed=bool(episode and episode.guid in guids),
            warnings=tuple(notes),
        )

    # ----------------------------------------------------------------- files

    def file(self, slug: str, name: str) -> Path:
        """A file of the episode a page may load: one its manifest lists, a chapter picture,
        a clip's. ``InputError`` for any other name."""
        folder = self.folder(slug)
        episode = read_manifest(folder)
        listed = set(episode.files.names()) if episode else set()
        listed.add("script.md")
        if (
            name not in listed
            and not _CHAPTER_ART.fullmatch(name)
            and not CLIP_NAME.fullmatch(name)
        ):
            raise InputError(f"{slug} has no file {name!r}")
        path = folder / name
        if (
            path.is_symlink()
            or not path.is_file()
            or not path.resolve().is_relative_to(folder.resolve())
        ):
            raise InputError(f"{slug} has no file {name!r}")
        return path

    def show_file(self, name: str) -> Path:
        """The show's feed or index page."""
        if name not in (FEED_FILE, "index.html"):
            raise InputError(f"no show file {name!r}")
        path = self.out_dir / name
        if path.is_symlink() or not path.is_file():
            raise InputError(f"{name} is not made yet; publish an episode first")
        return path


def _listen_key(settings: VoiceSettings, spoken: str) -> str:
    """The listening cache's key of ``spoken`` in the voice of ``settings``: the speech
    cache's (backend, voice and its version, rate, pitch, text) under our own version; ''
    when the voice cannot be named now (``speak`` then says why, or falls back)."""
    from articast.voices.base import SynthParams
    from articast.voices.registry import get_voice
    from articast.voices.speak import cache_key

    try:
        voice = get_voice(settings.voice, settings)
        params = SynthParams(rate=settings.rate, pitch=settings.pitch)
        return content_key(LISTEN_VERSION, cache_key(voice, params, spoken))
    except ArticastError:
        return ""


def _feed_items(feed: Path) -> tuple[set[str], int]:
    """The guids in ``feed`` and how many items it has."""
    from lxml import etree

    try:
        tree = etree.parse(str(feed), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError):
        return set(), 0
    items = tree.findall(".//item")
    return {(i.findtext("guid") or "").strip() for i in items}, len(items)


def _part_of(warning: str, script: Script) -> int | None:
    """The part a warning is about: one whose title it quotes, or one of whose sentences it
    quotes a stretch of (12 characters or more)."""
    quoted = re.findall(r"['\"\u2018\u201c]([^'\"\u2019\u201d]{12,})['\"\u2019\u201d]", warning)
    for i, seg in enumerate(script.segments):
        if seg.kind == "section" and seg.title and f"'{seg.title}'" in warning:
            return i
    for q in quoted:
        probe = q.strip(" .…").lower()[:60]
        if len(probe) < 12:
            continue
        for i, seg in enumerate(script.segments):
            if any(probe in seg.form(j).display.lower() for j in range(len(seg.sentences))):
                return i
    return None
