"""The batch end to end: an inbox becomes episodes and a feed, incrementally and safely.

Real builds with the fake voice and no video (fast); real ffmpeg checks the audio.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from articast.batch import STATE_DIR, run_batch
from articast.config import Settings
from articast.media import ffmpeg_exe

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
GOOD = ("bread-starter.md", "night-trains.txt", "tide-pools.html")
BROKEN = "broken-upload.txt"
SLUGS = {
    "bread-starter.md": "keeping-a-bread-starter-alive",
    "night-trains.txt": "night-trains-across-europe",
    "tide-pools.html": "tide-pools-at-low-water",
}
CLI = [sys.executable, "-m", "articast.cli"]
pytestmark = pytest.mark.slow


@pytest.fixture
def batch_settings(settings: Settings) -> Settings:
    """Fake voice, podcast only, offline, output in tmp_path."""
    return dataclasses.replace(
        settings,
        voice=dataclasses.replace(settings.voice, voice="fake:tone"),
        video=dataclasses.replace(settings.video, enabled=False),
    )


def _inbox(tmp_path: Path, names: tuple[str, ...] = (*GOOD, BROKEN)) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in names:
        shutil.copyfile(FIXTURES / name, inbox / name)
    return inbox


def _feed_titles(out: Path) -> list[str]:
    root = etree.parse(str(out / "feed.xml"))
    return sorted(str(t) for t in root.xpath("/rss/channel/item/title/text()"))


def _assert_complete(out: Path) -> None:
    """Every published folder is a whole, playable episode; no temporary folders are left."""
    leftovers = [p.name for p in out.iterdir() if ".building-" in p.name or ".old-" in p.name]
    assert leftovers == []
    for manifest in out.glob("[!.]*/episode.json"):
        folder = manifest.parent
        m = json.loads(manifest.read_text())
        for name in m["files"].values():
            assert (folder / name).is_file(), f"{folder.name}/{name} missing"
        proc = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-i", str(folder / "episode.mp3"), "-f", "null", "-"],
            capture_output=True, text=True,
        )
        assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr


def _cli_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ARTICAST_")}


def _cli_batch(inbox: Path, out: Path, *extra: str) -> list[str]:
    return [*CLI, "batch", str(inbox), "--out", str(out), "--voice", "fake:tone",
            "--no-video", "--offline", *extra]


def test_inbox_with_a_broken_article_then_reruns(tmp_path: Path, batch_settings: Settings) -> None:
    inbox = _inbox(tmp_path)
    (inbox / ".draft.md").write_text("# Hidden\n\nNot for tonight.\n")
    out = batch_settings.out_dir

    first = run_batch(inbox, batch_settings)
    by = {a.source: a for a in first.articles}
    assert set(by) == {*GOOD, BROKEN}
    assert first.counts() == {"total": 4, "built": 3, "skipped": 0, "failed": 1}
    assert first.exit_code == 1
    bad = by[BROKEN]
    assert bad.status == "failed" and bad.stage == "ingest" and "binary" in (bad.error or "")
    for name in GOOD:
        assert by[name].status == "built" and by[name].reason == "new"
        assert by[name].folder == str(out / SLUGS[name])
        assert by[name].duration > 0
    assert _feed_titles(out) == sorted(
        ["Keeping a Bread Starter Alive", "Night Trains Across Europe", "Tide Pools at Low Water"]
    )
    report = json.loads((out / STATE_DIR / "report.json").read_text())
    assert report["summary"] == {"total": 4, "built": 3, "skipped": 0, "failed": 1}
    assert {a["source"]: a["status"] for a in report["articles"]}[BROKEN] == "failed"
    _assert_complete(out)
    feed_mtime = (out / "feed.xml").stat().st_mtime_ns

    # Nothing changed: nothing is built, the feed is left alone.
    second = run_batch(inbox, batch_settings)
    assert second.counts() == {"total": 4, "built": 0, "skipped": 3, "failed": 1}
    assert {a.reason for a in second.articles if a.status == "skipped"} == {"unchanged"}
    assert second.feed is None
    assert (out / "feed.xml").stat().st_mtime_ns == feed_mtime
    print(f"first run {first.duration:.2f} s, unchanged rerun {second.duration:.3f} s")

    # One article's body changes: only it is rebuilt.
    mp3 = out / SLUGS["night-trains.txt"] / "episode.mp3"
    before = mp3.read_bytes()
    path = inbox / "night-trains.txt"
    path.write_text(path.read_text() + "\nSome routes run all year round.\n")
    third = run_batch(inbox, batch_settings)
    built = [a.source for a in third.articles if a.status == "built"]
    assert built == ["night-trains.txt"]
    assert {a.reason for a in third.articles if a.status == "built"} == {"content changed"}
    assert mp3.read_bytes() != before
    assert third.feed is not None and len(_feed_titles(out)) == 3

    # A published folder deleted by hand is rebuilt; the state alone does not count.
    shutil.rmtree(out / SLUGS["tide-pools.html"])
    fourth = run_batch(inbox, batch_settings)
    assert [(a.source, a.reason) for a in fourth.articles if a.status == "built"] == [
        ("tide-pools.html", "episode folder missing")
    ]
    _assert_complete(out)
    assert len(_feed_titles(out)) == 3


def test_settings_and_title_changes(tmp_path: Path, batch_settings: Settings) -> None:
    inbox = _inbox(tmp_path, ("bread-starter.md",))
    out = batch_settings.out_dir
    assert run_batch(inbox, batch_settings).counts()["built"] == 1

    slower = dataclasses.replace(
        batch_settings, voice=dataclasses.replace(batch_settings.voice, rate=150)
    )
    again = run_batch(inbox, slower)
    assert [(a.status, a.reason) for a in again.articles] == [("built", "settings changed")]
    # Moving the output or cache folder is not a settings change.
    moved = dataclasses.replace(slower, cache_dir=tmp_path / "other-cache")
    assert run_batch(inbox, moved).counts()["skipped"] == 1

    # A new title means a new folder; the old one leaves the show.
    src = inbox / "bread-starter.md"
    src.write_text(src.read_text().replace("Keeping a Bread Starter Alive", "Sourdough Basics"))
    renamed = run_batch(inbox, moved)
    assert [a.slug for a in renamed.articles] == ["sourdough-basics"]
    assert not (out / "keeping-a-bread-starter-alive").exists()
    assert any("keeping-a-bread-starter-alive" in n for n in renamed.notes)
    assert _feed_titles(out) == ["Sourdough Basics"]
    _assert_complete(out)


def test_same_title_twice_gets_two_folders(tmp_path: Path, batch_settings: Settings) -> None:
    """Issue 19: two articles with one title no longer fight over one folder (both failed on
    every run before); the second gets the title's slug plus a short hash of its source."""
    inbox = _inbox(tmp_path, ("bread-starter.md",))
    shutil.copyfile(inbox / "bread-starter.md", inbox / "bread-copy.md")
    rep = run_batch(inbox, batch_settings)
    assert sorted(a.status for a in rep.articles) == ["built", "built"]
    slugs = sorted(a.slug or "" for a in rep.articles)
    assert slugs[1].startswith(slugs[0] + "-") and len(slugs[1]) == len(slugs[0]) + 9
    assert rep.exit_code == 0
    again = run_batch(inbox, batch_settings)
    assert sorted(a.status for a in again.articles) == ["skipped", "skipped"]


def _audio(folder: Path) -> bytes:
    """The MP3 frames of an episode, without the ID3v2 tag (which carries today's date)."""
    data = (folder / "episode.mp3").read_bytes()
    if data[:3] == b"ID3":
        size = 0
        for b in data[6:10]:
            size = (size << 7) | (b & 0x7F)
        data = data[10 + size + (10 if data[5] & 0x10 else 0):]
    assert len(data) > 1000
    return data


def test_process_pool_and_dask_build_what_jobs_1_builds(
    tmp_path: Path, batch_settings: Settings
) -> None:
    distributed = pytest.importorskip("distributed")
    inbox = _inbox(tmp_path, (*GOOD[:2], BROKEN))
    one = run_batch(inbox, dataclasses.replace(batch_settings, out_dir=tmp_path / "one"))
    two = run_batch(inbox, dataclasses.replace(batch_settings, out_dir=tmp_path / "two"), jobs=2)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        dask = run_batch(
            inbox,
            dataclasses.replace(batch_settings, out_dir=tmp_path / "dask"),
            scheduler=cluster.scheduler_address,
        )
    assert dask.scheduler == cluster.scheduler_address
    expected = {"total": 3, "built": 2, "skipped": 0, "failed": 1}
    assert one.counts() == two.counts() == dask.counts() == expected
    assert {a.source: a.stage for a in dask.articles if a.status == "failed"} == {BROKEN: "ingest"}
    for name in ("two", "dask"):
        for source in GOOD[:2]:
            slug = SLUGS[source]
            assert _audio(tmp_path / name / slug) == _audio(tmp_path / "one" / slug), (name, slug)
        assert _feed_titles(tmp_path / name) == _feed_titles(tmp_path / "one")
        _assert_complete(tmp_path / name)


def test_a_dask_worker_voices_what_the_local_batch_voices(
    tmp_path: Path, batch_settings: Settings
) -> None:
    """Issue 28: the default neural voice on a Dask worker (another process, a cold cache)
    gives the same decoded audio, chapters and captions as the same batch run here."""
    distributed = pytest.importorskip("distributed")
    from test_reproducible import pcm_hash

    inbox = _inbox(tmp_path, GOOD[:2])
    neural = dataclasses.replace(
        batch_settings, voice=dataclasses.replace(batch_settings.voice, voice="")
    )
    local = run_batch(inbox, dataclasses.replace(neural, out_dir=tmp_path / "local"))
    with distributed.LocalCluster(
        n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        dask = run_batch(
            inbox,
            dataclasses.replace(neural, out_dir=tmp_path / "dask"),
            scheduler=cluster.scheduler_address,
        )
    assert local.counts() == dask.counts() == {"total": 2, "built": 2, "skipped": 0, "failed": 0}
    for source in GOOD[:2]:
        a, b = tmp_path / "local" / SLUGS[source], tmp_path / "dask" / SLUGS[source]
        manifest = json.loads((a / "episode.json").read_text())
        assert manifest["voice"] == "piper:en_US-joe-medium"
        assert pcm_hash(a / "episode.mp3") == pcm_hash(b / "episode.mp3"), source
        for name in ("chapters.json", "captions.vtt"):
            assert (a / name).read_bytes() == (b / name).read_bytes(), (source, name)


def _kill_mid_episode(cmd: list[str], out: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd``; SIGKILL it while an episode is being built (after one is published)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=_cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.is_dir():
            names = [p.name for p in out.iterdir()]
            published = [n for n in names if (out / n / "episode.json").is_file()]
            if published and any(".building-" in n for n in names):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return proc
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    pytest.fail("the batch never had an episode in progress after a published one")


def test_killed_run_is_finished_by_the_next(tmp_path: Path, batch_settings: Settings) -> None:
    inbox = _inbox(tmp_path, GOOD)
    out = batch_settings.out_dir
    proc = _kill_mid_episode(_cli_batch(inbox, out, "-q"), out, tmp_path)
    assert proc.returncode == -signal.SIGKILL
    assert any(".building-" in p.name for p in out.iterdir())  # the kill did land mid-episode

    rerun = run_batch(inbox, batch_settings)
    assert rerun.exit_code == 0
    assert rerun.counts()["built"] >= 1 and rerun.counts()["failed"] == 0
    assert any(n.startswith("removed .") for n in rerun.notes)
    assert sorted(m.parent.name for m in out.glob("[!.]*/episode.json")) == sorted(SLUGS.values())
    _assert_complete(out)
    assert len(_feed_titles(out)) == 3


def test_killed_parallel_run_leaves_no_orphan_workers(
    tmp_path: Path, batch_settings: Settings
) -> None:
    psutil = pytest.importorskip("psutil")
    inbox = _inbox(tmp_path, GOOD)
    out = batch_settings.out_dir
    proc = subprocess.Popen(_cli_batch(inbox, out, "-q", "--jobs", "2"), cwd=tmp_path,
                            env=_cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[object] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(".building-" in p.name for p in out.iterdir()):
            children = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
    assert children, "no worker processes seen"
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    rerun = run_batch(inbox, batch_settings)
    assert rerun.exit_code == 0
    _assert_complete(out)
    assert len(_feed_titles(out)) == 3


def test_two_runs_started_together_one_builds_the_other_exits_2(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, GOOD)
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(_cli_batch(inbox, out, "-q"), cwd=tmp_path, env=_cli_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.pid, *p.communicate(timeout=120), p.returncode) for p in procs]
    codes = sorted(r[3] for r in results)
    assert codes == [0, 2], results
    winner = next(r for r in results if r[3] == 0)
    loser = next(r for r in results if r[3] == 2)
    assert f"pid {winner[0]}" in loser[2]
    assert loser[2].count("\n") == 1 and "Traceback" not in loser[2]
    assert Path(winner[1].strip()).is_file()  # stdout: the report's path
    assert len(_feed_titles(out)) == 3


def test_url_file_is_fetched_and_built(tmp_path: Path, batch_settings: Settings) -> None:
    import http.server
    import threading
    from functools import partial

    site = tmp_path / "site"
    site.mkdir()
    shutil.copyfile(FIXTURES / "tide-pools.html", site / "tide.html")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        url = f"http://127.0.0.1:{server.server_address[1]}/tide.html"
        (inbox / "saved.url").write_text(f"[InternetShortcut]\nURL={url}\n")
        offline = run_batch(inbox, batch_settings)
        assert [(a.status, a.stage) for a in offline.articles] == [("failed", "ingest")]
        assert "offline" in (offline.articles[0].error or "")
        online = batch_settings.with_offline(False)
        rep = run_batch(inbox, online)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert [(a.source, a.status, a.slug) for a in rep.articles] == [
        ("saved.url", "built", "tide-pools-at-low-water")
    ]
    m = json.loads((batch_settings.out_dir / "tide-pools-at-low-water" / "episode.json").read_text())
    assert m["source"] == url and m["source_url"] == url
