"""Video: encoding read back with the real ffmpeg, QR on the end card, frames vs expected stills,
per-section caching, captions off, zoom and vertical format."""

from __future__ import annotations

import itertools
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from articast.captions import make_cues
from articast.config import ShowConfig, VideoSettings
from articast.media import ffmpeg_exe, probe_duration, probe_info
from articast.models import Cue, Master, SegmentKind, Slides, VideoResult
from articast.pictures.slides import make_slides
from articast.video import (
    caption_patch,
    caption_states,
    compose_still,
    part_bounds,
    plan_chunks,
    render_video,
)
from video_fixtures import SEGMENTS, TALK_URL, fake_episode


@dataclass
class Rendered:
    slides: Slides
    cues: tuple[Cue, ...]
    master: Master
    result: VideoResult
    settings: VideoSettings
    cache: Path


def build(
    folder: Path,
    settings: VideoSettings,
    segments: list[tuple[SegmentKind, str, list[str]]] | None = None,
    cache: Path | None = None,
) -> Rendered:
    article, script, talk, master = fake_episode(folder / "ep", segments)
    cache = cache or folder / "cache"
    slides = make_slides(
        article,
        script,
        talk,
        master,
        ShowConfig(),
        settings,
        workdir=folder / "work",
        cache_root=cache,
    )
    cues = make_cues(master.sentences)
    result = render_video(
        slides,
        cues,
        master,
        settings,
        out_path=folder / "out" / "episode.mp4",
        workdir=folder / "work",
        cache_root=cache,
    )
    return Rendered(slides, cues, master, result, settings, cache)


def grab(mp4: Path, t: float, size: tuple[int, int]) -> np.ndarray:
    """The frame shown at ``t`` seconds, as an RGB array (decoded by the bundled ffmpeg)."""
    cmd = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-ss",
        f"{t:.3f}",
        "-i",
        str(mp4),
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(size[1], size[0], 3)


def top_level_boxes(path: Path) -> list[str]:
    names = []
    with path.open("rb") as fh:
        while header := fh.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            else:
                fh.seek(size - 8, 1)
            names.append(kind.decode("latin-1"))
    return names


@pytest.fixture(scope="module")
def hd(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    # Without karaoke: these tests are about held pictures, which the per-word highlight
    # changes several times a second (it has tests of its own).
    return build(tmp_path_factory.mktemp("hd"), VideoSettings(karaoke=False))


def test_encoding_meets_youtube_recommendations(hd: Rendered) -> None:
    info = probe_info(hd.result.mp4)
    assert re.search(r"Video: h264 \(High\).*yuv420p\(tv, bt709, progressive\), 1920x1080", info), info
    assert re.search(r"Audio: aac \(LC\).*48000 Hz, stereo", info), info
    assert "10 fps" in info or "10 tbr" in info
    boxes = top_level_boxes(hd.result.mp4)
    assert boxes.index("moov") < boxes.index("mdat")
    mp3 = probe_duration(hd.master.mp3)
    assert abs(probe_duration(hd.result.mp4) - mp3) <= 0.3
    assert hd.result.duration == pytest.approx(probe_duration(hd.result.mp4))
    kbps = hd.result.mp4.stat().st_size * 8 / hd.result.duration / 1000
    assert kbps < 4000  # stills need far less than YouTube's 8 Mbps ceiling


def test_closed_gop_of_half_a_second(hd: Rendered) -> None:
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-skip_frame",
        "nokey",
        "-i",
        str(hd.result.mp4),
        "-map",
        "0:v",
        "-vf",
        "showinfo",
        "-f",
        "null",
        "-",
    ]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    times = [float(t) for t in re.findall(r"pts_time:([\d.]+)", err)]
    gaps = np.diff(times)
    assert len(times) >= hd.result.duration * 2 - 2
    assert gaps.max() <= 0.5 + 1e-6


def test_end_card_frame_decodes_to_the_talk_url(hd: Rendered) -> None:
    end = hd.slides.slides[-1]
    frame = grab(hd.result.mp4, (end.start + end.end) / 2, (1920, 1080))
    found = [r.text for r in zxingcpp.read_barcodes(Image.fromarray(frame))]
    assert found == [TALK_URL]


def test_mid_section_frames_match_the_expected_still(hd: Rendered) -> None:
    checked = 0
    for slide in hd.slides.slides[1:3]:
        base = Image.open(slide.image).convert("RGB")
        inside = [c for c in hd.cues if c.start >= slide.start and c.end <= slide.end]
        for cue in inside:
            if cue.end - cue.start < 0.6:
                continue
            t = (cue.start + cue.end) / 2
            expected = np.asarray(compose_still(base, cue.lines), dtype=float)
            got = grab(hd.result.mp4, t, (1920, 1080)).astype(float)
            diff = np.abs(got - expected).mean()
            assert diff < 4.0, (cue.lines, diff)
            # ...and clearly different from the slide with no caption or another caption.
            assert np.abs(got - np.asarray(base, dtype=float)).mean() > diff
            checked += 1
    assert checked >= 2


def test_caption_changes_land_within_100_ms_of_the_words(hd: Rendered) -> None:
    fps = hd.settings.fps
    _, chunks = plan_chunks(hd.slides, hd.cues, hd.settings)
    assert len(chunks) > len(hd.slides.slides)  # sections are cut into cacheable chunks
    checked = 0
    for chunk in chunks:
        grid0 = round(chunk.start * fps) / fps  # where the join places the chunk
        for cue in hd.cues:
            if not chunk.start <= cue.start < chunk.end:
                continue
            shown = [r for r in chunk.runs if cue.text in r.shows]
            appears = grid0 + shown[0].first / fps
            frames = round(chunk.end * fps) - round(chunk.start * fps)  # after the join's trim
            gone = grid0 + min(shown[-1].last, frames) / fps
            assert abs(appears - cue.start) <= 0.1 + 1e-9
            if cue.end <= chunk.end:
                assert abs(gone - cue.end) <= 0.1 + 1e-9
            checked += 1
    assert checked == len(hd.cues)


def test_section_slides_switch_just_before_their_first_word(hd: Rendered) -> None:
    bounds = part_bounds(hd.slides, hd.cues, hd.settings.fps)
    assert bounds[0] == 0.0 and bounds[-1] == pytest.approx(hd.master.duration)
    for slide, b in zip(hd.slides.slides[1:], bounds[1:], strict=False):
        assert abs(b - slide.start) <= 0.6  # within the chapter's lead-in
    mid_gap = (hd.slides.slides[1].start + hd.slides.slides[2].start) / 2
    frame = grab(hd.result.mp4, mid_gap, (1920, 1080)).astype(float)
    section = np.asarray(Image.open(hd.slides.slides[1].image).convert("RGB"), dtype=float)
    top = slice(0, 700)  # above the caption band
    assert np.abs(frame[top] - section[top]).mean() < 4.0


def test_thumbnail_is_1280x720_png_under_2_mb(hd: Rendered) -> None:
    thumb = hd.result.thumbnail
    assert thumb is not None and thumb == hd.result.mp4.parent / "thumbnail.png"
    with Image.open(thumb) as im:
        assert im.format == "PNG" and im.size == (1280, 720)
    assert thumb.stat().st_size < 2_000_000


def test_editing_one_section_rerenders_only_that_section(tmp_path: Path) -> None:
    vs = VideoSettings(width=640, height=360)
    first = build(tmp_path / "a", vs)
    assert first.result.rendered_sections == tuple(t for _, t, _ in SEGMENTS)
    again = build(tmp_path / "b", vs, cache=first.cache)
    assert again.result.rendered_sections == ()
    edited = list(SEGMENTS)
    kind, title, texts = edited[1]
    edited[1] = (kind, title, [texts[0], "Spindles are short bursts."])
    changed = build(tmp_path / "c", vs, edited, cache=first.cache)
    # The edited section, and of the next one only the cross-fade from the edited picture.
    assert changed.result.rendered_sections == (
        "Slow Waves and Spindles",
        "From Hippocampus to Cortex",
    )
    _, before = plan_chunks(first.slides, first.cues, vs)
    _, after = plan_chunks(changed.slides, changed.cues, vs)
    known = {c.key for c in before}
    titles = [sl.title for sl in changed.slides.slides]
    edited_title, next_title = SEGMENTS[1][1], SEGMENTS[2][1]
    new = [c.slide for c in after if c.key not in known and titles[c.slide] != edited_title]
    # Of the next section, only its first state (the cross-fade from the edited picture).
    assert new == [titles.index(next_title)]
    # An edit that only shifts what follows (the title card does not show the intro's
    # words): only the intro's captions are rendered again, the shifted parts come from the
    # cache, cross-fades included.
    shifted = list(SEGMENTS)
    kind, title, texts = shifted[0]
    shifted[0] = (kind, title, [texts[0], "Tonight: sleep."])
    moved = build(tmp_path / "d", vs, shifted, cache=first.cache)
    assert moved.master.sentences[-1].start < first.master.sentences[-1].start - 1.0
    assert moved.result.rendered_sections == ("Introduction",)
    # The joined file is still whole and in sync after the stream-copy join.
    assert abs(probe_duration(changed.result.mp4) - changed.master.duration) <= 0.3
    last = changed.slides.slides[-2]
    cue = next(c for c in changed.cues if c.start >= last.start and c.end - c.start > 0.8)
    got = grab(changed.result.mp4, (cue.start + cue.end) / 2, (640, 360)).astype(float)
    expected = np.asarray(
        compose_still(Image.open(last.image).convert("RGB"), cue.lines), dtype=float
    )
    assert np.abs(got - expected).mean() < 5.0


def test_no_burn_captions_shows_the_bare_slides(tmp_path: Path) -> None:
    vs = VideoSettings(width=640, height=360, burn_captions=False)
    r = build(tmp_path, vs)
    slide = r.slides.slides[1]
    got = grab(r.result.mp4, (slide.start + slide.end) / 2, (640, 360)).astype(float)
    bare = np.asarray(Image.open(slide.image).convert("RGB"), dtype=float)
    assert np.abs(got - bare).mean() < 3.0


def test_vertical_format_with_zoom_and_highlight(tmp_path: Path) -> None:
    vs = VideoSettings(width=360, height=640, zoom=True, karaoke=True)
    r = build(tmp_path, vs)
    assert re.search(r"h264 \(High\).*360x640", probe_info(r.result.mp4))
    slide = r.slides.slides[1]
    early = grab(r.result.mp4, slide.start + 0.3, (360, 640)).astype(float)
    late = grab(r.result.mp4, slide.end - 0.3, (360, 640)).astype(float)
    top = slice(0, 300)
    assert np.abs(early[top] - late[top]).mean() > 1.0  # the illustration moved (zoom)
    assert abs(probe_duration(r.result.mp4) - r.master.duration) <= 0.3


def test_caption_states_cover_every_frame_once() -> None:
    cues = (Cue(1.0, 2.0, ("one",)), Cue(2.0, 3.5, ("two",)), Cue(5.0, 6.0, ("three",)))
    n, states = caption_states(cues, 0.5, 5.5, 10)
    assert n == 50
    assert states[0].first == 0 and states[-1].last == n
    for a, b in itertools.pairwise(states):
        assert a.last == b.first
    assert [s.lines for s in states] == [(), ("one",), ("two",), (), ("three",)]
    assert states[1].first == 5 and states[2].first == 15 and states[4].first == 45


def test_highlight_states_follow_each_word() -> None:
    from articast.models import TimedWord

    words = (TimedWord("slow", 1.0, 1.3), TimedWord("waves", 1.4, 1.8))
    cue = Cue(1.0, 2.2, ("slow waves",), words)
    _, states = caption_states((cue,), 0.0, 3.0, 10, highlight_words=True)
    lit = [(s.first, s.highlight) for s in states if s.lines]
    assert lit == [(10, 0), (14, 1)]
    plain = compose_still(Image.new("RGB", (640, 360)), cue.lines)
    first = compose_still(Image.new("RGB", (640, 360)), cue.lines, highlight=0)
    assert plain.tobytes() != first.tobytes()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (360, 640)])
def test_captions_never_overflow_the_frame(size: tuple[int, int]) -> None:
    from articast.pictures.overlay import _fit_caption

    wide = (
        "WWWWWWWWWW MMMMMMMMMM WWWWWWWWWW MMMMMMMMM",
        "MMMMMMMMMM WWWWWWWWWW MMMMMMMMMM WWWWWWWWW",
    )
    f, lines = _fit_caption(wide, size)
    assert " ".join(lines) == " ".join(wide)
    assert len(lines) <= (2 if size[0] >= 1080 else 6)
    assert all(f.getlength(line) <= size[0] * 0.9 for line in lines)
    # Drawn, the caption leaves both side margins untouched.
    black = Image.new("RGB", size, (255, 255, 255))
    img = np.asarray(compose_still(black, lines))
    margin = round(size[0] * 0.04)
    assert (img[:, :margin] == 255).all() and (img[:, -margin:] == 255).all()


def _decode_mono_48k(path: Path, stream: str) -> np.ndarray:
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", stream,
           "-ac", "1", "-ar", "48000", "-f", "f32le", "-"]  # fmt: skip
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, "<f4")


def test_audio_track_is_spliced_in_sync_with_the_master(hd: Rendered) -> None:
    from articast.video._aac import _loud_blocks, _piece_bounds

    loud, block, n, rate = _loud_blocks(hd.master.wav)
    cuts = _piece_bounds(loud, block, n, rate, hd.master.cuts)[1:-1]
    assert cuts == list(hd.master.cuts) and cuts  # the track really was encoded in pieces
    ref = _decode_mono_48k(hd.master.wav, "0:a:0")
    got = _decode_mono_48k(hd.result.mp4, "0:a:0")
    assert abs(len(got) - len(ref)) <= 1024
    checked = 0
    for sentence in hd.master.sentences:
        a = round((sentence.start + 0.1) * 48000)  # a tenth of a second of each sentence
        b = a + 4800
        seg = ref[a:b]
        errors = [float(np.sum((got[a + lag : b + lag] - seg) ** 2)) for lag in range(-240, 241)]
        assert int(np.argmin(errors)) - 240 == 0, sentence.text  # no drift, no offset (5 ms)
        assert min(errors) < 0.05 * float(np.sum(seg**2)), sentence.text  # the voice, not noise
        checked += 1
    assert checked == len(hd.master.sentences)
    for cut in cuts:  # quiet stays quiet across a splice: no click
        c = cut * 48000 // rate
        assert float(np.abs(got[c - 2400 : c + 2400]).max()) < 0.01


def _fit_blend(got: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The weight ``w`` that best explains ``got`` as ``(1 - w) * a + w * b``, and the mean
    absolute error left."""
    d = (b - a).ravel()
    w = float(np.dot((got - a).ravel(), d) / np.dot(d, d))
    return w, float(np.abs(got - ((1 - w) * a + w * b)).mean())


def test_mid_transition_frames_blend_both_pictures(hd: Rendered) -> None:
    bounds = part_bounds(hd.slides, hd.cues, hd.settings.fps)
    top = slice(0, 700)  # above the caption band
    slides = hd.slides.slides
    # The cuts from one chapter to the next (a section's own states differ by a point).
    cuts = [i for i in range(1, len(slides)) if slides[i].title != slides[i - 1].title]
    for i in cuts[:2]:
        before = np.asarray(Image.open(hd.slides.slides[i - 1].image).convert("RGB"), dtype=float)
        after = np.asarray(Image.open(hd.slides.slides[i].image).convert("RGB"), dtype=float)
        # Where the two cards differ (their ground is the same style's): clearly, and enough.
        differ = np.abs(before[top] - after[top]).sum(axis=-1) > 90
        assert differ.mean() > 0.03
        got = grab(hd.result.mp4, bounds[i] + hd.settings.crossfade / 2, (1920, 1080))
        w, err = _fit_blend(got[top][differ].astype(float), before[top][differ], after[top][differ])
        assert 0.25 < w < 0.75, w  # a blend of both, not one or the other
        assert err < 10.0, err  # (over the pixels that differ: text edges, noisier to encode)
        # After the cross-fade, the new picture alone.
        later = grab(hd.result.mp4, bounds[i] + hd.settings.crossfade + 0.15, (1920, 1080))
        assert np.abs(later[top].astype(float) - after[top]).mean() < 4.0


def test_end_card_elements_ease_in(hd: Rendered) -> None:
    from articast.video import END_EASE

    bounds = part_bounds(hd.slides, hd.cues, hd.settings.fps)
    card = np.asarray(Image.open(hd.slides.slides[-1].image).convert("RGB"), dtype=float)
    top = slice(0, 700)
    early = grab(hd.result.mp4, bounds[-2] + END_EASE * 0.6, (1920, 1080)).astype(float)
    settled = grab(hd.result.mp4, bounds[-2] + END_EASE + 0.3, (1920, 1080)).astype(float)
    assert np.abs(settled[top] - card[top]).mean() < 4.0
    assert np.abs(early[top] - card[top]).mean() > 2 * np.abs(settled[top] - card[top]).mean()


def test_scene_samples_stills_once_and_motion_every_frame(hd: Rendered) -> None:
    scene, chunks = plan_chunks(hd.slides, hd.cues, hd.settings)
    fps = hd.settings.fps
    for chunk in chunks:
        moving = [r for r in chunk.runs if r.moving]
        assert all(r.last - r.first == 1 for r in moving)
        part = scene.parts[chunk.slide]
        if chunk.slide > 0 and chunk.start == part.start:
            # The cross-fade (and the end card's easing), frame by frame.
            assert abs(len(moving) - round(max(part.fade_in, part.ease_in) * fps)) <= 1
        still = [r for r in chunk.runs if not r.moving]
        # Neighbouring still runs always show different pictures.
        for a, b in itertools.pairwise(still):
            assert a.key != b.key or a.last != b.first
    frames = sum(c.n for c in chunks)
    moving = sum(1 for c in chunks for r in c.runs if r.moving)
    stills = sum(1 for c in chunks for r in c.runs if not r.moving)
    assert stills < (frames - moving) / 10  # still pictures are sampled once, not per frame


def test_motion_pans_the_picture_and_keeps_captions_still(tmp_path: Path) -> None:
    vs = VideoSettings(width=640, height=360, motion=True, karaoke=False)
    r = build(tmp_path, vs)
    slide = max(
        (sl for sl in r.slides.slides if sl.kind == "section"), key=lambda sl: sl.end - sl.start
    )
    bounds = part_bounds(r.slides, r.cues, vs.fps)
    part_end = bounds[r.slides.slides.index(slide) + 1]  # where the next state fades in
    cue = max(
        (c for c in r.cues if c.start >= slide.start and c.end <= slide.end),
        key=lambda c: c.end - c.start,
    )
    # After this state's cross-fade and before the next one's.
    a = grab(r.result.mp4, cue.start + vs.crossfade + 0.2, (640, 360)).astype(float)
    b = grab(r.result.mp4, min(cue.end, part_end) - 0.2, (640, 360)).astype(float)
    top = slice(0, 200)
    assert np.abs(a[top] - b[top]).mean() > 1.0  # the picture moved
    # The caption box did not: same patch, same place (within the encoder's noise; white
    # text moved by a single pixel would differ by tens of levels).
    patch, (x0, y0) = caption_patch(Image.open(slide.image).convert("RGB"), cue.lines)
    box = (slice(y0 + 4, y0 + patch.height - 4), slice(x0 + 4, x0 + patch.width - 4))
    inner = np.asarray(patch, dtype=float)[4:-4, 4:-4]
    assert np.abs(a[box] - b[box]).mean() < 6.0
    assert np.abs(a[box] - inner).mean() < 6.0 and np.abs(b[box] - inner).mean() < 6.0
    assert abs(probe_duration(r.result.mp4) - r.master.duration) <= 0.3


def test_sampled_frames_are_the_moviepy_composition(hd: Rendered) -> None:
    from articast.video import END_EASE

    scene, _ = plan_chunks(hd.slides, hd.cues, hd.settings)
    bounds = part_bounds(hd.slides, hd.cues, hd.settings.fps)
    cue, last = hd.cues[3], hd.cues[-1]
    settled = bounds[-2] + END_EASE + 0.2  # the end card in place, a caption over it
    times = ((cue.start + cue.end) / 2, bounds[2] + 0.2, bounds[-2] + 0.3, settled,
             max(settled, (last.start + last.end) / 2))  # fmt: skip
    for t in times:
        whole = np.asarray(scene.clip.get_frame(t), dtype=float)
        assert np.abs(scene.frame(t).astype(float) - whole).max() <= 1.0, t


def test_yuv_frames_are_the_pictures_converted(hd: Rendered) -> None:
    """What x264 is given (a still's slide converted once, a caption's rows on their own, a
    cross-fade blended after conversion) is the picture converted whole, within rounding."""
    from articast.video import END_EASE
    from articast.video._composition import rgb_to_yuv420

    scene, _ = plan_chunks(hd.slides, hd.cues, hd.settings)
    bounds = part_bounds(hd.slides, hd.cues, hd.settings.fps)
    cue = hd.cues[3]
    xf = hd.settings.crossfade
    for t in ((cue.start + cue.end) / 2, bounds[2] + xf / 2, bounds[-2] + END_EASE + 0.2, 0.05):
        got = np.frombuffer(b"".join(scene.yuv_frame(t)), np.uint8).astype(int)
        want = np.concatenate([p.ravel() for p in rgb_to_yuv420(scene.frame(t))]).astype(int)
        assert got.shape == want.shape
        assert np.abs(got - want).max() <= 2, t


def test_held_pictures_repeat_one_group_of_pictures_and_decode_cleanly(hd: Rendered) -> None:
    """A still held for seconds is encoded as one closed GOP whose access units repeat; the
    joined MP4 decodes without an error and has every frame of the episode."""
    from articast.cache import Cache

    _, chunks = plan_chunks(hd.slides, hd.cues, hd.settings)
    gop = round(hd.settings.fps / 2)
    total, encoded = sum(c.n for c in chunks), sum(c.encoded for c in chunks)
    assert encoded < total / 2, (encoded, total)  # most groups are repeats
    held = next(c for c in chunks if c.layout and c.layout[gop : 2 * gop] == c.layout[:gop])
    path = Cache(hd.cache, "video").path(held.key, "part.h264")
    assert path is not None
    data = path.read_bytes()
    cuts = [m.start() for m in re.finditer(b"\x00\x00\x00\x01\x09", data)]
    units = [data[a:b] for a, b in itertools.pairwise([*cuts, len(data)])]
    assert len(units) == held.n
    assert units[gop:2 * gop] == units[:gop]  # the same IDR and P-frames, byte for byte
    assert units[0][5:] != units[1][5:]  # an I-frame, then P-frames

    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(hd.result.mp4), "-map", "0:v",
           "-vf", "showinfo", "-f", "null", "-"]  # fmt: skip
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    assert not [ln for ln in err.splitlines() if "showinfo" not in ln and ln.strip()], err[:2000]
    cmd[2] = "info"
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    frames = len(re.findall(r"n:\s*\d+ pts:", err))
    assert frames == pytest.approx(hd.result.duration * hd.settings.fps, abs=2)
