"""YouTube description (``description.txt``) and podcast show notes (``shownotes.html``).

Part of the publish stage (last on the map): reads the manifest, writes text for people.
YouTube's chapter rules are strict (first at 0:00, at least three, ascending, each at least
10 s long; one violation silently disables all), so chapters are merged until they comply,
and left out entirely when fewer than three remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from articast.cache import atomic_write_text
from articast.errors import PublishError
from articast.lang import get_language
from articast.models import Episode
from articast.publish._common import (
    ChapterInfo,
    article_url,
    chapters,
    clock,
    esc,
    talk,
    text,
)

#: YouTube's limits for a video description.
MAX_DESCRIPTION_BYTES = 5000
MIN_CHAPTER_SECONDS = 10
MIN_CHAPTERS = 3


@dataclass(frozen=True)
class YouTubeChapter:
    """A chapter line of the description: whole-second start and a title."""

    start: int
    title: str


def youtube_safe(value: str) -> str:
    """Text without ``<``/``>`` (YouTube rejects them) and without control characters."""
    value = value.replace("<", "\u2039").replace(">", "\u203a")
    return "".join(ch for ch in value if ch == "\n" or ch >= " ")


def youtube_chapters(items: list[ChapterInfo], duration: float) -> list[YouTubeChapter]:
    """Chapters that meet YouTube's rules, merging short ones; ``[]`` when fewer than 3 remain.

    Starts are whole seconds as displayed; the first is forced to 0. A chapter shorter than
    10 s is merged into a neighbour (the previous one, or the next for the first), keeping the
    title of the longer part. ``duration`` is the video length (the last chapter's end).
    """
    # Each entry: [start, title]; lengths are derived from the next start and the duration.
    parts: list[tuple[int, str]] = []
    for ch in sorted(items, key=lambda c: c.start):
        start = 0 if not parts else int(ch.start)
        if parts and start <= parts[-1][0]:
            # Same displayed second as the previous chapter: it has zero length; merge now.
            prev = parts.pop()
            parts.append((prev[0], prev[1] if prev[1] else ch.title))
            continue
        parts.append((start, youtube_safe(ch.title).strip() or f"Part {len(parts) + 1}"))
    end = max(duration, parts[-1][0] if parts else 0)

    def lengths() -> list[float]:
        return [
            (parts[i + 1][0] if i + 1 < len(parts) else end) - parts[i][0]
            for i in range(len(parts))
        ]

    while len(parts) > 1:
        lens = lengths()
        short = [i for i, n in enumerate(lens) if n < MIN_CHAPTER_SECONDS]
        if not short:
            break
        i = min(short, key=lambda k: (lens[k], k))
        j = i - 1 if i > 0 else 1
        if 0 < i < len(parts) - 1 and lens[i + 1] < lens[i - 1]:
            j = i + 1  # the shorter neighbour absorbs it, keeping chapters balanced
        a, b = sorted((i, j))
        title = parts[i][1] if lens[i] > lens[j] else parts[j][1]
        parts[a : b + 1] = [(parts[a][0], title)]
    if len(parts) < MIN_CHAPTERS:
        return []
    return [YouTubeChapter(start, title) for start, title in parts]


def _merge_shortest(chs: list[YouTubeChapter], duration: float) -> list[YouTubeChapter]:
    """One fewer chapter: the shortest merged into its previous neighbour (or the next)."""
    ends = [c.start for c in chs[1:]] + [int(max(duration, chs[-1].start))]
    lens = [e - c.start for c, e in zip(chs, ends, strict=True)]
    i = min(range(len(chs)), key=lambda k: (lens[k], k))
    if i == 0:
        return [YouTubeChapter(0, chs[1].title if lens[1] > lens[0] else chs[0].title), *chs[2:]]
    keep = chs[i - 1] if lens[i - 1] >= lens[i] else YouTubeChapter(chs[i - 1].start, chs[i].title)
    return [*chs[: i - 1], keep, *chs[i + 1 :]]


def _shorten(value: str, max_bytes: int) -> str:
    """``value`` cut at a word boundary to at most ``max_bytes`` UTF-8 bytes (with an ellipsis)."""
    if len(value.encode()) <= max_bytes:
        return value
    if max_bytes <= 3:
        return ""
    cut = value.encode()[: max_bytes - 3].decode("utf-8", "ignore")
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "\u2026"


def build_description(episode: Episode) -> str:
    """The YouTube description text for ``episode``.

    Order: the talk link (with its start time) first, the summary, the article link, then the
    chapters as ``0:00 Title`` lines. At most 5000 bytes; no ``<`` or ``>``.
    """
    tk = talk(episode)
    summary = youtube_safe(text(episode.summary))
    article = article_url(episode)
    duration = max(0.0, episode.duration)
    chs = youtube_chapters(chapters(episode), duration)
    labels = get_language(text(episode.language, "en")).labels

    head: list[str] = []
    if tk is not None:
        who = f" {labels.by} {tk.channel}" if tk.channel else ""
        head.append(youtube_safe(f"{labels.watch_talk}: {tk.url}"))
        head.append(youtube_safe(f"\u201c{tk.title}\u201d{who}"))
    tail: list[str] = []
    if article:
        tail.append(youtube_safe(f"{labels.read_article}: {article}"))

    def render(summary_text: str, chapter_list: list[YouTubeChapter]) -> str:
        blocks = ["\n".join(head)] if head else []
        if summary_text:
            blocks.append(summary_text)
        if tail:
            blocks.append("\n".join(tail))
        if chapter_list:
            lines = [f"{clock(c.start)} {c.title}" for c in chapter_list]
            blocks.append(f"{labels.chapters}\n" + "\n".join(lines))
        return "\n\n".join(blocks) + "\n"

    out = render(summary, chs)
    # Too long: first merge chapters (they stay valid), then shorten the summary.
    while len(out.encode()) > MAX_DESCRIPTION_BYTES and len(chs) > MIN_CHAPTERS:
        chs = _merge_shortest(chs, duration)
        out = render(summary, chs)
    if len(out.encode()) > MAX_DESCRIPTION_BYTES:
        room = MAX_DESCRIPTION_BYTES - len(render("", chs).encode()) - 2
        out = render(_shorten(summary, max(room, 0)), chs)
    if len(out.encode()) > MAX_DESCRIPTION_BYTES:
        out = _shorten(out, MAX_DESCRIPTION_BYTES - 1) + "\n"
    return out


def shownotes_fragment(episode: Episode) -> str:
    """The show notes as an HTML fragment: summary, talk link, article link, chapters with times.

    Used as ``shownotes.html`` (wrapped in a page) and as the feed item's description.
    """
    tk = talk(episode)
    summary = text(episode.summary)
    article = article_url(episode)
    labels = get_language(text(episode.language, "en")).labels
    parts: list[str] = []
    if summary:
        parts.append(f"<p>{esc(summary)}</p>")
    if tk is not None:
        who = f" ({esc(tk.channel)})" if tk.channel else ""
        parts.append(
            f'<p>{esc(labels.the_talk)}: <a href="{esc(tk.url)}">{esc(tk.title)}</a>{who}</p>'
        )
    if article:
        parts.append(
            f'<p>{esc(labels.the_article)}: <a href="{esc(article)}">{esc(article)}</a></p>'
        )
    chs = chapters(episode)
    if chs:
        items = []
        for c in chs:
            title = esc(c.title)
            if c.url:
                title = f'<a href="{esc(c.url)}">{title}</a>'
            items.append(f"<li>{esc(clock(c.start))} {title}</li>")
        parts.append(f"<p>{esc(labels.chapters)}:</p>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    return "\n".join(parts)


def _shownotes_page(episode: Episode) -> str:
    title = esc(text(episode.title, "Episode"))
    lang = esc(text(episode.language, "en"))
    notes = esc(get_language(lang).labels.show_notes)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{notes}: {title}</title>\n"
        '<link rel="icon" href="data:,">\n'
        "<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n{shownotes_fragment(episode)}\n</main>\n</body>\n</html>\n"
    )


def write_description(folder: Path, episode: Episode) -> None:
    """Write ``description.txt`` (YouTube) and ``shownotes.html`` into the episode ``folder``."""
    if not folder.is_dir():
        raise PublishError(f"episode folder not found: {folder}; build the episode first")
    try:
        atomic_write_text(folder / episode.files.description, build_description(episode))
        atomic_write_text(folder / episode.files.shownotes, _shownotes_page(episode))
    except OSError as exc:
        raise PublishError(
            f"cannot write the description into {folder}: {exc.strerror or exc}; "
            "check the folder's permissions and free space"
        ) from exc
