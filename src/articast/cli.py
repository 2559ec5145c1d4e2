"""The ``articast`` command line: parses flags, calls the library, renders progress and errors.

Thin by design: every command is a few lines over a library function. Errors from the library
become one line on stderr: exit 2 for problems the user can fix (bad input, unavailable
voice, held lock), 1 for failures of ours or of a tool; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from articast.config import Settings, load_settings
from articast.errors import ArticastError, BackendUnavailable, InputError, LockHeld
from articast.models import ProgressEvent
from articast.outdir import check_cache_dir, prepare_out_dir
from articast.sanitize import clean_line
from articast.version import __version__

# Long lines (warnings with URLs) stay whole instead of being wrapped at 80 columns when piped.
err_console = Console(stderr=True, soft_wrap=True)
USER_ERRORS = (InputError, BackendUnavailable, LockHeld)


def _fail(message: str, code: int) -> NoReturn:
    # Paths and titles in messages come from the user: no escape sequences reach the terminal.
    click.echo(f"articast: {clean_line(message)}", err=True)
    sys.exit(code)


def _disk_full(exc: BaseException) -> str | None:
    """"the disk is full (...)" when ``exc`` (or what caused it) is ENOSPC or EDQUOT."""
    import errno

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in (errno.ENOSPC, errno.EDQUOT):
            where = cur.filename if cur.filename else None
            folder = f" writing {Path(str(where)).parent}" if where else ""
            return f"the disk is full{folder} (no space left on the device)"
        cur = cur.__cause__ or cur.__context__
    return None


@contextmanager
def _errors(ctx: click.Context) -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code."""
    debug = bool(ctx.find_root().params.get("debug"))
    try:
        yield
    except USER_ERRORS as exc:
        if debug:
            traceback.print_exc()
        _fail(f"error: {exc}", 2)
    except ArticastError as exc:
        if debug:
            traceback.print_exc()
        told = f"{exc} {getattr(exc, 'stderr', '') or ''}"
        if _disk_full(exc) is not None or "No space left on device" in told:
            _fail(f"failed: {_disk_full(exc) or 'the disk is full'}; free some space and run "
                  "it again", 1)  # fmt: skip
        stage = f" in {exc.stage}" if exc.stage else ""
        _fail(f"failed{stage}: {exc}", 1)
    except KeyboardInterrupt:
        _fail("interrupted; nothing was published for the episode in progress", 130)
    except Exception as exc:  # a bug of ours: say so in one line, traceback on --debug
        if debug:
            traceback.print_exc()
        full = _disk_full(exc)
        if full is not None:
            # Outputs are written to temporary names and renamed: nothing half-written.
            _fail(f"failed: {full}; free some space and run it again", 1)
        if debug:
            traceback.print_exc()
        bug_stage = getattr(exc, "stage", None)
        where = f" in {bug_stage}" if bug_stage else ""
        _fail(
            f"internal error{where}: {type(exc).__name__}: {exc} (rerun with --debug and report it)", 1
        )


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[ProgressEvent], None] | None]:
    """A rich progress display on stderr, fed by the library's progress callbacks."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[note]}", style="dim"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def on_event(ev: ProgressEvent) -> None:
            key = ev.stage
            if key not in tasks:
                label = "pipeline" if key == "stage" else key
                tasks[key] = bar.add_task(label, total=ev.total, note="")
            note = ev.message[:40]
            bar.update(tasks[key], completed=ev.done, total=ev.total, note=note)

        yield on_event
        if "stage" in tasks:
            task = bar.tasks[tasks["stage"]]
            bar.update(tasks["stage"], completed=task.total, note="done")


def _summary(warnings: Sequence[str], line: str) -> None:
    """A command's warnings, then its one-line summary, on stderr."""
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    err_console.print(line, highlight=False)


def _settings(
    ctx: click.Context,
    *,
    out_dir: str | None = None,
    offline: bool = False,
    language: str | None = None,
    writes: bool = False,
    force: bool = False,
) -> Settings:
    """articast.toml (or --config) with the --out, --offline and --language flags.

    ``writes``: the command writes into the output folder, which is checked (and made) first.
    """
    root = ctx.find_root()
    cfg = root.params.get("config")
    s = load_settings(Path(cfg) if cfg else None)
    if out_dir:
        s = dataclasses.replace(s, out_dir=Path(out_dir))
    if language:
        s = dataclasses.replace(s, ingest=dataclasses.replace(s.ingest, language=_language(language)))
    if writes:
        s = _writable(s, force=force)
    return s.with_offline(True) if offline else s


def _writable(s: Settings, *, force: bool) -> Settings:
    """``s`` with its output folder (and its cache folder, when one is set) checked (after
    every flag was applied and checked, so a bad flag leaves no folder behind)."""
    if s.cache_dir is not None:
        check_cache_dir(s.cache_dir)
    return dataclasses.replace(s, out_dir=prepare_out_dir(s.out_dir, force=force))


def _language(value: str) -> str:
    """A ``--language`` value as a tag (``pt_BR`` -> ``pt-br``); InputError when it is none."""
    from articast.ingest import normalize_language

    tag = normalize_language(value)
    if tag is None:
        raise InputError(f"--language {value!r} is not a language tag; use e.g. de, fr, pt-br")
    return tag


_LANGUAGE_HELP = "The article's language (de, fr, pt-br...); default: declared or detected."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="articast")
@click.option("--config", type=click.Path(dir_okay=False), help="articast.toml to use.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def cli(config: str | None, debug: bool) -> None:
    """Turn a written article into a podcast episode and a YouTube-ready video."""


@cli.command()
@click.argument("article")
@click.option("--voice", help="Voice as backend:name, e.g. espeak:en-us+f3 (see 'articast voices').")
@click.option("--out", "out_dir", type=click.Path(), help="Output folder.")
@click.option("--script", "script_path", type=click.Path(dir_okay=False), help="Voice this edited script.md.")
@click.option("--no-video", is_flag=True, help="Make the podcast only.")
@click.option("--rate", type=click.IntRange(80, 450), help="Speaking rate in words per minute.")
@click.option("--pitch", type=click.IntRange(0, 99), help="Voice pitch, 0-99.")
@click.option("--fallback-voice", help="Voice to use when --voice is unavailable (e.g. offline).")
@click.option("--language", help=_LANGUAGE_HELP)
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option(
    "--format", "video_format", type=click.Choice(["landscape", "vertical"]), help="Video shape."
)
@click.option("--no-burn-captions", is_flag=True, help="Do not burn captions into the video.")
@click.option("--music/--no-music", default=None, help="Lay a music bed under the voice.")
@click.option(
    "--motion/--no-motion", default=None, help="Slow zoom and pan on the section pictures."
)
@click.option(
    "--karaoke/--no-karaoke", default=None, help="Colour the word being spoken in the captions."
)
@click.option("--style", "style", metavar="NAME", help="Look of the pictures: dark, paper or whiteboard.")
@click.option("--clips", "clip_count", type=int, help="Also cut N clips for social media (see 'articast clips').")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--force", is_flag=True, help="Use an output folder that holds other files.")
@click.pass_context
def episode(
    ctx: click.Context,
    article: str,
    voice: str | None,
    out_dir: str | None,
    script_path: str | None,
    no_video: bool,
    rate: int | None,
    pitch: int | None,
    fallback_voice: str | None,
    language: str | None,
    offline: bool,
    video_format: str | None,
    no_burn_captions: bool,
    music: bool | None,
    motion: bool | None,
    karaoke: bool | None,
    style: str | None,
    clip_count: int | None,
    quiet: bool,
    force: bool,
) -> None:
    """Build the episode of ARTICLE (a file or an http(s) URL); prints the episode folder."""
    from articast.pipeline import build_episode

    with _errors(ctx):
        s = _settings(ctx, out_dir=out_dir, offline=offline, language=language)
        v = dataclasses.replace(
            s.voice,
            voice=voice or s.voice.voice,
            rate=rate if rate is not None else s.voice.rate,
            pitch=pitch if pitch is not None else s.voice.pitch,
            fallback_voice=fallback_voice or s.voice.fallback_voice,
        )
        vid = s.video
        if no_video:
            vid = dataclasses.replace(vid, enabled=False)
        if no_burn_captions:
            vid = dataclasses.replace(vid, burn_captions=False)
        if motion is not None:
            vid = dataclasses.replace(vid, motion=motion)
        if karaoke is not None:
            vid = dataclasses.replace(vid, karaoke=karaoke)
        if style is not None:
            from articast.pictures.style import get_style

            vid = dataclasses.replace(vid, style=get_style(style).name)
        if video_format == "vertical":
            vid = dataclasses.replace(vid, width=1080, height=1920)
        elif video_format == "landscape":
            vid = dataclasses.replace(vid, width=1920, height=1080)
        aud = s.audio if music is None else dataclasses.replace(s.audio, music=music)
        cl = s.clips
        if clip_count is not None:
            if not 0 <= clip_count <= 20:
                raise InputError(f"--clips {clip_count}: 0 to 20 clips an episode")
            cl = dataclasses.replace(cl, count=clip_count)
        s = _writable(dataclasses.replace(s, voice=v, video=vid, audio=aud, clips=cl), force=force)
        with _progress(not quiet and err_console.is_terminal) as progress:
            result = build_episode(
                article, s, script_path=Path(script_path) if script_path else None, progress=progress
            )
        ep = result.episode
        if not quiet:
            _summary(
                ep.warnings,
                f"{ep.title}: {ep.duration:.1f} s, {ep.language}, voice {ep.voice}, "
                f"{ep.speech.synthesized} sentences synthesised, {ep.speech.cached} cached",
            )
            if not s.show.base_url:
                err_console.print("feed.xml uses relative links: set base_url in articast.toml to publish")
        click.echo(str(result.folder))


@cli.command()
@click.argument("article", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--language", help=_LANGUAGE_HELP)
@click.option(
    "--explain", is_flag=True, help="Also list what was dropped or changed, by which rule and why."
)
@click.option("--rules", "list_rules", is_flag=True, help="List every ingest rule and its reason.")
@click.pass_context
def ingest(
    ctx: click.Context,
    article: str | None,
    as_json: bool,
    offline: bool,
    language: str | None,
    explain: bool,
    list_rules: bool,
) -> None:
    """Read ARTICLE and show its title, sections and talk link."""
    from articast.ingest import RULES, article_to_json, explaining, load_article

    if list_rules:
        if as_json:
            rows = [
                {"name": r.name, "action": r.action, "reason": r.reason, "fixture": r.fixture}
                for r in RULES.values()
            ]
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            width = max(len(r.name) for r in RULES.values())
            for r in RULES.values():
                click.echo(f"{r.name:<{width}}  {r.action:<7}  {r.reason}")
        return
    with _errors(ctx), tempfile.TemporaryDirectory(prefix="articast-ingest-") as scratch:
        if article is None:
            raise InputError("no ARTICLE given; give a file, a URL or - (or --rules to list the rules)")
        s = _settings(ctx, offline=offline, language=language)
        # Ingest writes nothing: pictures decoded or downloaded on the way go to a scratch
        # folder (unless [ingest] image_dir names one), and their "path" is null.
        read = s.ingest_settings
        if s.ingest.image_dir is None:
            read = dataclasses.replace(read, image_dir=Path(scratch))
        with explaining() as log:
            art = load_article(article, read)
        data = article_to_json(art)
        for sec in data["sections"]:
            for image in sec["images"]:
                if image["path"] and Path(image["path"]).is_relative_to(scratch):
                    image["path"] = None
        if explain:
            data["dropped"] = [n.to_json() for n in log if n.action == "dropped"]
            data["changed"] = [n.to_json() for n in log if n.action == "changed"]
        if as_json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        click.echo(f"{art.title}  [{art.kind}, {art.language}]")
        for sec in art.sections:
            words = sum(len(p.split()) for p in sec.paragraphs)
            click.echo(f"  - {sec.title or '(lead)'}: {words} words")
        if art.talk:
            click.echo(f"talk: {art.talk.url}")
        if explain:
            shown = [n for n in log if n.action != "kept"]
            click.echo(f"dropped or changed, in page order ({len(shown)}):")
            for n in shown:
                count = f"{n.words} word{'s' if n.words != 1 else ''}"
                click.echo(f"  {n.action} by {n.rule}: {n.text!r} ({count}): {n.reason}")
        for w in art.warnings:
            click.echo(f"warning: {w}", err=True)


@cli.command()
@click.argument("article")
@click.option("--out", "out_dir", type=click.Path(), help="Output folder.")
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--language", help=_LANGUAGE_HELP)
@click.option("--force", is_flag=True, help="Use an output folder that holds other files.")
@click.pass_context
def script(
    ctx: click.Context,
    article: str,
    out_dir: str | None,
    offline: bool,
    language: str | None,
    force: bool,
) -> None:
    """Write the narration script of ARTICLE to <out>/<slug>/script.md (nothing is voiced)."""
    from articast.pipeline import write_script

    with _errors(ctx):
        s = _settings(
            ctx, out_dir=out_dir, offline=offline, language=language, writes=True, force=force
        )
        result = write_script(article, s)
        for w in result.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(str(result.path))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--install", "install", metavar="piper:NAME", help="Download a piper voice.")
@click.option("--language", help="Only voices for this language (de, pt-br...).")
@click.pass_context
def voices(ctx: click.Context, as_json: bool, install: str | None, language: str | None) -> None:
    """List every voice (neural first, the default marked) with language, quality and rate."""
    from articast.voices import list_voices

    with _errors(ctx):
        s = _settings(ctx)
        if install:
            from articast.voices.piper import install_piper_voice

            name = install.removeprefix("piper:")
            path = install_piper_voice(name, s.voice.models_dir)
            click.echo(str(path))
            return
        infos = list_voices(s.voice, language=_language(language) if language else None)
        if as_json:
            click.echo(json.dumps([dataclasses.asdict(i) for i in infos], indent=2))
            return
        table = Table()
        table.add_column("voice", no_wrap=True)
        for name in ("language", "variant", "quality", "rate", "network", "usable"):
            table.add_column(name, no_wrap=True)
        table.add_column("note")
        for i in infos:
            table.add_row(
                f"{i.spec} (default)" if i.default else i.spec, i.language, i.variant,
                i.quality, f"{i.sample_rate} Hz" if i.sample_rate else "",
                "yes" if i.needs_network else "no", "yes" if i.available else "no", i.note,
            )
        # Piped output gets room for every column instead of the 80-column fallback.
        Console(width=None if sys.stdout.isatty() else 160).print(table)


@cli.command()
@click.argument("url", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--from-info-json", "info_json", type=click.Path(dir_okay=False),
    help="Import a saved yt-dlp info JSON instead of fetching.",
)
@click.option(
    "--out", "out_dir", type=click.Path(),
    help="Output folder whose cache receives the talk (default from articast.toml).",
)
@click.pass_context
def talk(
    ctx: click.Context, url: str | None, as_json: bool, info_json: str | None, out_dir: str | None
) -> None:
    """Resolve a YouTube talk's title, channel, length and thumbnail (cached)."""
    from articast.talk import fetch_talk, import_info_json, talk_summary, talk_to_json

    with _errors(ctx):
        # The talk goes into the output folder's cache: the same checks as a build's.
        s = _writable(_settings(ctx, out_dir=out_dir), force=False)
        notes: list[str] = []
        if info_json:
            t = import_info_json(Path(info_json), s.cache_root, warnings_out=notes)
        elif url:
            if s.offline:
                raise InputError("offline mode is set; import metadata with --from-info-json instead")
            t = fetch_talk(url, s.cache_root, warnings_out=notes)
        else:
            raise InputError("give a YouTube URL or --from-info-json FILE")
        for note in notes:
            click.echo(f"warning: {note}", err=True)
        if as_json:
            click.echo(json.dumps(talk_to_json(t), indent=2, ensure_ascii=False))
            return
        click.echo(talk_summary(t))


@cli.command()
@click.argument("episode_dir", type=click.Path())
@click.option("--count", type=int, help="How many clips (default: [clips] count, else 3).")
@click.option("--length", type=float, help="Seconds each clip aims at, 15-60 (default 45).")
@click.option(
    "--format", "clip_format", type=click.Choice(["vertical", "square", "landscape"]),
    help="1080x1920 (default), 1080x1080 or 1920x1080.",
)  # fmt: skip
@click.option(
    "--cross-chapters", is_flag=True, default=None, help="A clip may run across a chapter change."
)
@click.option("--style", "style", metavar="NAME", help="Look: dark, paper or whiteboard (default: the episode's).")
@click.option("--json", "as_json", is_flag=True, help="Print clips.json's list.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.pass_context
def clips(
    ctx: click.Context,
    episode_dir: str,
    count: int | None,
    length: float | None,
    clip_format: str | None,
    cross_chapters: bool | None,
    style: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Cut the strongest moments of the episode in EPISODE_DIR into short clips for social
    media (clip-01.mp4...), explained in clips.json; the page and the feed list them."""
    from articast.clips import ClipRequest
    from articast.models import clips_to_json
    from articast.pipeline import make_episode_clips

    with _errors(ctx):
        s = _settings(ctx)
        if style is not None:
            from articast.pictures.style import get_style

            style = get_style(style).name
        request = ClipRequest.from_settings(
            s, count=count, length=length, format=clip_format, cross_chapters=cross_chapters,
            style=style,
        )  # fmt: skip
        if s.cache_dir is not None:
            check_cache_dir(s.cache_dir)
        with _progress(not quiet and err_console.is_terminal) as progress:
            result = make_episode_clips(Path(episode_dir), s, request, progress=progress)
        if not quiet:
            _summary(
                result.warnings,
                f"{len(result.clips)} clip{'s' * (len(result.clips) != 1)}, "
                f"{result.rendered} rendered, {len(result.clips) - result.rendered} from the cache",
            )
        if as_json:
            click.echo(json.dumps(clips_to_json(result.clips), indent=2, ensure_ascii=False))
        else:
            for c in result.clips:
                click.echo(str(Path(episode_dir) / c.file))


@cli.command()
@click.option("--out", "out_dir", type=click.Path(), help="Output folder.")
@click.pass_context
def feed(ctx: click.Context, out_dir: str | None) -> None:
    """Rebuild <out>/feed.xml and <out>/index.html from the episodes in the output folder."""
    from articast.publish import update_feed

    with _errors(ctx):
        s = _settings(ctx, out_dir=out_dir)
        out = s.out_dir
        if not out.is_dir():
            raise InputError(f"output folder not found: {out}")
        prepare_out_dir(out)
        notes: list[str] = []
        path = update_feed(out, s.show, warnings_out=notes)
        for note in notes:
            click.echo(f"warning: {clean_line(note)}", err=True)
        if not s.show.base_url:
            click.echo("note: no base_url in articast.toml; the feed is for local preview only", err=True)
        click.echo(str(path))


@cli.command()
@click.argument("inbox", type=click.Path(file_okay=False))
@click.option("--out", "out_dir", type=click.Path(), help="Output folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Articles built in parallel processes.")
@click.option("--voice", help="Voice as backend:name, e.g. espeak:en-us+f3 (see 'articast voices').")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the JSON report here (default <out>/.batch/report.json).")
@click.option("--wait", is_flag=True, help="Wait for another batch on the same output folder.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Build on a Dask distributed cluster.")
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--no-video", is_flag=True, help="Make the podcasts only.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display and no summary table.")
@click.option("--force", is_flag=True, help="Use an output folder that holds other files.")
@click.pass_context
def batch(
    ctx: click.Context,
    inbox: str,
    out_dir: str | None,
    jobs: int,
    voice: str | None,
    report_path: str | None,
    wait: bool,
    scheduler: str | None,
    offline: bool,
    no_video: bool,
    quiet: bool,
    force: bool,
) -> None:
    """Build every new or changed article in INBOX, then the feed; prints the report's path.

    Exit 0 when all succeeded, 1 when any article failed, 2 when another batch holds the
    output folder (unless --wait).
    """
    from rich.text import Text

    from articast.batch import run_batch

    with _errors(ctx):
        s = _settings(ctx, out_dir=out_dir, offline=offline)
        if voice:
            s = dataclasses.replace(s, voice=dataclasses.replace(s.voice, voice=voice))
        if no_video:
            s = dataclasses.replace(s, video=dataclasses.replace(s.video, enabled=False))
        s = _writable(s, force=force)
        with _progress(not quiet and err_console.is_terminal) as progress:
            report = run_batch(
                Path(inbox), s, jobs=jobs, scheduler=scheduler, wait=wait,
                report_path=Path(report_path) if report_path else None, progress=progress,
            )
        if not quiet:
            table = Table("article", "status", "seconds", "episode / error", title="articast batch")
            style = {"built": "green", "skipped": "dim", "failed": "red"}
            for a in report.articles:
                failed = f"{a.stage or '?'}: {a.error}"
                detail = failed if a.status == "failed" else a.slug or ""
                table.add_row(
                    Text(a.source), Text(a.status, style=style[a.status]), f"{a.duration:.1f}",
                    Text(detail),
                )
            err_console.print(table)
            c = report.counts()
            err_console.print(
                f"{c['built']} built, {c['skipped']} skipped, {c['failed']} failed "
                f"in {report.duration:.1f} s",
                highlight=False,
            )
            for note in report.notes:
                err_console.print(Text(f"note: {note}", style="dim"))
            if report.feed_error:
                err_console.print(Text(f"feed not written: {report.feed_error}", style="red"))
        click.echo(report.report_path)
    ctx.exit(report.exit_code)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(), help="Output folder (the episodes).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; anything but 127.0.0.1 lets other computers in.")
@click.option("--input", "inputs", multiple=True, type=click.Path(file_okay=False),
              help="A folder the studio may read articles from (repeatable; default: this folder).")
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--force", is_flag=True, help="Use an output folder that holds other files.")
@click.pass_context
def studio(
    ctx: click.Context,
    out_dir: str | None,
    port: int,
    host: str,
    inputs: tuple[str, ...],
    offline: bool,
    force: bool,
) -> None:
    """Serve the studio: review, edit, listen to, build and publish episodes in a browser.

    Prints the address to open (with its token, which edits and builds need); Ctrl-C stops it.
    """
    from articast.studio import Studio
    from articast.studio.web import StudioServer

    with _errors(ctx):
        s = _settings(ctx, out_dir=out_dir, offline=offline, writes=True, force=force)
        s.out_dir.mkdir(parents=True, exist_ok=True)
        folders = [Path(p) for p in inputs] or [Path.cwd()]
        for folder in folders:
            if not folder.is_dir():
                raise InputError(f"--input {folder} is not a folder; give one that holds articles")
        if host not in ("127.0.0.1", "localhost", "::1"):
            err_console.print(
                f"[yellow]warning:[/] serving on {host}: other computers that reach it can read "
                "the studio's pages and episodes (edits, listens and builds still need the "
                "token); use it only on a network you trust", highlight=False
            )
        server = StudioServer(Studio(s, inputs=folders), host=host, port=port)
        err_console.print(
            f"articast studio: {s.out_dir} (articles from {', '.join(map(str, folders))}); "
            "Ctrl-C stops it", highlight=False
        )
        click.echo(server.url)
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass  # Ctrl-C is how it stops
        finally:
            busy = [j for j in server.studio.jobs.all() if j.state == "running"]
            server.studio.close()
        note = f"; the build of {busy[0].slug} was stopped, nothing of it published" if busy else ""
        err_console.print(f"articast studio: stopped{note}", highlight=False)


def main() -> None:
    """Console-script entry point.

    Once a command has finished (its files written and renamed into place, its output
    flushed) the process ends without tearing the interpreter down: after an episode that
    took 0.35 s (the voice's, moviepy's and scipy's modules and arrays freed one by one),
    and nothing of ours waits for exit (no atexit work; pools are shut down where used).
    An exception that is not an exit still ends the usual way, with its traceback.
    """
    code: int | str | None
    try:
        code = cli.main(prog_name="articast", standalone_mode=False)
    except click.UsageError as exc:
        # One line, like every other input error (click would print its usage block).
        where = exc.ctx.command_path if exc.ctx is not None else "articast"
        print(f"{where}: error: {exc.format_message()} (see '{where} --help')", file=sys.stderr)
        code = 2
    except click.ClickException as exc:
        print(f"articast: error: {exc.format_message()}", file=sys.stderr)
        code = exc.exit_code
    except click.Abort:
        print("articast: aborted", file=sys.stderr)
        code = 1
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
