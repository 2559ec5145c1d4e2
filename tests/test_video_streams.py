"""The MP4's video stream keeps the rules it declares, read back from the file.

H.264 7.4.3: two IDR pictures in a row carry different ``idr_pic_id`` (read with ffmpeg's
``trace_headers``). The buffer (VBV) x264 declares, ``-maxrate``/``-bufsize``: no frame
arrives later than a buffer of that size, filled at that rate, can deliver it, and no two
seconds carry more than it can. Checked on the sample, the user's article (when present) and
an article whose pictures are all fine detail (noise, a moire), where the stills repeated
every half second and the captions coded over them used to send 2.5 times what the buffer
allows.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np

from articast.config import Settings
from articast.media import ffmpeg_exe
from articast.pipeline import build_episode
from articast.video._h264 import paced_parts, trimmed_parts
from articast.video._vbv import first_underflow
from stream_checks import annexb, check_stream, decodes_cleanly, detailed_article, frame_sizes


def _full_size(settings: Settings) -> Settings:
    """Full HD, where detail costs the most bits, with the fake voice (timings like speech)."""
    return dataclasses.replace(
        settings,
        voice=dataclasses.replace(settings.voice, voice="fake:tone"),
        video=dataclasses.replace(settings.video, width=1920, height=1080),
    )


def test_an_article_of_fine_detail_keeps_its_buffer_and_idr_ids(
    settings: Settings, tmp_path: Path
) -> None:
    """The sample's stream is checked in ``test_make_episode_on_a_fresh_clone``, the user's
    article's in ``test_seed_article_episode_with_real_espeak`` (both at 1920x1080)."""
    article = detailed_article(tmp_path / "article")
    s = _full_size(settings)
    result = build_episode(article, s)
    check_stream(result.folder / "episode.mp4", s.video.fps)
    frames = len(frame_sizes(annexb(result.folder / "episode.mp4")))
    assert abs(result.episode.duration - frames / s.video.fps) < 0.2


def _x264(pictures: list[bytes], size: tuple[int, int], capped: bool) -> bytes:
    w, h = size
    cap = ["-maxrate", "3M", "-bufsize", "6M"] if capped else []
    return subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}",
         "-framerate", "10", "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-crf", "10",
         *cap, "-x264-params",
         "keyint=5:min-keyint=5:scenecut=0:bframes=0:ref=1:aud=1:repeat-headers=1",
         "-f", "h264", "-"],
        input=b"".join(pictures), capture_output=True, check=True,
    ).stdout  # fmt: skip


def test_a_stream_over_its_buffer_is_encoded_again_from_where_it_first_fails(
    settings: Settings, tmp_path: Path
) -> None:
    """Chunks of noise coded at high quality with no cap, joined: their I-frames every half
    second send more than the buffer holds. The join keeps every frame up to the group of
    pictures where the buffer first fails and encodes the rest again within it."""
    from articast.cache import Cache

    size = (1280, 720)
    rng = np.random.default_rng(7)
    calm = bytes([60]) * (size[0] * size[1]) + bytes([128]) * (size[0] * size[1] // 2)
    noise = rng.integers(16, 235, size[0] * size[1] * 3 // 2, dtype=np.uint8).tobytes()
    parts = []
    for k, (pictures, capped) in enumerate(
        [([calm] * 20, True), ([noise] * 30, False), ([calm] * 15, True)]
    ):
        path = tmp_path / f"c{k}" / "part.h264"
        path.parent.mkdir()
        path.write_bytes(_x264(pictures, size, capped))
        parts.append((path, len(pictures)))
    plain = b"".join(trimmed_parts(parts))
    late = first_underflow(frame_sizes(plain), 10)
    assert late is not None and 20 <= late.frame < 50
    s = dataclasses.replace(
        settings, video=dataclasses.replace(settings.video, width=size[0], height=size[1])
    )
    cache = Cache(tmp_path / "cache", "video")
    (tmp_path / "w").mkdir()
    paced = b"".join(paced_parts(parts, s.video, cache=cache, workdir=tmp_path / "w"))
    sizes = frame_sizes(paced)
    assert len(sizes) == 65 and first_underflow(sizes, 10) is None
    assert decodes_cleanly(paced) == 65
    # What came before the failing group is the stream as joined, byte for byte.
    kept = sum(frame_sizes(plain)[:20])
    assert paced[:kept] == plain[:kept]
    # The same join again: the same stream (the encoded tail is kept by its content).
    again = b"".join(paced_parts(parts, s.video, cache=cache, workdir=tmp_path / "w"))
    assert again == paced
