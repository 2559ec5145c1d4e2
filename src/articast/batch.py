"""The scheduled batch: an inbox of articles becomes a published show, incrementally and safely.

Sits on top of the pipeline on the map::

    inbox/ -> discover -> plan (changed? by input bytes + settings hash)
           -> build_episode per article, isolated (in-process, N worker processes, or Dask)
           -> feed once -> report

Everything the batch keeps lives in ``<out>/.batch/``:

- ``state.json``: per article (path relative to the inbox) the sha256 of its input bytes, the
  settings hash and the slug of its last *successful* build. An article is rebuilt when its
  bytes or the settings changed, or when its episode folder is missing or incomplete (a
  ``.url`` article when the file changes, not the page behind it). Failed articles are
  retried on every run; articles that leave the inbox keep their published episodes.
- ``lock``: the holder's pid, host and start time, guarded by an OS file lock (``flock``) that
  the kernel drops when the holder dies, even by SIGKILL: a lock left by a dead process is
  stale and is taken over (and said so in the report); a live holder makes a second batch
  raise ``LockHeld`` (CLI exit 2) naming it, or wait with ``wait=True``.
- ``report.json``: the last run's report (unless another path is given).

Episodes are published atomically by the pipeline (temporary folder, then a rename); a run
first calls ``cleanup_leftovers`` to finish or remove what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from articast.cache import atomic_write_text, file_hash
from articast.config import Settings
from articast.episodes import cleanup_leftovers, leftover_path, read_manifest
from articast.errors import ArticastError, BackendUnavailable, InputError, LockHeld, PublishError
from articast.models import ProgressEvent
from articast.pipeline import build_episode, settings_hash
from articast.sanitize import path_text

__all__ = [
    "ARTICLE_SUFFIXES",
    "ArticleReport",
    "ArticleTask",
    "BatchLock",
    "BatchReport",
    "build_one",
    "discover",
    "read_url_file",
    "run_batch",
]

ProgressFn = Callable[[ProgressEvent], None]
Status = Literal["built", "skipped", "failed"]

ARTICLE_SUFFIXES = frozenset(
    {".html", ".htm", ".xhtml", ".md", ".markdown", ".txt", ".text", ".url"}
)
"""File name endings the batch picks up (the format itself is sniffed from the content)."""
STATE_DIR = ".batch"
STATE_FILE = "state.json"
LOCK_FILE = "lock"
REPORT_FILE = "report.json"
STATE_VERSION = 1


# --------------------------------------------------------------------------- discovery


def discover(
    inbox: Path, *, exclude: Sequence[Path] = (), skipped: list[str] | None = None
) -> list[Path]:
    """Article files under ``inbox`` (sub-folders included), sorted by relative path.

    Hidden files and folders (a name starting with ``.``) and anything under ``exclude``
    (e.g. an output folder inside the inbox) are ignored. An inbox is untrusted: only
    regular files that really sit inside it are read; a link that leads out of it (to
    ``/etc/shadow``, a key elsewhere), a FIFO, device or socket is skipped, and named in
    ``skipped`` (for the report).
    """
    if not inbox.is_dir():
        raise InputError(f"inbox not found or not a folder: {inbox}; give a folder of articles")
    root = inbox.resolve()
    skip = [p.resolve() for p in exclude]
    found: list[Path] = []
    for path in sorted(inbox.rglob("*")):
        rel = path.relative_to(inbox)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        resolved = path.resolve()
        if any(resolved.is_relative_to(s) for s in skip):
            continue
        outside = not resolved.is_relative_to(root)
        if not outside and resolved.is_file():
            found.append(path)
        elif skipped is not None and (outside or not resolved.is_dir()):
            # (a folder inside the inbox named like an article is passed over in silence)
            why = "a link that leads out of the inbox" if outside else "not a regular file"
            skipped.append(f"skipped {path_text(rel.as_posix())}: {why}")
    return found


def read_url_file(path: Path) -> str:
    """The http(s) address in a ``.url`` file: a bare URL line or ``URL=...`` (Windows shortcut)."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    for line in text.splitlines():
        line = line.strip()
        if line[:4].lower() == "url=":
            line = line[4:].strip()
        if line.lower().startswith(("http://", "https://")) and " " not in line:
            return line
    raise InputError(f"{path}: no http(s) address found; put the article's URL on its own line")


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ArticleTask:
    """One article to build: everything a worker process (or Dask worker) needs."""

    source: Path
    """The article file (absolute; a ``.url`` file holds the address)."""
    key: str
    """Its path relative to the inbox (the key of its state record)."""
    content_hash: str
    """sha256 of the input file's bytes."""
    settings: Settings
    """Settings with absolute output and cache folders."""
    reason: str
    """Why it is built: new, content changed, settings changed, episode folder missing..."""


@dataclass(frozen=True)
class ArticleReport:
    """What happened to one article in a batch run."""

    source: str
    """Path relative to the inbox."""
    status: Status
    """``built``, ``skipped`` or ``failed``."""
    reason: str
    """Why it was built or skipped (``unchanged``, ``new``, ``content changed``...)."""
    duration: float
    """Wall seconds spent on it (0 for skipped)."""
    folder: str | None = None
    """The episode folder (absolute), when there is one."""
    slug: str | None = None
    title: str | None = None
    error: str | None = None
    """One-line message of the failure."""
    stage: str | None = None
    """Pipeline stage the failure came from, when known."""
    content_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        """The report entry as a JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class BatchReport:
    """The outcome of ``run_batch``."""

    inbox: str
    out_dir: str
    started: str
    """ISO time the run started (after the lock was taken)."""
    duration: float
    jobs: int
    scheduler: str | None
    settings_hash: str
    articles: tuple[ArticleReport, ...]
    feed: str | None
    """Path of feed.xml when it was (re)written this run."""
    feed_error: str | None = None
    notes: tuple[str, ...] = ()
    """Housekeeping: leftovers cleaned, stale lock taken over, old folders removed."""
    report_path: str | None = None

    def counts(self) -> dict[str, int]:
        """``{"total", "built", "skipped", "failed"}``."""
        c = {"total": len(self.articles), "built": 0, "skipped": 0, "failed": 0}
        for a in self.articles:
            c[a.status] += 1
        return c

    @property
    def ok(self) -> bool:
        """True when no article failed and the feed (if due) was written."""
        return self.feed_error is None and all(a.status != "failed" for a in self.articles)

    @property
    def exit_code(self) -> int:
        """0 when everything succeeded, 1 when anything failed."""
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        """The whole report as a JSON-ready dict (what ``report.json`` holds)."""
        data = dataclasses.asdict(self)
        data["articles"] = [a.to_json() for a in self.articles]
        data["notes"] = list(self.notes)
        data["summary"] = self.counts()
        data["ok"] = self.ok
        return data


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ArticastError):
        text = str(exc) or type(exc).__name__
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    notes = getattr(exc, "__notes__", None) or []
    if notes:
        text += " (" + "; ".join(str(n) for n in notes) + ")"
    return " ".join(text.split())


def build_one(task: ArticleTask) -> ArticleReport:
    """Build one article's episode in isolation; never raises for a failure of the article.

    The unit of work of every executor (in-process, process pool, Dask): it must stay a
    top-level function so that it pickles. The feed is not touched (the batch writes it once).
    """
    t0 = time.perf_counter()
    try:
        source: str | Path = task.source
        if task.source.suffix.lower() == ".url":
            try:
                source = read_url_file(task.source)
            except InputError as exc:
                exc.stage = "ingest"
                raise
        result = build_episode(source, task.settings, update_feed=False)
    except Exception as exc:  # recorded in the report: one bad article must not stop the rest
        return ArticleReport(
            source=task.key,
            status="failed",
            reason=task.reason,
            duration=round(time.perf_counter() - t0, 3),
            error=_error_text(exc),
            stage=getattr(exc, "stage", None),
            content_hash=task.content_hash,
        )
    episode = result.episode
    return ArticleReport(
        source=task.key,
        status="built",
        reason=task.reason,
        duration=round(time.perf_counter() - t0, 3),
        folder=str(result.folder),
        slug=episode.slug or result.folder.name,
        title=episode.title,
        content_hash=task.content_hash,
    )


def _failed(task: ArticleTask, error: str, duration: float = 0.0) -> ArticleReport:
    return ArticleReport(
        source=task.key,
        status="failed",
        reason=task.reason,
        duration=round(duration, 3),
        error=error,
        content_hash=task.content_hash,
    )


# --------------------------------------------------------------------------- lock


class BatchLock:
    """An exclusive lock on an output folder: ``<out>/.batch/lock``.

    The file holds the holder's pid, host and start time for humans and error messages; the
    exclusion itself is an ``flock`` on it, which the kernel releases when the holder exits
    or is killed, so a lock file left by a dead process never blocks (it is taken over and
    ``stale`` tells whose it was). Use as a context manager.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        wait: bool = False,
        poll: float = 0.5,
        on_wait: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.path = out_dir / STATE_DIR / LOCK_FILE
        self.wait = wait
        self.poll = poll
        self.on_wait = on_wait
        self.stale: dict[str, Any] | None = None
        """Holder info found in a lock file whose holder was gone (taken over)."""
        self.waited = 0.0
        """Seconds spent waiting for another holder."""
        self._fd: int | None = None

    @staticmethod
    def _read(fd: int) -> dict[str, Any]:
        try:
            raw = os.pread(fd, 4096, 0)
            data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def holder(self) -> dict[str, Any]:
        """What the lock file says about its holder (``{}`` when absent or unreadable)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return {}
        try:
            return self._read(fd)
        finally:
            os.close(fd)

    def _message(self, info: dict[str, Any]) -> str:
        out = self.path.parent.parent
        if info.get("pid"):
            who = f"pid {info['pid']} on host {info.get('host', '?')}"
            if info.get("started"):
                who += f" since {info['started']}"
        else:
            who = "a batch that is just starting"
        return (
            f"{out} is locked by another articast batch ({who}; lock file {self.path}); "
            "wait for it to finish or rerun with --wait"
        )

    def acquire(self) -> None:
        """Take the lock; raise ``LockHeld`` naming the holder, or wait when ``wait`` is set."""
        if self._fd is not None:
            raise RuntimeError("BatchLock is not re-entrant")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        told = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info = self._read(fd)
                settle = time.monotonic() + 2.0
                while not info and time.monotonic() < settle:
                    time.sleep(0.02)  # the holder has the lock but has not written its name yet
                    info = self._read(fd)
                os.close(fd)
                if not self.wait:
                    raise LockHeld(self._message(info)) from None
                if not told and self.on_wait is not None:
                    self.on_wait(info)
                told = True
                time.sleep(self.poll)
                continue
            # The previous holder may have unlinked the file between our open and flock:
            # only the file still at the path counts.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            break
        previous = self._read(fd)
        if previous:
            self.stale = previous
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "argv": sys.argv[:8],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd
        self.waited = round(time.monotonic() - t0, 3) if told else 0.0

    def release(self) -> None:
        """Drop the lock and remove the lock file."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


# --------------------------------------------------------------------------- state


def _load_state(out_dir: Path, notes: list[str]) -> dict[str, dict[str, Any]]:
    path = out_dir / STATE_DIR / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        articles = data["articles"] if data.get("version") == STATE_VERSION else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        notes.append(f"batch state {path} was unreadable ({exc}); every article is rebuilt")
        return {}
    if not isinstance(articles, dict):
        notes.append(f"batch state {path} has an unknown format; every article is rebuilt")
        return {}
    return {k: v for k, v in articles.items() if isinstance(v, dict)}


def _save_state(out_dir: Path, state: dict[str, dict[str, Any]]) -> None:
    doc = {"version": STATE_VERSION, "articles": dict(sorted(state.items()))}
    atomic_write_text(out_dir / STATE_DIR / STATE_FILE, json.dumps(doc, indent=1))


def _episode_complete(folder: Path) -> bool:
    """The folder has a manifest and every file it lists."""
    episode = read_manifest(folder)
    if episode is None:
        return False
    return all((folder / name).is_file() for name in episode.files.names())


def _why_build(
    record: dict[str, Any] | None, content_hash: str, s_hash: str, out_dir: Path
) -> str | None:
    """The reason to build an article, or None when its episode is up to date."""
    if record is None:
        return "new"
    if record.get("content_hash") != content_hash:
        return "content changed"
    if record.get("settings_hash") != s_hash:
        return "settings changed"
    slug = record.get("slug")
    if not isinstance(slug, str) or not slug or not (out_dir / slug).is_dir():
        return "episode folder missing"
    if not _episode_complete(out_dir / slug):
        return "episode incomplete"
    return None


def _retire_folder(out_dir: Path, slug: str) -> None:
    """Remove an episode folder safely: renamed to a ``.building-`` name first, so that a kill
    half-way leaves a leftover that ``cleanup_leftovers`` removes, never a broken episode."""
    folder = out_dir / slug
    if not folder.is_dir():
        return
    doomed = leftover_path(out_dir, slug)
    os.replace(folder, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


# --------------------------------------------------------------------------- executors


def _worker_init() -> None:
    """Worker processes die with the batch (Linux): an orphan must not publish after a kill."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _run_in_process(
    tasks: Sequence[ArticleTask], on_start: Callable[[ArticleTask], None]
) -> Iterator[ArticleReport]:
    for task in tasks:
        on_start(task)
        yield build_one(task)


_WORKER_DIED = (
    "the worker process building it died (a crash in a native library or out of memory); "
    "rerun with --jobs 1 to see the error"
)


def _run_pool(tasks: Sequence[ArticleTask], jobs: int) -> Iterator[ArticleReport]:
    """N spawned worker processes; articles whose worker died are retried once, alone."""
    ctx = multiprocessing.get_context("spawn")
    broken: list[ArticleTask] = []
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=ctx, initializer=_worker_init
    ) as pool:
        futures: dict[Future[ArticleReport], ArticleTask] = {
            pool.submit(build_one, t): t for t in tasks
        }
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                yield fut.result()
            except BrokenProcessPool:
                broken.append(task)
            except Exception as exc:  # pickling trouble and the like: the article fails alone
                yield _failed(task, _error_text(exc))
    for task in broken:
        # Alone in a fresh process: the article that crashes fails, the innocent ones build.
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init) as one:
            try:
                yield one.submit(build_one, task).result()
            except BrokenProcessPool:
                yield _failed(task, _WORKER_DIED, time.perf_counter() - t0)


def _run_dask(tasks: Sequence[ArticleTask], address: str) -> Iterator[ArticleReport]:
    """The same ``build_one`` tasks on a Dask distributed cluster at ``address``."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise BackendUnavailable(
            "--scheduler needs Dask's 'distributed' package; install it with "
            "pip install 'articast[dask]'"
        ) from exc
    try:
        client = Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendUnavailable(
            f"cannot reach the Dask scheduler at {address} ({exc}); start it with "
            f"'dask scheduler' and workers with 'dask worker {address} --nthreads 1'"
        ) from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=60)
        except (TimeoutError, OSError) as exc:
            raise BackendUnavailable(
                f"no Dask worker joined the scheduler at {address} within 60 s; start one with "
                f"'dask worker {address} --nthreads 1'"
            ) from exc
        run = secrets.token_hex(4)
        keys = [f"articast-{run}-{i}" for i in range(len(tasks))]
        futures = client.map(build_one, list(tasks), key=keys, pure=False, retries=0)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for fut in dask_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            task = by_key[fut.key]
            try:
                result = fut.result()
            except Exception as exc:  # KilledWorker, lost connection: this article fails
                yield _failed(task, f"Dask task failed: {_error_text(exc)}")
            else:
                if isinstance(result, ArticleReport):
                    yield result
                else:
                    yield _failed(task, f"Dask worker returned {type(result).__name__}")
            finally:
                fut.release()


# --------------------------------------------------------------------------- the run


def _absolute(settings: Settings) -> Settings:
    """Output and cache folders as absolute paths: workers may run elsewhere (Dask)."""
    return dataclasses.replace(
        settings,
        out_dir=settings.out_dir.expanduser().resolve(),
        cache_dir=settings.cache_dir.expanduser().resolve() if settings.cache_dir else None,
    )


@dataclass
class _Run:
    """Mutable bookkeeping of one run (main process only)."""

    out_dir: Path
    present: set[str]
    state: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    changed: bool = False

    def record(self, rep: ArticleReport, s_hash: str) -> ArticleReport:
        """Store a successful build in the state (saved at once); settle slug conflicts."""
        if rep.status != "built" or rep.slug is None:
            return rep
        rivals = [
            k
            for k, r in self.state.items()
            if k != rep.source and k in self.present and r.get("slug") == rep.slug
        ]
        old = self.state.get(rep.source, {}).get("slug")
        self.state[rep.source] = {
            "content_hash": rep.content_hash,
            "settings_hash": s_hash,
            "slug": rep.slug,
            "title": rep.title,
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.changed = True
        if rivals:
            # Two articles with the same title share one folder: the later build replaced
            # the other's episode. Both are rebuilt next time; the user must rename one.
            for k in rivals:
                self.state.pop(k, None)
            self.state.pop(rep.source, None)
            _save_state(self.out_dir, self.state)
            return dataclasses.replace(
                rep,
                status="failed",
                stage="publish",
                error=(
                    f"same title as {', '.join(rivals)}: both map to the episode folder "
                    f"{rep.slug}, which now holds this one; give one of them another title"
                ),
            )
        if isinstance(old, str) and old and old != rep.slug:
            still_used = any(r.get("slug") == old for k, r in self.state.items() if k != rep.source)
            if not still_used:
                _retire_folder(self.out_dir, old)
                self.notes.append(f"removed {old}/ (the title of {rep.source} changed)")
        _save_state(self.out_dir, self.state)
        return rep


def run_batch(
    inbox: Path,
    settings: Settings,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    wait: bool = False,
    report_path: Path | None = None,
    progress: ProgressFn | None = None,
) -> BatchReport:
    """Build every new or changed article of ``inbox`` into ``settings.out_dir``, then the feed.

    Articles whose input bytes and settings are unchanged since their last successful build
    (and whose episode folder is complete) are skipped. Each article is built in isolation: a
    failure is recorded and the others go on. ``jobs`` > 1 builds in that many worker
    processes; ``scheduler`` (``tcp://HOST:PORT``) sends the builds to a Dask cluster whose
    workers see the inbox and the output folder at the same paths. The JSON report is written
    to ``report_path`` (default ``<out>/.batch/report.json``).

    Raises ``LockHeld`` when another batch holds the output folder (unless ``wait``),
    ``InputError`` for a missing inbox or a bad ``jobs``, ``BackendUnavailable`` when the Dask
    scheduler cannot be reached.
    """
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    settings.check_files()
    from articast.outputs import check as check_outputs

    check_outputs(settings)
    inbox = inbox.expanduser().resolve()
    if not inbox.is_dir():
        raise InputError(f"inbox not found or not a folder: {inbox}; give a folder of articles")
    settings = _absolute(settings)
    out_dir = settings.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    def emit(done: int, total: int | None, message: str, stage: str = "batch") -> None:
        if progress is not None:
            progress(ProgressEvent(stage, done, total, message))

    def on_wait(info: dict[str, Any]) -> None:
        holder = f"pid {info.get('pid', '?')} on {info.get('host', '?')}"
        emit(0, None, f"waiting for the batch lock held by {holder}", stage="lock")

    lock = BatchLock(out_dir, wait=wait, on_wait=on_wait)
    with lock:
        t0 = time.perf_counter()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        notes: list[str] = []
        if lock.stale:
            notes.append(
                f"took over a stale lock of pid {lock.stale.get('pid')} on "
                f"{lock.stale.get('host')} (that batch is gone)"
            )
        if lock.waited:
            notes.append(f"waited {lock.waited:.1f} s for another batch")
        notes.extend(cleanup_leftovers(out_dir))
        exclude = [out_dir, settings.cache_root]
        articles = discover(inbox, exclude=exclude, skipped=notes)
        # As the report shows them: a file name that is not UTF-8 written with \xNN escapes.
        keys = {p: path_text(p.relative_to(inbox).as_posix()) for p in articles}
        run = _Run(out_dir=out_dir, present=set(keys.values()), state=_load_state(out_dir, notes))
        s_hash = settings_hash(settings)

        reports: dict[str, ArticleReport] = {}
        tasks: list[ArticleTask] = []
        for path in articles:
            key = keys[path]
            try:
                c_hash = file_hash(path)
            except OSError as exc:
                reports[key] = ArticleReport(
                    source=key,
                    status="failed",
                    reason="unreadable",
                    duration=0.0,
                    error=f"cannot read {path}: {exc.strerror or exc}",
                    stage="ingest",
                )
                continue
            record = run.state.get(key)
            reason = _why_build(record, c_hash, s_hash, out_dir)
            if reason is None and record is not None:
                slug = str(record["slug"])
                reports[key] = ArticleReport(
                    source=key,
                    status="skipped",
                    reason="unchanged",
                    duration=0.0,
                    folder=str(out_dir / slug),
                    slug=slug,
                    title=record.get("title"),
                    content_hash=c_hash,
                )
            else:
                tasks.append(ArticleTask(path.resolve(), key, c_hash, settings, reason or "new"))

        total = len(articles)
        done = len(reports)
        emit(done, total, f"{len(tasks)} to build, {done} up to date")

        def on_start(task: ArticleTask) -> None:
            emit(done, total, f"building {task.key}")

        results: Iterable[ArticleReport]
        if not tasks:
            results = ()
        elif scheduler:
            results = _run_dask(tasks, scheduler)
        elif jobs == 1 or len(tasks) == 1:
            results = _run_in_process(tasks, on_start)
        else:
            results = _run_pool(tasks, jobs)
        for rep in results:
            rep = run.record(rep, s_hash)
            reports[rep.source] = rep
            done += 1
            emit(done, total, f"{rep.status} {rep.source}")
        notes.extend(run.notes)

        feed: str | None = None
        feed_error: str | None = None
        feed_path = out_dir / "feed.xml"
        has_episodes = any(out_dir.glob("[!.]*/episode.json"))
        if run.changed or (has_episodes and not feed_path.exists()):
            from articast.outputs import publish_show

            emit(done, total, "writing the feed")
            try:
                feed_notes: list[str] = []
                made = publish_show(settings, feed_notes)  # the feed (and the show's page)
                feed = str(made["feed"]) if "feed" in made else None
                notes.extend(feed_notes)
            except ArticastError as exc:
                feed_error = _error_text(exc)

        ordered = tuple(reports[k] for k in sorted(reports))
        path = report_path or out_dir / STATE_DIR / REPORT_FILE
        report = BatchReport(
            inbox=str(inbox),
            out_dir=str(out_dir),
            started=started,
            duration=round(time.perf_counter() - t0, 3),
            jobs=jobs,
            scheduler=scheduler,
            settings_hash=s_hash,
            articles=ordered,
            feed=feed,
            feed_error=feed_error,
            notes=tuple(notes),
            report_path=str(path),
        )
        try:
            atomic_write_text(path, json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        except OSError as exc:
            raise PublishError(
                f"cannot write the report {path}: {exc.strerror or exc}; "
                "check the folder's permissions and free space (the episodes were published)"
            ) from exc
        return report
