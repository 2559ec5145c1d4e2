"""gTTS backend: Google Translate's voice through the gTTS client (``gtts:en``, ``gtts:en-co.uk``).

Sits in the ``voices`` stage as one backend of ``voices.registry``. Needs the network: offline it
fails at once with ``BackendUnavailable`` (no file is ever written: audio stays in memory), and
``voices.speak`` may switch to the fallback voice. Online, each sentence is one gTTS call (gTTS
itself splits at 100 characters), retried with backoff on 429 and 5xx; ``speak`` runs
``max_concurrency`` sentences at a time. The MP3 is decoded to PCM with the bundled ffmpeg.
Word timings come from alignment (the service reports none).

``VoiceSettings.gtts_url`` points the client at another endpoint (a local test server, a
proxy) instead of ``https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute``.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError, SynthesisError
from articast.media import ffmpeg_exe, run_filter
from articast.net import check_url_host, lookup
from articast.voices.base import SynthParams, SynthResult, VoiceInfo

SAMPLE_RATE = 24000
"""Google's MP3s are 24 kHz mono; decoded as such."""
NATURAL_RATE = 170
"""Roughly the words per minute Google speaks at; ``rate`` is applied with ffmpeg's atempo."""
RETRIES = 4
BACKOFF = 0.5
"""First wait after a 429/5xx in seconds; doubles on each retry."""
TIMEOUT = 15.0
OFFLINE_HINT = "use an offline voice such as --voice espeak:en-us, or --fallback-voice espeak:en-us"

_NO_ROUTE = ("NameResolutionError", "Failed to resolve", "Connection refused", "unreachable")
"""Connection failures not worth a retry (no DNS, nothing listening, no route)."""
_TLD = re.compile(r"^[a-z]{2,3}(?:\.[a-z]{2,3})?$")
_LISTED = (
    ("en", "com", "English (United States)"),
    ("en", "co.uk", "English (United Kingdom)"),
    ("en", "com.au", "English (Australia)"),
    ("en", "ca", "English (Canada)"),
    ("en", "co.in", "English (India)"),
    ("en", "ie", "English (Ireland)"),
    ("en", "co.za", "English (South Africa)"),
    ("en", "com.ng", "English (Nigeria)"),
    ("fr", "com", "French"),
    ("de", "com", "German"),
    ("es", "com", "Spanish"),
    ("it", "com", "Italian"),
    ("pt", "com", "Portuguese (Portugal)"),
    ("pt", "com.br", "Portuguese (Brazil)"),
    ("nl", "com", "Dutch"),
)


@functools.cache
def _langs() -> dict[str, str]:
    from gtts.lang import tts_langs

    return dict(tts_langs())


def parse_gtts_name(name: str) -> tuple[str, str]:
    """``en`` -> (en, com); ``en-co.uk`` -> (en, co.uk); ``zh-CN`` -> (zh-CN, com)."""
    langs = _langs()
    low = (name or "en").strip()
    for lang in sorted(langs, key=len, reverse=True):
        if low.lower() == lang.lower():
            return lang, "com"
        if low.lower().startswith(lang.lower() + "-"):
            tld = low[len(lang) + 1 :].lower()
            if _TLD.match(tld):
                return lang, tld
            break
    raise InputError(
        f"unknown gTTS voice {name!r}; use gtts:LANG or gtts:LANG-TLD, e.g. gtts:en, "
        f"gtts:en-co.uk (languages: {', '.join(sorted(langs)[:12])}...; see 'articast voices')"
    )


def _spec(lang: str, tld: str) -> str:
    return f"gtts:{lang}" if tld == "com" else f"gtts:{lang}-{tld}"


@functools.cache
def _client_class() -> type[Any]:
    """gTTS with an overridable endpoint (``endpoint`` class attribute set per instance)."""
    from gtts import gTTS

    class _Client(gTTS):  # type: ignore[misc]
        endpoint = ""

        def _prepare_requests(self) -> list[Any]:
            requests = list(super()._prepare_requests())
            for r in requests:
                if self.endpoint:
                    r.prepare_url(self.endpoint, None)
                r.register_hook("response", _bounded_body)
            return requests

    return _Client


MAX_ANSWER_BYTES = 8_000_000
"""Largest answer read for one sentence (Google's are tens of KB): a service streaming a
gigabyte took 2.8 GB of memory."""
REQUEST_DEADLINE = 60.0
"""Seconds one sentence's requests may take in all: a service dripping a byte every two
seconds never tripped the per-read timeout."""


def _bounded_body(response: Any, *args: Any, **kwargs: Any) -> Any:
    """Read the answer's body here, at most ``MAX_ANSWER_BYTES`` (a ``requests`` response
    hook: it runs before the body is read, and the body read here is the one gTTS parses)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.raw.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_ANSWER_BYTES:
            response.close()
            raise BackendUnavailable(
                f"the voice service sent more than {MAX_ANSWER_BYTES // 1_000_000} MB for one "
                f"sentence ({response.url}); check [voice] gtts_url"
            )
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True
    return response


def _within(seconds: float, work: Callable[[], bytes], what: str) -> bytes:
    """``work()`` on a thread of its own, waited for ``seconds`` at most (a hung request is
    left behind on its daemon thread, its memory bounded by ``_bounded_body``)."""
    box: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            box.append((True, work()))
        except BaseException as exc:  # handed to the caller's thread
            box.append((False, exc))

    worker = threading.Thread(target=run, name="articast-gtts", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive() or not box:
        raise BackendUnavailable(
            f"no complete answer from {what} within {seconds:g} s; {OFFLINE_HINT}"
        )
    ok, value = box[0]
    if not ok:
        raise value
    return bytes(value)


def decode_mp3(data: bytes, *, tempo: float = 1.0) -> bytes:
    """MP3 bytes -> mono s16le PCM at ``SAMPLE_RATE`` (bundled ffmpeg), optionally re-timed."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "mp3",
        "-i",
        "pipe:0",
    ]
    if abs(tempo - 1.0) > 1e-3:
        cmd += ["-af", f"atempo={tempo:.4f}"]
    cmd += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1"]
    code, out, stderr = run_filter(cmd, data, timeout=120)
    if code != 0 or not out:
        err = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise SynthesisError(f"cannot decode the MP3 Google sent ({err[0]}); try again later")
    return out


_DNS: dict[str, bool] = {}
_DNS_LOCK = threading.Lock()


def _resolves(host: str, timeout: float = 1.0) -> bool:
    """Whether ``host`` resolves within ``timeout`` seconds (cached per process)."""
    with _DNS_LOCK:
        if host in _DNS:
            return _DNS[host]
    ok = bool(lookup(host, 443, timeout))
    with _DNS_LOCK:
        _DNS[host] = ok
    return ok


class GttsVoice:
    """A Google voice: a language and a Google domain (accent)."""

    max_concurrency = 3
    """Sentences requested at once by ``voices.speak``."""

    def __init__(self, name: str, settings: VoiceSettings | None = None) -> None:
        settings = settings or VoiceSettings()
        self.lang, self.tld = parse_gtts_name(name)
        self.endpoint = settings.gtts_url
        self._endpoint_checked = False
        spec = _spec(self.lang, self.tld)
        self.allow_network = settings.allow_network
        self._info = VoiceInfo(
            spec=spec,
            backend="gtts",
            language=self.lang.lower(),
            variant=self.tld,
            needs_network=True,
            available=True,
            note=f"Google Translate voice via translate.google.{self.tld}",
        )

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        return self._info

    @property
    def version(self) -> str:
        """gTTS client version plus our decoding (Google's voice itself is unversioned)."""
        import gtts

        return f"gtts {gtts.__version__} dec-1"

    def _fetch(self, text: str) -> bytes:
        from gtts import gTTSError

        if not self.allow_network:
            raise BackendUnavailable(
                f"{self._info.spec} needs the network and articast is offline; {OFFLINE_HINT}"
            )
        if self.endpoint and not self._endpoint_checked:
            # The configured endpoint may be local (a proxy, a test server), never a
            # link-local or cloud metadata address. Checked once per voice, not per sentence.
            why = check_url_host(self.endpoint, 5.0, allow_private=True)
            if why is not None:
                raise InputError(f"[voice] gtts_url {self.endpoint}: refused, {why}")
            self._endpoint_checked = True

        client = _client_class()(text, tld=self.tld, lang=self.lang, timeout=TIMEOUT)
        client.endpoint = self.endpoint
        where = self.endpoint or f"translate.google.{self.tld}"
        wait = BACKOFF
        connect_tries = 0
        for attempt in range(RETRIES + 1):
            try:
                return _within(REQUEST_DEADLINE, lambda: b"".join(client.stream()), where)
            except gTTSError as exc:
                rsp = getattr(exc, "rsp", None)
                status = getattr(rsp, "status_code", None)
                if status is None:
                    connect_tries += 1
                    cause = str(exc.__context__ or "")
                    hopeless = any(m in cause for m in _NO_ROUTE)
                    if hopeless or connect_tries >= 2:
                        raise BackendUnavailable(
                            f"{self._info.spec} needs the network: cannot reach {where}; "
                            f"{OFFLINE_HINT}"
                        ) from exc
                    time.sleep(0.2)
                    continue
                if (status == 429 or status >= 500) and attempt < RETRIES:
                    time.sleep(wait)
                    wait *= 2
                    continue
                raise BackendUnavailable(
                    f"{self._info.spec}: Google answered {status} ({exc}); try again later or "
                    f"{OFFLINE_HINT}"
                ) from exc
            except AssertionError as exc:  # gTTS asserts on empty or unspeakable text
                raise SynthesisError(f"gTTS cannot speak {text[:60]!r}: nothing to say") from exc
        raise BackendUnavailable(  # pragma: no cover - the loop always returns or raises
            f"{self._info.spec}: Google kept failing; {OFFLINE_HINT}"
        )

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """Fetch the sentence's MP3 from Google and decode it; ``rate`` re-times it."""
        tempo = 1.0
        if params.rate is not None:
            if not 80 <= params.rate <= 450:
                raise InputError(f"rate {params.rate} is out of range; use 80-450 words per minute")
            tempo = min(2.0, max(0.5, params.rate / NATURAL_RATE))
        mp3 = self._fetch(text)
        pcm = decode_mp3(mp3, tempo=tempo)
        return SynthResult(pcm=pcm, sample_rate=SAMPLE_RATE)


def list_gtts_voices(settings: VoiceSettings) -> list[VoiceInfo]:
    """The English Google voices (one per Google domain) plus a few other languages."""
    if not settings.allow_network:
        available, note = False, "offline"
    elif settings.gtts_url:
        available, note = True, "custom endpoint"
    elif _resolves("translate.google.com"):
        available, note = True, ""
    else:
        available, note = False, "no network"
    out: list[VoiceInfo] = []
    for lang, tld, label in _LISTED:
        out.append(
            VoiceInfo(
                spec=_spec(lang, tld),
                backend="gtts",
                language=lang,
                variant=tld,
                needs_network=True,
                available=available,
                note=f"{label}; {note}" if note else label,
            )
        )
    return out
