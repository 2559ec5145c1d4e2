"""The video buffer the stream declares, kept (private).

x264 is told ``-maxrate``/``-bufsize`` (``MAXRATE``, ``BUFSIZE``) and writes them into the
stream; its rate control keeps every frame it encodes within that buffer. The joined stream
also carries pictures x264 never saw: a group of pictures repeated while a still is held
(``_h264._gop_layout``) and strips coded apart (``_h264.Strips``). On plain slides they cost
little, but a picture full of fine detail (a photograph of foliage, noise, a moire) costs
hundreds of kilobytes for every I-frame, and repeating it every half second, or coding a
caption's rows over it at every word, sends more than the declared buffer can deliver: a
decoder that trusts the declaration stalls.

So the joined stream is checked frame by frame against the buffer (``first_underflow``: a
leaky bucket filled at ``MAXRATE``, ``INIT`` full at the start, as x264 assumes). Where a
frame cannot be delivered, the stream from the group of pictures holding it to the end is
encoded again by x264 from its own decoded pictures, with the buffer as full as it really is
there (``vbv-init``): x264's rate control then sees every frame and keeps the declaration.
The tail is cached by its content, so a rebuild does not encode it again. Streams that keep
the buffer (every episode we measured with ordinary pictures, under a third of it used in
any two seconds) are joined as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAXRATE = 3_000_000
"""Bits per second the buffer is filled at (x264's ``-maxrate``)."""
BUFSIZE = 6_000_000
"""Bits the buffer holds (x264's ``-bufsize``)."""
INIT = 0.9
"""How full the buffer is before the first frame (x264's default ``vbv-init``)."""


@dataclass(frozen=True)
class Underflow:
    """The first frame the buffer cannot deliver in time."""

    frame: int
    level: float
    """Bits in the buffer before that frame."""


def _levels(sizes: Iterable[int], fps: int, level: float) -> Iterator[tuple[float, int]]:
    """(bits in the buffer before the frame, the frame's bits) for each frame of ``sizes``."""
    fill = MAXRATE / fps
    for size in sizes:
        bits = 8 * size
        yield level, bits
        level = min(float(BUFSIZE), level - bits + fill)


def first_underflow(
    sizes: Iterable[int], fps: int, *, level: float = INIT * BUFSIZE
) -> Underflow | None:
    """The first frame of ``sizes`` (bytes per access unit, in order) that a buffer of
    ``BUFSIZE`` bits holding ``level`` before the first frame and filled at ``MAXRATE``
    between frames could not deliver; ``None`` when every frame arrives in time."""
    for i, (before, bits) in enumerate(_levels(sizes, fps, level)):
        if bits > before:
            return Underflow(i, before)
    return None


def levels(sizes: Iterable[int], fps: int, *, level: float = INIT * BUFSIZE) -> list[float]:
    """Bits in the buffer before each frame (may go below zero where a frame is late)."""
    return [before for before, _ in _levels(sizes, fps, level)]


def window_ratio(sizes: list[int], fps: int, seconds: float = 2.0) -> float:
    """The most bits in any ``seconds`` of frames over what the buffer can deliver in that
    time (``MAXRATE * seconds + BUFSIZE``); above 1 the stream cannot keep its buffer."""
    span = max(1, round(seconds * fps))
    total = sum(sizes[:span])
    worst = total
    for i in range(span, len(sizes)):
        total += sizes[i] - sizes[i - span]
        worst = max(worst, total)
    return 8 * worst / (MAXRATE * seconds + BUFSIZE)
