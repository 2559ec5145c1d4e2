"""ffmpeg and pydub plumbing shared by the audio, video and voice stages.

Uses the static ffmpeg that ``imageio-ffmpeg`` ships (no root, no system ffmpeg, no ffprobe).
Every ffmpeg process is started here (``run_ffmpeg``, ``start_ffmpeg``, ``pipe_frames``,
``probe_*``), and on Linux each is asked to die with the process that started it
(``PR_SET_PDEATHSIG``), so a killed build leaves no encoder running.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from articast.errors import RenderError

_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (Linux), resolved once in the parent: the child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    fn.restype = ctypes.c_int
    return typing.cast(Callable[..., int], fn)


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes a child process die with us (Linux ``PR_SET_PDEATHSIG``).

    A build killed with SIGKILL cannot clean up; without this its ffmpeg children would go on
    writing into folders nobody reads. ``None`` where the platform has no such call.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the call above: go too
            os._exit(1)

    return preexec


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@functools.cache
def _setpriv() -> str | None:
    """util-linux's ``setpriv`` where it can set the parent-death signal (Linux)."""
    if _prctl() is None:
        return None
    found = shutil.which("setpriv")
    if found is None:
        return None
    try:  # util-linux before 2.33 has no --pdeathsig
        ok = subprocess.run(
            [found, "--pdeathsig", "KILL", "--", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found if ok.returncode == 0 else None


BACKGROUND_NICE = 10
"""How much lower a ``background`` child runs than the build (a Unix nice increment)."""


def popen(
    cmd: Sequence[str], *, background: bool = False, **kwargs: object
) -> subprocess.Popen[bytes]:
    """``subprocess.Popen`` for a child that dies with us (Linux; elsewhere a plain Popen).

    The signal comes when the thread that started the child ends, so callers wait for their
    children in the thread that started them. ``setpriv --pdeathsig`` asks for it where
    there is one: a ``preexec_fn`` makes Python fork the whole process instead of spawning
    the child (measured: 68 ms per ffmpeg in a build holding the voice model, the GIL held
    meanwhile, against under 1 ms).

    A ``background`` child (work that nothing waits for soon: the audio encodes beside the
    video's pictures) runs at a lower priority, so that on busy cores the work on the build's
    longest path comes first and the background fills the gaps.
    """
    setpriv = _setpriv()
    if setpriv is not None:
        proc = subprocess.Popen([setpriv, "--pdeathsig", "KILL", "--", *cmd], **kwargs)  # type: ignore[call-overload]
    else:
        proc = subprocess.Popen(list(cmd), preexec_fn=die_with_parent(), **kwargs)  # type: ignore[call-overload]
    if background:
        with contextlib.suppress(OSError, AttributeError):  # gone already; not Unix
            os.setpriority(os.PRIO_PROCESS, proc.pid, BACKGROUND_NICE)
    return proc  # type: ignore[no-any-return]


def ffmpeg_cmd(args: Sequence[str]) -> list[str]:
    """A quiet ffmpeg command line with ``args`` (no ``ffmpeg`` prefix)."""
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]


def _run(
    cmd: Sequence[str],
    *,
    timeout: float | None = None,
    data: bytes | None = None,
    background: bool = False,
) -> tuple[int, bytes, bytes]:
    stdin = subprocess.PIPE if data is not None else subprocess.DEVNULL
    with popen(
        cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, background=background
    ) as proc:
        try:
            out, err = proc.communicate(data, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        return proc.returncode, out, err


def run_ffmpeg(
    args: Sequence[str], *, what: str, timeout: float | None = None, background: bool = False
) -> str:
    """Run ffmpeg with ``args`` (no ``ffmpeg`` prefix); returns stderr. Raises RenderError.
    ``background``: at a lower priority (``popen``)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    try:
        code, _, err_bytes = _run(cmd, timeout=timeout, background=background)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{what}: ffmpeg timed out", command=cmd) from exc
    stderr = err_bytes.decode("utf-8", "replace")
    if code != 0:
        raise RenderError(f"{what}: ffmpeg failed (exit {code})", command=cmd, stderr=stderr)
    return stderr


def run_filter(cmd: Sequence[str], data: bytes, *, timeout: float) -> tuple[int, bytes, bytes]:
    """Run ``cmd`` (an ffmpeg command line) with ``data`` on stdin: exit code, stdout, stderr."""
    return _run(cmd, timeout=timeout, data=data)


@dataclass
class Job:
    """A running ffmpeg process and what to do when it ends (see ``start_ffmpeg``)."""

    proc: subprocess.Popen[bytes]
    cmd: list[str]
    what: str
    done: Callable[[], None]

    def wait(self) -> None:
        """Wait for the process; raise RenderError if it failed, else call ``done``."""
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise RenderError(
                f"{self.what}: ffmpeg failed (exit {self.proc.returncode})",
                command=self.cmd,
                stderr=err.decode("utf-8", "replace"),
            )
        self.done()

    def kill(self) -> None:
        """Stop the process if it still runs (after a failure elsewhere)."""
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.communicate()


def start_ffmpeg(
    cmd: list[str],
    what: str,
    done: Callable[[], None] = lambda: None,
    *,
    background: bool = False,
) -> Job:
    """Start ``cmd`` (from ``ffmpeg_cmd``) without waiting for it (``background``: at a lower
    priority, see ``popen``)."""
    proc = popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        background=background,
    )
    return Job(proc, cmd, what, done)


def pipe_frames(
    cmd: list[str], frames: Iterable[bytes | memoryview], what: str, *, background: bool = False
) -> None:
    """Feed raw data to an ffmpeg reading stdin; raise RenderError when it fails
    (``background``: at a lower priority, see ``popen``)."""
    with tempfile.TemporaryFile() as log:
        proc = popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
            background=background,
        )
        stdin = proc.stdin
        if stdin is None:
            raise RenderError(f"{what}: ffmpeg has no input pipe", command=cmd)
        try:
            with stdin:
                for frame in frames:
                    stdin.write(frame)
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit status below says why
        finally:
            code = proc.wait()
        if code != 0:
            log.seek(0)
            err = log.read().decode("utf-8", "replace")
            raise RenderError(f"{what}: ffmpeg failed (exit {code})", command=cmd, stderr=err)


AAC_RATE = 48000
"""Sample rate of the video's AAC track; each AAC frame holds 1024 samples."""


def aac_frame_grid(rate: int) -> int:
    """Samples at ``rate`` in the fewest whole AAC frames at ``AAC_RATE`` (4704 at 44.1 kHz):
    where audio may be cut into pieces encoded apart and joined with no drift."""
    return rate * 1024 // math.gcd(rate * 1024, AAC_RATE)


def wav_data_offset(path: Path) -> int | None:
    """Where the samples of the WAV ``path`` start (after its ``data`` chunk header), or None
    when its first 64 KB hold no ``data`` chunk."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    at = head.find(b"data")
    return None if at < 0 else at + 8


@functools.cache
def pydub() -> Any:
    """The ``pydub`` module, configured to use the bundled ffmpeg (import warning silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        import pydub as _pydub

    _pydub.AudioSegment.converter = ffmpeg_exe()
    _pydub.AudioSegment.ffmpeg = ffmpeg_exe()
    return _pydub


@dataclass(frozen=True)
class Loudness:
    """EBU R128 figures read back by ffmpeg's ebur128 filter."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float


_I = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_LRA = re.compile(r"LRA:\s+(-?[\d.]+) LU")
_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def measure_loudness(path: Path, *, background: bool = False) -> Loudness:
    """Integrated loudness and true peak of an audio file, per ITU-R BS.1770 (ffmpeg ebur128)."""
    err = run_ffmpeg(
        ["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        what="loudness measurement",
        background=background,
    )
    return _loudness(err)


def _loudness(err: str) -> Loudness:
    summary = err[err.rfind("Summary:") :]
    i = _I.search(summary)
    p = _PEAK.search(summary)
    lra = _LRA.search(summary)
    if not i or not p:
        raise RenderError("loudness measurement: no ebur128 summary", stderr=err)

    def num(s: str) -> float:
        return float("-inf") if s == "-inf" else float(s)

    return Loudness(num(i.group(1)), num(p.group(1)), float(lra.group(1)) if lra else 0.0)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]{0,200}")


def encode_measured(
    args: Sequence[str],
    out: Path,
    fmt: str,
    *,
    options: Mapping[str, str] | None = None,
    keep: tuple[int, int] | None = None,
    what: str,
    background: bool = False,
) -> Loudness:
    """Encode with ``args`` (input and codec options) into ``out`` (format ``fmt``, muxer
    ``options``) and measure the encoded audio's loudness (``measure_loudness``) as it is
    written: one ffmpeg encodes into the file and, through its ``tee`` muxer, into a pipe that
    a second ffmpeg decodes and measures at the same time (on two cores the encode and its
    check no longer follow each other: 1.33 s -> 1.05 s for the sample's MP3 on an idle
    machine). The file is byte for byte what ``-f fmt out`` writes. The pipe's copy has no
    header written afterwards (an MP3's Xing frame, with the encoder delay that a decoder of
    the file skips): ``keep`` = (first sample, count) names the samples that decoding the
    file gives, so the figures are exactly those of ``measure_loudness(out)`` (test).

    The file is named in ``tee``'s syntax relative to its folder (the process runs there), so
    a folder name with ``|``, ``[`` or ``:`` needs no escaping; a file name that is not plain
    is encoded, then measured, one after the other."""
    opts = dict(options or {})
    if not _PLAIN_NAME.fullmatch(out.name):
        flags = [x for k, v in opts.items() for x in (f"-{k}", v)]
        run_ffmpeg([*args, *flags, "-f", fmt, str(out)], what=what, background=background)
        return measure_loudness(out, background=background)

    def slave(target: str, **override: str) -> str:
        spec = ":".join(f"{k}={v}" for k, v in {"f": fmt, **opts, **override}.items())
        return f"[{spec}]{target}"

    piped = {"write_xing": "0"} if fmt == "mp3" else {}
    encode = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args,
        "-f", "tee", f"{slave(out.name)}|{slave('pipe:1', **piped)}",
    ]  # fmt: skip
    trim = f"atrim=start_sample={keep[0]}:end_sample={keep[0] + keep[1]}," if keep else ""
    measure = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", fmt, "-i", "pipe:0",
               "-af", f"{trim}ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        first = popen(
            encode, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
            cwd=str(out.parent), background=background,
        )  # fmt: skip
        try:
            second = popen(
                measure, stdin=first.stdout, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, background=background,
            )  # fmt: skip
        except BaseException:
            first.kill()
            first.wait()
            raise
        finally:
            if first.stdout is not None:
                first.stdout.close()  # the second process holds the pipe now
        _, err_bytes = second.communicate()
        code = first.wait()
        if code != 0:
            log.seek(0)
            raise RenderError(
                f"{what}: ffmpeg failed (exit {code})",
                command=encode,
                stderr=log.read().decode("utf-8", "replace"),
            )
    err = err_bytes.decode("utf-8", "replace")
    if second.returncode != 0:
        raise RenderError(
            f"loudness measurement: ffmpeg failed (exit {second.returncode})",
            command=measure,
            stderr=err,
        )
    return _loudness(err)


_DUR = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")


def probe_duration(path: Path) -> float:
    """Container duration of a media file in seconds (from ``ffmpeg -i``; no ffprobe needed)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-i", str(path)]
    err = _run(cmd)[2].decode("utf-8", "replace")
    m = _DUR.search(err)
    if not m:
        raise RenderError(f"cannot read the duration of {path}", command=cmd, stderr=err)
    h, mi, s = m.groups()
    return int(h) * 3600 + int(mi) * 60 + float(s)


def probe_info(path: Path) -> str:
    """ffmpeg's description of a media file (streams, chapters) from ``ffmpeg -i``."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-i", str(path)]
    return _run(cmd)[2].decode("utf-8", "replace")
