"""The podcast feed (``<out>/feed.xml``) and the episode list (``<out>/index.html``).

Part of the publish stage (last on the map): reads every ``<out>/*/episode.json`` and writes
an RSS 2.0 feed with feedgen and its iTunes extension, plus a small feedgen extension of ours
for what feedgen lacks: the Podcasting 2.0 namespace (``podcast:guid``, ``podcast:chapters``,
``podcast:transcript``) and ``itunes:explicit`` as ``true``/``false`` (feedgen only knows the
old ``yes``/``no``). Links are absolute under ``ShowConfig.base_url``, or relative to the
output folder when it is empty (local preview; see ``is_local_preview``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from articast.cache import atomic_write_bytes, atomic_write_text, content_key
from articast.config import ShowConfig
from articast.episodes import cleanup_leftovers, read_clips
from articast.errors import InputError, PublishError
from articast.models import Episode, ManifestError
from articast.publish._common import (
    clock,
    esc,
    existing_cover,
    existing_file,
    href,
    text,
)
from articast.publish.description import shownotes_fragment

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
#: The namespace UUID the Podcasting 2.0 spec fixes for ``podcast:guid``.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
MAX_CHANNEL_DESCRIPTION_BYTES = 4000
_LOCAL_FEED_URL = "articast.invalid/{slug}/feed.xml"


def is_local_preview(show: ShowConfig) -> bool:
    """True when the show has no public ``base_url``: the feed and pages use relative links."""
    return not show.base_url.strip()


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid`` per Podcasting 2.0: UUIDv5 of the feed URL without scheme and trailing
    slashes, in the spec's namespace."""
    bare = feed_url.strip()
    if "://" in bare:
        bare = bare.split("://", 1)[1]
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def _feed_url(show: ShowConfig) -> str:
    if is_local_preview(show):
        return "feed.xml"
    return href(show.base_url, "feed.xml")


def _guid_source_url(show: ShowConfig) -> str:
    """The URL the channel's podcast:guid derives from (a stand-in for local previews)."""
    if is_local_preview(show):
        slug = "-".join("".join(c if c.isalnum() else " " for c in show.name.lower()).split())
        return _LOCAL_FEED_URL.format(slug=slug or "show")
    return _feed_url(show)


# --------------------------------------------------------------------------- feedgen extension


class Podcast20Extension:
    """feedgen channel extension: ``podcast:guid`` and ``itunes:explicit`` (true/false)."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        """Namespaces this extension adds to the root element."""
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Add our channel tags to ``rss_feed`` (an lxml ``rss`` element)."""
        from lxml import etree

        channel = rss_feed[0]
        if self.explicit is not None:
            el = etree.SubElement(channel, f"{{{ITUNES_NS}}}explicit")
            el.text = "true" if self.explicit else "false"
        if self.guid:
            el = etree.SubElement(channel, f"{{{PODCAST_NS}}}guid")
            el.text = self.guid
        return rss_feed

    def extend_atom(self, atom_feed: Any) -> Any:
        """Atom feeds get nothing from this extension."""
        return atom_feed


@dataclass(frozen=True)
class _Transcript:
    url: str
    type: str


@dataclass(frozen=True)
class _Soundbite:
    start: float
    duration: float
    title: str


class Podcast20EntryExtension:
    """feedgen item extension: ``podcast:chapters``, ``podcast:transcript``,
    ``podcast:soundbite`` (the clips' moments), ``itunes:explicit``."""

    def __init__(self) -> None:
        self.chapters_url: str | None = None
        self.transcripts: list[_Transcript] = []
        self.soundbites: list[_Soundbite] = []
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        """Namespaces this extension adds to the root element."""
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, entry: Any) -> Any:
        """Add our item tags to ``entry`` (an lxml ``item`` element)."""
        from lxml import etree

        if self.explicit is not None:
            el = etree.SubElement(entry, f"{{{ITUNES_NS}}}explicit")
            el.text = "true" if self.explicit else "false"
        if self.chapters_url:
            etree.SubElement(
                entry,
                f"{{{PODCAST_NS}}}chapters",
                url=self.chapters_url,
                type="application/json+chapters",
            )
        for t in self.transcripts:
            etree.SubElement(entry, f"{{{PODCAST_NS}}}transcript", url=t.url, type=t.type)
        for b in self.soundbites:
            el = etree.SubElement(
                entry,
                f"{{{PODCAST_NS}}}soundbite",
                startTime=f"{b.start:.3f}",
                duration=f"{b.duration:.3f}",
            )
            el.text = b.title
        return entry

    def extend_atom(self, entry: Any) -> Any:
        """Atom entries get nothing from this extension."""
        return entry


# --------------------------------------------------------------------------- reading episodes


@dataclass(frozen=True)
class EpisodeEntry:
    """One episode folder, as the feed and the index page need it."""

    folder: Path
    episode: Episode
    """The episode's manifest."""
    slug: str
    title: str
    guid: str
    published: dt.datetime
    duration: float
    audio: str
    audio_bytes: int
    cover: str | None


def _parse_date(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        d = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        try:
            d = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return d if d.tzinfo is not None else d.replace(tzinfo=dt.UTC)


def read_episodes(out_dir: Path, problems: list[str] | None = None) -> list[EpisodeEntry]:
    """Every episode under ``out_dir`` (folders with an ``episode.json``), newest first.

    Folders whose name starts with ``.`` (caches, work folders) are skipped. A manifest that
    cannot be read or an episode without its audio raises ``PublishError``; when ``problems``
    is given, that episode is left out instead and a line naming it is appended there.
    """
    episodes: list[EpisodeEntry] = []
    for mpath in sorted(out_dir.glob("*/episode.json")):
        folder = mpath.parent
        if folder.name.startswith("."):
            continue
        try:
            entry = _read_entry(folder, mpath)
        except PublishError as exc:
            if problems is None:
                raise
            problems.append(f"episode {folder.name} left out of the feed: {exc}")
            continue
        if entry is not None:
            episodes.append(entry)
    episodes.sort(key=lambda e: (e.published, e.slug), reverse=True)
    return episodes


def _read_entry(folder: Path, mpath: Path) -> EpisodeEntry | None:
    try:
        episode = Episode.from_json(json.loads(mpath.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None  # the folder was swapped out by a concurrent rebuild since the glob
    except (
        OSError,
        UnicodeDecodeError,
        ValueError,
        RecursionError,
    ) as exc:  # ManifestError is a ValueError
        what = "is not a usable manifest" if isinstance(exc, ManifestError) else "cannot be read"
        raise PublishError(
            f"{mpath} {what} ({exc}); rebuild that episode or remove its folder"
        ) from exc
    audio = episode.files.audio
    if not (folder / audio).is_file():
        raise PublishError(f"{folder / audio} is missing; rebuild the episode or remove {folder}")
    published = _parse_date(episode.pub_date) or _parse_date(episode.created)
    if published is None:
        # No date recorded: the manifest's age is the best stable stand-in.
        published = dt.datetime.fromtimestamp(mpath.stat().st_mtime, tz=dt.UTC)
    slug = text(episode.slug, folder.name)
    guid = text(episode.guid) or str(uuid.uuid5(uuid.NAMESPACE_URL, f"articast:{slug}"))
    return EpisodeEntry(
        folder=folder,
        episode=episode,
        slug=folder.name,
        title=text(episode.title, folder.name),
        guid=guid,
        published=published,
        duration=max(0.0, episode.duration),
        audio=audio,
        audio_bytes=(folder / audio).stat().st_size,
        cover=existing_cover(folder, episode),
    )


# --------------------------------------------------------------------------- writing


def _truncate_bytes(value: str, limit: int) -> str:
    if len(value.encode()) <= limit:
        return value
    return value.encode()[: limit - 3].decode("utf-8", "ignore").rstrip() + "\u2026"


def _show_artwork(out_dir: Path, show: ShowConfig, episodes: list[EpisodeEntry]) -> str | None:
    """Path (relative to ``out_dir``) of the show's cover: the configured artwork, copied in,
    else the newest episode's cover."""
    if show.artwork is not None:
        from articast.pictures.cover import show_artwork

        if not show.artwork.is_file():
            raise InputError(
                f"show artwork not found: {show.artwork}; fix [show] artwork in articast.toml"
            )
        # Checked and re-encoded as a build does: only a real picture's pixels are published.
        name = "artwork.jpg"
        dest = out_dir / name
        key = content_key("show-artwork-v1", show.artwork.read_bytes())
        stamp = out_dir / ".cache" / "show-artwork.key"
        if not dest.is_file() or not stamp.is_file() or stamp.read_text() != key:
            show_artwork(show, dest)
            stamp.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(stamp, key)
        return name
    for ep in episodes:
        if ep.cover:
            return f"{ep.slug}/{ep.cover}"
    return None


def feed_language(show: ShowConfig, episodes: list[EpisodeEntry]) -> str:
    """The channel's language: ``[show] language`` when set, else the episodes' language when
    they all agree, else ``en``."""
    if show.language.strip():
        return show.language.strip()
    found = {text(e.episode.language).lower() for e in episodes}
    found.discard("")
    if len(found) == 1:
        return found.pop()
    bases = {f.split("-")[0] for f in found}
    return bases.pop() if len(bases) == 1 else "en"


def render_feed(out_dir: Path, show: ShowConfig, episodes: list[EpisodeEntry]) -> bytes:
    """The RSS document for ``episodes`` (newest first) as UTF-8 bytes."""
    from feedgen.feed import FeedGenerator

    base = show.base_url.strip()
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcast20", Podcast20Extension, Podcast20EntryExtension)
    fg.title(show.name)
    fg.description(_truncate_bytes(show.description or show.name, MAX_CHANNEL_DESCRIPTION_BYTES))
    # feedgen takes the RSS <link> from the last link given: the self link goes first.
    fg.link(href=_feed_url(show), rel="self")
    fg.link(href=href(base, "index.html") if base else "index.html", rel="alternate")
    fg.language(feed_language(show, episodes))
    fg.generator("articast")
    fg.podcast.itunes_author(show.author)
    fg.author({"name": show.author, **({"email": show.email} if show.email else {})})
    if show.email:
        fg.podcast.itunes_owner(name=show.author, email=show.email)
    cat, _, sub = (p.strip() for p in show.category.partition(">"))
    fg.podcast.itunes_category({"cat": cat, "sub": sub} if sub else {"cat": cat})
    fg.podcast.itunes_type("episodic")
    art = _show_artwork(out_dir, show, episodes)
    if art:
        art_url = href(base, *art.split("/"))
        fg.podcast.itunes_image(art_url)
        fg.image(url=art_url, title=show.name, link=href(base, "index.html"))
    fg.podcast20.explicit = show.explicit
    fg.podcast20.guid = podcast_guid(_guid_source_url(show))
    if episodes:
        # The newest change to any episode, so identical rebuilds give an identical feed.
        fg.lastBuildDate(
            max(max(e.published, _parse_date(e.episode.updated) or e.published) for e in episodes)
        )

    for ep in episodes:
        m = ep.episode
        fe = fg.add_entry(order="append")
        fe.title(ep.title)
        fe.guid(ep.guid, permalink=False)
        fe.pubDate(ep.published)
        fe.link(href=href(base, ep.slug, m.files.page))
        fe.description(shownotes_fragment(m) or ep.title)
        fe.enclosure(href(base, ep.slug, ep.audio), str(ep.audio_bytes), "audio/mpeg")
        fe.podcast.itunes_duration(str(round(ep.duration)))
        summary = text(m.summary)
        if summary:
            fe.podcast.itunes_summary(summary)
        if ep.cover:
            fe.podcast.itunes_image(href(base, ep.slug, ep.cover))
        fe.podcast20.explicit = show.explicit
        chapters_json = existing_file(ep.folder, m.files.chapters)
        if chapters_json:
            fe.podcast20.chapters_url = href(base, ep.slug, chapters_json)
        for file, mime in (
            (m.files.captions_vtt, "text/vtt"),
            (m.files.captions_srt, "application/x-subrip"),
        ):
            name = existing_file(ep.folder, file)
            if name:
                fe.podcast20.transcripts.append(_Transcript(href(base, ep.slug, name), mime))
        for clip in sorted(read_clips(ep.folder), key=lambda c: c.start):
            if 0 <= clip.start < clip.end <= ep.duration + 0.5:
                title = _truncate_bytes(text(clip.headline) or ep.title, 128)
                fe.podcast20.soundbites.append(
                    _Soundbite(clip.start, round(clip.end - clip.start, 3), title)
                )
    data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def render_index(show: ShowConfig, episodes: list[EpisodeEntry]) -> str:
    """The output folder's ``index.html``: the show and its episodes, newest first."""
    local = is_local_preview(show)
    items: list[str] = []
    for ep in episodes:
        page = f"{ep.slug}/{ep.episode.files.page}"
        img = (
            f'<img src="{esc(ep.slug)}/{esc(ep.cover)}" alt="" width="96" height="96">'
            if ep.cover
            else ""
        )
        summary = text(ep.episode.summary)
        date = ep.published.strftime("%Y-%m-%d")
        items.append(
            f'<li>{img}<div><h2><a href="{esc(page)}">{esc(ep.title)}</a></h2>'
            f'<p class="meta"><time datetime="{esc(ep.published.isoformat())}">{esc(date)}</time>'
            f" · {esc(clock(ep.duration))} · "
            f'<a href="{esc(ep.slug)}/{esc(ep.audio)}" download>MP3</a></p>'
            + (f"<p>{esc(summary)}</p>" if summary else "")
            + "</div></li>"
        )
    notice = (
        '<p class="meta">Local preview: the feed uses relative links. Set <code>base_url</code> '
        "in articast.toml to publish it.</p>"
        if local
        else ""
    )
    listing = (
        '<ol class="episodes">\n' + "\n".join(items) + "\n</ol>"
        if items
        else "<p>No episodes yet.</p>"
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(feed_language(show, episodes))}">\n<head>\n<meta charset="utf-8">\n'
        f"{INDEX_MARK}\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(show.name)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{esc(show.name)}" '
        'href="feed.xml">\n'
        "<style>:root{color-scheme:light dark}body{font:1rem/1.5 system-ui,sans-serif;"
        "max-width:48rem;margin:0 auto;padding:1rem}.episodes{list-style:none;padding:0}"
        ".episodes li{display:flex;gap:1rem;margin:1.2rem 0}.episodes img{border-radius:8px;"
        "object-fit:cover}h2{font-size:1.2rem;margin:0}.meta{opacity:.75;margin:.2rem 0}"
        "a:focus-visible{outline:3px solid;outline-offset:2px}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(show.name)}</h1><p>{esc(show.description)}</p>\n"
        '<p><a href="feed.xml">Subscribe: podcast feed (RSS)</a></p>'
        f"{notice}</header>\n<main>\n{listing}\n</main>\n</body>\n</html>\n"
    )


def _render_skipping(
    out_dir: Path, show: ShowConfig, episodes: list[EpisodeEntry], problems: list[str]
) -> tuple[bytes, list[EpisodeEntry]]:
    """The feed of ``episodes``; an item that cannot be written is left out and named."""
    try:
        return render_feed(out_dir, show, episodes), episodes
    except ValueError:
        if not episodes:
            raise
    render_feed(out_dir, show, [])  # the channel itself must be writable
    kept: list[EpisodeEntry] = []
    for ep in episodes:
        try:
            render_feed(out_dir, show, [ep])
        except ValueError as exc:
            problems.append(f"episode {ep.slug} left out of the feed: {exc}; rebuild it")
            continue
        kept.append(ep)
    return render_feed(out_dir, show, kept), kept


INDEX_MARK = '<meta name="generator" content="articast">'
"""Marks the output folder's ``index.html`` as ours: an unrelated page is never overwritten."""


def _index_is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    # Pages written before the marker existed carry the feed link and the local-preview note.
    return INDEX_MARK.encode() in head or (
        b'href="feed.xml">' in head and b"<title>" in head and b"episodes" in head
    )


def update_feed(out_dir: Path, show: ShowConfig, *, warnings_out: list[str] | None = None) -> Path:
    """Rebuild ``out_dir/feed.xml`` and ``out_dir/index.html`` from every episode folder.

    Returns the feed's path. When ``show.base_url`` is empty the links are relative and the
    feed is for local preview only (``is_local_preview(show)`` tells the CLI to say so).
    An episode that cannot be read or written is left out; a line naming it goes to
    ``warnings_out``. An ``index.html`` that articast did not write is left alone (noted).
    """
    if not out_dir.is_dir():
        raise PublishError(f"output folder not found: {out_dir}; build an episode first")
    # A build killed between its two swap renames: put the episode back before listing.
    problems: list[str] = []
    cleanup_leftovers(out_dir)
    episodes = read_episodes(out_dir, problems)
    feed_path = out_dir / "feed.xml"
    index_path = out_dir / "index.html"
    try:
        data, kept = _render_skipping(out_dir, show, episodes, problems)
        atomic_write_bytes(feed_path, data)
        if _index_is_ours(index_path):
            atomic_write_text(index_path, render_index(show, kept))
        else:
            problems.append(
                f"{index_path} was not written by articast and was left alone; "
                "move it away to get the episode list there"
            )
    except OSError as exc:
        raise PublishError(
            f"cannot write the feed in {out_dir}: {exc.strerror or exc}; "
            "check the folder's permissions and free space"
        ) from exc
    except ValueError as exc:  # feedgen's validation of a field
        raise PublishError(f"cannot build the feed: {exc}; check [show] in articast.toml") from exc
    if warnings_out is not None:
        warnings_out.extend(problems)
    return feed_path
