"""colorizer.training.soup: the uniform average of checkpoints, loadable strictly."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from colorizer.model.generator import ColorGenerator, GeneratorConfig
from colorizer.training.soup import SoupError, average_states, main, soup
from tests.conftest import TINY


def _checkpoint(tmp_path, name: str, seed: int) -> tuple:
    """A tiny generator saved as save_pretrained writes it, with its own random weights."""
    torch.manual_seed(seed)
    model = ColorGenerator(GeneratorConfig(**TINY))
    folder = tmp_path / name
    model.save_pretrained(folder, metadata={"version": name})
    return folder, load_file(str(folder / "model.safetensors"))


def test_the_average_is_the_mean_of_floats_and_the_newest_counter(tmp_path):
    (a, sa), (b, sb), (c, sc) = (_checkpoint(tmp_path, f"m{i}", i) for i in range(3))
    counters = [k for k, v in sa.items() if not v.is_floating_point()]
    assert counters, "the tiny generator has batch norm step counters"
    sc[counters[0]] = sc[counters[0]] + 7  # the newest checkpoint has trained longer
    save_file(sc, str(c / "model.safetensors"))

    target = soup([a, b, c], tmp_path / "avg")
    out = load_file(str(target))
    name = next(k for k, v in sa.items() if v.is_floating_point() and v.numel() > 1
                and not torch.equal(v, sb[k]))
    assert torch.allclose(out[name], (sa[name] + sb[name] + sc[name]) / 3, atol=1e-6)
    assert not torch.allclose(out[name], sa[name])
    assert torch.equal(out[counters[0]], sc[counters[0]])
    assert out[name].dtype == sa[name].dtype

    loaded = ColorGenerator.from_pretrained(tmp_path / "avg")  # strict: every key matches
    assert torch.allclose(loaded.state_dict()[name], out[name])
    with safe_open(str(target), "pt") as handle:
        sources = json.loads(handle.metadata()["soup_of"])
    assert [s["path"] for s in sources] == [str(a), str(b), str(c)]
    assert all(len(s["sha256"]) == 64 for s in sources)


def test_a_bare_checkpoint_file_joins_a_folder(tmp_path):
    (a, sa), (b, sb) = _checkpoint(tmp_path, "m0", 0), _checkpoint(tmp_path, "m1", 1)
    loose = tmp_path / "step.safetensors"
    (b / "model.safetensors").rename(loose)
    out = load_file(str(soup([a, loose], tmp_path / "avg")))
    assert all(torch.allclose(out[k], (v + sb[k]) / 2, atol=1e-6)
               for k, v in sa.items() if v.is_floating_point())
    assert (tmp_path / "avg" / "config.json").read_text() == (a / "config.json").read_text()


def test_different_models_are_refused_by_name():
    one = {"w": torch.zeros(2, 3), "n": torch.tensor(1)}
    with pytest.raises(SoupError, match="other tensors"):
        average_states([one, {"w": torch.zeros(2, 3)}])
    with pytest.raises(SoupError, match=r"w is \(3, 2\)"):
        average_states([one, {"w": torch.zeros(3, 2), "n": torch.tensor(1)}])
    with pytest.raises(SoupError, match="at least one"):
        average_states([])


def test_the_cli_never_overwrites_and_names_what_is_missing(tmp_path, capsys):
    a, _ = _checkpoint(tmp_path, "m0", 0)
    out = tmp_path / "avg"
    main([str(a), str(a), "--out", str(out)])
    assert "the average of 2 sources" in capsys.readouterr().out
    before = (out / "model.safetensors").read_bytes()

    with pytest.raises(SystemExit) as stop:
        main([str(a), "--out", str(out)])
    assert stop.value.code == 2
    assert "exists: choose another --out, or pass --overwrite" in capsys.readouterr().err
    assert (out / "model.safetensors").read_bytes() == before

    with pytest.raises(SystemExit) as stop:
        main([str(a), str(tmp_path / "nowhere"), "--out", str(tmp_path / "other")])
    assert stop.value.code == 2
    assert "no weights at" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()
