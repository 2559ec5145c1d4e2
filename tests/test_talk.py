"""The talk stage through the real yt-dlp code: offline fallback, info-JSON import with a thumbnail
served from 127.0.0.1, the cache, and hostile or odd links and info files."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from articast.errors import BackendUnavailable, InputError
from articast.ingest._youtube import parse_youtube
from articast.models import Talk, TalkRef
from articast.talk import fetch_talk, import_info_json, resolve_talk, talk_summary, talk_to_json
from talk_fixtures import (
    TALK_CHANNEL,
    TALK_CHAPTERS,
    TALK_DURATION,
    TALK_TITLE,
    TALK_VIDEO_ID,
    import_fixture_talk,
    make_png,
    serve_directory,
    write_info_json,
)

WATCH = f"https://www.youtube.com/watch?v={TALK_VIDEO_ID}"


def _ref(start: int | None = 42, text: str | None = "Watch the talk") -> TalkRef:
    ref = parse_youtube(f"{WATCH}&t={start}" if start else WATCH, text)
    assert ref is not None
    return ref


def _cached_info(cache_root: Path) -> dict[str, object]:
    files = list((cache_root / "talk").rglob("info.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _youtube_resolves() -> bool:
    try:
        socket.getaddrinfo("www.youtube.com", 443)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- offline


def test_offline_empty_cache_falls_back_fast_with_warning(tmp_path: Path) -> None:
    ref = _ref()
    t0 = time.perf_counter()
    talk, warnings = resolve_talk(ref, tmp_path / "cache", offline=True)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0
    assert talk.fetched is False
    assert talk.url == ref.url and "t=42" in talk.url
    assert talk.video_id == TALK_VIDEO_ID and talk.start == 42
    assert talk.link_text == "Watch the talk" and talk.display_title == "Watch the talk"
    assert talk.title is None and talk.channel is None and talk.thumbnail is None
    assert len(warnings) == 1
    assert "the talk's details could not be fetched" in warnings[0]
    assert "offline" in warnings[0] and ref.url in warnings[0]
    assert not (tmp_path / "cache" / "talk").exists()


def test_fetch_without_network_fails_in_one_line_fast(tmp_path: Path) -> None:
    if _youtube_resolves():
        pytest.skip("www.youtube.com resolves here; tests never call live services")
    t0 = time.perf_counter()
    with pytest.raises(BackendUnavailable) as err:
        fetch_talk(f"{WATCH}&t=42", tmp_path / "cache", timeout=1.0)
    assert time.perf_counter() - t0 < 2.0
    msg = str(err.value)
    assert "\n" not in msg
    assert "no network" in msg and "--from-info-json" in msg


def test_resolve_online_without_network_never_raises(tmp_path: Path) -> None:
    if _youtube_resolves():
        pytest.skip("www.youtube.com resolves here; tests never call live services")
    t0 = time.perf_counter()
    talk, warnings = resolve_talk(_ref(), tmp_path / "cache", offline=False, timeout=1.0)
    assert time.perf_counter() - t0 < 2.0
    assert talk.fetched is False and "t=42" in talk.url
    assert len(warnings) == 1 and "could not be fetched (no network" in warnings[0]


# --------------------------------------------------------------------------- info JSON import


def test_import_info_json_then_resolve_uses_cache(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    www = tmp_path / "www"
    png = make_png(www / "thumb.png")
    cache_root = tmp_path / "cache"
    with serve_directory(www) as served:
        info_path = write_info_json(tmp_path / "fixture.json", served.base)
        warnings: list[str] = []
        imported = import_info_json(info_path, cache_root, warnings_out=warnings)
    assert warnings == []
    assert "/thumb.png" in served.requests
    assert "/talk.mp4" not in served.requests  # metadata only, never the media
    assert imported.fetched and imported.title == TALK_TITLE
    assert imported.url == WATCH and imported.start is None

    # yt-dlp's own processing ran: it adds fields and drops private ones.
    info = _cached_info(cache_root)
    assert info["id"] == TALK_VIDEO_ID
    assert info["duration_string"] == "45:12"
    assert "__fixture_private" not in info

    t0 = time.perf_counter()
    talk, rwarn = resolve_talk(_ref(), cache_root, offline=True)
    assert time.perf_counter() - t0 < 2.0
    assert rwarn == []
    assert talk.fetched is True
    assert talk.title == TALK_TITLE and talk.channel == TALK_CHANNEL
    assert talk.duration == TALK_DURATION
    assert tuple((c.title, c.start) for c in talk.chapters) == TALK_CHAPTERS
    assert talk.url.endswith("t=42s") and talk.start == 42  # the article's start time stays
    assert talk.link_text == "Watch the talk"
    assert talk.thumbnail is not None and talk.thumbnail.is_file()
    assert talk.thumbnail.read_bytes() == png.read_bytes()

    out, err = capfd.readouterr()
    assert out == "" and err == ""  # yt-dlp talked only to our logger


def test_conftest_fixture_imports_for_a_build(
    tmp_path: Path, import_talk_fixture: Callable[[Path], Talk]
) -> None:
    talk = import_talk_fixture(tmp_path / "cache")
    assert talk.title == TALK_TITLE and talk.thumbnail is not None
    again, warnings = resolve_talk(_ref(None), tmp_path / "cache", offline=True)
    assert (again.title, again.channel, warnings) == (TALK_TITLE, TALK_CHANNEL, [])
    assert again.url == WATCH


@pytest.mark.parametrize(
    ("served_name", "content"),
    [("missing.png", None), ("thumb.png", b"<html>not a picture</html>")],
    ids=["404", "not-an-image"],
)
def test_thumbnail_failure_is_a_warning(
    tmp_path: Path, served_name: str, content: bytes | None
) -> None:
    www = tmp_path / "www"
    www.mkdir()
    if content is not None:
        (www / served_name).write_bytes(content)
    with serve_directory(www) as served:
        info_path = write_info_json(tmp_path / "fixture.json", served.base)
        warnings: list[str] = []
        talk = import_info_json(info_path, tmp_path / "cache", warnings_out=warnings)
    assert talk.fetched and talk.title == TALK_TITLE and talk.thumbnail is None
    assert len(warnings) == 1 and "thumbnail could not be downloaded" in warnings[0]
    resolved, _ = resolve_talk(_ref(), tmp_path / "cache", offline=True)
    assert resolved.channel == TALK_CHANNEL and resolved.thumbnail is None


def test_reimport_with_failing_thumbnail_keeps_the_old_one(tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    first = import_fixture_talk(cache_root, tmp_path / "one")
    assert first.thumbnail is not None
    old = first.thumbnail.read_bytes()
    info_path = write_info_json(
        tmp_path / "two.json", "http://127.0.0.1:9", title="A Corrected Title"
    )
    warnings: list[str] = []
    second = import_info_json(info_path, cache_root, timeout=1.0, warnings_out=warnings)
    assert second.title == "A Corrected Title" and warnings
    assert second.thumbnail is not None and second.thumbnail.read_bytes() == old


def test_webp_thumbnail_is_stored_as_png(tmp_path: Path) -> None:
    from PIL import Image

    www = tmp_path / "www"
    www.mkdir()
    Image.new("RGB", (64, 36), (10, 120, 200)).save(www / "thumb.webp", "WEBP")
    with serve_directory(www) as served:
        thumbs = [{"id": "0", "url": f"{served.base}/thumb.webp"}]
        info_path = write_info_json(
            tmp_path / "f.json", served.base, thumbnails=thumbs, thumbnail=thumbs[0]["url"]
        )
        talk = import_info_json(info_path, tmp_path / "cache")
    assert talk.thumbnail is not None and talk.thumbnail.suffix == ".png"
    with Image.open(talk.thumbnail) as im:
        assert im.format == "PNG" and im.size == (64, 36)


def test_titles_are_cleaned_of_control_and_bidi_characters(tmp_path: Path) -> None:
    info_path = write_info_json(
        tmp_path / "f.json",
        "http://127.0.0.1:9",
        title="Sleep\u202e and\x00 memory\n\n  part  two",
        channel="x" * 1000,
        thumbnails=[],
        thumbnail=None,
    )
    talk = import_info_json(info_path, tmp_path / "cache")
    assert talk.title == "Sleep and memory part two"
    assert talk.channel is not None and len(talk.channel) <= 300


def _bad_info(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "bad.json"
    base = "http://127.0.0.1:9"
    if name == "not-json":
        path.write_text("<html>nope</html>", encoding="utf-8")
    elif name == "list":
        path.write_text("[1, 2]", encoding="utf-8")
    elif name == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    elif name == "playlist":
        write_info_json(path, base, _type="playlist", entries=[])
    elif name == "url-type":  # would make yt-dlp extract (network): refused before that
        write_info_json(path, base, _type="url", url="https://evil.example/x")
    elif name == "bad-id":
        write_info_json(path, base, id="../../etc/pw")
    elif name == "other-site":
        write_info_json(
            path, base, extractor="generic", extractor_key="Generic",
            webpage_url="https://www.youtube.com.evil.example/watch?v=YLRWoMVNEq8",
        )  # fmt: skip
    elif name == "id-mismatch":
        write_info_json(path, base, webpage_url="https://youtu.be/Xq3vN8sLk2E")
    elif name == "no-title":
        write_info_json(path, base, title="", fulltitle="")
    elif name == "missing":
        pass
    return path


@pytest.mark.parametrize(
    "name",
    [
        "not-json",
        "list",
        "binary",
        "playlist",
        "url-type",
        "bad-id",
        "other-site",
        "id-mismatch",
        "no-title",
        "missing",
    ],
)
def test_hostile_info_json_is_an_input_error(tmp_path: Path, name: str) -> None:
    path = _bad_info(tmp_path, name)
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        import_info_json(path, tmp_path / "cache")
    assert time.perf_counter() - t0 < 2.0
    assert "\n" not in str(err.value)
    assert not (tmp_path / "cache" / "talk").exists()


# --------------------------------------------------------------------------- hostile / odd URLs

HOSTILE_URLS = [
    "https://www.youtube.com.evil.example/watch?v=YLRWoMVNEq8",
    "https://evil.example/www.youtube.com/watch?v=YLRWoMVNEq8",
    "https://www.youtube.com@evil.example/watch?v=YLRWoMVNEq8",
    "https://evil.example\\@www.youtube.com/watch?v=YLRWoMVNEq8",
    "https://www.youtube.com:8443/watch?v=YLRWoMVNEq8",
    "javascript:alert(1)//www.youtube.com/watch?v=YLRWoMVNEq8",
    "ftp://www.youtube.com/watch?v=YLRWoMVNEq8",
    "https://www.youtube.com/watch?v=YLRWoMVNEq8x",
    "https://www.youtube.com/watch?v=../../etc",
    "https://www.youtube.com/channel/UCfixture",
    "https://youtu.be/",
    "https://www.yоutube.com/watch?v=YLRWoMVNEq8",  # Cyrillic o
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_fetch_refuses_non_youtube_links_without_network(tmp_path: Path, url: str) -> None:
    t0 = time.perf_counter()
    with pytest.raises(InputError):
        fetch_talk(url, tmp_path / "cache")
    assert time.perf_counter() - t0 < 0.5
    assert not (tmp_path / "cache").exists()


def test_local_server_links_never_reach_yt_dlp(tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    with serve_directory(tmp_path / "www") as served:
        host = served.base.removeprefix("http://")
        for url in (
            f"{served.base}/watch?v={TALK_VIDEO_ID}",
            f"http://www.youtube.com@{host}/watch?v={TALK_VIDEO_ID}",
        ):
            with pytest.raises(InputError):
                fetch_talk(url, tmp_path / "cache")
            # A TalkRef from elsewhere with a foreign URL: fallback, clean link, no request.
            ref = TalkRef(url=url, video_id=TALK_VIDEO_ID, start=42, text="talk")
            talk, warnings = resolve_talk(ref, tmp_path / "cache", offline=False, timeout=1.0)
            assert talk.fetched is False and talk.url == f"{WATCH}&t=42s"
            assert "not a YouTube video URL" in warnings[0]
    assert served.requests == []


def test_resolve_with_a_bad_video_id_touches_no_cache_path(tmp_path: Path) -> None:
    ref = TalkRef(url="https://www.youtube.com/watch?v=../../../x", video_id="../../../x")
    talk, warnings = resolve_talk(ref, tmp_path / "cache", offline=False)
    assert talk.fetched is False and talk.video_id == ""
    assert warnings and not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("url", "start"),
    [
        ("https://youtu.be/YLRWoMVNEq8?t=42", 42),
        ("https://m.youtube.com/watch?v=YLRWoMVNEq8&t=1m30s", 90),
        ("https://www.youtube-nocookie.com/embed/YLRWoMVNEq8?start=42", 42),
        ("//www.youtube.com/embed/YLRWoMVNEq8", None),
        ("HTTPS://WWW.YOUTUBE.COM/watch?v=YLRWoMVNEq8&list=PL123&index=2#t=42", 42),
        ("www.youtube.com/shorts/YLRWoMVNEq8", None),
    ],
)
def test_odd_but_valid_links_resolve_from_cache_and_keep_start(
    tmp_path: Path, url: str, start: int | None
) -> None:
    cache_root = tmp_path / "cache"
    import_fixture_talk(cache_root, tmp_path / "fx")
    ref = parse_youtube(url, "the talk")
    assert ref is not None
    talk, warnings = resolve_talk(ref, cache_root, offline=True)
    assert warnings == [] and talk.fetched and talk.title == TALK_TITLE
    assert talk.start == start
    assert talk.url == (f"{WATCH}&t={start}s" if start else WATCH)


# --------------------------------------------------------------------------- JSON and summary


def test_talk_to_json_has_the_manifest_keys(tmp_path: Path) -> None:
    talk = import_fixture_talk(tmp_path / "cache", tmp_path / "fx")
    data = talk_to_json(talk)
    assert set(data) >= {
        "url", "video_id", "start", "title", "channel", "duration", "thumbnail", "fetched",
        "link_text",
    }  # fmt: skip
    assert data["title"] == TALK_TITLE and data["fetched"] is True
    assert data["thumbnail"] == str(talk.thumbnail)
    assert data["chapters"][1] == {"title": "What the hippocampus replays", "start": 95.0}
    json.dumps(data)  # serialisable as is
    text = talk_summary(talk)
    assert TALK_TITLE in text and TALK_CHANNEL in text and "45:12" in text


def test_a_stalling_thumbnail_server_costs_one_socket_timeout(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections, never answers
    try:
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        info_path = write_info_json(tmp_path / "f.json", base)
        warnings: list[str] = []
        t0 = time.perf_counter()
        talk = import_info_json(info_path, tmp_path / "cache", timeout=0.5, warnings_out=warnings)
        assert time.perf_counter() - t0 < 3.0
    finally:
        listener.close()
    assert talk.title == TALK_TITLE and talk.thumbnail is None
    assert warnings and "thumbnail" in warnings[0]


def test_deadline_gives_up_on_a_hung_lookup() -> None:
    from articast.talk import _with_deadline

    t0 = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="no answer within"):
        _with_deadline(lambda: time.sleep(2), 0.2, WATCH)
    assert time.perf_counter() - t0 < 1.0
