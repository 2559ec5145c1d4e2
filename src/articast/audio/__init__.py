"""Audio stage: Speech -> Master (pydub timeline, music bed, loudness, MP3, ID3 tags, chapters).

Sits between ``voices`` and the video/publish stages on the map::

    voices -> Speech -> audio.start(...) -> AudioJob
                          .timeline   times and chapters at once (captions, pictures start)
                          .levelled() the master WAV (the video's audio)
                          .result()   episode.mp3 + chapters.json, measured -> Master

Steps, each in a private module:

1. ``_timeline``: the episode **assembled with pydub** -- intro sting, utterances, pauses,
   sections, outro sting, the music bed ducked under speech and faded in and out -- rendered
   window by window into a WAV on disk, so memory does not grow with the episode's length.
2. ``_music``: the stings, the generated seamless pad and the user's music file.
3. ``_loudness``: BS.1770 integrated loudness, 4x-oversampled true peaks and a lookahead
   limiter, iterated numerically to ``target_lufs`` under the true-peak ceiling, section by
   section (each starts on ``join_grid`` and is levelled on its own, so an edit leaves the
   other sections' samples bit for bit as they were); streamed: the mix WAV is read in
   chunks, only per-block figures are kept, and the levelled master is written chunk by chunk.
4. ``_mp3``: the 16-bit master WAV (streamed to disk), the LAME encode (louder than the
   master by the encoder's loudness shift, learnt from a 20-second excerpt of the middle
   section); the MP3 is measured with ffmpeg's ebur128 and corrected once if it misses the
   target or the true-peak limit.
5. ``_tags``: ID3v2.4 (title, show, links, cover, one CHAP per segment plus a top-level
   ordered CTOC) and Podcasting 2.0 ``chapters.json``.
6. ``_store``: a finished master kept by content, so an unchanged rebuild reuses it.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from articast import media
from articast.audio._common import (
    BED_LEVEL_DB,
    CALIBRATION_SECONDS,
    ENCODE_TOLERANCE_LU,
    LEAD_MUSIC,
    LEAD_PLAIN,
    MP3_HEADROOM,
    PRE_ENCODE_CEILING,
    TAIL_MUSIC,
    TAIL_PLAIN,
)
from articast.audio._loudness import _Leveller, integrated_loudness, limit_true_peak, true_peak_db
from articast.audio._mp3 import _encode, _encoder_shift, _excerpt_start, _write_wav_chunks
from articast.audio._music import PAD_LOOP_SECONDS, intro_sting, outro_sting, pad_bed
from articast.audio._store import load_master, master_key, store_master
from articast.audio._tags import _tag, chapters_json
from articast.audio._timeline import Timeline, WavFrames, plan, read_wav
from articast.cache import atomic_path, atomic_write_text
from articast.config import AudioSettings, ShowConfig
from articast.errors import InputError, RenderError
from articast.models import Article, Master, Speech, Talk
from articast.narrate.limits import MAX_EPISODE_SECONDS

__all__ = [
    "BED_LEVEL_DB",
    "CALIBRATION_SECONDS",
    "LEAD_MUSIC",
    "LEAD_PLAIN",
    "PAD_LOOP_SECONDS",
    "TAIL_MUSIC",
    "TAIL_PLAIN",
    "AudioJob",
    "Timeline",
    "chapters_json",
    "integrated_loudness",
    "intro_sting",
    "limit_true_peak",
    "master_audio",
    "outro_sting",
    "pad_bed",
    "read_wav",
    "start",
    "timeline",
    "true_peak_db",
]


def timeline(
    speech: Speech, talk: Talk | None, settings: AudioSettings, *, workdir: Path | None = None
) -> Timeline:
    """The episode's pydub timeline (times at once; audio rendered when asked for).

    Raises InputError for bad settings or a missing or undecodable music file.
    """
    return plan(speech, talk, settings, workdir=workdir)


class AudioJob:
    """One episode's audio, from timeline to tagged MP3 (see ``start``).

    ``timeline`` is ready when ``start`` returns. ``levelled()`` writes the master WAV (the
    video's audio) and ``result()`` encodes, measures and tags the MP3; each runs once, and
    ``result()`` may run on another thread while the video reads the WAV.
    """

    def __init__(
        self,
        speech: Speech,
        talk: Talk | None,
        article: Article,
        show: ShowConfig,
        settings: AudioSettings,
        *,
        cover: Path | None,
        out_dir: Path,
        workdir: Path,
        cache_root: Path | None,
    ) -> None:
        if not speech.segments:
            raise InputError("the script has no segments to master; check the article or script.md")
        if cover is not None and not cover.is_file():
            raise InputError(f"cover image not found: {cover}")
        out_dir.mkdir(parents=True, exist_ok=True)
        workdir.mkdir(parents=True, exist_ok=True)
        self._talk, self._article, self._show, self._settings = talk, article, show, settings
        self._cover, self._workdir, self._cache_root = cover, workdir, cache_root
        self._lock = threading.Lock()
        self._key: str | None = None
        self._done: Master | None = None
        self._draft: Master | None = None
        self._plan: Timeline | None = None
        self._level_state: tuple[_Leveller, npt.NDArray[np.float32], float, str] | None = None
        if cache_root is not None:
            self._key = master_key(speech, talk, article, show, settings, cover)
            self._done = load_master(self._key, cache_root, out_dir=out_dir, workdir=workdir)
        if self._done is not None:
            self.timeline: Master = self._done
            self._draft = self._done
            return
        self._plan = plan(speech, talk, settings, workdir=workdir)
        if self._plan.duration > MAX_EPISODE_SECONDS:
            # The estimate before voicing missed (a voice far slower than its rate): the
            # limit counts everything heard, pauses, stings and music included.
            raise InputError(
                f"the episode came out {self._plan.duration / 3600:.1f} hours long with its "
                f"pauses, over the {MAX_EPISODE_SECONDS // 3600}-hour limit; shorten the article "
                "or the [audio] pauses"
            )
        self.timeline = Master(
            mp3=out_dir / "episode.mp3",
            wav=workdir / "master.wav",
            duration=self._plan.duration,
            chapters=self._plan.chapters,
            sentences=self._plan.sentences,
            cuts=self._plan.cuts,
        )

    @property
    def cached(self) -> bool:
        """The finished master came from the cache (nothing to level or encode)."""
        return self._plan is None

    def levelled(self) -> Master:
        """Render the timeline, level it and write the 16-bit master WAV (``timeline.wav``).

        The returned Master's loudness figures are not measured yet (see ``result``).
        """
        with self._lock:
            if self._draft is None:
                self._draft = self._level()
            return self._draft

    def _level(self) -> Master:
        tl, settings, workdir = self._plan, self._settings, self._workdir
        if tl is None:  # pragma: no cover - a cached job has its draft already
            raise RenderError("nothing to level")
        mix_wav = tl.write(workdir / "mix.wav")
        try:
            frames = WavFrames(mix_wav)
        finally:
            mix_wav.unlink(missing_ok=True)  # the open file keeps the data readable
        sr = tl.sample_rate
        ceiling = min(PRE_ENCODE_CEILING, settings.true_peak - 1.0) - MP3_HEADROOM
        # Streamed: the mix is read from disk chunk by chunk, only per-block figures are kept.
        # Each section is levelled on its own (see _Leveller), so an edit leaves the others'
        # samples as they were: the video re-encodes the sound of the sections edited only.
        level = _Leveller(frames, sr, ceiling, cuts=tl.cuts)
        premaster = level.input_lufs
        if not math.isfinite(premaster):
            raise RenderError("the assembled episode is silent; check the voice output")
        bitrate = settings.mono_bitrate if tl.channels == 1 else settings.stereo_bitrate
        curve = level.curve_for(settings.target_lufs, ceiling)
        _write_wav_chunks(self.timeline.wav, level.chunks(curve), sr, tl.channels)
        self._level_state = (level, curve, ceiling, bitrate)
        return replace(self.timeline, premaster_lufs=round(premaster, 2))

    def result(self, *, background: bool = True) -> Master:
        """The finished master: episode.mp3 encoded, measured (corrected once if needed) and
        tagged, chapters.json written, and the master kept in the cache. ``background``: the
        encoder runs at a lower priority (beside a longer job: the video's pictures)."""
        draft = self.levelled()
        with self._lock:
            if self._done is None:
                self._done = self._finish(draft, background)
                if self._key is not None and self._cache_root is not None:
                    store_master(self._key, self._done, self._cache_root)
            return self._done

    def _finish(self, draft: Master, background: bool) -> Master:
        tl, settings = self._plan, self._settings
        if tl is None:  # pragma: no cover - a cached job is done already
            raise RenderError("nothing to encode")
        if self._level_state is None:  # pragma: no cover - levelled() ran first
            raise RenderError("the master was never levelled")
        level, curve, ceiling, bitrate = self._level_state
        target = settings.target_lufs
        sr = tl.sample_rate
        mp3, wav = draft.mp3, draft.wav
        # The MP3 is the master made louder by the encoder's measured shift as it is encoded
        # (the master itself, the video's sound, stays as levelled).
        shift = 0.0
        if tl.duration > 2 * CALIBRATION_SECONDS:
            shift = _encoder_shift(
                level, curve, tl.channels, bitrate, self._workdir,
                start=_excerpt_start(tl), cache_root=self._cache_root,
            )  # fmt: skip
        # The MP3's samples never pass this before encoding (the encoder overshoots a little).
        limit = min(PRE_ENCODE_CEILING, settings.true_peak - 1.0)
        with atomic_path(mp3) as tmp_mp3:
            loud: media.Loudness | None = None
            correction = 0.0
            off = over = short = 0.0
            for attempt in range(2):
                if attempt == 1:
                    # One corrected pass: the gain moves by the measured error (what the cap
                    # below did not cause). A new master with lower peaks when the encoder
                    # overshot the true-peak limit (by the overshoot and a margin) or the gain
                    # was capped (by what it lacked); the video may still read the first
                    # WAV, so it is written beside it.
                    correction += off - short
                    drop = 0.0
                    if over > -0.2:
                        limit -= over + 0.3
                        drop += over + 0.3
                    if short > _SHORT_DB:
                        drop += short + 0.1
                    if drop > 0.0:
                        ceiling -= drop
                        curve = level.curve_for(target, ceiling)
                        wav = wav.with_name("master-corrected.wav")
                        _write_wav_chunks(wav, level.chunks(curve), sr, tl.channels)
                # Never past the limit: a target the limiter cannot reach under it (a loud
                # target, a tight true peak) stays short of the target, never over the peak.
                wanted = target - level.loudness(curve) + shift + correction
                gain = min(wanted, limit - level.peak_db(curve))
                short = wanted - gain
                loud = _encode(
                    wav, tmp_mp3, tl.channels, bitrate, sr, gain_db=gain, background=background
                )
                off = target - loud.integrated_lufs
                over = loud.true_peak_dbtp - settings.true_peak
                fine = abs(off) <= ENCODE_TOLERANCE_LU and over <= 0.0 and short <= _SHORT_DB
                if attempt == 1 or fine:
                    break
            _tag(tmp_mp3, tl.chapters, self._article, self._talk, self._show, self._cover)
        atomic_write_text(
            mp3.parent / "chapters.json", json.dumps(chapters_json(tl.chapters), indent=2) + "\n"
        )
        if loud is None:  # pragma: no cover - the loop always measures
            raise RenderError("loudness was never measured")
        level.close()
        self._level_state = None
        return replace(
            draft, loudness_lufs=loud.integrated_lufs, true_peak_dbtp=loud.true_peak_dbtp
        )


_SHORT_DB = 0.1
"""A gain capped by more than this (dB) under what the target asks for is corrected once."""


def start(
    speech: Speech,
    talk: Talk | None,
    article: Article,
    show: ShowConfig,
    settings: AudioSettings,
    *,
    cover: Path | None,
    out_dir: Path,
    workdir: Path,
    cache_root: Path | None = None,
) -> AudioJob:
    """Start the episode's audio: lay out the timeline now, master it when asked.

    With ``cache_root`` a master made before from the same voiced audio, tags and settings is
    reused (``AudioJob.cached``) and the encoder calibration is cached. Writes
    ``out_dir/episode.mp3`` and ``out_dir/chapters.json`` (atomically) and the 16-bit master
    ``workdir/master.wav``. Raises InputError for bad settings, a missing cover or music file,
    RenderError when ffmpeg fails.
    """
    return AudioJob(
        speech, talk, article, show, settings,
        cover=cover, out_dir=out_dir, workdir=workdir, cache_root=cache_root,
    )  # fmt: skip


def master_audio(
    speech: Speech,
    talk: Talk | None,
    article: Article,
    show: ShowConfig,
    settings: AudioSettings,
    *,
    cover: Path | None,
    out_dir: Path,
    workdir: Path,
) -> Master:
    """The whole stage in one call, without caches: ``start(...).result()``."""
    return start(
        speech, talk, article, show, settings, cover=cover, out_dir=out_dir, workdir=workdir
    ).result()
