"""Skipped pictures: P-frames written by articast that repeat the picture before them.

Checked with the real x264 and ffmpeg's decoder: a stream of encoded frames with skipped
pictures spliced in decodes without a complaint, each skipped picture to exactly the picture
before it and every encoded one to what x264 made of it; ``frame_num`` counts every frame
from its IDR (H.264 7.4.3), read back with ffmpeg's ``trace_headers``.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from articast.media import ffmpeg_exe
from articast.video._composition import Run, rgb_to_yuv420
from articast.video._h264 import (
    SKIPPED,
    Chunk,
    _access_units,
    _gop_layout,
    _key_frames,
    trimmed_parts,
)
from articast.video._skip import (
    idr_pic_id,
    is_idr,
    skipped_frame,
    stream_params,
    with_frame_num,
    with_idr_pic_id,
)
from stream_checks import decode


def _pictures(size: tuple[int, int], n: int) -> list[bytes]:
    """``n`` different YUV 4:2:0 pictures: text-like stripes moving right."""
    w, h = size
    out = []
    for k in range(n):
        rgb = np.zeros((h, w, 3), np.uint8)
        rgb[:, :, 2] = 40
        rgb[h // 3 : h // 3 + 12, 8 + 16 * k : 40 + 16 * k] = (250, 210, 60)
        rgb[h // 2 :, :: 7 + k] = (200, 200, 200)
        out.append(b"".join(p.tobytes() for p in rgb_to_yuv420(rgb)))
    return out


def _encode(pictures: list[bytes], size: tuple[int, int], x264: str, keys: str = "") -> bytes:
    """x264's raw H.264 of ``pictures`` (10 fps), with IDRs at the times ``keys`` lists."""
    w, h = size
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
           "-s", f"{w}x{h}", "-framerate", "10", "-i", "-", "-c:v", "libx264",
           "-preset", "veryfast", "-x264-params",
           f"keyint=5:min-keyint=5:scenecut=0:bframes=0:ref=1:aud=1:repeat-headers=1:{x264}",
           *(["-force_key_frames", keys] if keys else []), "-f", "h264", "-"]  # fmt: skip
    return subprocess.run(cmd, input=b"".join(pictures), capture_output=True, check=True).stdout


def _frame_nums(stream: bytes) -> list[tuple[int, int]]:
    """(nal_unit_type, frame_num) of every picture (its first slice), as ffmpeg's
    trace_headers reads them."""
    cmd = [ffmpeg_exe(), "-v", "trace", "-f", "h264", "-i", "-", "-c", "copy",
           "-bsf:v", "trace_headers", "-f", "null", "-"]  # fmt: skip
    err = subprocess.run(cmd, input=stream, capture_output=True, check=True).stderr.decode()
    out: list[tuple[int, int]] = []
    nal = first_mb = -1
    for line in err.splitlines():
        if m := re.search(r"nal_unit_type\s+\S+\s*=\s*(\d+)", line):
            nal = int(m.group(1))
        elif m := re.search(r"\bfirst_mb_in_slice\s+\S+\s*=\s*(\d+)", line):
            first_mb = int(m.group(1))
        elif (
            (m := re.search(r"\bframe_num\s+\S+\s*=\s*(\d+)", line))
            and nal in (1, 5)
            and first_mb == 0
        ):
            out.append((nal, int(m.group(1))))
    return out


@pytest.mark.parametrize(
    ("size", "x264"),
    [
        ((1920, 1080), "cabac=1:weightp=2"),
        ((176, 144), "cabac=1:weightp=0"),
        ((320, 240), "cabac=0:weightp=1"),
        ((1280, 720), "cabac=1:weightp=1:deblock=0,0"),
    ],
)
def test_skipped_pictures_repeat_the_picture_before_them(size: tuple[int, int], x264: str) -> None:
    pics = _pictures(size, 4)
    # What the episode shows, frame by frame (two groups of five): A A B B B | C C C D C
    shown = [0, 0, 1, 1, 1, 2, 2, 2, 3, 2]
    layout = [0, SKIPPED, 1, SKIPPED, SKIPPED, 2, SKIPPED, SKIPPED, 3, 4]
    data = _encode([pics[0], pics[1], pics[2], pics[3], pics[2]], size, x264, keys="0.2")
    units = _access_units(data, "test")
    assert len(units) == 5
    params = stream_params(data)
    spliced = b"".join(
        skipped_frame(params, pos % 5)
        if e == SKIPPED
        else (with_frame_num(units[e], params, pos % 5) if pos % 5 else units[e])
        for pos, e in enumerate(layout)
    )
    sums, complaints = decode(spliced)
    assert complaints == ""
    assert len(sums) == len(shown)
    direct, _ = decode(data)  # x264's frames decoded on their own
    expected = [direct[e] if e != SKIPPED else None for e in layout]
    for i, (got, want) in enumerate(zip(sums, expected, strict=True)):
        assert got == (want if want is not None else sums[i - 1]), i
    # Each skipped picture is the picture before it; the pictures differ where the show does.
    assert [sums[i] == sums[i - 1] for i in range(1, 10)] == [
        shown[i] == shown[i - 1] for i in range(1, 10)
    ]
    assert _frame_nums(spliced) == [(5, 0), (1, 1), (1, 2), (1, 3), (1, 4)] * 2
    # A skipped picture is a few bytes, whatever the size of the picture.
    assert len(skipped_frame(params, 1)) < 128


def test_rewritten_frame_num_keeps_the_rest_of_the_slice() -> None:
    data = _encode(_pictures((320, 240), 2), (320, 240), "cabac=1")
    units = _access_units(data, "test")
    params = stream_params(data)
    assert is_idr(units[0]) and not is_idr(units[1]) and not is_idr(skipped_frame(params, 1))
    again = with_frame_num(with_frame_num(units[1], params, 3), params, 1)
    assert again == units[1]
    assert with_frame_num(units[1], params, 3) != units[1]
    assert len(with_frame_num(units[1], params, 3)) == len(units[1])


def test_layout_skips_repeats_inside_a_group_and_repeats_held_groups() -> None:
    a, b = ("a",), ("b",)
    runs = (
        Run(0, 3, 0.0, False, (), a),
        Run(3, 12, 0.3, False, (), b),
        Run(12, 15, 1.2, False, (), a),
    )
    layout = _gop_layout(runs, 15, 5)
    assert layout == (0, SKIPPED, SKIPPED, 1, SKIPPED,  # a a a b b: encoded a, b
                      2, SKIPPED, SKIPPED, SKIPPED, SKIPPED,  # b held: a new IDR
                      3, SKIPPED, 4, SKIPPED, SKIPPED)  # fmt: skip
    chunk = Chunk(0, 0.0, 1.5, 15, runs, False, "k", layout)
    assert chunk.encoded == 5
    assert _key_frames(chunk, 5) == [0, 2, 3]
    # A still held for groups: the group's access units repeat (one IDR encoded, then skips).
    held = (Run(0, 15, 0.0, False, (), a),)
    layout = _gop_layout(held, 15, 5)
    assert layout == (0, SKIPPED, SKIPPED, SKIPPED, SKIPPED) * 3
    assert _key_frames(Chunk(0, 0.0, 1.5, 15, held, False, "k", layout), 5) == [0]
    # Moving frames are all encoded.
    moving = tuple(Run(i, i + 1, i / 10, True, (), ("m", i)) for i in range(5))
    assert _gop_layout(moving, 5, 5) == ()


def test_yuv_conversion_is_bt709_limited_range() -> None:
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[:2] = 255  # white over black
    rgb[2:, :2] = (255, 0, 0)
    y, u, v = rgb_to_yuv420(rgb)
    assert y.shape == (4, 4) and u.shape == v.shape == (2, 2)
    assert y[0, 0] == 235 and y[3, 3] == 16  # white and black at the ends of TV range
    assert u[0, 0] == 128 and v[0, 0] == 128 and u[1, 1] == 128
    assert y[2, 0] == 63  # BT.709 red: 16 + 219 * 0.2126
    assert v[1, 0] == 240 and u[1, 0] == 102  # red's chroma, BT.709
    assert hashlib.md5(b"".join(p.tobytes() for p in (y, u, v))).hexdigest()  # bytes-like


def test_unsupported_streams_are_refused(tmp_path: Path) -> None:
    from articast.errors import RenderError

    pics = _pictures((176, 144), 3)
    w, h = 176, 144
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
           "-s", f"{w}x{h}", "-framerate", "10", "-i", "-", "-c:v", "libx264",
           "-x264-params", "bframes=2:ref=3", "-f", "h264", "-"]  # fmt: skip
    data = subprocess.run(cmd, input=b"".join(pics), capture_output=True, check=True).stdout
    with pytest.raises(RenderError, match="cannot carry skipped pictures"):
        stream_params(data).check_skippable()


def _idr_ids(stream: bytes) -> list[int | None]:
    """Per slice, its idr_pic_id (None for a P slice), as trace_headers reads them."""
    cmd = [ffmpeg_exe(), "-v", "trace", "-f", "h264", "-i", "-", "-c", "copy",
           "-bsf:v", "trace_headers", "-f", "null", "-"]  # fmt: skip
    err = subprocess.run(cmd, input=stream, capture_output=True, check=True).stderr.decode()
    out: list[int | None] = []
    for line in err.splitlines():
        if re.search(r"\bframe_num\s+\S+\s*=", line):
            out.append(None)
        elif m := re.search(r"\bidr_pic_id\s+\S+\s*=\s*(\d+)", line):
            out[-1] = int(m.group(1))
    return out


@pytest.mark.parametrize("deblock", ["", ":no-deblock=1"])
def test_consecutive_idrs_get_different_ids_and_decode_the_same(deblock: str) -> None:
    """Two IDRs in a row must not share idr_pic_id (H.264 7.4.3): renumbering one, which
    changes the field's length, leaves its picture exactly as it was."""
    size = (320, 240)
    pics = _pictures(size, 3)
    data = _encode(pics, size, f"cabac=1{deblock}", keys="0.1,0.2")  # three IDRs: ids 0, 1, 0
    units = _access_units(data, "test")
    params = stream_params(data)
    assert [idr_pic_id(u, params) for u in units] == [0, 1, 0]
    clash = units[0] + units[2]  # two IDRs in a row, both 0
    assert _idr_ids(clash) == [0, 0]
    fixed = units[0] + with_idr_pic_id(units[2], params, 1)
    assert _idr_ids(fixed) == [0, 1]
    back = units[1] + with_idr_pic_id(units[1], params, 0)  # 1 -> 0: the field gets shorter
    assert _idr_ids(back) == [1, 0]
    direct, _ = decode(data)
    sums, complaints = decode(fixed)
    assert complaints == "" and sums == [direct[0], direct[2]]
    sums, complaints = decode(back)
    assert complaints == "" and sums == [direct[1], direct[1]]


def test_joined_chunks_never_put_two_idrs_with_one_id_in_a_row(tmp_path: Path) -> None:
    size = (176, 144)
    pics = _pictures(size, 4)
    a = tmp_path / "a" / "part.h264"
    b = tmp_path / "b" / "part.h264"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_bytes(_encode(pics[:1], size, "cabac=1"))  # one frame: an IDR, id 0
    b.write_bytes(_encode(pics[1:], size, "cabac=1"))  # IDR id 0, then P-frames
    joined = b"".join(trimmed_parts([(a, 1), (b, 3)]))
    assert _idr_ids(joined) == [0, 1, None, None]
    sums, complaints = decode(joined)
    assert complaints == "" and len(sums) == 4


@pytest.mark.parametrize("fps", [3, 30, 60])
def test_other_frame_rates_keep_their_groups_of_pictures(tmp_path: Path, fps: int) -> None:
    """At any frame rate the episode's MP4 opens a group of pictures (an IDR) at least every
    round(fps / 2) frames, counts frame_num from each, and decodes cleanly: key frame times
    that six decimals round up (2/3 s) must not slip to the next frame."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from articast.captions import make_cues
    from articast.config import ShowConfig, VideoSettings
    from articast.pictures.slides import make_slides
    from articast.video import render_video
    from video_fixtures import fake_episode

    article, script, talk, master = fake_episode(tmp_path / "ep")
    settings = VideoSettings(width=320, height=180, fps=fps)
    slides = make_slides(
        article, script, talk, master, ShowConfig(), settings,
        workdir=tmp_path / "w", cache_root=tmp_path / "c",
    )  # fmt: skip
    cues = make_cues(master.sentences)
    result = render_video(
        slides, cues, master, settings, out_path=tmp_path / "o" / "e.mp4",
        workdir=tmp_path / "w", cache_root=tmp_path / "c",
    )  # fmt: skip
    stream = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(result.mp4), "-map", "0:v", "-c", "copy",
         "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    slices = _frame_nums(stream)
    gop = max(1, round(fps / 2))
    assert len(slices) >= 10 * fps
    # Groups restart at each cached chunk (so one may be shorter), never longer than gop.
    starts = [i for i, (nal, _) in enumerate(slices) if nal == 5]
    lengths = [b - a for a, b in zip(starts, [*starts[1:], len(slices)], strict=True)]
    assert (
        starts[0] == 0 and max(lengths) == gop and sum(n == gop for n in lengths) > len(lengths) / 2
    )
    # frame_num counts from each IDR modulo the stream's MaxFrameNum (16 at 60 fps, where a
    # group of 30 wraps it).
    wrap = 1 << stream_params(stream).frame_num_bits
    for a, n in zip(starts, lengths, strict=True):
        assert [num for _, num in slices[a : a + n]] == [i % wrap for i in range(n)], a
    sums, complaints = decode(stream)
    assert complaints == "" and len(sums) == len(slices)
    # Captions over still slides are written as strips: pictures of two slices, split at
    # the macroblock row above the caption band (row 128 of 180: 20 macroblocks a row).
    trace = [ffmpeg_exe(), "-v", "trace", "-f", "h264", "-i", "-", "-c", "copy",
             "-bsf:v", "trace_headers", "-f", "null", "-"]  # fmt: skip
    err = subprocess.run(trace, input=stream, capture_output=True, check=True).stderr.decode()
    firsts = [int(m) for m in re.findall(r"first_mb_in_slice\s+\S+\s*=\s*(\d+)", err)]
    assert set(firsts) == {0, 8 * 20}


def test_the_encoder_settings_give_the_same_stream_every_time(tmp_path: Path) -> None:
    """x264 with the still chunks' settings gives the same stream every time from real
    slides, whatever else the machine is doing. (With frame threads, and more so with
    rc-lookahead=0 or mbtree=0, the VBV cap made the sample's stream depend on timing.)"""
    import sys

    from PIL import Image

    sys.path.insert(0, str(Path(__file__).parent))
    from articast.config import ShowConfig, VideoSettings
    from articast.pictures.slides import make_slides
    from articast.video._h264 import encoder_args
    from video_fixtures import fake_episode

    article, script, talk, master = fake_episode(tmp_path / "ep")
    settings = VideoSettings()
    slides = make_slides(
        article, script, talk, master, ShowConfig(), settings,
        workdir=tmp_path / "w", cache_root=tmp_path / "c",
    )  # fmt: skip
    pics = []
    for slide in slides.slides:
        with Image.open(slide.image) as im:
            rgb = np.asarray(im.convert("RGB"))
        pics.append(b"".join(p.tobytes() for p in rgb_to_yuv420(rgb)))
    frames = b"".join(pics[(k // 2) % len(pics)] for k in range(120))
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
           "-s", f"{settings.width}x{settings.height}", "-framerate", "10", "-i", "-",
           *encoder_args(settings), "-f", "h264", "-"]  # fmt: skip
    runs = {
        hashlib.md5(
            subprocess.run(cmd, input=frames, capture_output=True, check=True).stdout
        ).hexdigest()
        for _ in range(3)
    }
    assert len(runs) == 1, runs


def _raw(stream: bytes, size: tuple[int, int]) -> list[tuple[np.ndarray, ...]]:
    """The decoded pictures of a raw H.264 stream as Y, U and V planes (strict decoding)."""
    w, h = size
    cmd = [ffmpeg_exe(), "-v", "warning", "-err_detect", "+crccheck+bitstream+buffer+explode",
           "-f", "h264", "-i", "-", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]  # fmt: skip
    p = subprocess.run(cmd, input=stream, capture_output=True, check=True)
    assert p.stderr == b""
    n = w * h * 3 // 2
    out = []
    for i in range(0, len(p.stdout), n):
        buf = np.frombuffer(p.stdout[i : i + n], np.uint8)
        out.append(
            (buf[: w * h].reshape(h, w),
             buf[w * h : w * h * 5 // 4].reshape(h // 2, w // 2),
             buf[w * h * 5 // 4 :].reshape(h // 2, w // 2))
        )  # fmt: skip
    return out


@pytest.mark.parametrize(("size", "rows"), [((1920, 1080), 816), ((352, 200), 144)])
def test_strips_decode_to_exactly_what_x264_made_of_them(size: tuple[int, int], rows: int) -> None:
    """A picture written from strips (the slide above a caption, the caption's rows; each an
    x264 I-frame of its own, or repeated by a skipped slice) decodes, strictly, to exactly
    the strips' own pictures, whatever the deblocking filter and intra prediction would have
    done across the seam; IDRs and P pictures alike, frame_num counted from the IDR."""
    from articast.config import VideoSettings
    from articast.video._h264 import encoder_args
    from articast.video._skip import (
        idr_slices,
        moved_intra_slice,
        parameter_sets,
        skipped_slice,
    )

    w, h = size
    pics = _pictures(size, 5)  # stripes across the seam: the strips differ there
    args = encoder_args(VideoSettings(width=w, height=h), capped=False)

    def encode(planes: list[bytes], height: int, *extra: str) -> bytes:
        cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
               "-s", f"{w}x{height}", "-framerate", "10", "-i", "-", *args, *extra,
               "-f", "h264", "-"]  # fmt: skip
        return subprocess.run(cmd, input=b"".join(planes), capture_output=True, check=True).stdout

    def cut(pic: bytes, top: bool) -> bytes:
        y = np.frombuffer(pic, np.uint8)
        planes = (y[: w * h].reshape(h, w), y[w * h : w * h * 5 // 4].reshape(h // 2, w // 2),
                  y[w * h * 5 // 4 :].reshape(h // 2, w // 2))  # fmt: skip
        return b"".join((p[: rows // k] if top else p[rows // k :]).tobytes()
                        for p, k in zip(planes, (1, 2, 2), strict=False))  # fmt: skip

    whole = encode(pics[:1], h)
    tops = encode([cut(p, True) for p in pics[:2]], rows, "-force_key_frames", "expr:1")
    bands = encode([cut(p, False) for p in pics[1:]], h - rows, "-force_key_frames", "expr:1")
    dst, tp, bp = stream_params(whole), stream_params(tops), stream_params(bands)
    assert parameter_sets(tops)[1] == parameter_sets(bands)[1] == parameter_sets(whole)[1]
    sps, pps = parameter_sets(whole)
    top_units, band_units = _access_units(tops, "t"), _access_units(bands, "b")
    split = rows // 16 * dst.width_mbs

    def picture(place: int, top: int | None, band: int | None) -> bytes:
        out = [b"\x00\x00\x00\x01\x09\x30"]
        if place == 0:
            out += [b"\x00\x00\x00\x01" + sps, b"\x00\x00\x00\x01" + pps]
        out.append(
            skipped_slice(dst, place, 0, split) if top is None
            else moved_intra_slice(idr_slices(top_units[top])[0], tp, dst, first_mb=0,
                                   frame_num=place, idr=place == 0, own_edges=False)
        )  # fmt: skip
        out.append(
            skipped_slice(dst, place, split, dst.macroblocks - split) if band is None
            else moved_intra_slice(idr_slices(band_units[band])[0], bp, dst, first_mb=split,
                                   frame_num=place, idr=place == 0, own_edges=True)
        )  # fmt: skip
        return b"".join(out)

    # (top strip, caption strip) per frame; None: repeated. Two groups of five pictures.
    plan = [(0, 0), (None, 1), (1, None), (None, 2), (None, None),
            (1, 3), (0, None), (None, 0), (1, 1), (None, None)]  # fmt: skip
    stream = b"".join(picture(i % 5, t, b) for i, (t, b) in enumerate(plan))
    got = _raw(stream, size)
    want_top, want_band = _raw(tops, (w, rows)), _raw(bands, (w, h - rows))
    assert len(got) == len(plan)
    top = band = 0
    for i, (t, b) in enumerate(plan):
        top = top if t is None else t
        band = band if b is None else b
        for k, (plane, div) in enumerate(zip(got[i], (1, 2, 2), strict=True)):
            assert np.array_equal(plane[: rows // div], want_top[top][k]), (i, k)
            assert np.array_equal(plane[rows // div :], want_band[band][k]), (i, k)
    assert _frame_nums(stream) == [(5, 0), (1, 1), (1, 2), (1, 3), (1, 4)] * 2
    # The caption's strip is a fraction of the picture, in bits as in pixels.
    assert max(len(u) for u in band_units) < len(_access_units(whole, "w")[0])


def test_strip_layout_writes_still_groups_from_strips_and_keeps_the_rest() -> None:
    """Groups of pictures showing still slides only are written from strips (the slide's
    strip where it changes, the caption's where the picture does); a group with a moving
    frame stays x264's, its frames numbered again from 0."""
    from articast.video._h264 import Strips, _strip_layout

    class Slides:  # what _strip_layout asks of a Scene
        def strip_top(self, t: float, rows: int) -> str | None:
            assert rows == 128
            return "one" if t < 0.25 else "two"

    a, b, c = ("a",), ("b",), ("c",)
    runs = (
        Run(0, 3, 0.0, False, (), a),
        Run(3, 5, 0.3, False, (), b),  # the slide changes mid-group
        Run(5, 7, 0.5, False, (), c),
        Run(7, 8, 0.7, True, (), ("m", 7)),  # a moving frame: its group goes to x264
        Run(8, 10, 0.8, False, (), c),
    )
    layout = _gop_layout(runs, 10, 5)
    chunk = Chunk(0, 0.0, 1.0, 10, runs, False, "k", layout)
    out = _strip_layout(Slides(), chunk, 5, 128)  # type: ignore[arg-type]
    assert out.layout[:5] == (Strips("one", a), SKIPPED, SKIPPED, Strips("two", b), SKIPPED)
    assert out.layout[5:] == (0, SKIPPED, 1, 2, SKIPPED)
    assert out.encoded == 3 and _key_frames(out, 5) == [0]

    # Only the caption changes: its strip alone, the slide's repeated.
    class OneSlide:
        def strip_top(self, t: float, rows: int) -> str | None:
            return "one"

    out = _strip_layout(OneSlide(), chunk, 5, 128)  # type: ignore[arg-type]
    assert out.layout[:5] == (Strips("one", a), SKIPPED, SKIPPED, Strips(None, b), SKIPPED)
    # No room for strips (or a zoom): the chunk as it was.
    assert _strip_layout(Slides(), chunk, 5, None) is chunk


def test_runs_of_strips_alone_get_the_parameter_sets_x264_writes(tmp_path: Path) -> None:
    """A run of chunks made of strips only (an edit of one caption) has no x264 picture to
    take its SPS and PPS from: they are those x264 writes with the same settings."""
    from articast.cache import Cache
    from articast.config import VideoSettings
    from articast.video._h264 import _COLOUR, _headers, encoder_args
    from articast.video._skip import parameter_sets

    settings = VideoSettings(width=320, height=180)
    got = _headers(settings, (320, 180), Cache(tmp_path / "c", "video"), tmp_path)
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
           "-s", "320x180", "-framerate", "10", *_COLOUR, "-i", "-", *encoder_args(settings),
           "-f", "h264", "-"]  # fmt: skip
    real = subprocess.run(cmd, input=_pictures((320, 180), 1)[0], capture_output=True, check=True)
    assert parameter_sets(got) == parameter_sets(real.stdout)
    assert stream_params(got).macroblocks == 20 * 12
    # Kept: asked again, nothing is encoded (the folder may be gone).
    assert _headers(settings, (320, 180), Cache(tmp_path / "c", "video"), tmp_path / "no") == got


def test_strips_are_kept_by_what_they_show(tmp_path: Path) -> None:
    """A strip coded once is not coded again: with every chunk gone from the cache but the
    strips kept, the video is rendered again from the same strips, to the same file."""
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from articast.captions import make_cues
    from articast.config import ShowConfig, VideoSettings
    from articast.pictures.slides import make_slides
    from articast.video import render_video
    from articast.video._h264 import PART
    from video_fixtures import fake_episode

    article, script, talk, master = fake_episode(tmp_path / "ep")
    settings = VideoSettings(width=320, height=180)
    cache = tmp_path / "c"
    slides = make_slides(
        article, script, talk, master, ShowConfig(), settings, workdir=tmp_path / "w",
        cache_root=cache,
    )  # fmt: skip
    cues = make_cues(master.sentences)

    def render(name: str) -> bytes:
        out = render_video(
            slides, cues, master, settings, out_path=tmp_path / name / "e.mp4",
            workdir=tmp_path / "w", cache_root=cache,
        )  # fmt: skip
        return out.mp4.read_bytes()

    first = render("one")
    strips = sorted(p.stat().st_mtime_ns for p in (cache / "strips").rglob("*.h264"))
    assert len(strips) > 10
    for part in list((cache / "video").rglob(PART)):
        shutil.rmtree(part.parent)
    assert render("two") == first
    assert sorted(p.stat().st_mtime_ns for p in (cache / "strips").rglob("*.h264")) == strips
