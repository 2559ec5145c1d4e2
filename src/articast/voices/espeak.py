"""espeak-ng backend: the offline default voice, via ctypes on the library espeakng-loader ships.

Sits in the ``voices`` stage as one backend of ``voices.registry``. The engine is process-wide
state, so every call takes ``_LOCK`` and sets voice, rate and pitch again. Word timings come from
the engine's WORD events, mapped to our whitespace words by character offset (espeak merges short
unstressed words into the next and splits some tokens, so events are not words).
"""

from __future__ import annotations

import ctypes
import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from articast.errors import BackendUnavailable, InputError, SynthesisError
from articast.models import WordTiming
from articast.voices.base import SynthParams, SynthResult, VoiceInfo

SAMPLE_RATE = 22050
DEFAULT_RATE = 175
"""espeak's default speed, words per minute."""
DEFAULT_PITCH = 50
MIN_RATE, MAX_RATE = 80, 450

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_OK = 0
_PHONEMES_IPA = 0x02

_LOCK = threading.RLock()
"""Serialises every use of the process-wide engine."""


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _VoiceStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class _EngineVoice:
    """One voice file as the engine lists it."""

    name: str
    identifier: str
    languages: tuple[tuple[int, str], ...]
    """(priority, lower-case language code); lower priority number is a better match."""
    gender: int


class _Engine:
    """The loaded library plus the state of the current synthesis."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise BackendUnavailable(
                "espeak-ng is not installed; run 'pip install espeakng-loader'"
            ) from exc
        self.data_path = Path(espeakng_loader.get_data_path())
        try:
            lib = ctypes.CDLL(str(espeakng_loader.get_library_path()))
        except OSError as exc:
            raise BackendUnavailable(
                f"cannot load libespeak-ng ({exc}); reinstall espeakng-loader"
            ) from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data_path).encode(), _INITIALIZE_DONT_EXIT
        )
        if rate != SAMPLE_RATE:
            raise BackendUnavailable(
                f"espeak-ng failed to start (returned {rate}); reinstall espeakng-loader"
            )
        self.lib = lib
        self.version = (lib.espeak_Info(None) or b"?").decode("ascii", "replace")
        self._chunks: list[bytes] = []
        self._events: list[tuple[int, int, int]] = []
        self._callback = _SynthCallback(self._on_synth)  # keep a reference: C holds it
        lib.espeak_SetSynthCallback(self._callback)
        self.voices = self._list()
        self.variants = frozenset(
            p.name for p in (self.data_path / "voices" / "!v").iterdir() if p.is_file()
        )

    def _on_synth(
        self,
        wav: ctypes._Pointer[ctypes.c_short],
        numsamples: int,
        events: ctypes._Pointer[_Event],
    ) -> int:
        if numsamples > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))  # copy: buffer is reused
        i = 0
        while True:
            ev = events[i]
            if ev.type == _EVENT_LIST_TERMINATED:
                break
            if ev.type == _EVENT_WORD:
                self._events.append((ev.text_position, ev.length, ev.audio_position))
            i += 1
        return 0

    def _list(self) -> tuple[_EngineVoice, ...]:
        arr = self.lib.espeak_ListVoices(None)
        out: list[_EngineVoice] = []
        i = 0
        while arr[i]:
            v = arr[i].contents
            langs: list[tuple[int, str]] = []
            p = v.languages
            while p:
                prio = ctypes.c_ubyte.from_address(p).value
                if prio == 0:
                    break
                s = ctypes.string_at(p + 1)
                langs.append((prio, s.decode("utf-8", "replace").lower()))
                p += 2 + len(s)
            out.append(
                _EngineVoice(
                    name=(v.name or b"").decode("utf-8", "replace"),
                    identifier=(v.identifier or b"").decode("utf-8", "replace"),
                    languages=tuple(langs),
                    gender=int(v.gender),
                )
            )
            i += 1
        return tuple(out)

    def resolve(self, base: str) -> _EngineVoice | None:
        """The voice file that best speaks language ``base`` (or has that file name)."""
        key = base.lower()
        best: tuple[int, _EngineVoice] | None = None
        for v in self.voices:
            if v.identifier.rsplit("/", 1)[-1].lower() == key:
                return v
            for prio, lang in v.languages:
                if lang == key and (best is None or prio < best[0]):
                    best = (prio, v)
        return best[1] if best else None

    def synth(
        self, voice_id: str, text: str, rate: int, pitch: int
    ) -> tuple[bytes, list[tuple[int, int, int]]]:
        """PCM and raw WORD events ``(text_position, length, audio_ms)`` for ``text``."""
        if self.lib.espeak_SetVoiceByName(voice_id.encode()) != _EE_OK:
            raise SynthesisError(f"espeak-ng rejected voice {voice_id!r}; see 'articast voices'")
        self.lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        buf = ctypes.create_string_buffer(data, len(data))
        err = self.lib.espeak_Synth(buf, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if err != _EE_OK:
            raise SynthesisError(f"espeak-ng failed to speak (error {err}): {text[:60]!r}")
        pcm, events = b"".join(self._chunks), self._events
        self._chunks, self._events = [], []
        return pcm, events


    def phonemes(self, voice_id: str, text: str) -> str:
        """IPA phonemes of ``text`` as voice ``voice_id`` would say it (words split by spaces)."""
        if self.lib.espeak_SetVoiceByName(voice_id.encode()) != _EE_OK:
            raise SynthesisError(f"espeak-ng rejected voice {voice_id!r}; see 'articast voices'")
        data = text.encode("utf-8") + b"\0"
        buf = ctypes.create_string_buffer(data, len(data))
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        parts: list[str] = []
        while ptr.value:
            out = self.lib.espeak_TextToPhonemes(ctypes.byref(ptr), _CHARS_UTF8, _PHONEMES_IPA)
            if out:
                parts.append(out.decode("utf-8", "replace"))
            if not out and ptr.value:
                break
        return " ".join(p for p in parts if p.strip())


_ENGINE: list[_Engine] = []


def _engine() -> _Engine:
    """The one engine of the process (initialised once, even when threads race here)."""
    if _ENGINE:
        return _ENGINE[0]
    with _LOCK:
        if not _ENGINE:
            _ENGINE.append(_Engine())
        return _ENGINE[0]


_WORD = re.compile(r"\S+")


def _speech_end(samples: np.ndarray, start: int, stop: int, threshold: float = 300.0) -> int:
    """Index just after the last sample in ``[start, stop)`` louder than ``threshold``."""
    seg = np.abs(samples[start:stop].astype(np.int32))
    loud = np.nonzero(seg > threshold)[0]
    return start + int(loud[-1]) + 1 if len(loud) else start


def map_word_events(
    text: str, events: list[tuple[int, int, int]], pcm: bytes, sample_rate: int
) -> tuple[WordTiming, ...]:
    """Map espeak WORD events (1-based character position, length, ms) to whitespace words.

    Each whitespace word starts at the first event that falls inside it; words without an event
    (merged into a neighbour) share their neighbours' span by character count. A word ends where
    the audio goes quiet before the next word starts.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    if not tokens:
        return ()
    samples = np.frombuffer(pcm, dtype="<i2")
    total = len(samples) / sample_rate
    starts: list[float | None] = [None] * len(tokens)
    ti = 0
    for pos, _length, ms in sorted(events, key=lambda e: (e[0], e[2])):
        p = pos - 1
        while ti < len(tokens) - 1 and p >= tokens[ti][1]:
            ti += 1
        t = min(max(ms / 1000.0, 0.0), total)
        if starts[ti] is None:
            starts[ti] = t
    # Monotonic, then fill gaps by interpolating on character counts.
    last = 0.0
    for i, s in enumerate(starts):
        if s is not None:
            s = max(s, last)
            starts[i] = s
            last = s
    known = [i for i, s in enumerate(starts) if s is not None]
    if not known:
        # No events at all: spread over the audio by characters.
        starts[0] = 0.0
        known = [0]
    filled: list[float] = [0.0] * len(tokens)
    for i in known:
        filled[i] = float(starts[i])  # type: ignore[arg-type]
    anchors = [*known, len(tokens)]
    if known[0] > 0:
        # Words before the first event: squeeze them in before it.
        first = known[0]
        span = filled[first]
        chars = sum(len(tokens[j][2]) for j in range(first)) or 1
        acc = 0
        for j in range(first):
            filled[j] = span * acc / chars
            acc += len(tokens[j][2])
    for a, b in itertools.pairwise(anchors):
        if b - a <= 1:
            continue
        end_t = (
            filled[b] if b < len(tokens) else _speech_end(samples, 0, len(samples)) / sample_rate
        )
        chars = sum(len(tokens[j][2]) for j in range(a, b)) or 1
        acc = len(tokens[a][2])
        for j in range(a + 1, b):
            filled[j] = filled[a] + (end_t - filled[a]) * acc / chars
            acc += len(tokens[j][2])
    out: list[WordTiming] = []
    for i, (_s, _e, word) in enumerate(tokens):
        start = filled[i]
        nxt = filled[i + 1] if i + 1 < len(tokens) else total
        a, b = round(start * sample_rate), round(nxt * sample_rate)
        end_idx = _speech_end(samples, a, b)
        end = end_idx / sample_rate
        if end <= start:
            end = min(nxt, start + 0.05) if nxt > start else start
        out.append(WordTiming(word, round(start, 3), round(max(end, start), 3)))
    return tuple(out)


_SPELLED_RUN = re.compile(r"(?<![\w.])[A-Z](?: [A-Z](?![\w]))+")


def engine_text(text: str) -> str:
    """The text as espeak should read it, with every character at the same offset.

    A spelled-out initialism ("N M D A") is read letter by letter except a lone "A", which
    espeak takes for the article ("uh"); joined by dots ("N.M.D.A") every letter is named.
    Same length, so WORD event positions still index ``text``.
    """
    return _SPELLED_RUN.sub(lambda m: m.group().replace(" ", "."), text)


def _split_name(name: str) -> tuple[str, str]:
    base, _, variant = name.partition("+")
    return base.strip(), variant.strip()


class EspeakVoice:
    """An espeak-ng voice: ``en-us``, ``en-us+f3``, ``en-gb-x-rp``, ``en-gb``..."""

    def __init__(self, name: str) -> None:
        base, variant = _split_name(name or "en-us")
        eng = _engine()
        voice = eng.resolve(base)
        if voice is None:
            english = sorted(
                {lang for v in eng.voices for _p, lang in v.languages if lang.startswith("en")}
            )
            raise InputError(
                f"unknown espeak voice {base!r}; choose a language such as "
                f"{', '.join(english)} (see 'articast voices')"
            )
        if variant and variant not in eng.variants:
            sample = ", ".join(sorted(v for v in eng.variants if re.fullmatch(r"[fm]\d", v)))
            raise InputError(
                f"unknown espeak variant {variant!r} in 'espeak:{name}'; choose one of "
                f"{sample} or another name listed by 'articast voices'"
            )
        self._base = base
        self._variant = variant
        file_name = voice.identifier.rsplit("/", 1)[-1]
        self._voice_id = f"{file_name}+{variant}" if variant else file_name
        spec = f"espeak:{base}+{variant}" if variant else f"espeak:{base}"
        self._info = VoiceInfo(
            spec=spec,
            backend="espeak",
            language=base.lower(),
            variant=variant,
            needs_network=False,
            available=True,
            note=voice.name,
        )

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        return self._info

    @property
    def version(self) -> str:
        """The engine version (espeak_Info) plus our mapping version."""
        return f"espeak-ng {_engine().version} map-1"

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """Speak ``text``; word timings come from the engine's WORD events."""
        rate = params.rate if params.rate is not None else DEFAULT_RATE
        pitch = params.pitch if params.pitch is not None else DEFAULT_PITCH
        if not MIN_RATE <= rate <= MAX_RATE:
            raise InputError(
                f"rate {rate} is out of range; use {MIN_RATE}-{MAX_RATE} words per minute"
            )
        if not 0 <= pitch <= 99:
            raise InputError(f"pitch {pitch} is out of range; use 0-99")
        eng = _engine()
        with _LOCK:
            pcm, events = eng.synth(self._voice_id, engine_text(text), rate, pitch)
        if not pcm:
            raise SynthesisError(
                f"espeak-ng produced no audio for {text[:60]!r} with voice {self._info.spec}"
            )
        words = map_word_events(text, events, pcm, SAMPLE_RATE)
        return SynthResult(pcm=pcm, sample_rate=SAMPLE_RATE, words=words)


def text_to_phonemes(text: str, language: str = "en-us") -> str:
    """IPA phonemes of ``text`` in ``language`` (for aligner pronunciations of unknown words)."""
    eng = _engine()
    voice = eng.resolve(language) or eng.resolve("en-us")
    if voice is None:  # pragma: no cover - en-us ships with the library
        raise BackendUnavailable("espeak-ng has no English voice; reinstall espeakng-loader")
    with _LOCK:
        return eng.phonemes(voice.identifier.rsplit("/", 1)[-1], text)


_LISTED_ENGLISH = (
    "en-us",
    "en-gb",
    "en-gb-x-rp",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
_LISTED_VARIANTS = ("f1", "f2", "f3", "f4", "m1", "m3", "m7", "klatt", "whisper")


def list_espeak_voices() -> list[VoiceInfo]:
    """English espeak voices (accents, then en-us/en-gb variants), then one voice for every
    other language espeak-ng speaks; all offline."""
    try:
        eng = _engine()
    except BackendUnavailable as exc:
        return [
            VoiceInfo(
                spec="espeak:en-us",
                backend="espeak",
                language="en-us",
                available=False,
                note=str(exc),
            )
        ]
    out: list[VoiceInfo] = []
    for lang in _LISTED_ENGLISH:
        v = eng.resolve(lang)
        if v is None:
            continue
        out.append(VoiceInfo(spec=f"espeak:{lang}", backend="espeak", language=lang, note=v.name))
    for base in ("en-us", "en-gb"):
        for var in _LISTED_VARIANTS:
            if var in eng.variants:
                out.append(
                    VoiceInfo(
                        spec=f"espeak:{base}+{var}",
                        backend="espeak",
                        language=base,
                        variant=var,
                        note=_variant_note(var),
                    )
                )
    listed = {v.language for v in out}
    others: dict[str, str] = {}
    for v in eng.voices:
        for prio, lang in v.languages:
            if prio <= 5 and lang not in listed and not lang.startswith("en"):
                others.setdefault(lang, v.name)
    for lang in sorted(others):
        out.append(VoiceInfo(spec=f"espeak:{lang}", backend="espeak", language=lang, note=others[lang]))
    return out


def _variant_note(var: str) -> str:
    if re.fullmatch(r"f\d", var):
        return "female variant"
    if re.fullmatch(r"m\d", var):
        return "male variant"
    return f"{var} variant"
