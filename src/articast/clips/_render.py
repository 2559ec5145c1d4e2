"""One clip's MP4 (private): the frame, the voice's waveform, karaoke captions, the end card,
and the moment's sound at the podcast's loudness, kept in the cache by what it shows and says.

One ffmpeg run composes it: the frame (a still, looped), ffmpeg's ``showwaves`` drawing the
clip's own sound, a strip of caption states (one picture per word highlighted, from
``pictures.overlay``, timed by the concat demuxer to the frame), and the end card laid over
the last ``END_CARD`` seconds; x264 (High, yuv420p) and the AAC track (48 kHz stereo, encoded
apart, its encoder delay taken off so the clip's sound at 0 s is the episode's at ``start``)
are muxed with ``+faststart`` and no edit list.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PIL import Image

from articast.cache import Cache, atomic_path, content_key
from articast.captions import make_cues
from articast.errors import RenderError
from articast.lang.base import Labels
from articast.media import ffmpeg_cmd, pipe_frames, run_ffmpeg, run_filter
from articast.models import Cue, EpisodeSentence, TimedSentence, TimedWord
from articast.pictures.style import Style

if TYPE_CHECKING:
    from articast.pictures.clip_cards import ClipFrame

_VERSION = "clips-v3"
RATE = 48000
_PRIMING = 1024
"""Samples of delay ffmpeg's AAC encoder puts before the sound (taken off the input)."""
_PREROLL = 3.0
_MP3_RATE = 44100
"""The episode MP3's sample rate (``[audio] sample_rate``)."""
FADE_IN = 0.15
FADE_OUT = 0.4


@dataclass(frozen=True)
class Look:
    """What a clip's pictures show (drawn only when the clip is not in the cache)."""

    size: tuple[int, int]
    style: Style
    show: str
    title: str
    headline: str
    art: Path | None
    """The episode's cover."""
    art_key: str
    where: str
    """Where to hear the whole episode (its page), or empty."""
    qr_url: str
    qr_label: str
    labels: Labels

    def key(self) -> str:
        return content_key(
            _VERSION, self.size, self.style.key, self.show, self.title, self.headline,
            self.art_key, self.where, self.qr_url, self.qr_label, self.labels.full_episode,
        )  # fmt: skip

    # The drawing modules are imported when a clip is drawn: a clip from the cache needs
    # none of them (``articast clips`` on an unchanged episode stays well under a second).

    @functools.cached_property
    def _art(self) -> Image.Image | None:
        """The cover, opened once for the frame and the end card."""
        from articast.pictures.imaging import load_rgb

        if self.art is None:
            return None
        with contextlib.suppress(OSError, ValueError, Image.DecompressionBombError):
            return load_rgb(self.art, what="cover")
        return None

    def frame(self) -> ClipFrame:
        from articast.pictures.cards import Ctx
        from articast.pictures.clip_cards import clip_frame

        return clip_frame(Ctx(self.size, self.style), self.show, self.title, self.headline,
                          self._art)  # fmt: skip

    def end(self) -> Image.Image:
        from articast.pictures.cards import Ctx
        from articast.pictures.clip_cards import clip_end_card

        return clip_end_card(
            Ctx(self.size, self.style), show=self.show, title=self.title, art=self._art,
            where=self.where, qr_url=self.qr_url, qr_label=self.qr_label, labels=self.labels,
        )  # fmt: skip


@dataclass(frozen=True)
class ClipJob:
    """Everything one clip shows and says (its cache key is made of these)."""

    look: Look
    fps: int
    moment: float
    """Seconds of the episode it plays."""
    end_card: float
    cues: tuple[Cue, ...]
    """Captions on the clip's clock."""
    sound_key: str
    """What identifies the moment's sound (the voice, its sentences and their timing)."""
    target_lufs: float
    true_peak: float
    chars: int = 42
    """The captions' longest line (``LINE_CHARS``)."""

    @property
    def duration(self) -> float:
        return self.moment + self.end_card

    @property
    def frames(self) -> int:
        return round(self.duration * self.fps)

    def key(self) -> str:
        cues = [(c.start, c.end, c.lines, [(w.text, w.start, w.end) for w in c.words])
                for c in self.cues]  # fmt: skip
        return content_key(
            _VERSION, self.look.key(), self.fps, self.moment, self.end_card, cues,
            self.sound_key, self.target_lufs, self.true_peak, self.chars,
        )  # fmt: skip


# --------------------------------------------------------------------------- captions


def _words(s: EpisodeSentence) -> tuple[TimedWord, ...]:
    """The sentence's shown words with their times (spread by length in an older manifest
    without them)."""
    if s.words:
        return s.words
    tokens = s.text.split()
    total = sum(len(t) + 1 for t in tokens) or 1
    out: list[TimedWord] = []
    t = s.start
    for tok in tokens:
        d = (s.end - s.start) * (len(tok) + 1) / total
        out.append(TimedWord(tok, t, t + d))
        t += d
    return tuple(out)


LINE_CHARS = {"vertical": 30, "square": 34, "landscape": 42}
"""The longest caption line of each clip shape: shorter on a narrow frame than the episode's
42, so its type is larger (about 60 pixels on a 1080-wide vertical clip, not 46)."""


def clip_cues(
    sentences: Sequence[EpisodeSentence], start: float, end: float, *, chars: int = 42
) -> tuple[Cue, ...]:
    """The captions of ``sentences`` on a clip's clock (0 s at the episode's ``start``), laid
    out by the episode's caption rules in lines of at most ``chars``, none past ``end``."""
    timed = []
    for s in sentences:
        words = tuple(
            TimedWord(w.text, round(w.start - start, 3), round(w.end - start, 3)) for w in _words(s)
        )
        timed.append(
            TimedSentence(
                s.text, round(s.start - start, 3), round(s.end - start, 3), s.segment, words
            )
        )
    limit = end - start
    out = []
    for cue in make_cues(tuple(timed), max_chars=chars):
        if cue.start >= limit:
            continue
        out.append(Cue(cue.start, min(cue.end, limit), cue.lines, cue.words))
    return tuple(out)


def _strip(job: ClipJob, base: Image.Image, workdir: Path) -> tuple[int, Path]:
    """The caption band's states as pictures and a concat list timing them to the frames;
    the band's top row and the list's path."""
    from articast.pictures.overlay import caption_layers, caption_states

    style = job.look.style
    layers = {
        lines: caption_layers(base, lines, style, chars=job.chars)
        for lines in {c.lines for c in job.cues}
    }
    top, bottom = base.height, 0
    for lay in layers.values():
        top = min(top, lay.at[1])
        bottom = max(bottom, lay.at[1] + lay.plain.height)
    if not layers:
        top, bottom = base.height - 2, base.height
    top = max(0, top // 2 * 2)
    bottom = min(base.height, (bottom + 1) // 2 * 2)
    band = base.crop((0, top, base.width, bottom))
    _, states = caption_states(job.cues, 0.0, job.duration, job.fps, highlight_words=True)
    names: dict[tuple[tuple[str, ...], int | None], str] = {}
    entries: list[str] = []
    for st in states:
        k = (st.lines, st.highlight)
        if k not in names:
            img = band.copy()
            if st.lines:
                lay = layers[st.lines]
                img.paste(lay.patch(st.highlight), (lay.at[0], lay.at[1] - top))
            names[k] = f"cap{len(names):04d}.bmp"
            img.save(workdir / names[k])
        entries.append(f"file '{names[k]}'\nduration {(st.last - st.first) / job.fps:.6f}")
    # The concat demuxer gives the last file no duration unless it is listed again.
    entries.append(entries[-1].split("\n")[0])
    listing = workdir / "captions.txt"
    listing.write_text("ffconcat version 1.0\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return top, listing


# --------------------------------------------------------------------------- sound


def moment_sound(
    mp3: Path, start: float, length: float, end_card: float, *, target_lufs: float, true_peak: float
) -> npt.NDArray[np.float32]:
    """The episode's sound from ``start`` for ``length`` seconds (48 kHz stereo), levelled to
    ``target_lufs`` under ``true_peak``, faded in and out, then ``end_card`` seconds of quiet."""  # fmt: skip
    # Seek the file to a few seconds before (on its own sample grid: a constant-bitrate MP3
    # seeks exactly, and the decoder has settled by the moment), then cut exactly: a moment
    # late in a long episode is not decoded from the start.
    near = math.floor(max(0.0, start - _PREROLL) * _MP3_RATE) / _MP3_RATE
    cmd = ffmpeg_cmd(
        ["-ss", f"{near:.6f}", "-i", str(mp3), "-ss", f"{start - near:.6f}",
         "-t", f"{length:.6f}", "-map", "0:a:0", "-ac", "2", "-ar", str(RATE), "-f", "f32le",
         "-"]
    )  # fmt: skip
    code, out, err = run_filter(cmd, b"", timeout=300)
    if code != 0:
        raise RenderError(
            f"reading the sound of {mp3.name}: ffmpeg failed (exit {code})",
            command=cmd,
            stderr=err.decode("utf-8", "replace"),
        )
    # Here, not at the top: scipy's signal module takes a second to import, and a clip from
    # the cache needs none of it.
    from articast.audio import integrated_loudness, limit_true_peak, true_peak_db

    x = np.frombuffer(out, dtype=np.float32).reshape(-1, 2).copy()
    want = round(length * RATE)
    if len(x) < want:
        x = np.vstack([x, np.zeros((want - len(x), 2), dtype=np.float32)])
    x = x[:want]
    if len(x) >= RATE // 2:
        loud = integrated_loudness(x, RATE)
        if np.isfinite(loud):
            gain = float(np.clip(target_lufs - loud, -12.0, 12.0))
            if abs(gain) > 0.05 or true_peak_db(x, RATE) > true_peak:
                x = limit_true_peak(x, RATE, true_peak, gain)
    fade_in, fade_out = round(FADE_IN * RATE), round(FADE_OUT * RATE)
    ramp = np.linspace(0.0, 1.0, max(1, fade_in), dtype=np.float32)
    x[: len(ramp)] *= ramp[: len(x), None]
    down = np.linspace(1.0, 0.0, max(1, fade_out), dtype=np.float32)
    x[len(x) - len(down[: len(x)]) :] *= down[-len(x) :, None]
    quiet = np.zeros((round(end_card * RATE), 2), dtype=np.float32)
    return np.ascontiguousarray(np.vstack([x, quiet]))


def _encode_aac(sound: npt.NDArray[np.float32], dest: Path) -> None:
    """AAC-LC 48 kHz stereo (ADTS): the encoder's delay taken off the front, so the decoded
    sound at 0 s is ``sound``'s (its first 21 ms, faded silence, become the delay)."""
    cmd = ffmpeg_cmd(
        ["-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "-", "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k",
         "-ar", str(RATE), "-ac", "2", "-f", "adts", str(dest)]
    )  # fmt: skip
    body = np.vstack([sound[_PRIMING:], np.zeros((_PRIMING, sound.shape[1]), np.float32)])
    pipe_frames(cmd, [body.tobytes()], "encoding a clip's sound")


# --------------------------------------------------------------------------- video


def _hex(rgb: tuple[int, int, int]) -> str:
    return "0x{:02X}{:02X}{:02X}".format(*rgb)


def render_clip(job: ClipJob, sound: npt.NDArray[np.float32], dest: Path, workdir: Path) -> None:
    """Write the clip ``job`` with ``sound`` (``moment_sound``) to ``dest``."""
    workdir.mkdir(parents=True, exist_ok=True)
    frame_png, end_png = workdir / "frame.png", workdir / "end.png"
    frame = job.look.frame()
    frame.image.save(frame_png, compress_level=1)
    job.look.end().save(end_png, compress_level=1)
    pcm = workdir / "sound.f32"
    pcm.write_bytes(sound.tobytes())
    adts = workdir / "sound.aac"
    _encode_aac(sound, adts)
    top, listing = _strip(job, frame.image, workdir)
    wx, wy, ww, wh = frame.wave
    fps, n = job.fps, job.frames
    colour = _hex(job.look.style.accent)
    graph = (
        f"[0:v]format=yuv420p,loop=loop={n - 1}:size=1:start=0,setpts=N/{fps}/TB[bg];"
        f"[2:a]atrim=end={job.moment:.6f},"
        f"showwaves=s={ww}x{wh}:mode=cline:rate={fps}:colors={colour}:scale=sqrt:draw=full,"
        f"format=yuva420p[wave];"
        f"[bg][wave]overlay={wx}:{wy}:eof_action=pass:format=yuv420[a];"
        f"[1:v]format=yuv420p[cap];"
        f"[a][cap]overlay=0:{top}:eof_action=repeat:format=yuv420[b];"
        f"[3:v]format=yuv420p[end];"
        f"[b][end]overlay=0:0:enable='gte(t,{job.moment:.6f})':format=yuv420,"
        f"format=yuv420p[v]"
    )
    with atomic_path(dest) as tmp:
        run_ffmpeg(
            ["-loglevel", "error",
             "-framerate", str(fps), "-i", str(frame_png),
             "-f", "concat", "-safe", "0", "-i", str(listing),
             "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", str(pcm),
             "-framerate", str(fps), "-i", str(end_png),
             "-i", str(adts),
             "-filter_complex", graph, "-map", "[v]", "-map", "4:a:0",
             "-frames:v", str(n), "-t", f"{job.duration:.6f}",
             "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-crf", "21",
             "-maxrate", "8M", "-bufsize", "16M", "-g", str(2 * fps), "-bf", "0", "-pix_fmt", "yuv420p",
             "-c:a", "copy", "-movflags", "+faststart", "-use_editlist", "0",
             "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
             "-video_track_timescale", str(fps * 1000), "-f", "mp4", str(tmp)],
            what="rendering a clip",
        )  # fmt: skip


POSTER_AT = 3.0
"""Seconds into a clip of the picture its player shows before it plays (the key point, the
waveform and the first caption are up)."""


def cached_clip(job: ClipJob, cache: Cache) -> Path | None:
    """The folder of the clip ``job`` in the cache (``clip.mp4``, ``poster.jpg``), or None."""
    hit = cache.path(job.key(), "poster.jpg")
    return hit.parent if hit is not None else None


def store_clip(job: ClipJob, cache: Cache, made: Path) -> Path:
    """Keep the clip at ``made`` and its poster in the cache; the entry's folder."""
    poster = made.with_suffix(".jpg")
    at = min(POSTER_AT, job.moment / 2)
    run_ffmpeg(
        ["-loglevel", "error", "-ss", f"{at:.3f}", "-i", str(made), "-frames:v", "1",
         "-vf", "scale='min(720,iw)':-2", "-q:v", "4", str(poster)],
        what="a clip's poster",
    )  # fmt: skip
    return cache.put(job.key(), {}, copies={"clip.mp4": made, "poster.jpg": poster})
