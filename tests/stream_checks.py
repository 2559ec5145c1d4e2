"""Checks of an MP4's video stream against the rules it declares (tests/test_video_streams.py
says which): ``check_stream`` fails on an IDR pair sharing ``idr_pic_id``, a frame the
declared buffer cannot deliver, or a decoder complaint."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from articast.media import ffmpeg_exe
from articast.video._vbv import BUFSIZE, MAXRATE, first_underflow, window_ratio

_AUD = b"\x00\x00\x01\x09"


def annexb(mp4: Path) -> bytes:
    return subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(mp4), "-map", "0:v", "-c", "copy",
         "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def frame_sizes(stream: bytes) -> list[int]:
    """Bytes per access unit (a delimiter opens each)."""
    starts = [m.start() for m in re.finditer(re.escape(_AUD), stream)]
    return [b - a for a, b in zip(starts, [*starts[1:], len(stream)], strict=True)]


def idr_ids(stream: bytes) -> list[tuple[bool, set[int]]]:
    """Per picture: is it an IDR, and the ``idr_pic_id`` of its slices (trace_headers)."""
    trace = subprocess.run(
        [ffmpeg_exe(), "-v", "trace", "-f", "h264", "-i", "-", "-c", "copy",
         "-bsf:v", "trace_headers", "-f", "null", "-"],
        input=stream, capture_output=True, check=True,
    ).stderr.decode()  # fmt: skip
    pictures: list[tuple[bool, set[int]]] = []
    for line in trace.splitlines():
        if kind := re.search(r"nal_unit_type\s+\S+\s*=\s*(\d+)", line):
            if kind.group(1) == "9":
                pictures.append((False, set()))
            elif kind.group(1) == "5" and pictures:
                pictures[-1] = (True, pictures[-1][1])
        elif (ident := re.search(r"\bidr_pic_id\s+\S+\s*=\s*(\d+)", line)) and pictures:
            pictures[-1][1].add(int(ident.group(1)))
    return pictures


def declared(stream: bytes) -> tuple[int, int]:
    """(maxrate, bufsize) in bits as x264 writes them into the stream (its SEI)."""
    found = re.search(rb"vbv_maxrate=(\d+) vbv_bufsize=(\d+)", stream)
    assert found, "x264's settings are not in the stream"
    return int(found.group(1)) * 1000, int(found.group(2)) * 1000


def decode(stream: bytes) -> tuple[list[str], str]:
    """Per-frame MD5s of the decoded pictures of a raw H.264 stream, and the decoder's
    complaints (every check it has, each fatal)."""
    p = subprocess.run(
        [ffmpeg_exe(), "-v", "warning", "-err_detect", "+crccheck+bitstream+buffer+explode",
         "-f", "h264", "-i", "-", "-f", "framemd5", "-"],
        input=stream, capture_output=True, check=True,
    )  # fmt: skip
    sums = [ln.rsplit(",", 1)[1].strip() for ln in p.stdout.decode().splitlines() if ln[:1] != "#"]
    return sums, p.stderr.decode()


def decodes_cleanly(stream: bytes) -> int:
    """Frames decoded; fails on any complaint of the decoder."""
    sums, complaints = decode(stream)
    assert complaints == ""
    return len(sums)


def check_stream(mp4: Path, fps: int) -> None:
    stream = annexb(mp4)
    assert declared(stream) == (MAXRATE, BUFSIZE)
    sizes = frame_sizes(stream)
    assert first_underflow(sizes, fps) is None
    assert window_ratio(sizes, fps) <= 1.0
    pictures = idr_ids(stream)
    assert len(pictures) == len(sizes)
    assert all(len(ids) == 1 for idr, ids in pictures if idr)
    assert not any(a[0] and b[0] and a[1] & b[1] for a, b in itertools.pairwise(pictures))
    assert decodes_cleanly(stream) == len(sizes)


def detailed_article(folder: Path) -> Path:
    """An article whose two pictures are all fine detail: one is random noise (the title
    card shows it full-frame behind the karaoke captions), the other a moire."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    Image.fromarray(noise).save(folder / "noise.png")
    x, y = np.linspace(0, 60, 1920), np.linspace(0, 40, 1080)
    wave = (127 + 127 * np.sin(x[None, :] * y[:, None] / 3)).astype(np.uint8)
    Image.fromarray(np.stack([wave, wave[::-1], wave[:, ::-1]], -1)).save(folder / "moire.png")
    body = (
        "The archive holds pictures with a great deal of detail, and each one costs many bits. "
        "The encoder must keep within its budget even when a picture stays on screen for many "
        "seconds, so that no viewer sees the stream stall on one heavy frame. "
    )
    article = folder / "detailed.md"
    article.write_text(
        "# Detailed Pictures Everywhere\n\n## Noise in the archive\n\n![Random noise](noise.png)\n\n"
        f"{body * 2}\n\n## Moire patterns\n\n![A moire pattern](moire.png)\n\n{body * 2}\n",
        encoding="utf-8",
    )
    return article
