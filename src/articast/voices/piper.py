"""piper backend: local neural voices (``piper:NAME`` from the models folder, or ``piper:/x.onnx``).

Sits in the ``voices`` stage as one backend of ``voices.registry``. piper-tts is an optional
extra (``pip install 'articast[piper]'``); without it piper voices are listed as unavailable.
A voice is an ONNX model plus its ``.onnx.json`` config. ``install_piper_voice`` downloads one
from the piper voices repository (Hugging Face ``rhasspy/piper-voices``), checking the size and
MD5 that the repository's ``voices.json`` lists. Word timings come from alignment.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from articast.cache import atomic_write_bytes
from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError, SynthesisError
from articast.voices.base import SynthParams, SynthResult, VoiceInfo

PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
"""Base URL of the piper voices repository (``voices.json`` and the model files)."""
DEFAULT_RATE = 175
"""Words per minute taken as a model's natural speed when ``rate`` is set."""
SUGGESTED = (
    "en_US-lessac-medium",
    "en_US-amy-medium",
    "en_GB-alan-medium",
    "de_DE-thorsten-medium",
    "fr_FR-siwis-medium",
    "es_ES-davefx-medium",
    "it_IT-riccardo-x_low",
    "pt_BR-faber-medium",
    "nl_BE-nathalie-medium",
)
INSTALL_HINT = "pip install 'articast[piper]'"

_NAME = re.compile(
    r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<voice>\w+)"
    r"-(?P<quality>x_low|low|medium|high)$"
)
_LOCK = threading.Lock()


def _piper_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def model_path(name: str, models_dir: Path) -> Path:
    """The model file for ``piper:NAME`` or ``piper:/path/model.onnx``."""
    if not name:
        raise InputError("piper voice needs a name: piper:NAME or piper:/path/to/model.onnx")
    p = Path(name).expanduser()
    if p.suffix == ".onnx" or "/" in name:
        return p
    return models_dir / f"{name}.onnx"


@functools.cache
def _file_digest(path: Path, size: int, mtime: float) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.cache
def _load(path: Path, mtime: float) -> Any:
    from piper import PiperVoice as _Piper

    return _Piper.load(str(path), config_path=f"{path}.json")


class PiperVoice:
    """A piper ONNX voice."""

    def __init__(self, name: str, settings: VoiceSettings | None = None) -> None:
        settings = settings or VoiceSettings()
        path = model_path(name, settings.models_dir)
        spec = f"piper:{name}"
        if not path.is_file() or not Path(f"{path}.json").is_file():
            hint = (
                f"run 'articast voices --install piper:{name}'"
                if _NAME.match(name)
                else "give the path of a .onnx model that has its .onnx.json beside it"
            )
            raise BackendUnavailable(f"{spec}: no model at {path} (or its .json config); {hint}")
        if not _piper_available():
            raise BackendUnavailable(f"{spec} needs the piper extra; {INSTALL_HINT}")
        try:
            config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{spec}: unreadable config {path}.json ({exc})") from exc
        self.path = path
        language = str(
            config.get("language", {}).get("code") or config.get("espeak", {}).get("voice") or ""
        )
        self._info = VoiceInfo(
            spec=spec,
            backend="piper",
            language=language.lower().replace("_", "-"),
            variant=str(config.get("dataset") or path.stem),
            needs_network=False,
            available=True,
            note=f"piper model {path.name}",
        )
        stat = path.stat()
        self._version = f"piper model {_file_digest(path, stat.st_size, stat.st_mtime)[:16]}"

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        return self._info

    @property
    def version(self) -> str:
        """The model's content hash (a retrained model is a new voice)."""
        return self._version

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """Run the model on ``text``; ``rate`` sets piper's length scale."""
        from piper import SynthesisConfig

        syn = SynthesisConfig()
        if params.rate is not None:
            if not 80 <= params.rate <= 450:
                raise InputError(f"rate {params.rate} is out of range; use 80-450 words per minute")
            syn = SynthesisConfig(length_scale=DEFAULT_RATE / params.rate)
        try:
            with _LOCK:
                voice = _load(self.path, self.path.stat().st_mtime)
                chunks = list(voice.synthesize(text, syn_config=syn))
        except (OSError, ValueError, RuntimeError) as exc:
            raise SynthesisError(
                f"{self._info.spec} failed on {text[:60]!r}: {exc}; check the model"
            ) from exc
        if not chunks:
            raise SynthesisError(f"{self._info.spec} produced no audio for {text[:60]!r}")
        rate = int(chunks[0].sample_rate)
        pcm = b"".join(bytes(c.audio_int16_bytes) for c in chunks)
        return SynthResult(pcm=pcm, sample_rate=rate)


def list_piper_voices(settings: VoiceSettings) -> list[VoiceInfo]:
    """Installed piper models in the models folder, or installable suggestions."""
    ok = _piper_available()
    out: list[VoiceInfo] = []
    folder = settings.models_dir
    models = sorted(folder.glob("*.onnx")) if folder.is_dir() else []
    for path in models:
        if not Path(f"{path}.json").is_file():
            continue
        m = _NAME.match(path.stem)
        lang = f"{m['family']}-{m['region']}".lower() if m else ""
        out.append(
            VoiceInfo(
                spec=f"piper:{path.stem}",
                backend="piper",
                language=lang,
                variant=m["voice"] if m else path.stem,
                available=ok,
                note="installed" if ok else f"needs {INSTALL_HINT}",
            )
        )
    installed = {v.spec for v in out}
    for name in SUGGESTED:
        if f"piper:{name}" in installed:
            continue
        m = _NAME.match(name)
        if m is None:  # pragma: no cover - our own constants match
            continue
        out.append(
            VoiceInfo(
                spec=f"piper:{name}",
                backend="piper",
                language=f"{m['family']}-{m['region']}".lower(),
                variant=m["voice"],
                available=False,
                note="not installed (articast voices --install)",
            )
        )
    return out


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bytes(resp.read())
    except urllib.error.HTTPError as exc:
        raise BackendUnavailable(f"download failed: {url} answered {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendUnavailable(
            f"cannot download piper voices: {url} is not reachable ({reason}); "
            "connect to the network or copy the .onnx and .onnx.json into the models folder"
        ) from exc


def install_piper_voice(
    name: str,
    models_dir: Path,
    base_url: str = PIPER_VOICES_URL,
    *,
    timeout: float = 60.0,
) -> Path:
    """Download voice ``name`` (model + config) into ``models_dir``; returns the model path.

    Sizes and MD5 digests come from the repository's ``voices.json``; a mismatch leaves nothing
    behind and raises BackendUnavailable, as does an unreachable repository (at once offline).
    """
    name = name.removeprefix("piper:").strip()
    if not _NAME.match(name):
        raise InputError(
            f"piper voice names look like en_US-lessac-medium (language_REGION-name-quality), "
            f"not {name!r}"
        )
    base = base_url.rstrip("/")
    try:
        catalog = json.loads(_fetch(f"{base}/voices.json", timeout))
    except ValueError as exc:
        raise BackendUnavailable(f"{base}/voices.json is not valid JSON ({exc})") from exc
    entry = catalog.get(name) if isinstance(catalog, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        raise InputError(f"unknown piper voice {name!r}; see {base}/voices.json for the list")
    wanted = {
        rel: meta for rel, meta in entry["files"].items() if rel.endswith((".onnx", ".onnx.json"))
    }
    if not any(rel.endswith(".onnx") for rel in wanted):
        raise BackendUnavailable(f"{name}: voices.json lists no .onnx model for it")
    blobs: dict[Path, bytes] = {}
    for rel, meta in wanted.items():
        data = _fetch(f"{base}/{rel}", timeout)
        size = meta.get("size_bytes")
        md5 = meta.get("md5_digest")
        if (size is not None and len(data) != int(size)) or (
            md5 and hashlib.md5(data, usedforsecurity=False).hexdigest() != md5
        ):
            raise BackendUnavailable(
                f"{name}: {rel} failed its checksum (got {len(data)} bytes); "
                "nothing was installed, try again"
            )
        target = models_dir / (f"{name}.onnx.json" if rel.endswith(".json") else f"{name}.onnx")
        blobs[target] = data
    for target, data in sorted(blobs.items(), key=lambda kv: kv[0].suffix != ".json"):
        atomic_write_bytes(target, data)  # config first: a model never sits without it
    return models_dir / f"{name}.onnx"
