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
