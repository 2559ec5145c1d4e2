"""An edit re-levels and re-encodes only the sections it changed (real levelling, real AAC).

Sections start on the join grid and are levelled apart, so a section an edit left alone is the
same samples, bit for bit, wherever it now sits; the video's AAC track is encoded in pieces
kept by those samples, so only the edited section's piece is encoded again, and the spliced
track is the one a build from an empty cache makes.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from articast.audio._common import join_grid
from articast.cache import Cache
from articast.config import AudioSettings
from articast.models import Master
from articast.video._aac import _adts_frames, start_audio
from articast.voices import get_voice
from test_audio import SEGMENTS, make_speech, master_of

EDITED = list(SEGMENTS)
EDITED[2] = (
    EDITED[2][0],
    EDITED[2][1],
    (
        "Place cells fire again at night, in the same order as by day.",
        "Roughly twenty times faster.",
    ),
    EDITED[2][3],
)  # the second section: longer, so everything after it moves


def _master(root: Path, segments=SEGMENTS) -> Master:  # type: ignore[no-untyped-def]
    return master_of(make_speech(get_voice("fake:tone"), segments), root)


def _samples(master: Master) -> np.ndarray:
    with wave.open(str(master.wav)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Master, Master]:
    root = tmp_path_factory.mktemp("pieces")
    return _master(root / "a"), _master(root / "b", EDITED)


def test_sections_start_on_the_join_grid(pair: tuple[Master, Master]) -> None:
    before, after = pair
    grid = join_grid(44100)
    assert len(before.cuts) == len(SEGMENTS) - 1
    for master in pair:
        firsts = {}
        for s in master.sentences:
            firsts.setdefault(s.segment_index, s.start)
        for i, cut in enumerate(master.cuts, start=1):
            assert cut % grid == 0
            assert round(firsts[i] * 44100) == cut + grid  # one step before the first word
    # The edit lengthened the second section: the sections after it moved by whole steps.
    assert before.cuts[:2] == after.cuts[:2]
    moved = after.cuts[2] - before.cuts[2]
    assert moved > 0 and moved % grid == 0
    assert after.cuts[2:] == tuple(c + moved for c in before.cuts[2:])


def test_unchanged_sections_are_levelled_to_the_same_bits(pair: tuple[Master, Master]) -> None:
    before, after = pair
    x, y = _samples(before), _samples(after)
    edges_x = [0, *before.cuts, len(x)]
    edges_y = [0, *after.cuts, len(y)]
    same = []
    for k in range(len(edges_x) - 1):
        a, b = x[edges_x[k] : edges_x[k + 1]], y[edges_y[k] : edges_y[k + 1]]
        same.append(len(a) == len(b) and bool(np.array_equal(a, b)))
    # Intro, first section, outro alike; the edited second section is not.
    assert same == [True, True, False, True]
    # Each part is brought to the target on its own, and the whole stays on it.
    for master in pair:
        assert master.loudness_lufs == pytest.approx(-16.0, abs=0.5)


def _track(master: Master, cache: Cache, work: Path) -> tuple[bytes, int]:
    out, job = start_audio(master.wav, cache, work, cuts=master.cuts, background=False)
    job.wait()
    return out.read_bytes(), job.encoded


def test_an_edit_encodes_one_piece_and_the_track_is_reproducible(
    pair: tuple[Master, Master], tmp_path: Path
) -> None:
    before, after = pair
    cache = Cache(tmp_path / "cache", "video")
    first, encoded = _track(before, cache, tmp_path / "w1")
    assert encoded == len(SEGMENTS)  # a piece per section
    again, encoded = _track(before, cache, tmp_path / "w2")
    assert encoded == 0 and again == first
    edited, encoded = _track(after, cache, tmp_path / "w3")
    assert encoded == 1  # the edited section only
    cold, encoded = _track(after, Cache(tmp_path / "empty", "video"), tmp_path / "w4")
    assert encoded == len(SEGMENTS)
    assert edited == cold  # the same track as a build from nothing
    # Whole frames, as many as the master's length asks for (1024 samples at 48 kHz each).
    frames = _adts_frames(edited, "track")
    assert len(frames) == -(-round(after.duration * 48000) // 1024)


def test_piece_bounds_take_quiet_cuts_and_split_long_pieces() -> None:
    from articast.media import aac_frame_grid
    from articast.video._aac import _PIECE_SECONDS, _piece_bounds

    rate, block = 44100, 441
    n = 11 * 60 * rate  # eleven minutes: speech with a quiet second every ten
    loud = np.ones(n // block, dtype=bool)
    for s in range(10, 660, 10):
        loud[(s * rate) // block : ((s + 1) * rate) // block] = False
    grid = aac_frame_grid(rate)
    quiet_cut = (int(30.5 * rate) // grid) * grid  # inside a quiet second
    loud_cut = (int(45.0 * rate) // grid) * grid  # in the middle of speech
    bounds = _piece_bounds(loud, block, n, rate, [quiet_cut, loud_cut, quiet_cut + 1])
    assert bounds[0] == 0 and bounds[-1] == n and bounds == sorted(set(bounds))
    assert quiet_cut in bounds and loud_cut not in bounds and quiet_cut + 1 not in bounds
    inner = bounds[1:-1]
    assert all(b % grid == 0 for b in inner)
    assert all(not loud[b // block] for b in inner)  # every cut in the quiet
    # The long rest is cut about every _PIECE_SECONDS, so a cold build uses every core.
    sizes = np.diff(bounds[1:]) / rate
    assert len(sizes) >= 3 and max(sizes) <= 1.6 * _PIECE_SECONDS


def test_a_target_out_of_reach_stays_under_the_true_peak_limit(tmp_path: Path) -> None:
    """-5 LUFS under a 0 dBTP limit is more than speech can give: the MP3 is encoded louder
    than the master only as far as the limit allows (it once came out at +8 dBTP)."""
    settings = AudioSettings(target_lufs=-5.0, true_peak=0.0)
    master = master_of(make_speech(get_voice("espeak:en-us")), tmp_path, settings)
    assert master.true_peak_dbtp is not None and master.loudness_lufs is not None
    assert master.true_peak_dbtp <= 0.0
    assert master.loudness_lufs < -5.0 + 0.5  # as loud as the limit lets it be


def test_the_outro_is_the_same_samples_after_edits_of_any_length(tmp_path: Path) -> None:
    """However much an edit moves the outro (whole grid steps, 4,704 samples), its part of
    the master is the same samples: the episode's end is rounded from its cut, not from 0,
    so its AAC piece is not encoded again."""
    tails = []
    for k, extra in enumerate(("", " Quickly.", " It happens in the dark, every single night.")):
        segments = list(SEGMENTS)
        first, *rest = segments[1][2]
        segments[1] = (*segments[1][:2], (first + extra, *rest), *segments[1][3:])
        master = _master(tmp_path / str(k), segments)
        with wave.open(str(master.wav)) as w:
            channels = w.getnchannels()
        tails.append(_samples(master)[master.cuts[-1] * channels :].tobytes())
    assert len(set(tails)) == 1
