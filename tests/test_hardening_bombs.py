"""Bombs and breakers of the second hardening round, through the real CLI: a YAML alias bomb in
front matter, an info JSON that is a FIFO, a pronunciation the size of a book, a feed
category that broke the feed's XML lookup."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_hardening import build, one_line_exit_2, run


def _alias_bomb(depth: int = 30) -> str:
    """Front matter whose every level repeats the one before nine times (9**depth leaves)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, depth + 1):
        refs = ", ".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["top", "nested"])
def test_a_yaml_alias_bomb_in_front_matter_is_ignored_at_once(tmp_path: Path, where: str) -> None:
    bomb = _alias_bomb()
    if where == "nested":
        bomb = "meta:\n" + "\n".join("  " + line for line in bomb.splitlines())
    article = tmp_path / "bomb.md"
    article.write_text(
        f"---\ntitle: Alias Bomb\n{bomb}\n---\n\n# Alias Bomb\n\n"
        "A short article under a front matter that would never finish loading, with enough "
        "words in it to be read aloud as an episode about rivers and the sea.\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    r = run(["ingest", str(article), "--json"], tmp_path, timeout=60)
    assert time.monotonic() - started < 30
    assert r.returncode == 0, r.stderr
    assert "YAML aliases are not accepted" in r.stdout
    assert '"title": "Alias Bomb"' in r.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_info_json_that_is_a_fifo_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "info.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    r = run(["talk", "--from-info-json", str(fifo), "--out", str(tmp_path / "out")], tmp_path,
            timeout=60)  # fmt: skip
    assert time.monotonic() - started < 30
    one_line_exit_2(r)
    assert "not a regular file" in r.stderr


def test_a_pronunciation_the_size_of_a_book_is_refused_before_voicing(tmp_path: Path) -> None:
    article = tmp_path / "short.md"
    article.write_text(
        "# Short\n\nA sentence about the river that runs to the sea, said by a voice.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = run(["script", str(article), "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    script = next(out.glob("*/script.md"))
    text = script.read_text(encoding="utf-8")
    huge = "river{" + "water " * 40_000 + "}"
    script.write_text(text.replace("river", huge, 1), encoding="utf-8")
    r = build(article, out, "--script", str(script))
    one_line_exit_2(r)
    assert "pronunciation in braces" in r.stderr and "characters long" in r.stderr
    assert not list(out.glob("*/episode.mp3"))


@pytest.mark.parametrize(
    "category", ['Science "Fiction"', "Science > <b>Physics</b>", "Back\\slash"]
)
def test_a_category_that_would_break_the_feed_is_refused_at_load(
    tmp_path: Path, category: str
) -> None:
    config = tmp_path / "articast.toml"
    escaped = category.replace("\\", "\\\\").replace('"', '\\"')
    config.write_text(f'[show]\ncategory = "{escaped}"\n', encoding="utf-8")
    (tmp_path / "out").mkdir()
    r = run(["--config", str(config), "feed", "--out", str(tmp_path / "out")], tmp_path)
    one_line_exit_2(r)
    assert "[show] category" in r.stderr


def test_apple_style_categories_still_load(tmp_path: Path) -> None:
    config = tmp_path / "articast.toml"
    config.write_text('[show]\ncategory = "Society & Culture > Personal Journals"\n')
    (tmp_path / "out").mkdir()
    r = run(["--config", str(config), "feed", "--out", str(tmp_path / "out")], tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'text="Society &amp; Culture"' in (tmp_path / "out" / "feed.xml").read_text()


# --------------------------------------------------------------------------- folders and usage


def test_talk_checks_its_output_folder_like_a_build(tmp_path: Path) -> None:
    info = Path(__file__).parent / "fixtures" / "talk"
    saved = next(info.glob("*.json"))
    home = tmp_path / "home"
    home.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for out, says in ((a_file, "is a file"), (home, "home folder")):
        r = run(["talk", "--from-info-json", str(saved), "--out", str(out)], tmp_path,
                env_extra={"HOME": str(home)})  # fmt: skip
        one_line_exit_2(r)
        assert says in r.stderr
    assert list(home.iterdir()) == [] and a_file.read_text() == "not a folder"


def test_a_dangling_out_link_and_a_cache_dir_that_is_a_file_are_one_line(tmp_path: Path) -> None:
    article = Path(__file__).parents[1] / "assets" / "sample" / "sleep-and-memory.txt"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    r = build(article, dangling)
    one_line_exit_2(r)
    assert "does not exist" in r.stderr and not (tmp_path / "nowhere").exists()
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    config = tmp_path / "articast.toml"
    config.write_text(f'cache_dir = "{blocker}"\n', encoding="utf-8")
    r = run(["--config", str(config), "episode", str(article), "--out", str(tmp_path / "out"),
             "--voice", "fake:tone", "--no-video", "-q"], tmp_path)  # fmt: skip
    one_line_exit_2(r)
    assert "cache_dir" in r.stderr and blocker.read_text() == "x"


@pytest.mark.parametrize(
    "args",
    [
        ["episode", "x.html", "--script", "."],
        ["--config", ".", "feed"],
        ["episode", "--no-such-flag"],
        ["episode"],
        ["episode", "x.html", "--rate", "5"],
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str]) -> None:
    r = run(args, tmp_path)
    one_line_exit_2(r)
    assert "--help" in r.stderr and "Usage:" not in r.stderr + r.stdout


# --------------------------------------------------------------------------- folders of others


def _article(folder: Path, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "article.md"
    path.write_text(
        f"# {title}\n\nA river runs to the sea, and this article says so in words enough for a "
        f"short episode of its own, from {folder.name}.\n",
        encoding="utf-8",
    )
    return path


_LONG = "The Remarkable and Surprisingly Long History of How the Sleeping Brain Files Away"


@pytest.mark.parametrize(
    ("damage", "title", "other_title"),
    [
        ("truncated", "Same Title", "Same Title"),
        ("missing", "Same Title", "SAME title!"),
        ("empty-object", "Same Title", "Samé Títle"),
        ("a-folder", "Same Title", "Same—Title"),
        ("missing", "Same Title", "Саме Титле"),  # another script, the same slug
        ("truncated", "Same Title", "ＳＡＭＥ　ＴＩＴＬＥ"),  # full-width letters
        ("empty-object", f"{_LONG} Every Day, Part One", f"{_LONG} Every Night, Part Two"),
    ],
)
def test_an_episode_with_a_damaged_manifest_is_not_taken_by_another_source(
    tmp_path: Path, damage: str, title: str, other_title: str
) -> None:
    from articast.slug import slugify

    assert slugify(title) == slugify(other_title)  # the case: two titles, one slug
    out = tmp_path / "out"
    first = _article(tmp_path / "one", title)
    r = build(first, out)
    assert r.returncode == 0, r.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    manifest = folder / "episode.json"
    if damage == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:40])
    elif damage == "missing":
        manifest.unlink()
    elif damage == "empty-object":
        manifest.write_text("{}")
    else:
        manifest.unlink()
        manifest.mkdir()
    kept = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    r = build(_article(tmp_path / "two", other_title), out)
    assert r.returncode == 0, r.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == kept
    assert len([p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 2


def test_a_script_written_first_is_built_in_its_own_folder(tmp_path: Path) -> None:
    """``articast script`` leaves a folder with a script and no episode: its own source's build
    goes there; another source's goes elsewhere."""
    out = tmp_path / "out"
    article = _article(tmp_path / "one", "Scripted First")
    r = run(["script", str(article), "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    script = next(out.glob("*/script.md"))
    r = build(article, out, "--script", str(script))
    assert r.returncode == 0, r.stderr
    assert (script.parent / "episode.mp3").is_file()
    r = build(_article(tmp_path / "two", "Scripted First"), out)
    assert r.returncode == 0, r.stderr
    assert len([p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 2


def test_ingest_writes_nothing_even_for_pictures_it_decodes(tmp_path: Path) -> None:
    import base64

    from hostile_server import png_bytes

    data = base64.b64encode(png_bytes(16)).decode()
    article = tmp_path / "pictures.html"
    article.write_text(
        "<html><head><title>Inline Pictures</title></head><body><article><h1>Inline Pictures</h1>"
        "<p>An article with a picture written into the page itself, and words enough around it "
        f"to be read.</p><img src='data:image/png;base64,{data}' alt='dot'>"
        "<p>More words after the picture, so that the article has a body.</p></article></body>"
        "</html>",
        encoding="utf-8",
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run(["ingest", str(article), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output/ in the cwd
    import json

    (image,) = [i for s in json.loads(r.stdout)["sections"] for i in s["images"]]
    assert image["alt"] == "dot" and image["path"] is None
    assert not any("image skipped" in w for w in json.loads(r.stdout)["warnings"])


@pytest.mark.skipif(sys.platform != "linux", reason="file names of raw bytes: Linux")
def test_a_file_name_that_is_not_utf8_builds_and_is_reported(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in a file name were an internal error after all the work (and
    stopped a whole batch): the episode builds; the manifest and the batch report write
    the name with \\xNN escapes."""
    import json

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = os.path.join(os.fsencode(inbox), b"caf\xe9.md")
    with open(raw, "w", encoding="utf-8") as fh:
        fh.write("# Cafe Notes\n\nA river runs to the sea, and this article says so in words "
                 "enough for a short episode of its own.\n")  # fmt: skip
    name = os.fsdecode(raw)
    r = build(Path(name), tmp_path / "out")
    assert r.returncode == 0, r.stderr
    manifest = json.loads(next((tmp_path / "out").glob("*/episode.json")).read_text())
    assert manifest["source"].endswith("caf\\xe9.md")
    r = run(["batch", str(inbox), "--out", str(tmp_path / "batch"), "--voice", "fake:tone",
             "--no-video", "-q"], tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "batch" / ".batch" / "report.json").read_text())
    assert [a["source"] for a in report["articles"]] == ["caf\\xe9.md"]
    assert report["articles"][0]["status"] == "built"


def test_the_four_hour_limit_counts_the_pauses(tmp_path: Path) -> None:
    """1,500 short paragraphs with 10 s paragraph pauses are over four hours of episode,
    though their words are a few minutes: refused before anything is voiced."""
    article = tmp_path / "pauses.md"
    article.write_text(
        "# Many Pauses\n\n" + "\n\n".join(f"Short line {i} of the list." for i in range(1500)),
        encoding="utf-8",
    )
    config = tmp_path / "articast.toml"
    config.write_text("[audio]\nparagraph_pause = 10\nsentence_pause = 2\n", encoding="utf-8")
    started = time.monotonic()
    r = run(["--config", str(config), "episode", str(article), "--out", str(tmp_path / "out"),
             "--voice", "fake:tone", "--no-video", "-q"], tmp_path, timeout=120)  # fmt: skip
    assert time.monotonic() - started < 30
    one_line_exit_2(r)
    assert "hour limit" in r.stderr
    assert not list((tmp_path / "out").glob("*/episode.mp3"))


@pytest.mark.parametrize("where", ["middle", "last", "first", "all-but-one"])
def test_paragraphs_of_unreadable_runs_leave_the_others_whole(tmp_path: Path, where: str) -> None:
    """A paragraph that is only a run of 300 characters without a space (a long URL, a hash)
    is not read out; the paragraphs around it keep their pauses (it was an internal error)."""
    run_ = "x" * 150 + "/" + "y" * 150
    paras = ["A first paragraph about rivers.", "A second one about the sea.",
             "A third about tides and the moon.", "A last one about the coast."]  # fmt: skip
    if where == "middle":
        paras.insert(2, run_)
    elif where == "last":
        paras.append(run_)
    elif where == "first":
        paras.insert(0, run_)
    else:
        paras = [paras[0], run_, run_, run_]
    article = tmp_path / "runs.md"
    article.write_text("# Unreadable Runs\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    r = build(article, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    import json

    manifest = json.loads(next((tmp_path / "out").glob("*/episode.json")).read_text())
    said = " ".join(s["spoken"] for s in manifest["sentences"])
    assert "xxxx" not in said and "rivers" in said


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_batch_reads_only_regular_files_inside_its_inbox(tmp_path: Path) -> None:
    import json

    inbox = tmp_path / "inbox"
    _article(inbox, "Honest Article")
    secret = _article(tmp_path / "elsewhere", "Secret Keys Of The Server")
    (inbox / "leak.md").symlink_to(secret)
    (inbox / "sub").mkdir()
    (inbox / "sub" / "up.md").symlink_to(Path("..") / ".." / "elsewhere" / "article.md")
    hidden = _article(inbox / ".drafts", "Linked From Inside")  # hidden: read via its link
    (inbox / "inside.md").symlink_to(hidden)  # a link within the inbox is fine
    os.mkfifo(inbox / "pipe.md")
    started = time.monotonic()
    r = run(["batch", str(inbox), "--out", str(tmp_path / "out"), "--voice", "fake:tone",
             "--no-video", "-q"], tmp_path, timeout=120)  # fmt: skip
    assert time.monotonic() - started < 60
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "out" / ".batch" / "report.json").read_text())
    assert sorted(a["source"] for a in report["articles"]) == ["article.md", "inside.md"]
    notes = " | ".join(report["notes"])
    for name, why in (("leak.md", "leads out"), ("sub/up.md", "leads out"),
                      ("pipe.md", "not a regular file")):  # fmt: skip
        assert f"skipped {name}: " in notes and why in notes, notes
    for page in (tmp_path / "out").glob("*/script.md"):
        assert "Secret" not in page.read_text()


def _small_disk(folder: Path, size: str) -> bool:
    """Mount a tmpfs of ``size`` on ``folder`` (root only); False when it cannot."""
    import subprocess

    if os.geteuid() != 0:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


def test_a_full_disk_is_one_line_and_keeps_what_was_published(tmp_path: Path) -> None:
    import subprocess

    disk = tmp_path / "disk"
    if not _small_disk(disk, "12m"):
        pytest.skip("needs root to mount a small filesystem")
    try:
        out = disk / "out"
        r = build(_article(tmp_path / "small", "Small Episode"), out)
        assert r.returncode == 0, r.stderr
        episode = next(out.glob("*/episode.mp3"))
        kept = (episode.read_bytes(), (out / "feed.xml").read_bytes())
        big = Path(__file__).parents[1] / "assets" / "sample" / "sleep-and-memory.txt"
        r = build(big, out)
        assert r.returncode == 1, r.stderr
        assert r.stderr.strip().count("\n") == 0 and "disk is full" in r.stderr
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr
        assert (episode.read_bytes(), (out / "feed.xml").read_bytes()) == kept
        folders = [p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
        assert folders == [episode.parent.name]  # nothing half-written beside it
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _build_video(tmp_path: Path, video: str, title: str) -> subprocess.CompletedProcess[str]:
    """``articast episode`` of a short article with ``[video]`` set to ``video`` (TOML lines)."""
    config = tmp_path / "articast.toml"
    config.write_text(f"[video]\n{video}\n", encoding="utf-8")
    article = _article(tmp_path / "frames", title)
    return run(["--config", str(config), "episode", str(article), "--out", str(tmp_path / "out"),
                "--voice", "fake:tone", "-q"], tmp_path)  # fmt: skip


def _probe_built(tmp_path: Path) -> tuple[Path, str]:
    """The built MP4 and what ffmpeg says of it."""
    from articast.media import ffmpeg_exe

    mp4 = next((tmp_path / "out").glob("*/episode.mp4"))
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(mp4)], capture_output=True,
                           text=True).stderr  # fmt: skip
    return mp4, probe


def test_sixty_frames_a_second_at_1080p_builds(tmp_path: Path) -> None:
    """``[video] fps = 60`` at 1920x1080 once failed ("the encoder wrote 44 frames, expected
    43"): it builds, and the MP4 says 60 frames a second."""
    r = _build_video(tmp_path, "fps = 60\nwidth = 1920\nheight = 1080", "Sixty Frames")
    assert r.returncode == 0, r.stderr
    _, probe = _probe_built(tmp_path)
    assert "1920x1080" in probe and " 60 fps" in probe, probe


@pytest.mark.parametrize("size", ["7680x7680", "3840x3840", "4096x2160", "7680x1100"])
def test_frames_over_4k_are_refused_at_load(tmp_path: Path, size: str) -> None:
    """7680x7680 at 60 fps once took 4.3 GB and failed after 112 s: a frame over 3840x2160
    pixels (either way up) is one line and exit 2 before any work."""
    width, height = size.split("x")
    r = _build_video(tmp_path, f"fps = 60\nwidth = {width}\nheight = {height}", "Huge Frames")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and f'"{size}"' in r.stderr and "3840x2160" in r.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_largest_frame_builds_upright_at_sixty_fps(tmp_path: Path) -> None:
    """The largest allowed frame (2160x3840, a 4K phone video) at the highest rate builds
    (hard cuts and no captions keep the test short: the 1080p test above has both)."""
    video = "fps = 60\nwidth = 2160\nheight = 3840\ncrossfade = 0\nburn_captions = false"
    r = _build_video(tmp_path, video, "Tall Frames")
    assert r.returncode == 0, r.stderr
    _, probe = _probe_built(tmp_path)
    assert "2160x3840" in probe and " 60 fps" in probe, probe


@pytest.mark.parametrize(("size", "fps"), [((160, 160), 1), ((320, 180), 2), ((7680, 160), 3)])
def test_the_lowest_rates_and_the_smallest_frames_build(
    tmp_path: Path, size: tuple[int, int], fps: int
) -> None:
    """At 1 and 2 fps half a second is under two frames: every frame was an IDR, the encoder
    wrote no reference frames and the build failed ("cannot carry skipped pictures"). Every
    rate builds, at the smallest and the widest frames, and the video lasts as the audio."""
    from articast.media import probe_duration

    r = _build_video(tmp_path, f"fps = {fps}\nwidth = {size[0]}\nheight = {size[1]}", "Slow")
    assert r.returncode == 0, r.stderr
    mp4, probe = _probe_built(tmp_path)
    assert f"{size[0]}x{size[1]}" in probe and f" {fps} fps" in probe, probe
    mp3 = mp4.with_name("episode.mp3")
    assert abs(probe_duration(mp4) - probe_duration(mp3)) < 1.0 + 1 / fps
