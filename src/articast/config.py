"""Settings: ``articast.toml`` plus CLI overrides, split into one small frozen dataclass per stage.

Sits beside the pipeline: ``load_settings`` reads the file once; ``cli`` applies flags with
``dataclasses.replace``; each stage receives only its own dataclass. This is the only module
that reads environment variables.
"""

from __future__ import annotations

import os
import tomllib
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from articast.errors import InputError

DEFAULT_VOICE = "espeak:en-us"
CONFIG_NAME = "articast.toml"


@dataclass(frozen=True)
class ShowConfig:
    """The show (podcast channel) the episodes belong to."""

    name: str = "Articast"
    author: str = "Articast"
    description: str = "Articles, read aloud, with a link to the talk they point at."
    language: str = "en-us"
    category: str = "Science"
    explicit: bool = False
    email: str = ""
    base_url: str = ""
    """Public URL of the output folder; empty means local preview (relative links)."""
    artwork: Path | None = None
    """Square cover image for the show; generated per episode when unset."""


@dataclass(frozen=True)
class IngestSettings:
    """How articles are read."""

    allow_network: bool = True
    """Fetch URLs and remote images (never when ``--offline``)."""
    max_bytes: int = 5_000_000
    max_words: int = 200_000
    max_image_bytes: int = 10_000_000
    max_image_pixels: int = 40_000_000
    timeout: float = 10.0
    image_dir: Path | None = None
    """Where decoded ``data:`` and downloaded images are kept; the cache's ``images`` when None."""


@dataclass(frozen=True)
class NarrateSettings:
    """How the narration script is written."""

    show_name: str = "Articast"
    disclaimer: str = ""
    """Optional line read after the intro (medical or financial topics)."""
    lexicon: Path | None = None
    """User pronunciation lexicon (TOML ``TERM = "spoken form"``) added to the shipped one."""


@dataclass(frozen=True)
class VoiceSettings:
    """Which voice speaks and how."""

    voice: str = DEFAULT_VOICE
    rate: int | None = None
    """Words per minute (backend default when None)."""
    pitch: int | None = None
    """0-99 for espeak; backend default when None."""
    fallback_voice: str | None = None
    """Voice to use when ``voice`` is unavailable (off by default)."""
    models_dir: Path = Path("models")
    """Folder of piper models (``piper:NAME``)."""
    allow_network: bool = True
    gtts_url: str = ""
    """Google TTS endpoint for ``gtts:`` voices; empty means Google itself (tests, proxies)."""


@dataclass(frozen=True)
class AudioSettings:
    """How the episode audio is assembled and encoded."""

    target_lufs: float = -16.0
    true_peak: float = -1.0
    sentence_pause: float = 0.35
    section_pause: float = 1.2
    stings: bool = True
    music: bool = False
    """Lay a music bed under the voice."""
    music_file: Path | None = None
    """User music bed; a generated pad when None."""
    duck_db: float = 18.0
    mono_bitrate: str = "96k"
    stereo_bitrate: str = "128k"
    sample_rate: int = 44100


@dataclass(frozen=True)
class VideoSettings:
    """How the video is rendered."""

    enabled: bool = True
    width: int = 1920
    height: int = 1080
    fps: int = 10
    burn_captions: bool = True
    highlight_words: bool = False
    zoom: bool = False
    motion: bool = False
    """Slow zoom and pan on section pictures (their frames are all rendered: slower)."""
    crossfade: float = 0.5
    """Seconds each slide fades in over the previous one; 0 for hard cuts."""
    preset: str = "veryfast"


@dataclass(frozen=True)
class Settings:
    """Everything one build needs."""

    show: ShowConfig = field(default_factory=ShowConfig)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    narrate: NarrateSettings = field(default_factory=NarrateSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    video: VideoSettings = field(default_factory=VideoSettings)
    out_dir: Path = Path("output")
    cache_dir: Path | None = None
    """Where caches live; ``<out_dir>/.cache`` when None."""
    offline: bool = False
    """Never touch the network (talk metadata, gTTS, remote images, URLs)."""
    config_path: Path | None = None

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


def _section(cls: type[Any], data: dict[str, Any], name: str, base: Path) -> Any:
    """Build ``cls`` from a TOML table, checking keys and value kinds; paths are made
    relative to the config file's folder."""
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(hints))
    if unknown:
        raise InputError(
            f"articast.toml: unknown key(s) in [{name}]: {', '.join(unknown)}; "
            f"known keys: {', '.join(sorted(hints))}"
        )
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        kinds = [k for k in (typing.get_args(hints[key]) or (hints[key],)) if k is not type(None)]
        where = f"articast.toml: [{name}] {key}"
        if bool in kinds:
            if not isinstance(value, bool):
                raise InputError(f"{where} must be true or false")
        elif int in kinds or float in kinds:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"{where} must be a number")
            if int in kinds and float not in kinds and not isinstance(value, int):
                raise InputError(f"{where} must be a whole number")
        elif not isinstance(value, str):
            raise InputError(f"{where} must be a string")
        elif Path in kinds:
            p = Path(value).expanduser()
            value = p if p.is_absolute() else base / p
        kwargs[key] = value
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


def load_settings(path: Path | None = None, *, use_files: bool = True) -> Settings:
    """Read settings from ``articast.toml`` (see ``find_config``); defaults when there is none.

    ``use_files=False`` ignores any config file and environment (tests, embedding).
    """
    cfg = find_config(path) if use_files else None
    data: dict[str, Any] = {}
    if cfg is not None:
        try:
            data = tomllib.loads(cfg.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{cfg}: not valid TOML ({exc}); fix the file or remove it") from exc
    base = cfg.parent if cfg is not None else Path.cwd()
    tables = {
        "show": ShowConfig,
        "ingest": IngestSettings,
        "narrate": NarrateSettings,
        "voice": VoiceSettings,
        "audio": AudioSettings,
        "video": VideoSettings,
    }
    top_keys = {"out_dir", "cache_dir", "offline"}
    unknown = sorted(set(data) - set(tables) - top_keys)
    if unknown:
        raise InputError(f"articast.toml: unknown key(s): {', '.join(unknown)}")
    parts = {name: _section(cls, dict(data.get(name, {})), name, base) for name, cls in tables.items()}
    show: ShowConfig = parts["show"]
    narrate: NarrateSettings = parts["narrate"]
    if "show_name" not in data.get("narrate", {}):
        narrate = replace(narrate, show_name=show.name)
    out_dir = Path(str(data.get("out_dir", "output")))
    if not out_dir.is_absolute():
        out_dir = base / out_dir
    cache_dir: Path | None = None
    if "cache_dir" in data:
        cache_dir = Path(str(data["cache_dir"]))
        if not cache_dir.is_absolute():
            cache_dir = base / cache_dir
    if use_files and os.environ.get("ARTICAST_CACHE_DIR"):
        cache_dir = Path(os.environ["ARTICAST_CACHE_DIR"])
    settings = Settings(
        show=show,
        ingest=parts["ingest"],
        narrate=narrate,
        voice=parts["voice"],
        audio=parts["audio"],
        video=parts["video"],
        out_dir=out_dir,
        cache_dir=cache_dir,
        config_path=cfg,
    )
    offline = bool(data.get("offline", False))
    if use_files and os.environ.get("ARTICAST_OFFLINE", "").lower() in {"1", "true", "yes"}:
        offline = True
    return settings.with_offline(offline) if offline else settings
