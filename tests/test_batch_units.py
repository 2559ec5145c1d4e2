"""The batch's parts that need no episode build: discovery, .url files, the lock, the plan."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from articast.batch import (
    STATE_DIR,
    BatchLock,
    BatchReport,
    _load_state,
    _why_build,
    discover,
    read_url_file,
)
from articast.errors import InputError, LockHeld, PublishError
from articast.models import Episode, EpisodeFiles


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


# ----------------------------------------------------------------- discovery


def test_discover_finds_articles_and_ignores_hidden_and_other_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in ("a.html", "b.md", "c.txt", "d.url", "E.HTM", "sub/f.markdown"):
        _touch(inbox / name)
    for name in (".draft.md", ".hidden/g.md", "photo.jpg", "notes.pdf", "h.md~", "out/x/script.md"):
        _touch(inbox / name)
    (inbox / "folder.md").mkdir()  # a folder with an article-like name is not an article
    found = [p.relative_to(inbox).as_posix() for p in discover(inbox, exclude=[inbox / "out"])]
    assert found == ["E.HTM", "a.html", "b.md", "c.txt", "d.url", "sub/f.markdown"]


def test_discover_refuses_a_missing_inbox(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inbox not found"):
        discover(tmp_path / "nope")


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://example.org/a\n", "https://example.org/a"),
        ("\ufeff  http://example.org/b?x=1  \n", "http://example.org/b?x=1"),
        ("[InternetShortcut]\r\nURL=https://example.org/c\r\n", "https://example.org/c"),
        ("# saved from the newsletter\n\nhttps://example.org/d\n", "https://example.org/d"),
    ],
)
def test_read_url_file(tmp_path: Path, text: str, url: str) -> None:
    path = tmp_path / "a.url"
    path.write_text(text, encoding="utf-8")
    assert read_url_file(path) == url


def test_read_url_file_without_an_address_is_an_input_error(tmp_path: Path) -> None:
    path = _touch(tmp_path / "a.url", "ftp://example.org/x\nnothing here\n")
    with pytest.raises(InputError, match="no http"):
        read_url_file(path)


# ----------------------------------------------------------------- lock


def test_lock_writes_holder_and_removes_the_file_on_release(tmp_path: Path) -> None:
    lock = BatchLock(tmp_path)
    with lock:
        info = json.loads(lock.path.read_text())
        assert info["pid"] == os.getpid()
        assert info["host"] == socket.gethostname()
        assert lock.stale is None
    assert not lock.path.exists()


def test_second_lock_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with BatchLock(tmp_path), pytest.raises(LockHeld) as err:
        BatchLock(tmp_path).acquire()
    msg = str(err.value)
    assert f"pid {os.getpid()}" in msg
    assert socket.gethostname() in msg
    assert "--wait" in msg


def test_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    pid = _dead_pid()
    path = tmp_path / STATE_DIR / "lock"
    path.parent.mkdir()
    path.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "x"}))
    lock = BatchLock(tmp_path)
    with lock:
        assert lock.stale is not None and lock.stale["pid"] == pid
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_lock_held_by_a_killed_process_is_stale(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from articast.batch import BatchLock;"
        "BatchLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld, match=f"pid {proc.pid}"):
            BatchLock(tmp_path).acquire()
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    lock = BatchLock(tmp_path)
    with lock:
        assert lock.stale is not None and lock.stale["pid"] == proc.pid


def test_two_lockers_at_once_exactly_one_wins(tmp_path: Path) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    held: list[BatchLock] = []
    mutex = threading.Lock()

    def contender() -> None:
        lock = BatchLock(tmp_path)
        barrier.wait()
        try:
            lock.acquire()
        except LockHeld:
            with mutex:
                outcomes.append("refused")
            return
        with mutex:
            outcomes.append("won")
            held.append(lock)

    threads = [threading.Thread(target=contender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for lock in held:
        lock.release()
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]


def test_wait_takes_the_lock_when_the_holder_releases(tmp_path: Path) -> None:
    first = BatchLock(tmp_path)
    first.acquire()
    seen: list[dict[str, object]] = []
    waiter = BatchLock(tmp_path, wait=True, poll=0.05, on_wait=seen.append)
    timer = threading.Timer(0.3, first.release)
    timer.start()
    try:
        with waiter:
            assert json.loads(waiter.path.read_text())["pid"] == os.getpid()
    finally:
        timer.join()
    assert len(seen) == 1 and seen[0]["pid"] == os.getpid()
    assert waiter.waited > 0
    assert waiter.stale is None


def test_cli_batch_exits_2_naming_the_holder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _touch(inbox / "a.md", "# A\n\nHello there.\n")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICAST_")}
    with BatchLock(out):
        t0 = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "articast.cli", "batch", str(inbox), "--out", str(out),
             "--voice", "fake:tone", "--no-video", "--offline"],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
        )
    assert proc.returncode == 2, proc.stderr
    assert f"pid {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert time.monotonic() - t0 < 60
    assert not (out / "a").exists()


# ----------------------------------------------------------------- plan and state


def _fake_episode(out: Path, slug: str, *, missing: str | None = None) -> None:
    folder = out / slug
    folder.mkdir(parents=True)
    files = EpisodeFiles()  # a podcast-only episode: every file but the video and thumbnail
    (folder / "episode.json").write_text(json.dumps(Episode(slug=slug, files=files).to_json()))
    for name in files.names():
        if name != missing:
            (folder / name).write_bytes(b"x")


def test_why_build_reasons(tmp_path: Path) -> None:
    rec = {"content_hash": "c1", "settings_hash": "s1", "slug": "ep"}
    assert _why_build(None, "c1", "s1", tmp_path) == "new"
    assert _why_build(rec, "c2", "s1", tmp_path) == "content changed"
    assert _why_build(rec, "c1", "s2", tmp_path) == "settings changed"
    assert _why_build(rec, "c1", "s1", tmp_path) == "episode folder missing"
    _fake_episode(tmp_path, "ep", missing="script.md")
    assert _why_build(rec, "c1", "s1", tmp_path) == "episode incomplete"
    (tmp_path / "ep" / "script.md").write_text("x")
    assert _why_build(rec, "c1", "s1", tmp_path) is None


def test_unreadable_state_means_rebuild_everything_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / STATE_DIR / "state.json"
    path.parent.mkdir()
    path.write_text("{not json")
    notes: list[str] = []
    assert _load_state(tmp_path, notes) == {}
    assert len(notes) == 1 and "unreadable" in notes[0]


def test_report_json_has_summary_and_exit_code() -> None:
    from articast.batch import ArticleReport

    arts = (
        ArticleReport("a.md", "built", "new", 1.5, folder="/o/a", slug="a", title="A"),
        ArticleReport("b.md", "skipped", "unchanged", 0.0, folder="/o/b", slug="b"),
        ArticleReport("c.txt", "failed", "new", 0.2, error="bad input", stage="ingest"),
    )
    rep = BatchReport("/in", "/o", "t", 2.0, 1, None, "h", arts, feed="/o/feed.xml")
    data = json.loads(json.dumps(rep.to_json()))
    assert data["summary"] == {"total": 3, "built": 1, "skipped": 1, "failed": 1}
    assert [a["status"] for a in data["articles"]] == ["built", "skipped", "failed"]
    assert data["articles"][2]["stage"] == "ingest" and data["articles"][2]["error"] == "bad input"
    assert rep.exit_code == 1
    ok = BatchReport("/in", "/o", "t", 2.0, 1, None, "h", arts[:2], feed=None)
    assert ok.exit_code == 0


def test_a_report_that_cannot_be_written_is_a_publish_error_not_an_input_error(
    tmp_path: Path,
) -> None:
    from articast.batch import run_batch
    from articast.config import load_settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings = dataclasses.replace(load_settings(use_files=False), out_dir=tmp_path / "out")
    with pytest.raises(PublishError, match="cannot write the report") as err:
        run_batch(inbox, settings, report_path=blocker / "report.json")
    assert not isinstance(err.value, InputError)
