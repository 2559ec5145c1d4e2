"""articast.toml: defaults, overrides, path resolution and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from articast.config import load_settings
from articast.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_equals_the_documented_defaults() -> None:
    shipped = load_settings(ROOT / "articast.toml")
    defaults = load_settings(use_files=False)
    assert shipped.show == defaults.show
    assert shipped.audio == defaults.audio
    assert shipped.video == defaults.video
    assert shipped.voice.voice == defaults.voice.voice == ""  # chosen by the article's language
    assert shipped.ingest.language == defaults.ingest.language == ""
    assert shipped.ingest.max_bytes == defaults.ingest.max_bytes
    assert shipped.out_dir == ROOT / "output"


def test_values_paths_and_show_name_reach_the_stages(tmp_path: Path) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text(
        'out_dir = "public"\noffline = true\n'
        '[show]\nname = "Night Science"\nartwork = "art/cover.png"\n'
        '[voice]\nvoice = "espeak:en-gb-x-rp"\nrate = 160\n'
        "[audio]\ntarget_lufs = -18\n"
        '[narrate]\nlexicon = "words.toml"\n'
    )
    s = load_settings(cfg)
    assert s.out_dir == tmp_path / "public"
    assert s.cache_root == tmp_path / "public" / ".cache"
    assert s.show.artwork == tmp_path / "art" / "cover.png"
    assert s.narrate.lexicon == tmp_path / "words.toml"
    assert s.narrate.show_name == "Night Science"
    assert s.voice.rate == 160 and s.audio.target_lufs == -18
    assert s.offline and not s.voice.allow_network and not s.ingest.allow_network
    assert s.ingest_settings.image_dir == tmp_path / "public" / ".cache" / "images"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[show]\nnmae = 'x'\n", "unknown key(s) in [show]: nmae"),
        ("colour = 'red'\n", "unknown key(s): colour"),
        ("[video]\nburn_captions = 'yes'\n", "[video] burn_captions must be true or false"),
        ("[audio]\ntarget_lufs = 'loud'\n", "[audio] target_lufs must be a number"),
        ("[voice]\nrate = 150.5\n", "[voice] rate must be a whole number"),
        ("[show]\nname = 3\n", "[show] name must be a string"),
        ("[show\nname = 'x'\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_input_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "articast.toml"
    cfg.write_text(text)
    with pytest.raises(InputError) as err:
        load_settings(cfg)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text('[show]\nname = "From Env"\n')
    monkeypatch.setenv("ARTICAST_CONFIG", str(cfg))
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("ARTICAST_OFFLINE", "1")
    s = load_settings()
    assert s.show.name == "From Env"
    assert s.cache_root == tmp_path / "c"
    assert s.offline
    monkeypatch.setenv("ARTICAST_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(InputError, match="missing file"):
        load_settings()
