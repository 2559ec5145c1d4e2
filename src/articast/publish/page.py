"""The episode page (``<slug>/index.html``): a static, self-contained player with read-along.

Part of the publish stage (last on the map). The page makes no external request: CSS and
JavaScript are inline, media and images are files of the episode folder (the talk's cached
thumbnail is copied in), and the favicon is a data URI. It works from ``file://`` as well as
from any web server.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Sequence
from pathlib import Path

from articast.cache import atomic_write_bytes, atomic_write_text
from articast.config import ShowConfig
from articast.episodes import read_clips
from articast.errors import PublishError
from articast.lang import Labels, get_language
from articast.models import Episode
from articast.publish._common import (
    TALK_THUMB_STEM,
    chapters,
    clock,
    esc,
    existing_cover,
    existing_file,
    talk,
    text,
)

_CSS = """
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fafafa;--muted:#5a5a66;--accent:#0b57d0;
--hl:#ffe58a;--card:#fff;--line:#d9d9e0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ee;--bg:#121216;--muted:#a9a9b6;
--accent:#8ab4ff;--hl:#5c4a00;--card:#1c1c22;--line:#33333d}}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);
background:var(--bg)}
a{color:var(--accent)}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem}
.skip:focus{left:.5rem}
header,main,footer{max-width:56rem;margin:0 auto;padding:1rem}
header{display:flex;gap:1rem;align-items:center}
header img{width:96px;height:96px;border-radius:8px;object-fit:cover}
h1{font-size:1.6rem;margin:.2rem 0}
.meta{color:var(--muted);margin:0}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;
margin:1rem 0}
h2{font-size:1.15rem;margin:0 0 .6rem}
audio,video{width:100%}
video{max-height:60vh;background:#000;border-radius:6px}
#chapters ol{list-style:none;margin:0;padding:0}
#chapters li{margin:.15rem 0}
#chapters button{display:flex;gap:.8rem;width:100%;text-align:left;font:inherit;color:inherit;
background:none;border:1px solid transparent;border-radius:6px;padding:.35rem .5rem;cursor:pointer}
#chapters button:hover{border-color:var(--line)}
#chapters button.current{border-color:var(--accent);font-weight:600}
#chapters time{color:var(--muted);font-variant-numeric:tabular-nums;min-width:4.5em}
button:focus-visible,a:focus-visible,audio:focus-visible,video:focus-visible,
input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
#transcript{max-height:60vh;overflow:auto}
#transcript h3{font-size:1rem;margin:1rem 0 .3rem}
#transcript p{margin:0 0 .6rem}
.s{cursor:pointer;border-radius:3px}
.s.current{background:var(--hl)}
.talk{display:flex;gap:1rem;align-items:center}
.talk>a:first-child{flex:0 0 240px;max-width:40%}
.talk img{display:block;width:100%;aspect-ratio:16/9;object-fit:cover;border-radius:6px}
.files{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;padding:0;list-style:none}
.toggle{color:var(--muted);font-size:.9rem}
.clips{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;margin:0;
padding:0;list-style:none}
.clips video{max-height:28rem;aspect-ratio:var(--ar)}
.clips figure{margin:0}
.clips figcaption{font-size:.92rem;margin-top:.3rem}
.clips button{font:inherit;font-size:.85rem;color:var(--accent);background:none;border:0;padding:0;
cursor:pointer;text-decoration:underline}
"""

# Plain ES5-ish JavaScript: finds the sentence/chapter spoken at currentTime by binary search.
_JS = """
(function () {
  "use strict";
  var audio = document.getElementById("player");
  var video = document.getElementById("video");
  var follow = document.getElementById("follow");
  var sentences = Array.prototype.slice.call(document.querySelectorAll("#transcript .s"));
  var chapterButtons = Array.prototype.slice.call(
    document.querySelectorAll("#chapters button[data-start]"));
  function starts(list) { return list.map(function (el) { return parseFloat(el.dataset.start); }); }
  var sStarts = starts(sentences), cStarts = starts(chapterButtons);
  function indexAt(arr, t) {
    var lo = 0, hi = arr.length - 1, ans = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (arr[mid] <= t + 0.001) { ans = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return ans;
  }
  var curS = -1, curC = -1;
  function mark(list, oldI, newI, attr) {
    if (oldI >= 0) { list[oldI].classList.remove("current"); list[oldI].removeAttribute(attr); }
    if (newI >= 0) { list[newI].classList.add("current"); list[newI].setAttribute(attr, "true"); }
  }
  function update() {
    var t = audio.currentTime;
    var i = indexAt(sStarts, t);
    if (i !== curS) {
      mark(sentences, curS, i, "aria-current");
      curS = i;
      if (i >= 0 && follow && follow.checked && !audio.paused) {
        sentences[i].scrollIntoView({block: "nearest"});
      }
    }
    var c = indexAt(cStarts, t);
    if (c !== curC) { mark(chapterButtons, curC, c, "aria-current"); curC = c; }
  }
  var raf = 0;
  function tick() { update(); raf = audio.paused ? 0 : window.requestAnimationFrame(tick); }
  function seek(t, play) {
    if (video && !video.paused) { video.pause(); }
    audio.currentTime = t;
    update();
    if (play) { var p = audio.play(); if (p && p.catch) { p.catch(function () {}); } }
  }
  ["timeupdate", "seeking", "seeked", "loadedmetadata"].forEach(function (ev) {
    audio.addEventListener(ev, update);
  });
  audio.addEventListener("play", function () {
    if (video && !video.paused) { video.pause(); }
    if (!raf) { raf = window.requestAnimationFrame(tick); }
  });
  if (video) {
    video.addEventListener("play", function () { if (!audio.paused) { audio.pause(); } });
  }
  chapterButtons.forEach(function (b) {
    b.addEventListener("click", function () { seek(parseFloat(b.dataset.start), true); });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".clips button[data-start]"),
    function (b) {
      b.addEventListener("click", function () { seek(parseFloat(b.dataset.start), true); });
    });
  Array.prototype.forEach.call(document.querySelectorAll(".clips video"), function (v) {
    v.addEventListener("play", function () {
      if (!audio.paused) { audio.pause(); }
      if (video && !video.paused) { video.pause(); }
    });
  });
  sentences.forEach(function (s) {
    s.addEventListener("click", function () { seek(parseFloat(s.dataset.start), true); });
  });
  var m = /(?:^#|&)t=(\\d+(?:\\.\\d+)?)/.exec(window.location.hash);
  if (m) { seek(parseFloat(m[1]), false); }
  update();
})();
"""


def _display_date(value: object, labels: Labels | None = None) -> str:
    """``3 November 2026`` (``3. November 2026``, ``3 de noviembre de 2026``...) from the
    manifest's RFC 2822 date (the raw text if unparsable)."""
    labels = labels or get_language("en").labels
    raw = text(value)
    try:
        d = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return raw
    return labels.date.format(day=d.day, month=labels.months[d.month - 1], year=d.year)


def _copy_talk_thumbnail(folder: Path, source: Path) -> str:
    """Copy the talk's cached thumbnail into ``folder``; returns its file name there."""
    name = f"{TALK_THUMB_STEM}{source.suffix.lower()}"
    dest = folder / name
    if source.resolve() != dest.resolve():
        data = source.read_bytes()
        if not dest.is_file() or dest.read_bytes() != data:
            atomic_write_bytes(dest, data)
    return name


def _transcript(episode: Episode, labels: Labels) -> str:
    """The transcript's HTML: sentences grouped per script segment, with chapter headings."""
    chs = chapters(episode)
    if not episode.sentences:
        return f"<p>{esc(labels.no_transcript)}</p>"
    groups: list[tuple[int, list[str]]] = []
    for s in episode.sentences:
        words = text(s.text)
        if not words:
            continue
        start = s.start
        end = max(s.end, start)
        seg = s.segment
        span = f'<span class="s" data-start="{start:.3f}" data-end="{end:.3f}">{esc(words)}</span>'
        if not groups or groups[-1][0] != seg:
            groups.append((seg, []))
        groups[-1][1].append(span)
    out: list[str] = []
    for seg, spans in groups:
        if 0 <= seg < len(chs):
            out.append(f"<h3>{esc(chs[seg].title)}</h3>")
        out.append("<p>" + " ".join(spans) + "</p>")
    return "\n".join(out)


FILE_LABELS: dict[str, Callable[[Labels], str]] = {
    "audio": lambda labels: f"{labels.episode_file} (MP3)",
    "video": lambda labels: f"{labels.video_file} (MP4)",
    "captions_vtt": lambda labels: f"{labels.captions} (WebVTT)",
    "captions_srt": lambda labels: f"{labels.captions} (SRT)",
    "chapters": lambda labels: f"{labels.chapters} (JSON)",
    "script": lambda labels: f"{labels.script_file} (Markdown)",
    "shownotes": lambda labels: labels.show_notes,
}
"""The page's names for the built-in outputs' files, by manifest key, in the page's language
(the outputs' modules label their files with these)."""


def _clips(folder: Path, lang: str, labels: Labels) -> list[str]:
    """The clips' section: a player for each, its key point, where it is in the episode."""
    clips = read_clips(folder)
    if not clips:
        return []
    items = []
    for n, c in enumerate(clips, 1):
        track = (
            f'<track kind="captions" src="{esc(c.captions)}" srclang="{esc(lang)}" '
            f'label="{esc(labels.captions)}">'
            if c.captions
            else ""
        )
        span = f"{clock(c.start)}–{clock(c.end)}"
        still = f' poster="{esc(c.poster)}"' if c.poster else ""
        items.append(
            f'<li><figure class="clip" style="--ar:{c.width}/{c.height}">'
            f'<video controls preload="none" src="{esc(c.file)}"{still} '
            f'aria-label="{esc(labels.clips)} {n}: {esc(c.headline)}">{track}'
            f'<a href="{esc(c.file)}">{esc(c.file)}</a></video>\n'
            f"<figcaption>{esc(c.headline)}<br>"
            f'<button type="button" data-start="{c.start:.3f}" '
            f'aria-label="{esc(labels.play_from.format(time=clock(c.start), title=c.chapter))}">'
            f'<time datetime="PT{int(c.start)}S">{esc(span)}</time></button>'
            f' · <a href="{esc(c.file)}" download>MP4</a></figcaption></figure></li>'
        )
    return [
        f'<section aria-labelledby="clips-h">\n<h2 id="clips-h">{esc(labels.clips)}</h2>\n'
        f'<ul class="clips">\n{chr(10).join(items)}\n</ul>\n</section>'
    ]


def render_episode_page(
    folder: Path,
    episode: Episode,
    show: ShowConfig,
    *,
    talk_thumb: str | None,
    links: Sequence[tuple[str, str]] | None = None,
) -> str:
    """The episode page's HTML (``talk_thumb``: file name of the talk thumbnail in the folder;
    ``links``: (file name, label) of the files to list, the outputs' own, as
    ``articast.outputs.page_links`` gives them; by default the built-in outputs' files)."""
    files = episode.files
    title = text(episode.title, "Episode")
    lang = text(episode.language, show.language or "en")
    labels = get_language(lang).labels
    duration = max(0.0, episode.duration)
    audio = files.audio
    video = existing_file(folder, files.video)
    cover = existing_cover(folder, episode)
    thumb = existing_file(folder, files.thumbnail)
    vtt = existing_file(folder, files.captions_vtt)
    pub = _display_date(episode.pub_date, labels)
    meta = " · ".join(p for p in (esc(show.name), esc(pub), esc(clock(duration))) if p)

    head = (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} | {esc(show.name)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f"<style>{_CSS}</style>\n</head>\n"
    )
    body: list[str] = [f'<body>\n<a class="skip" href="#main">{esc(labels.skip)}</a>', "<header>"]
    if cover:
        body.append(f'<img src="{esc(cover)}" alt="{esc(labels.cover_art.format(title=title))}">')
    body.append(
        f'<div><h1>{esc(title)}</h1>\n<p class="meta">{meta}</p>\n'
        f'<p class="meta"><a href="../index.html">{esc(labels.all_episodes)}</a></p></div>'
    )
    body.append('</header>\n<main id="main">')

    body.append(
        f'<section aria-labelledby="listen-h">\n<h2 id="listen-h">{esc(labels.listen)}</h2>'
    )
    body.append(
        f'<audio id="player" controls preload="metadata" src="{esc(audio)}" '
        f'aria-label="{esc(labels.episode_audio.format(title=title))}">'
        f'<a href="{esc(audio)}">{esc(labels.download_audio)}</a></audio>'
    )
    body.append("</section>")

    chs = chapters(episode)
    if chs:
        items = "\n".join(
            f'<li><button type="button" data-start="{c.start:.3f}" '
            f'aria-label="{esc(labels.play_from.format(time=clock(c.start), title=c.title))}">'
            f'<time datetime="PT{int(c.start)}S">{esc(clock(c.start))}</time>'
            f"<span>{esc(c.title)}</span></button></li>"
            for c in chs
        )
        body.append(
            '<section id="chapters" aria-labelledby="chapters-h">\n'
            f'<h2 id="chapters-h">{esc(labels.chapters)}</h2>\n<ol>\n{items}\n</ol>\n</section>'
        )

    body.append(
        '<section aria-labelledby="transcript-h">\n'
        f'<h2 id="transcript-h">{esc(labels.transcript)}</h2>\n'
        '<p class="toggle"><label><input type="checkbox" id="follow" checked> '
        f"{esc(labels.follow)}</label></p>\n"
        f'<div id="transcript" tabindex="0" aria-label="{esc(labels.transcript)}">\n'
        f"{_transcript(episode, labels)}\n"
        "</div>\n</section>"
    )

    if video:
        poster = f' poster="{esc(thumb)}"' if thumb else ""
        track = (
            f'<track kind="captions" src="{esc(vtt)}" srclang="{esc(lang)}" '
            f'label="{esc(labels.captions)}" default>'
            if vtt
            else ""
        )
        body.append(
            f'<section aria-labelledby="video-h">\n<h2 id="video-h">{esc(labels.watch)}</h2>\n'
            f'<video id="video" controls preload="metadata" src="{esc(video)}"{poster} '
            f'aria-label="{esc(labels.episode_video.format(title=title))}">{track}'
            f'<a href="{esc(video)}">{esc(labels.download_video)}</a></video>\n</section>'
        )

    body.extend(_clips(folder, lang, labels))

    tk = talk(episode, folder)
    if tk is not None:
        img = (
            f'<img src="{esc(talk_thumb)}" alt="{esc(labels.talk_thumbnail.format(title=tk.title))}">'
            if talk_thumb
            else ""
        )
        who = f'<br><span class="meta">{esc(tk.channel)}</span>' if tk.channel else ""
        body.append(
            f'<section aria-labelledby="talk-h">\n<h2 id="talk-h">{esc(labels.the_talk)}</h2>\n'
            f'<p class="talk"><a href="{esc(tk.url)}">{img}</a>'
            f'<span><a href="{esc(tk.url)}">{esc(tk.title)}</a>{who}</span></p>\n</section>'
        )

    if links is None:
        links = [(audio, FILE_LABELS["audio"](labels))]
        for key in ("video", "captions_vtt", "captions_srt", "chapters", "script", "shownotes"):
            name = existing_file(folder, getattr(files, key))
            if name:
                links.append((name, FILE_LABELS[key](labels)))
    entries = [
        f'<li><a href="{esc(name)}"{" download" if name == audio else ""}>{esc(label)}</a></li>'
        for name, label in links
    ]
    entries.append(f'<li><a href="../feed.xml">{esc(labels.feed)} (RSS)</a></li>')
    body.append(
        f'<section aria-labelledby="files-h">\n<h2 id="files-h">{esc(labels.files)}</h2>\n'
        f'<ul class="files">\n{chr(10).join(entries)}\n</ul>\n</section>'
    )
    body.append("</main>")
    body.append(f"<script>{_JS}</script>\n</body>\n</html>\n")
    return head + "\n".join(body)


def write_episode_page(
    folder: Path,
    episode: Episode,
    show: ShowConfig,
    *,
    links: Sequence[tuple[str, str]] | None = None,
) -> None:
    """Write the episode page ``index.html`` into ``folder`` (copying the talk thumbnail in;
    ``links`` as ``render_episode_page`` takes them)."""
    if not folder.is_dir():
        raise PublishError(f"episode folder not found: {folder}; build the episode first")
    try:
        tk = talk(episode, folder)
        thumb = _copy_talk_thumbnail(folder, tk.thumbnail) if tk and tk.thumbnail else None
        page = render_episode_page(folder, episode, show, talk_thumb=thumb, links=links)
        atomic_write_text(folder / episode.files.page, page)
    except OSError as exc:
        raise PublishError(
            f"cannot write the episode page in {folder}: {exc.strerror or exc}; "
            "check the folder's permissions and free space"
        ) from exc
