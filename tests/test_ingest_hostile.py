"""Hostile articles: image paths that try to leave the folder, look-alike and javascript: links,
absurd nesting, oversize data URIs and images. Nothing outside the article's folder is read."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest import load_article

OFFLINE = IngestSettings(allow_network=False)
PROSE = (
    "<p>This paragraph is ordinary prose about gardens and rivers, long enough to count as the "
    "body of the article for every rule that looks at length.</p>"
)


def _png(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _page(tmp_path: Path, body: str, name: str = "article.html") -> Path:
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text(f"<html><body><h1>Hostile page</h1>{body}{PROSE}</body></html>")
    return p


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A valid image OUTSIDE the article's folder: it must never be used."""
    p = tmp_path / "secret.png"
    p.write_bytes(_png())
    return p


@pytest.mark.parametrize(
    "src",
    [
        "../secret.png",
        "./../secret.png",
        "img/../../secret.png",
        "%2e%2e/secret.png",
        "..\\secret.png",
        "file://{secret}",
        "file:///{secret}",
        "{secret}",
        "//localhost{secret}",
        "C:/secret.png",
    ],
)
def test_images_never_leave_the_folder(tmp_path: Path, secret: Path, src: str) -> None:
    p = _page(tmp_path, f'<img src="{src.format(secret=secret)}" alt="x">')
    a = load_article(p, OFFLINE)
    assert all(img.path is None for img in a.images)
    assert len(a.warnings) == 1
    assert "image" in a.warnings[0]


def test_symlink_escape_is_refused(tmp_path: Path, secret: Path) -> None:
    p = _page(tmp_path, '<img src="link.png" alt="x"><img src="inside.png" alt="y">')
    os.symlink(secret, p.parent / "link.png")
    (p.parent / "inside.png").write_bytes(_png())
    a = load_article(p, OFFLINE)
    paths = [img.path for img in a.images]
    assert paths[0] is None
    assert paths[1] == (p.parent / "inside.png").resolve()
    assert any("link.png" in w for w in a.warnings)


def test_symlinked_article_folder_inside_is_fine(tmp_path: Path) -> None:
    p = _page(tmp_path, '<img src="pics/a.png" alt="a">')
    (p.parent / "pics").mkdir()
    (p.parent / "pics" / "a.png").write_bytes(_png())
    a = load_article(p, OFFLINE)
    assert a.images[0].path is not None
    assert a.warnings == ()


def test_data_uri_images(tmp_path: Path) -> None:
    good = base64.b64encode(_png()).decode()
    big = base64.b64encode(_png((300, 300))).decode()
    body = (
        f'<img src="data:image/png;base64,{good}" alt="good">'
        f'<img src="data:image/png;base64,{big}" alt="too many pixels">'
        '<img src="data:image/png;base64,!!!notbase64" alt="bad">'
        '<img src="data:text/plain,hello" alt="not an image">'
    )
    p = _page(tmp_path, body)
    a = load_article(p, IngestSettings(allow_network=False, max_image_pixels=10_000))
    paths = [img.path for img in a.images]
    assert paths[0] is not None
    assert paths[0].read_bytes() == _png()
    assert paths[1:] == [None, None, None]
    assert len(a.warnings) == 3
    assert any("pixels" in w for w in a.warnings)
    assert all(len(img.src) < 100 for img in a.images)


def test_data_uri_over_byte_cap(tmp_path: Path) -> None:
    payload = base64.b64encode(_png((64, 64))).decode()
    p = _page(tmp_path, f'<img src="data:image/png;base64,{payload}" alt="x">')
    a = load_article(p, IngestSettings(allow_network=False, max_image_bytes=50))
    assert a.images[0].path is None
    assert "byte image limit" in a.warnings[0]


def test_not_an_image_file(tmp_path: Path) -> None:
    p = _page(tmp_path, '<img src="fake.png" alt="x">')
    (p.parent / "fake.png").write_text("I am not a PNG")
    a = load_article(p, OFFLINE)
    assert a.images[0].path is None
    assert "fake.png" in a.warnings[0]


def test_remote_image_offline_is_a_warning(tmp_path: Path) -> None:
    p = _page(tmp_path, '<img src="https://img.example/cat.png" alt="cat">')
    a = load_article(p, OFFLINE)
    assert a.images[0].path is None
    assert "network off" in a.warnings[0]


def test_links_are_only_http(tmp_path: Path) -> None:
    body = (
        '<p>Some prose with links in it, as articles have: <a href="javascript:alert(1)">click</a> <a href="JaVaScRiPt:void(0)">x</a> '
        '<a href="mailto:a@b.example">mail</a> <a href="data:text/html,hi">d</a> '
        '<a href="https://ok.example/page">ok</a> <a href="https://ok.example/page">again</a> '
        '<a href="http://[::1">broken</a>, and more words after them to make a sentence.</p>'
    )
    a = load_article(_page(tmp_path, body), OFFLINE)
    assert a.links == ("https://ok.example/page",)


def test_look_alike_youtube_hosts(tmp_path: Path) -> None:
    body = (
        '<p><a href="https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ">a</a> '
        '<iframe src="https://youtube.com.evil.example/embed/dQw4w9WgXcQ"></iframe> '
        "Also youtube.com.evil.example/watch?v=dQw4w9WgXcQ in text.</p>"
    )
    a = load_article(_page(tmp_path, body), OFFLINE)
    assert a.talk is None
    assert a.talks == ()


def test_deep_nesting_never_crashes(tmp_path: Path) -> None:
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    a = load_article(_page(tmp_path, deep), OFFLINE)
    assert a.title == "Hostile page"
    assert "ordinary prose" in a.sections[0].text or "ordinary prose" in a.sections[-1].text


def test_deep_markdown_nesting(tmp_path: Path) -> None:
    p = tmp_path / "deep.md"
    p.write_text(
        "# Deep\n\nA first paragraph of plain words.\n\n"
        + ">" * 5000
        + " quoted words\n\n"
        + "- " * 3000
        + "item\n\nA last paragraph of plain words.\n"
    )
    a = load_article(p, OFFLINE)
    assert a.title == "Deep"
    assert "A last paragraph of plain words." in a.sections[-1].text


def test_deep_inline_nesting(tmp_path: Path) -> None:
    deep = "<p>" + "<span><b>" * 3000 + "words inside" + "</b></span>" * 3000 + "</p>"
    a = load_article(_page(tmp_path, deep), OFFLINE)
    assert a.title == "Hostile page"


def test_unclosed_formatting_cannot_multiply_the_tree(tmp_path: Path) -> None:
    """HTML5 reopens unclosed <b><i><u><s> in every paragraph; on a hostile page that makes
    the tree many times the page, so such a page is read with lxml alone."""
    from articast.ingest._dom import browser_html

    body = "".join(f"<p><b><i><u><s>Paragraph number {n} of the hostile page.</p>" for n in range(3000))
    page = f"<html><head><title>Hostile page</title></head><body>{body}</body></html>"
    assert browser_html(page) == page  # the browser's tree would be over twice the page
    ordinary = "<html><head><title>Ordinary page</title></head><body>" + "<p>Unclosed words." * 50
    assert browser_html(ordinary).count("</p>") == 50  # an ordinary page: the browser's tree
    a = load_article(_page(tmp_path, body), OFFLINE)
    assert "Paragraph number 2999 of the hostile page." in a.sections[-1].paragraphs


@pytest.mark.parametrize(
    "html",
    [
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head></html>",
        "<!-- just a comment -->",
        "<html><body><nav><a href='/'>Home</a></nav><footer>c</footer></body></html>",
        "<html><body><script>" + "x" * 1000 + "</script></body></html>",
    ],
)
def test_empty_pages_are_input_errors(tmp_path: Path, html: str) -> None:
    p = tmp_path / "empty.html"
    p.write_text(html)
    with pytest.raises(InputError) as info:
        load_article(p, OFFLINE)
    assert "\n" not in str(info.value)


def test_binary_formats_are_refused(tmp_path: Path) -> None:
    for name, data in [
        ("image.txt", _png()),
        ("zip.html", b"PK\x03\x04" + bytes(range(256))),
        ("elf.md", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    ]:
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(InputError, match="binary"):
            load_article(p, OFFLINE)


def test_utf16_and_latin1_articles(tmp_path: Path) -> None:
    text = (
        "<h1>Café société</h1><p>Le café est une boisson que les Français boivent souvent le "
        "matin. Il est servi dans une petite tasse, avec du sucre ou sans sucre, et on le boit "
        "debout au comptoir pour aller plus vite.</p>"
    )
    p16 = tmp_path / "u16.html"
    p16.write_bytes(text.encode("utf-16"))
    assert load_article(p16, OFFLINE).title == "Café société"
    pl1 = tmp_path / "l1.html"
    pl1.write_bytes(('<meta charset="iso-8859-1">' + text).encode("latin-1"))
    a = load_article(pl1, OFFLINE)
    assert a.title == "Café société"
    assert a.language == "fr"


def test_image_count_is_capped(tmp_path: Path) -> None:
    body = "".join(f'<img src="missing{i}.png" alt="{i}">' for i in range(60))
    a = load_article(_page(tmp_path, body), OFFLINE)
    assert len(a.images) == 60
    assert len(a.warnings) == 41
    assert a.warnings[-1].startswith("more than 40 images")


def test_xhtml_with_encoding_declaration() -> None:
    fixture = Path(__file__).parent / "fixtures" / "ingest" / "declared.xhtml"
    a = load_article(fixture, OFFLINE)
    assert a.title == "Ein Titel"
    assert a.language == "de"
    assert a.sections[0].paragraphs[0].startswith("Der Text ist nicht lang")


def test_control_characters_beside_dropped_boilerplate(tmp_path: Path) -> None:
    from articast.config import IngestSettings
    from articast.ingest import load_article

    body = " ".join(["Real prose about sleep and memory goes here."] * 10)
    page = tmp_path / "ctl.html"
    page.write_text(
        f"<html><body><nav>Home | About</nav>\x01 stray\x0b<article><h1>Title</h1><p>{body}</p>"
        "</article><footer>(c) site</footer>\x1f</body></html>"
    )
    article = load_article(page, IngestSettings(allow_network=False))
    assert article.title == "Title"
    assert all("\x01" not in p and "\x0b" not in p for s in article.sections for p in s.paragraphs)


def test_a_page_of_thousands_of_boxes_skips_the_quadratic_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """trafilatura's jusText fallback is quadratic in the number of paragraphs (a page of
    5,000 small boxes took it 25 s): past a few thousand block elements it is not run, and
    the page is still read."""
    import trafilatura.external

    from articast.ingest._libs import FAST_ABOVE

    calls: list[int] = []
    real = trafilatura.external.classify_paragraphs

    def counting(paragraphs: object, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(paragraphs, *args, **kwargs)

    monkeypatch.setattr(trafilatura.external, "classify_paragraphs", counting)
    box = "<div class='related'><h2>Related work</h2><p>A few words in a box.</p></div>"
    small = tmp_path / "small.html"
    small.write_text("<html><body><h1>Boxes</h1>" + box * 20 + "</body></html>", encoding="utf-8")
    load_article(small, IngestSettings(allow_network=False))
    assert calls, "the fallback runs on an ordinary page"
    calls.clear()
    big = tmp_path / "big.html"
    big.write_text(
        "<html><body><h1>Boxes</h1>"
        + "<p>The story before the boxes has enough words to be read aloud as a lead.</p>"
        + box * (FAST_ABOVE // 2 + 10)
        + "</body></html>",
        encoding="utf-8",
    )
    a = load_article(big, IngestSettings(allow_network=False))
    assert not calls
    assert "The story before the boxes" in "\n".join(s.text for s in a.sections)
