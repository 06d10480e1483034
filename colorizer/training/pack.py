"""Pack a train config's photos into small tars that travel to a lent GPU machine.

The GPU machine sees only the repository (64 MiB may travel with it per call), not
`../shared`. This writes every source's train photos and data_dir's validation photos,
re-encoded as JPEG at a short side that keeps the pack under the budget, one tar per source
(file names unchanged, so the train/val split by name hash is the same), plus a config that
reads them with the same shares:

    python -m colorizer.training.pack --config configs/train/gen-v2.json \\
        --gpu configs/train/gpu-v2.json
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
import zlib
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from colorizer.training.phrase_table import PhraseTable
from colorizer.training.sources import PhotoSource, load_sources
from colorizer.training.train import TrainConfig, resolve

__all__ = ["PhraseTable", "pack", "record_exemplar_texts"]

PACK_DIR = "runs/gpu-pack"
BUDGET_BYTES = 60 * 2**20


MAX_ASPECT = 1.34  # a random crop spans 60-100% of the short side: the long side's far ends
# are rarely seen, so the pack keeps its centre only


def _centre(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    long_max = int(min(h, w) * MAX_ASPECT)
    top, left = max(0, (h - long_max) // 2), max(0, (w - long_max) // 2)
    return image[top : top + long_max, left : left + long_max]


def kept(name: str, keep: float) -> bool:
    """Whether a photo is in the packed share `keep` of its source: a hash of its name (salted,
    so the kept share is independent of the train/val split), the same on every machine."""
    return zlib.crc32(f"pack:{name}".encode()) / 2**32 < keep


def _write_tar(bank, path: Path, quality: int, keep: float = 1.0) -> int:
    chosen = [(image, source) for image, source in zip(bank.images, bank.paths)
              if kept(Path(source).name, keep)]
    if not chosen:  # training would stop at this source: say so here, not on the GPU machine
        raise ValueError(f"--keep {keep} leaves none of the {len(bank)} photos of "
                         f"{Path(bank.paths[0]).parent}: raise --keep")
    # gzip: a 64-px JPEG is ~2.5 KB and a tar member's header and padding ~1 KB more
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        for image, source_path in chosen:
            buf = io.BytesIO()
            Image.fromarray(_centre(image)).save(buf, format="JPEG", quality=quality)
            info = tarfile.TarInfo(Path(source_path).name)  # JPEG inside, name kept: its split
            info.size = buf.tell()
            buf.seek(0)
            tar.addfile(info, buf)
    return path.stat().st_size


class _Recording:
    def __init__(self, embedder):
        self.embedder, self.name, self.dim = embedder, embedder.name, embedder.dim
        self.table: dict[str, torch.Tensor] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self.embedder.embed(texts)
        self.table.update({t: torch.from_numpy(v.copy()) for t, v in zip(texts, vectors)})
        return vectors


def record_exemplar_texts(config: TrainConfig) -> dict[str, torch.Tensor]:
    """The sentences ExemplarSource.build embeds, with their MiniLM embeddings."""
    from colorizer.model.generator import CONFIG_FILE, GeneratorConfig
    from colorizer.training.exemplar_data import ExemplarSource
    from context.embedding import MiniLMEmbedder

    arch = (resolve(config.init_from) / CONFIG_FILE if config.init_from
            else resolve(config.generator))
    recording = _Recording(MiniLMEmbedder())
    ExemplarSource.build(GeneratorConfig.from_json(arch).exemplar_size, text_embedder=recording)
    return recording.table


def _pycountry_package(path: Path) -> int:
    """The gazetteer needs pycountry, which the GPU machine lacks: its package as a tar,
    without the translations (22 MB; the gazetteer reads only the ISO databases) and tests."""
    import pycountry

    root = Path(pycountry.__file__).parent
    skip = {"locales", "tests", "__pycache__"}
    with tarfile.open(path, "w:gz") as tar:
        tar.add(root, arcname="pycountry",
                filter=lambda info: None if set(Path(info.name).parts[1:2]) & skip else info)
    return path.stat().st_size


def pack(config: TrainConfig, gpu_overrides: dict, short_side: int, quality: int,
         out: Path, keep: float = 1.0) -> tuple[dict, int]:
    """Write the tars and return (the GPU config as a dict, total bytes). `keep` < 1 packs that
    share of each source's train photos (fewer photos at a larger size); validation is whole."""
    out.mkdir(parents=True, exist_ok=True)
    total, sources = 0, []
    for i, source in enumerate(config.photo_sources()):
        bank = load_sources([source], resolve("."), "train", config.val_fraction, short_side)
        total += _write_tar(bank, out / f"source_{i}.tar.gz", quality, keep)
        rel_tar = f"{out.relative_to(resolve('.'))}/source_{i}.tar.gz"
        sources.append(asdict(replace(source, path=rel_tar, pattern="*")))
    val = load_sources([PhotoSource(config.data_dir)], resolve("."), "val", config.val_fraction,
                       224)
    total += _write_tar(val, out / "val.tar.gz", 92)
    rel = out.relative_to(resolve("."))
    gpu = {**asdict(config), "sources": sources, "data_dir": f"{rel}/val.tar.gz", **gpu_overrides}
    if config.exemplars:  # MiniLM is not on the GPU machine: its sentences travel embedded
        texts = record_exemplar_texts(config)
        torch.save(texts, out / "exemplar_texts.pt")
        total += (out / "exemplar_texts.pt").stat().st_size
        gpu["exemplar_texts"] = f"{rel}/exemplar_texts.pt"
        total += _pycountry_package(out / "pycountry.tar.gz")
    gpu["sizes"] = [list(s) for s in gpu["sizes"]]
    return gpu, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="the CPU train config")
    parser.add_argument("--gpu", type=Path, required=True,
                        help="GPU overrides (batch size, steps, minutes) as JSON; the packed "
                             "config is written next to the tars as train.json")
    parser.add_argument("--short-side", type=int, default=96)
    parser.add_argument("--quality", type=int, default=78)
    parser.add_argument("--keep", type=float, default=1.0,
                        help="pack this share of each source's train photos (0-1], chosen by "
                             "a hash of the name: fewer photos at a larger --short-side")
    args = parser.parse_args(argv)
    if not 0 < args.keep <= 1:
        parser.error(f"--keep must be in (0, 1], got {args.keep}")
    config = TrainConfig.from_json(args.config)
    overrides = json.loads(args.gpu.read_text())
    out = resolve(PACK_DIR)
    gpu, total = pack(config, overrides, args.short_side, args.quality, out, args.keep)
    (out / "train.json").write_text(json.dumps(gpu, indent=2))
    print(f"packed {total / 2**20:.1f} MiB into {out} (budget {BUDGET_BYTES / 2**20:.0f} MiB)")
    if total > BUDGET_BYTES:
        print("over budget: lower --short-side or --quality")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
