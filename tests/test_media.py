"""ffmpeg processes: started in one place, and gone when the process that started them dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from articast import media
from articast.errors import RenderError

CHILD = """
import sys
from articast import media
job = media.start_ffmpeg(
    media.ffmpeg_cmd(["-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"]), "forever"
)
print(job.proc.pid, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_ffmpeg_dies_with_the_process_that_started_it() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert _alive(pid)
    # The death signal is armed by setpriv just before it becomes ffmpeg: wait for that (on a
    # loaded machine the parent was once killed before, and its child lived on).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
        if b"setpriv" not in argv[0] and b"anullsrc" in argv:
            break
        time.sleep(0.02)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_a_failing_ffmpeg_is_a_render_error_with_its_command(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as info:
        media.run_ffmpeg(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"], what="probe")
    assert "missing.wav" in " ".join(info.value.command or [])


@pytest.mark.parametrize("folder", ["plain", "odd | [name]: here"])
@pytest.mark.parametrize("name", ["episode.mp3", "odd name [1].mp3"])
def test_an_encode_measured_on_the_way_is_the_file_and_its_figures(
    tmp_path: Path, folder: str, name: str
) -> None:
    """The MP3 written through the tee muxer is byte for byte the plain encode, and the
    loudness read from the pipe equals measuring the file, in any folder."""
    import wave

    import numpy as np

    from articast.audio._mp3 import _encode

    where = tmp_path / folder
    where.mkdir()
    wav = where / "in.wav"
    rate = 44100
    t = np.arange(rate * 3) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * np.minimum(1, t)).astype(np.float32)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((tone * 32767).astype("<i2").tobytes())
    out = where / name
    loud = _encode(wav, out, 1, "96k", rate)
    assert loud == media.measure_loudness(out)
    plain = tmp_path / "plain.mp3"
    media.run_ffmpeg(
        ["-i", str(wav), "-vn", "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", "96k",
         "-ar", str(rate), "-ac", "1", "-id3v2_version", "0", "-write_xing", "1", "-f", "mp3",
         str(plain)],
        what="test",
    )  # fmt: skip
    assert out.read_bytes() == plain.read_bytes()
