"""The studio's build queue: one worker runs the jobs (builds, publishes) in the order they came.

Two builds of one episode queue rather than collide; the progress events the pipeline sends
(the same stages the CLI shows) are kept on the job for pages to poll.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from articast.models import ProgressEvent

JobState = Literal["queued", "running", "done", "failed"]
JobKind = Literal["build", "publish"]


@dataclass(frozen=True)
class StageProgress:
    """How far one stage (or the pipeline, ``stage``) is."""

    name: str
    done: int
    total: int | None
    note: str = ""


@dataclass(frozen=True)
class Job:
    """A build or publish the studio queued, as it is now."""

    id: int
    kind: JobKind
    slug: str
    state: JobState = "queued"
    queued_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    stage: str = ""
    """The pipeline stage running now (``ingest`` ... ``publish``)."""
    progress: tuple[StageProgress, ...] = ()
    """The latest event of each stage that reported one, in the order they came."""
    message: str = ""
    """What it made (``done``) or what went wrong (``failed``): one line for the page."""
    warnings: tuple[str, ...] = ()
    synthesized: int | None = None
    """Sentences the build synthesised."""
    cached: int | None = None
    """Sentences it took from the speech cache."""

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")


Work = Callable[[Callable[[ProgressEvent], None]], "JobOutcome"]


@dataclass(frozen=True)
class JobOutcome:
    """What a job's work returns."""

    message: str
    warnings: tuple[str, ...] = ()
    synthesized: int | None = None
    cached: int | None = None


@dataclass
class _Entry:
    job: Job
    work: Work
    done: threading.Event = field(default_factory=threading.Event)


class JobQueue:
    """Runs queued work on one background thread, first come first served."""

    def __init__(self, describe_error: Callable[[BaseException], str]) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._queue: queue.Queue[_Entry | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._describe = describe_error
        self._thread = threading.Thread(target=self._run, name="articast-studio-jobs", daemon=True)
        self._thread.start()

    def submit(self, kind: JobKind, slug: str, work: Work) -> Job:
        with self._lock:
            job = Job(next(self._ids), kind, slug, queued_at=time.time())
            entry = _Entry(job, work)
            self._entries[job.id] = entry
        self._queue.put(entry)
        return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            entry = self._entries.get(job_id)
            return entry.job if entry else None

    def of(self, slug: str) -> list[Job]:
        """The jobs of one episode, oldest first."""
        with self._lock:
            return [e.job for e in self._entries.values() if e.job.slug == slug]

    def all(self) -> list[Job]:
        with self._lock:
            return [e.job for e in self._entries.values()]

    def wait(self, job_id: int, timeout: float | None = None) -> Job:
        """The job once it has finished (or as it is after ``timeout`` seconds)."""
        with self._lock:
            entry = self._entries[job_id]
        entry.done.wait(timeout)
        return self.get(job_id) or entry.job

    def close(self, wait: float = 0.0) -> None:
        """Stop taking jobs; with ``wait``, give the queued and running ones that many
        seconds to finish."""
        self._queue.put(None)
        if wait:
            self._thread.join(wait)

    def _update(self, entry: _Entry, **changes: object) -> None:
        with self._lock:
            entry.job = replace(entry.job, **changes)  # type: ignore[arg-type]

    def _run(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            self._update(entry, state="running", started_at=time.time())

            def progress(ev: ProgressEvent, entry: _Entry = entry) -> None:
                step = StageProgress(ev.stage, ev.done, ev.total, ev.message[:80])
                with self._lock:
                    job = entry.job
                    if any(p.name == ev.stage for p in job.progress):
                        steps = tuple(step if p.name == ev.stage else p for p in job.progress)
                    else:
                        steps = (*job.progress, step)
                    stage = ev.message if ev.stage == "stage" else job.stage
                    entry.job = replace(job, progress=steps, stage=stage)

            try:
                outcome = entry.work(progress)
            except BaseException as exc:  # the worker must outlive any one job
                self._update(
                    entry, state="failed", finished_at=time.time(), message=self._describe(exc)
                )
                if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
                    entry.done.set()
                    raise
            else:
                self._update(
                    entry,
                    state="done",
                    finished_at=time.time(),
                    message=outcome.message,
                    warnings=outcome.warnings,
                    synthesized=outcome.synthesized,
                    cached=outcome.cached,
                )
            entry.done.set()
