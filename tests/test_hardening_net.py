"""One network policy for every fetch, tried as a hostile page, redirect and info file would.

Every command here runs as a separate process through ``tests/guarded_cli.py``, which watches
every socket connection (Python's audit hook): a connection to a link-local address is
stopped and recorded, so the tests can assert that none was ever tried, whatever the spelling.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from articast.errors import InputError
from articast.ingest._fetch import fetch_bytes
from articast.net import check_url_host, refusal
from hostile_server import METADATA_SPELLINGS, PAGE, HostileServer

GUARDED = [sys.executable, str(Path(__file__).with_name("guarded_cli.py"))]


def guarded(
    args: list[str], cwd: Path, *, config: str = "", timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the CLI online with the connection guard: (result, addresses connected to)."""
    log = cwd / "connects.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "ARTICAST_TEST_CONNECTS": str(log)}
    env.pop("ARTICAST_OFFLINE", None)
    env.pop("ARTICAST_CONFIG", None)
    if config:
        (cwd / "net.toml").write_text(config, encoding="utf-8")
        env["ARTICAST_CONFIG"] = str(cwd / "net.toml")
    r = subprocess.run(
        [*GUARDED, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    tried = log.read_text(encoding="utf-8").split() if log.exists() else []
    return r, tried


def one_line_exit_2(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def no_link_local(tried: list[str]) -> None:
    assert "BLOCKED" not in tried, tried
    assert not [a for a in tried if a.startswith(("169.254.", "fe80:", "::ffff:169.254."))]


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


# --------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    ("address", "private_ok", "refused"),
    [
        ("169.254.169.254", True, "link-local"),
        ("169.254.0.1", True, "link-local"),
        ("::ffff:169.254.169.254", True, "link-local"),
        ("::ffff:a9fe:a9fe", True, "link-local"),
        ("fe80::1", True, "link-local"),
        ("fe80::1%2", True, "link-local"),
        ("64:ff9b::a9fe:a9fe", True, "link-local"),
        ("2002:a9fe:a9fe::1", True, "link-local"),
        ("fd00:ec2::254", True, "metadata"),
        ("100.100.100.200", True, "metadata"),
        ("0.0.0.0", True, "not a host"),
        ("::", True, "not a host"),
        ("224.0.0.251", True, "not a host"),
        ("127.0.0.1", False, "private"),
        ("::1", False, "private"),
        ("10.1.2.3", False, "private"),
        ("192.168.0.10", False, "private"),
        ("::ffff:127.0.0.1", False, "private"),
        ("fd12:3456::1", False, "private"),
        ("100.64.0.1", False, "private"),
        ("127.0.0.1", True, None),
        ("10.1.2.3", True, None),
        ("8.8.8.8", False, None),
        ("2606:4700:4700::1111", False, None),
    ],
)
def test_the_address_policy(address: str, private_ok: bool, refused: str | None) -> None:
    why = refusal(address, allow_private=private_ok)
    if refused is None:
        assert why is None
    else:
        assert why is not None and refused in why


@pytest.mark.parametrize("spelling", METADATA_SPELLINGS)
def test_every_spelling_of_a_metadata_address_is_caught_after_resolution(spelling: str) -> None:
    why = check_url_host(f"http://{spelling}/latest/meta-data/", 5, allow_private=True)
    assert why is not None and "link-local" in why


# --------------------------------------------------------------------------- article URLs


@pytest.mark.parametrize("spelling", METADATA_SPELLINGS)
def test_an_article_at_a_metadata_address_is_refused_without_connecting(
    spelling: str, tmp_path: Path
) -> None:
    r, tried = guarded(["ingest", f"http://{spelling}/latest/meta-data/"], tmp_path)
    one_line_exit_2(r)
    assert "link-local or cloud metadata address" in r.stderr
    assert tried == []  # not even a connection


@pytest.mark.parametrize("spelling", METADATA_SPELLINGS)
def test_a_redirect_to_a_metadata_address_is_refused(
    hostile: HostileServer, spelling: str, tmp_path: Path
) -> None:
    r, tried = guarded(["ingest", f"{hostile.url}/to/{spelling}"], tmp_path)
    one_line_exit_2(r)
    assert "redirected to" in r.stderr and "link-local" in r.stderr
    assert set(tried) == {"127.0.0.1"}


def test_pictures_at_metadata_addresses_are_skipped_and_the_article_kept(
    hostile: HostileServer, tmp_path: Path
) -> None:
    r, tried = guarded(["ingest", f"{hostile.url}/metadata-img", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    warnings = json.loads(r.stdout)["warnings"]
    refused = [w for w in warnings if "link-local or cloud metadata" in w]
    assert len(refused) == len(METADATA_SPELLINGS), warnings
    no_link_local(tried)
    assert set(tried) == {"127.0.0.1"}


def test_an_article_file_may_not_send_its_pictures_to_loopback_unless_allowed(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """A URL found in an article reaches loopback and private addresses only when the article
    came from one, or the config allows it: a batch inbox is not a way into the LAN."""
    article = tmp_path / "local.html"
    article.write_text(
        "<html><head><title>Local Pictures</title></head><body><article><h1>Local Pictures</h1>"
        "<p>An article read from a file, whose only picture sits on the loopback address of "
        f"the machine that builds it.</p><img src='{hostile.url}/img/ok.png' alt='ok'>"
        "<p>More words after the picture, so that there is an article to read.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    r, tried = guarded(["ingest", str(article), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert any("private or loopback" in w for w in doc["warnings"]), doc["warnings"]
    assert tried == []
    allowed = "[ingest]\nprivate_addresses = true\n"
    r, tried = guarded(["ingest", str(article), "--json"], tmp_path, config=allowed)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert not any("image skipped" in w for w in doc["warnings"]), doc["warnings"]
    assert tried == ["127.0.0.1"]


def test_a_page_that_came_from_a_public_address_may_not_redirect_to_loopback(
    hostile: HostileServer,
) -> None:
    """The library call a studio or batch would make for a URL found elsewhere."""
    with pytest.raises(InputError, match="private or loopback"):
        fetch_bytes(f"{hostile.url}/page", max_bytes=10**6, timeout=5, what="image",
                    allow_private=False)  # fmt: skip
    got = fetch_bytes(f"{hostile.url}/page", max_bytes=10**6, timeout=5, what="article")
    assert got.private and got.body == PAGE


# --------------------------------------------------------------------------- IPv6 literals


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_literal_url_is_fetched(tmp_path: Path) -> None:
    server = _V6Server(("::1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://[::1]:{server.server_address[1]}/page"
        r, tried = guarded(["ingest", url, "--json"], tmp_path)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["title"] == "Served Page"
        assert tried == ["::1"]
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_ipv6_literal_is_one_line(hostile: HostileServer, tmp_path: Path) -> None:
    config = "[ingest]\ntimeout = 3\n"
    for url in ("http://[2001:db8::beef]/", f"{hostile.url}/to/[2001:db8::beef]"):
        r, _ = guarded(["ingest", url], tmp_path, config=config)
        one_line_exit_2(r)
        assert "nonnumeric port" not in r.stderr


# --------------------------------------------------------------------------- bodies


def test_a_body_shorter_than_its_length_is_an_error(hostile: HostileServer, tmp_path: Path) -> None:
    r, _ = guarded(["ingest", f"{hostile.url}/short"], tmp_path)
    one_line_exit_2(r)
    assert "after 500 of its 100,000 bytes" in r.stderr


# --------------------------------------------------------------------------- other clients


def test_a_voice_service_at_a_metadata_address_is_refused(tmp_path: Path) -> None:
    r, tried = guarded(
        ["episode", str(Path(__file__).parents[1] / "assets" / "sample" / "sleep-and-memory.txt"),
         "--out", str(tmp_path / "out"), "--voice", "gtts:en", "--no-video", "-q"],
        tmp_path,
        config='[voice]\ngtts_url = "http://[::ffff:169.254.169.254]/batchexecute"\n',
    )  # fmt: skip
    one_line_exit_2(r)
    assert "gtts_url" in r.stderr and "link-local" in r.stderr
    no_link_local(tried)
    out = tmp_path / "out"
    assert not [p for p in out.glob("*") if p.is_dir() and not p.name.startswith(".")]


def test_voice_downloads_from_a_metadata_address_are_refused(tmp_path: Path) -> None:
    from articast.errors import BackendUnavailable
    from articast.voices.piper import install_piper_voice

    with pytest.raises(BackendUnavailable, match="link-local"):
        install_piper_voice("en_US-lessac-medium", tmp_path, base_url="http://2852039166/v")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- every command


def test_episode_and_script_of_a_page_with_metadata_pictures_never_connect_there(
    hostile: HostileServer, tmp_path: Path
) -> None:
    url = f"{hostile.url}/metadata-img"
    out = tmp_path / "out"
    r, tried = guarded(["script", url, "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    no_link_local(tried)
    assert set(tried) == {"127.0.0.1"}
    r, tried = guarded(
        ["episode", url, "--out", str(out), "--voice", "fake:tone", "--no-video", "-q"], tmp_path
    )
    assert r.returncode == 0, r.stderr
    no_link_local(tried)
    assert set(tried) == {"127.0.0.1"}
    (episode,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert (episode / "episode.mp3").is_file()


def test_a_batch_inbox_never_connects_to_metadata_addresses_nor_the_feed(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """A batch reads an inbox of files: their pictures may point anywhere (every spelling of
    the metadata address, the builder's own loopback); none is connected to, the articles
    are built, and the feed command afterwards connects to nothing at all."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    pictures = "".join(
        f"<img src='http://{a}/latest/meta-data/' alt='x'>" for a in METADATA_SPELLINGS
    )
    (inbox / "pictures.html").write_text(
        "<html lang='en'><head><title>Pictures Everywhere</title></head><body><article>"
        "<h1>Pictures Everywhere</h1><p>An article in a batch inbox whose pictures point at "
        f"addresses it has no business asking for.</p>{pictures}"
        f"<img src='{hostile.url}/img/ok.png' alt='loopback'>"
        "<p>More words after the pictures, so there is an article worth reading aloud.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (inbox / "plain.md").write_text(
        "# A Plain Note\n\nA second article in the same inbox, with no pictures at all, "
        "only words enough for a short episode.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r, tried = guarded(
        ["batch", str(inbox), "--out", str(out), "--voice", "fake:tone", "--no-video", "-q"],
        tmp_path,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    no_link_local(tried)
    assert tried == []  # the loopback picture is refused too: the articles came from files
    built = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(built) == 2 and (out / "feed.xml").is_file()
    r, tried = guarded(["feed", "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert tried == []


def test_a_talk_whose_thumbnails_sit_at_metadata_addresses_never_connects_there(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """A saved info JSON is untrusted: its thumbnails at every spelling of the metadata
    address are refused (a warning), the talk is still imported, and only the one thumbnail
    on the loopback server is fetched."""
    from talk_fixtures import INFO_TEMPLATE

    info = json.loads(INFO_TEMPLATE.read_text().replace("__BASE__", hostile.url))
    bad = [{"url": f"http://{a}/vi/thumb.jpg"} for a in ("2852039166", "[fe80::1]")]
    info["thumbnail"] = f"http://{METADATA_SPELLINGS[-1]}/latest/meta-data/"  # tried first
    info["thumbnails"] = [{"url": f"{hostile.url}/img/ok.png"}, *bad]  # best last: tried last
    saved = tmp_path / "info.json"
    saved.write_text(json.dumps(info), encoding="utf-8")
    r, tried = guarded(
        ["talk", "--from-info-json", str(saved), "--out", str(tmp_path / "out"), "--json"],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    no_link_local(tried)
    assert tried == ["127.0.0.1"]
    doc = json.loads(r.stdout)
    assert doc["title"] == info["title"] and doc["thumbnail"]
