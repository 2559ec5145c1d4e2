"""Read an article's raw bytes from a path or a URL, enforce limits, decode, sniff the format.

Sits at the very start of ``ingest``: ``read_source`` -> ``RawInput`` -> ``decode`` -> ``sniff``.
Every refusal is an ``InputError`` with a one-line message (missing path, empty or binary file,
over the size cap, URL while offline, fetch failure).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest._fetch import fetch_bytes
from articast.models import InputKind
from articast.sanitize import path_text

_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class RawInput:
    """The raw article as read, before decoding."""

    data: bytes
    source: str
    """The path or URL as given."""
    base_dir: Path | None
    """Folder local images may come from (the article's own folder); None for URLs."""
    url: str | None = None
    """The final URL when the article was fetched."""
    content_type: str = ""
    private_origin: bool = False
    """The article came from a loopback or private address: its images may too."""


def is_url(source: str | Path) -> bool:
    """True when ``source`` is an http(s) URL string."""
    return isinstance(source, str) and bool(_URL.match(source.strip()))


def read_source(source: str | Path, settings: IngestSettings) -> RawInput:
    """Read the article at ``source`` (a path, or an http(s) URL when the network is allowed)."""
    if is_url(source):
        url = str(source).strip()
        if not settings.allow_network:
            raise InputError(
                f"cannot fetch {url}: network use is off (--offline); "
                "save the page to a file and pass its path"
            )
        got = fetch_bytes(
            url,
            max_bytes=settings.max_bytes,
            timeout=settings.timeout,
            what="article",
            allow_private=None,
        )
        if not got.body.strip():
            raise InputError(f"article {url} is empty; check the address")
        return RawInput(
            data=got.body,
            source=url,
            base_dir=None,
            url=got.url,
            content_type=got.content_type,
            private_origin=got.private,
        )
    text = str(source)
    if not text.strip():
        raise InputError("no article given: pass a file path or an http(s) URL")
    if "\x00" in text:
        raise InputError("article path contains a NUL character; check the argument")
    path = Path(source).expanduser()
    try:
        if not path.exists():
            raise InputError(f"article not found: {path}; check the path")
        if path.is_dir():
            raise InputError(f"{path} is a folder, not an article; pass a file")
        if not path.is_file():
            raise InputError(f"{path} is not a regular file; pass an article file")
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise InputError(
                f"{path} is {size:,} bytes, over the {settings.max_bytes:,}-byte limit; "
                "split the article or raise [ingest] max_bytes"
            )
        with path.open("rb") as fh:
            data = fh.read(settings.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > settings.max_bytes:
        raise InputError(f"{path} is over the {settings.max_bytes:,}-byte limit; refused")
    if not data.strip():
        raise InputError(f"{path} is empty; nothing to turn into an episode")
    return RawInput(data=data, source=path_text(source), base_dir=path.resolve().parent)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([A-Za-z0-9_:.-]{1,40})", re.I)
_CT_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9_:.-]{1,40})", re.I)


def _binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return controls > max(4, len(head) // 50)


def decode(raw: RawInput) -> str:
    """The article's text: BOM, then HTTP/meta charset, then UTF-8, then a detected encoding."""
    return decode_report(raw)[0]


MOSTLY_UTF8 = 0.005
"""Share of invalid bytes up to which a file is read as damaged UTF-8 rather than guessed."""


def decode_report(raw: RawInput) -> tuple[str, list[str]]:
    """``decode`` plus warnings naming what could not be decoded (nothing is lost silently).

    Text that was mis-encoded before it reached us ("Investorâ€™s", "ðŸš€": UTF-8 read as
    Windows-1252 and saved again, common in scraped pages) is repaired with ftfy, and a warning
    says so: a voice would read the debris aloud.
    """
    text, warnings = _decode(raw)
    return repair_mojibake(text, warnings)


def repair_mojibake(text: str, warnings: list[str]) -> tuple[str, list[str]]:
    """``text`` with mojibake undone (ftfy, encoding fixes only), and the warnings."""
    if text.isascii() or not _MOJIBAKE_PAIR.search(text):
        return text, warnings
    import ftfy

    # Only the encoding repairs: markup, quotes, widths and line breaks stay as written.
    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    # ftfy judges line by line; only lines that hold a suspect pair need its judgement.
    lines = text.splitlines(keepends=True)
    fixed = "".join(
        ftfy.fix_text(line, config) if _MOJIBAKE_PAIR.search(line) else line for line in lines
    )
    if fixed == text:
        return text, warnings
    # Name an example a reader can see (scripts and styles are never read).
    shown, shown_fixed = _shown(text), _shown(fixed)
    if shown == shown_fixed:
        return fixed, warnings
    at = next((i for i, (a, b) in enumerate(zip(shown, shown_fixed, strict=False)) if a != b), 0)
    start = max(shown.rfind(" ", 0, at), shown.rfind(">", 0, at)) + 1

    def word(s: str) -> str:
        w = (s.split(None, 1) or [""])[0].split("<", 1)[0][:40]
        return "".join(ch for ch in w if ch.isprintable())

    before, after = word(shown[start:]), word(shown_fixed[start:])
    return fixed, [
        *warnings,
        f'mis-encoded text (UTF-8 read as another encoding) was repaired, e.g. "{before}" '
        f'-> "{after}"; check accents and punctuation',
    ]


_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030"
    "\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
    "\u203a\u0153\u017e\u0178]"
)
"""A UTF-8 lead byte read as Windows-1252 ("Ã", "â") followed by a continuation byte read
the same way ("©", "€", "™"): every UTF-8-as-1252 mojibake holds one; correct text rarely."""


def _shown(text: str) -> str:
    """``text`` without its ``<script>`` and ``<style>`` elements (one linear pass)."""
    low = text.lower()
    nxt = {tag: low.find(f"<{tag}") for tag in ("script", "style")}
    out: list[str] = []
    i = 0
    while True:
        for tag, at in nxt.items():
            if 0 <= at < i:
                nxt[tag] = low.find(f"<{tag}", i)
        starts = [(at, tag) for tag, at in nxt.items() if at >= 0]
        if not starts:
            out.append(text[i:])
            return " ".join(out)
        at, tag = min(starts)
        out.append(text[i:at])
        end = low.find(f"</{tag}", at)
        close = low.find(">", end) if end >= 0 else -1
        if close < 0:
            return " ".join(out)
        i = close + 1


def _decode(raw: RawInput) -> tuple[str, list[str]]:
    data = raw.data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), []
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{raw.source}: not valid {enc} text; re-save it as UTF-8"
                ) from exc
    if _binary(data):
        raise InputError(
            f"{raw.source} looks like a binary file, not an article; "
            "pass HTML, Markdown or plain text"
        )
    declared: list[str] = []
    m = _CT_CHARSET.search(raw.content_type)
    if m:
        declared.append(m.group(1))
    m2 = _META_CHARSET.search(data[:4096])
    if m2:
        declared.append(m2.group(1).decode("ascii", "replace"))
    for enc in ["utf-8", *declared]:
        try:
            return data.decode(enc), []
        except (UnicodeDecodeError, LookupError):
            continue
    damaged = data.decode("utf-8", errors="replace")
    bad = damaged.count("\ufffd") - data.count("\ufffd".encode())
    if 0 < bad <= max(3, len(data) * MOSTLY_UTF8):
        # A few broken bytes in a UTF-8 file: guessing another encoding would garble all the
        # rest, so the broken bytes go and the warning says how many.
        at = damaged.index("\ufffd")
        context = " ".join(damaged[max(0, at - 40) : at].split()[-5:])
        return damaged.replace("\ufffd", ""), [
            f"{bad} byte{'s' if bad > 1 else ''} that are not valid UTF-8 were dropped "
            f'(the first after "{context}")'
        ]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), [f"the text encoding was guessed as {best.encoding}; check accents"]
    except ImportError:  # optional: the cp1252 fallback below always works
        pass
    lost = data.decode("cp1252", errors="replace").count("\ufffd")
    text = data.decode("cp1252", errors="replace").replace("\ufffd", "")
    return text, [f"{lost} bytes could not be decoded and were dropped"] if lost else []


_FENCE = re.compile(r"^[\s\"'“”‘’«»]*(```+|~~~+)\s*([A-Za-z0-9_+-]*)\s*[\"'“”‘’«»]*\s*$")
_SPLIT_TAG = re.compile(r"<[ \t]*\r?\n[ \t\r\n]*(?=/?[A-Za-z!])")
_HTML_TAG = re.compile(
    r"<(?:!doctype|html|head|body|article|section|main|div|p|h[1-6]|a|img|ul|ol|li|table|span|"
    r"br|hr|strong|em|b|i|iframe|nav|header|footer|aside|blockquote|figure|pre|code|title|meta|"
    r"script|style)(?=[\s>/])",
    re.IGNORECASE,
)
_MD_SIGNAL = re.compile(
    r"^(?:#{1,6}[ \t]+\S|[-*+][ \t]+\S|\d+\.[ \t]+\S|>[ \t]?\S|```|~~~|\|.*\|[ \t]*$|"
    r"(?:=+|-{3,})[ \t]*$)|\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*",
    re.MULTILINE,
)


_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)


def unwrap_fence(text: str) -> tuple[str, str | None]:
    """Remove a code fence wrapped around the whole article; (text, fence language or None)."""
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return text, None
    m = _FENCE.match(lines[first])
    if not m:
        return text, None
    lang = m.group(2).lower() or None
    last = max(i for i, ln in enumerate(lines) if ln.strip())
    last_m = _FENCE.match(lines[last]) if last > first else None
    closed = last_m is not None and not last_m.group(2)
    wrapper_langs = {None, "html", "htm", "xml", "xhtml", "md", "markdown", "text", "txt"}
    if lang not in wrapper_langs and not closed:
        return text, None
    body = lines[first + 1 : last] if closed else lines[first + 1 :]
    return "\n".join(body), lang


def repair_split_tags(text: str) -> str:
    """Join tags broken across lines (``<`` at a line end, ``article>`` on the next)."""
    return _SPLIT_TAG.sub("<", text)


def sniff(text: str, fence_lang: str | None = None) -> InputKind:
    """Guess the format from content: ``html``, ``markdown`` or ``text``."""
    stripped = text.lstrip()
    if fence_lang in {"html", "htm", "xhtml", "xml"}:
        return "html"
    if fence_lang in {"md", "markdown"}:
        return "markdown"
    if stripped.startswith(("---\n", "---\r\n", "+++\n", "+++\r\n")):
        return "markdown"
    sample = text[:200_000]
    html_tags = len(_HTML_TAG.findall(sample))
    if stripped[:4] == "<!--" or stripped[:5].lower() in {"<?xml", "<!doc"}:
        return "html"
    if stripped[:1] == "<" and html_tags:
        return "html"
    md = len(_MD_SIGNAL.findall(sample)) + 2 * len(_MD_HEADING.findall(sample))
    if html_tags and html_tags > md:
        return "html"
    if md:
        return "markdown"
    return "text"
