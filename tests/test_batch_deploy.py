"""deploy/: the crontab line and the systemd units run a valid ``articast batch`` command."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click

from articast.cli import cli

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _parses_as_batch(argv: list[str]) -> None:
    """The arguments after the ``articast`` executable are a valid ``batch`` invocation."""
    exe, *args = argv
    assert Path(exe).name == "articast", argv
    assert args[0] == "batch", argv
    group_ctx = cli.make_context("articast", list(args), resilient_parsing=False)
    with group_ctx:
        cmd_name, cmd, rest = cli.resolve_command(group_ctx, list(args))
        assert cmd_name == "batch" and cmd is not None
        sub = cmd.make_context("batch", rest, parent=group_ctx)
        assert sub.params["inbox"] and sub.params["out_dir"]


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name)
    return parser


def test_crontab_line_runs_a_valid_batch() -> None:
    lines = [
        line
        for line in (DEPLOY / "crontab").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    minute, hour, dom, month, dow, command = fields
    assert minute.isdigit() and 0 <= int(minute) < 60
    assert hour.isdigit() and 0 <= int(hour) < 24
    assert (dom, month, dow) == ("*", "*", "*")
    batch_part = command.split("&&", 1)[1].split(">>", 1)[0]
    _parses_as_batch(shlex.split(batch_part))


def test_systemd_service_and_timer(tmp_path: Path) -> None:
    service = _unit("articast-batch.service")
    assert service["Service"]["Type"] == "oneshot"
    _parses_as_batch(shlex.split(service["Service"]["ExecStart"]))
    timer = _unit("articast-batch.timer")
    assert timer["Timer"]["Unit"] == "articast-batch.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    analyze = shutil.which("systemd-analyze")
    articast = Path(sys.executable).with_name("articast")
    if analyze is None or not articast.exists():
        return  # the parsing above is the check where systemd is absent
    proc = subprocess.run(
        [analyze, "calendar", timer["Timer"]["OnCalendar"]], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    # Verify the units as installed, with ExecStart pointing at a real articast script.
    text = (DEPLOY / "articast-batch.service").read_text()
    (tmp_path / "articast-batch.service").write_text(
        text.replace("/srv/articast/.venv/bin/articast", str(articast))
    )
    shutil.copyfile(DEPLOY / "articast-batch.timer", tmp_path / "articast-batch.timer")
    proc = subprocess.run(
        [
            analyze,
            "verify",
            str(tmp_path / "articast-batch.service"),
            str(tmp_path / "articast-batch.timer"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "articast-batch" not in proc.stderr, proc.stderr


def test_click_rejects_a_wrong_flag_so_the_check_above_means_something() -> None:
    import pytest

    with pytest.raises(click.UsageError):
        _parses_as_batch(["/x/articast", "batch", "inbox", "--out", "o", "--bogus"])
