"""Word timings for voices whose engine reports none (gTTS, piper).

Sits in the ``voices`` stage, called by ``voices.speak`` per sentence. First choice: forced
alignment of the known sentence to its audio with pocketsphinx (English model inside its wheel,
16 kHz, settings from FIELD-NOTES); words missing from its dictionary get a pronunciation from
espeak-ng's phonemes mapped to ARPABET. When alignment fails, a syllable-weighted estimate spread
over the silence-delimited spans of speech.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import Any

import numpy as np

from articast.lang import KANA_HAN
from articast.models import TimingMethod, WordTiming

ALIGN_VERSION = "align-1"
"""Changes whenever alignment or estimation changes (part of speech cache keys)."""

_SR = 16000
_FRAME = 0.01
_LOCK = threading.Lock()
_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")

# IPA (as espeak-ng writes it) to the ARPABET phones of pocketsphinx's en-us model.
_IPA: dict[str, tuple[str, ...]] = {
    "tʃ": ("CH",),
    "dʒ": ("JH",),
    "eɪ": ("EY",),
    "aɪ": ("AY",),
    "aʊ": ("AW",),
    "oʊ": ("OW",),
    "əʊ": ("OW",),
    "ɔɪ": ("OY",),
    "ɪə": ("IH", "R"),
    "eə": ("EH", "R"),
    "ʊə": ("UH", "R"),
    "ɜ": ("ER",),
    "ɚ": ("ER",),
    "i": ("IY",),
    "ɪ": ("IH",),
    "ᵻ": ("IH",),
    "e": ("EH",),
    "ɛ": ("EH",),
    "æ": ("AE",),
    "a": ("AE",),
    "ɑ": ("AA",),
    "ɒ": ("AA",),
    "ɔ": ("AO",),
    "o": ("OW",),
    "ʊ": ("UH",),
    "u": ("UW",),
    "ʌ": ("AH",),
    "ə": ("AH",),
    "ɐ": ("AH",),
    "p": ("P",),
    "b": ("B",),
    "t": ("T",),
    "d": ("D",),
    "ɾ": ("T",),
    "k": ("K",),
    "g": ("G",),
    "ɡ": ("G",),
    "f": ("F",),
    "v": ("V",),
    "θ": ("TH",),
    "ð": ("DH",),
    "s": ("S",),
    "z": ("Z",),
    "ʃ": ("SH",),
    "ʒ": ("ZH",),
    "h": ("HH",),
    "x": ("K",),
    "ç": ("HH",),
    "m": ("M",),
    "n": ("N",),
    "ŋ": ("NG",),
    "l": ("L",),
    "ɫ": ("L",),
    "ɹ": ("R",),
    "r": ("R",),
    "w": ("W",),
    "j": ("Y",),
}
_IPA_KEYS = sorted(_IPA, key=len, reverse=True)
_IPA_DROP = re.compile("[ˈˌːˑ\u0329\u032f\u0361ʔ.-]")


def ipa_to_arpabet(ipa: str) -> list[str]:
    """ARPABET phones for an IPA string; unknown symbols are skipped."""
    s = _IPA_DROP.sub("", ipa.replace(" ", ""))
    out: list[str] = []
    i = 0
    while i < len(s):
        for key in _IPA_KEYS:
            if s.startswith(key, i):
                out.extend(_IPA[key])
                i += len(key)
                break
        else:
            i += 1
    return out


_SYLLABIC = re.compile(f"[{KANA_HAN}\uac00-\ud7af]")
"""Kana, Han and Hangul: about one syllable (or mora) per character."""
_VOWELS = re.compile(r"[aeiouy\u0430\u0435\u0451\u0438\u043e\u0443\u044b\u044d\u044e\u044f\u0456\u0457\u0454\u045e\u03b1\u03b5\u03b7\u03b9\u03bf\u03c5\u03c9]+")
"""Vowel letters of Latin (accents removed first), Cyrillic and Greek: one group a syllable."""


def count_syllables(word: str) -> int:
    """A rough syllable count of a word (digits count one per digit).

    English spelling rules, and vowel groups in any Latin, Cyrillic or Greek script (accents
    removed); one per kana, Han or Hangul character; other scripts about one per two letters.
    Used for plausibility checks and estimated timings, so rough is enough, but a word in
    another script must never count as nothing.
    """
    w = unicodedata.normalize("NFD", word.lower())
    w = "".join(c for c in w if not unicodedata.combining(c))
    digits = sum(c.isdigit() for c in w)
    syllabic = len(_SYLLABIC.findall(w))
    letters = "".join(c for c in _SYLLABIC.sub("", w) if c.isalpha())
    n = len(_VOWELS.findall(letters))
    if letters.endswith("e") and not letters.endswith(("le", "ee")) and n > 1:
        n -= 1
    if letters and n == 0:
        # acronyms are spelt out; abjads and other scripts: about two letters a syllable
        n = max(1, len(letters) // (3 if letters.isascii() else 2))
    n += syllabic
    return max(1, n + digits) if (letters or digits or syllabic) else 0


def _to_16k(pcm: bytes, sample_rate: int) -> bytes:
    from math import gcd

    from scipy.signal import resample_poly

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if sample_rate != _SR:
        g = gcd(_SR, sample_rate)
        x = resample_poly(x, _SR // g, sample_rate // g)
    return bytes(np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes())


@functools.cache
def _decoder() -> Any:
    from pocketsphinx import Decoder

    # Settings from FIELD-NOTES: the default beam gives no result; bestpath drops last words.
    return Decoder(
        lm=None,
        bestpath=False,
        beam=1e-300,
        pbeam=1e-300,
        wbeam=1e-300,
        dither=True,
        seed=1,
        loglevel="FATAL",
    )


def _pieces(token: str) -> list[str]:
    return _PIECE.findall(token.lower().replace("’", "'"))


def _dict_words(decoder: Any, pieces: list[str]) -> list[str]:
    """Dictionary words for ``pieces``; unknown ones are added with espeak's pronunciation."""
    from articast.voices.espeak import text_to_phonemes

    out: list[str] = []
    for piece in pieces:
        if decoder.lookup_word(piece) is None:
            phones = ipa_to_arpabet(text_to_phonemes(piece))
            if not phones:
                continue
            decoder.add_word(piece, " ".join(phones), True)
        out.append(piece)
    return out


def align_words(text: str, pcm: bytes, sample_rate: int) -> tuple[WordTiming, ...] | None:
    """Forced alignment of ``text`` to its audio; None when the aligner cannot place every word."""
    tokens = _TOKEN.findall(text)
    if not tokens or not pcm:
        return None
    total = len(pcm) / 2 / sample_rate
    audio = _to_16k(pcm, sample_rate)
    with _LOCK:
        decoder = _decoder()
        try:
            spans: list[tuple[int, int]] = []  # per token: [first, last) index into words
            words: list[str] = []
            for tok in tokens:
                first = len(words)
                words.extend(_dict_words(decoder, _pieces(tok)))
                spans.append((first, len(words)))
            if not words:
                return None
            decoder.set_align_text(" ".join(words))
            decoder.start_utt()
            decoder.process_raw(audio, full_utt=True)
            decoder.end_utt()
            result = decoder.seg()
            if result is None:  # "final result does not match the grammar"
                return None
            segs = [
                (re.sub(r"\(\d+\)$", "", s.word), s.start_frame, s.end_frame) for s in result
            ]
        except RuntimeError:
            return None
    placed = [(w, a, b) for w, a, b in segs if not w.startswith(("<", "["))]
    if [w for w, _a, _b in placed] != words:
        return None
    out: list[WordTiming] = []
    prev_end = 0.0
    for tok, (first, last) in zip(tokens, spans, strict=True):
        if first == last:  # nothing speakable (a dash): a zero-length word where we are
            out.append(WordTiming(tok, prev_end, prev_end))
            continue
        start = min(placed[first][1] * _FRAME, total)
        end = min((placed[last - 1][2] + 1) * _FRAME, total)
        out.append(WordTiming(tok, round(start, 3), round(max(end, start), 3)))
        prev_end = end
    return _snap_to_speech(tuple(out), pcm, sample_rate)


def _activity(pcm: bytes, sample_rate: int) -> np.ndarray:
    """Per 10 ms frame: True where the audio is audible."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    hop = max(1, int(sample_rate * _FRAME))
    n = len(x) // hop
    if n == 0:
        return np.zeros(0, dtype=bool)
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    result: np.ndarray = rms > max(float(rms.max()) * 0.03, 60.0)
    return result


def _snap_to_speech(
    words: tuple[WordTiming, ...], pcm: bytes, sample_rate: int
) -> tuple[WordTiming, ...]:
    """Move aligned word starts that sit in a pause forward to where speech resumes.

    The aligner sometimes starts a short word right after a pause too early (inside the
    silence); the word then really begins at the next speech onset.
    """
    active = _activity(pcm, sample_rate)
    if not len(active) or not active.any():
        return words
    out = list(words)
    for i, w in enumerate(out):
        f = int(w.start / _FRAME)
        if f >= len(active) or active[f : f + 6].any():
            continue
        nxt = np.nonzero(active[f:])[0]
        if not len(nxt):
            continue
        onset = (f + int(nxt[0])) * _FRAME
        limit = out[i + 1].start if i + 1 < len(out) else len(active) * _FRAME
        if onset >= limit - 0.03:
            continue
        end = w.end if w.end > onset + 0.03 else min(limit, onset + max(w.end - w.start, 0.05))
        out[i] = WordTiming(w.text, round(onset, 3), round(end, 3))
    return tuple(out)


def speech_spans(
    pcm: bytes, sample_rate: int, *, min_gap: float = 0.12
) -> list[tuple[float, float]]:
    """Stretches of audible speech, separated by silences of at least ``min_gap`` seconds."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    hop = max(1, int(sample_rate * _FRAME))
    n = len(x) // hop
    if n == 0:
        return []
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    threshold = max(float(rms.max()) * 0.03, 60.0)
    active = np.nonzero(rms > threshold)[0]
    if len(active) == 0:
        return []
    spans: list[list[int]] = [[int(active[0]), int(active[0]) + 1]]
    gap = round(min_gap / _FRAME)
    for f in active[1:]:
        if f - spans[-1][1] < gap:
            spans[-1][1] = int(f) + 1
        else:
            spans.append([int(f), int(f) + 1])
    return [(a * hop / sample_rate, b * hop / sample_rate) for a, b in spans if b - a >= 3]


def _group_words(durs: list[float], weights: list[float], breaks: list[bool]) -> list[int]:
    """Split words into ``len(durs)`` consecutive groups, one per speech span (dynamic program).

    The cost prefers groups whose syllable weight fits the span's length and span ends that
    fall after punctuation. Returns the index of the first word of each group.
    """
    n, m = len(weights), len(durs)
    scale = sum(durs) / (sum(weights) or 1.0)
    prefix = [0.0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    cost[0][0] = 0.0
    for s in range(1, m + 1):
        for i in range(s, n - (m - s) + 1):
            for j in range(s - 1, i):
                if cost[s - 1][j] == inf:
                    continue
                fit = (durs[s - 1] - scale * (prefix[i] - prefix[j])) / durs[s - 1]
                c = cost[s - 1][j] + fit * fit
                if s < m and not breaks[i - 1]:
                    c += 0.5
                if c < cost[s][i]:
                    cost[s][i], back[s][i] = c, j
    starts = [0] * m
    i = n
    for s in range(m, 0, -1):
        starts[s - 1] = back[s][i]
        i = back[s][i]
    return starts


def estimate_words(text: str, pcm: bytes, sample_rate: int) -> tuple[WordTiming, ...]:
    """Spread the words over the audible spans in proportion to their syllables.

    Words are first grouped per silence-delimited span (pauses go after punctuation when the
    lengths allow), then spread within each span by syllable weight.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return ()
    total = len(pcm) / 2 / sample_rate
    spans = speech_spans(pcm, sample_rate) or [(0.0, total)]
    while len(spans) > len(tokens):  # more pauses than words: close the shortest gap
        k = min(range(len(spans) - 1), key=lambda i: spans[i + 1][0] - spans[i][1])
        spans[k : k + 2] = [(spans[k][0], spans[k + 1][1])]
    weights = [count_syllables(t) + 0.5 for t in tokens]
    breaks = [bool(re.search(r"[,.;:!?)\u2014\u2013-]$", t)) for t in tokens]
    starts = _group_words([b - a for a, b in spans], weights, breaks)
    out: list[WordTiming] = []
    for s, (a, b) in enumerate(spans):
        first, last = starts[s], starts[s + 1] if s + 1 < len(starts) else len(tokens)
        group_w = sum(weights[first:last]) or 1.0
        t = a
        for k in range(first, last):
            end = t + (b - a) * weights[k] / group_w
            out.append(WordTiming(tokens[k], round(t, 3), round(min(end, b), 3)))
            t = end
    return tuple(out)


def word_timings(
    text: str, pcm: bytes, sample_rate: int
) -> tuple[tuple[WordTiming, ...], TimingMethod]:
    """Aligned timings when the aligner succeeds, else estimated ones; with the method used."""
    aligned = align_words(text, pcm, sample_rate)
    if aligned is not None:
        return aligned, "aligned"
    return estimate_words(text, pcm, sample_rate), "estimated"
