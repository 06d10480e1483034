"""The uniform average of checkpoints of one run (stochastic weight averaging):

    python -m colorizer.training.soup --out runs/gen-v11-swa \\
        runs/gen-v9 runs/gen-v10/final runs/gen-v11/checkpoints/step_0000250 runs/gen-v11/final

Checkpoints a few hundred steps apart at one learning rate scatter around a minimum; their
average tends to sit nearer its centre than any of them (Izmailov et al. 2018). Each source is
a model folder (`model.safetensors`, as `save_pretrained` or a trainer checkpoint writes it)
or a `.safetensors` file. Every source must hold the same tensors (names, shapes, dtypes):
floating tensors are averaged (in float64, stored in their own dtype); integer ones (batch
norm's step counters) are taken from the last source, the newest by convention. The output
folder gets `model.safetensors`, its metadata naming each source by its sha256, and the
`config.json` of the folders that have one (they must agree), so it loads strictly with
`ColorGenerator.from_pretrained`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from colorizer.model.generator import CONFIG_FILE, WEIGHTS_FILE
from colorizer.pipeline.fingerprint import file_sha256


class SoupError(ValueError):
    """Sources that cannot be averaged, or an output that would overwrite something."""


def weights_path(source: Path) -> Path:
    """The safetensors file a source names: the file itself, or a folder's model.safetensors."""
    path = source / WEIGHTS_FILE if source.is_dir() else source
    if not path.is_file():
        raise SoupError(f"no weights at {source}: pass a model folder holding {WEIGHTS_FILE} "
                        "or a .safetensors file")
    return path


def average_states(states: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The uniform average of `states`, which must hold the same names, shapes and dtypes."""
    if not states:
        raise SoupError("nothing to average: pass at least one source")
    first = states[0]
    for i, state in enumerate(states[1:], start=2):
        if set(state) != set(first):
            odd = sorted(set(state) ^ set(first))
            raise SoupError(f"source {i} holds other tensors than source 1 (e.g. {odd[:3]}): "
                            "average checkpoints of one model only")
        for name, tensor in state.items():
            if tensor.shape != first[name].shape or tensor.dtype != first[name].dtype:
                raise SoupError(
                    f"source {i}'s {name} is {tuple(tensor.shape)} {tensor.dtype}, source 1's "
                    f"{tuple(first[name].shape)} {first[name].dtype}: not the same model")
    averaged = {}
    for name, tensor in first.items():
        if tensor.is_floating_point():
            total = sum(state[name].to(torch.float64) for state in states)
            averaged[name] = (total / len(states)).to(tensor.dtype).contiguous()
        else:  # counters: an average of step counts means nothing; keep the newest
            averaged[name] = states[-1][name].clone()
    return averaged


def _shared_config(sources: Sequence[Path]) -> str:
    texts = {s: (s / CONFIG_FILE).read_text() for s in sources if (s / CONFIG_FILE).is_file()}
    if not texts:
        raise SoupError(f"no source folder holds {CONFIG_FILE}: name at least one model folder "
                        "(save_pretrained's), not only checkpoints or files")
    parsed = {s: json.loads(t) for s, t in texts.items()}
    reference = next(iter(parsed.values()))
    for source, config in parsed.items():
        if config != reference:
            raise SoupError(f"{source}/{CONFIG_FILE} differs from the other sources': "
                            "average checkpoints of one architecture only")
    return next(iter(texts.values()))


def soup(sources: Sequence[Path], out: Path, overwrite: bool = False) -> Path:
    """Average `sources` into `out`/model.safetensors (+ config.json); returns that file."""
    target = out / WEIGHTS_FILE
    if target.exists() and not overwrite:
        raise SoupError(f"{target} exists: choose another --out, or pass --overwrite")
    files = [weights_path(s) for s in sources]
    config = _shared_config(sources)
    try:
        states = [load_file(str(f)) for f in files]
    except SafetensorError as err:
        raise SoupError(f"a source is not a readable safetensors file: {err}") from err
    averaged = average_states(states)
    out.mkdir(parents=True, exist_ok=True)
    (out / CONFIG_FILE).write_text(config)
    metadata = {"version": out.name,
                "soup_of": json.dumps([{"path": str(s), "sha256": file_sha256(f)}
                                       for s, f in zip(sources, files, strict=True)])}
    save_file(averaged, str(target), metadata=metadata)
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m colorizer.training.soup",
        description="Average checkpoints of one run into one model folder (weight averaging).")
    parser.add_argument("sources", nargs="+", type=Path,
                        help="model folders, trainer checkpoint folders or .safetensors files; "
                             "the last is the newest")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace model.safetensors in --out if it exists")
    args = parser.parse_args(argv)
    try:
        target = soup(args.sources, args.out, overwrite=args.overwrite)
    except (ValueError, OSError) as err:  # SoupError, and a config.json that is not JSON
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"wrote {target}: the average of {len(args.sources)} sources "
          f"(sha256 {file_sha256(target)[:16]}…)")


if __name__ == "__main__":
    main()
