"""The hyperparameters of one generator training run (JSON in configs/train/), read and checked
before anything runs (config_check.py), and how its paths resolve."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from colorizer.training.config_check import check_types, read_json_object, rebase_paths
from colorizer.training.film import check_film_mix, check_tone_jitter
from colorizer.training.sources import PhotoSource
from context.config_io import check_keys, config_from_dict

_REPO = Path(__file__).resolve().parent.parent.parent
# configs/generator/ as package data (`presets` links there in a checkout; a wheel holds the
# files): a config's default `generator` resolves here where no checkout is around the package.
PRESETS = Path(__file__).resolve().parent / "presets"
_PRESETS_IN_REPO = Path("configs/generator")


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run (JSON in configs/train/)."""

    generator: str = "configs/generator/lite0-unet.json"  # architecture preset
    data_dir: str = "../shared/datasets/photos-train"  # any folder of color photos
    output_dir: str = "runs/lite0-v1"  # checkpoints, log.jsonl and final/ weights
    val_fraction: float = 0.05  # share of photos held out (by file-name hash) for validation
    seed: int = 0  # seeds model init, batch sampling and crops
    steps: int = 2000  # optimizer steps in total
    batch_size: int = 16
    sizes: tuple[tuple[float, int], ...] = ((0.5, 160), (1.0, 224))  # (until fraction, crop)
    lr: float = 1e-3  # decoder learning rate (AdamW, cosine decay)
    encoder_lr: float = 1e-4  # encoder learning rate once it is unfrozen
    freeze_encoder_fraction: float = 0.5  # share of steps with the ImageNet encoder frozen
    rebalance_mix: float = 0.5  # weight ~ 1/((1-mix) p + mix/Q); 1.0 = no rebalancing
    eval_every: int = 250  # steps between validation passes (and checkpoints)
    threads: int = 0  # CPU threads; 0 = measure 1 vs all and keep the faster
    # Stop early (after a checkpoint) when this wall time passes; 0 = no limit.
    max_minutes: float = 0.0
    # Cosine decay over max_minutes as well as steps (whichever is further along): a run whose
    # speed is not known beforehand (a lent GPU) still ends at the low learning rate.
    time_schedule: bool = False
    workers: int = 0  # processes building batches ahead (prefetch.py); 0 = in the loop
    image_limit: int = 0  # use at most this many photos (0 = all): for tests and smoke runs
    init_from: str = ""  # start from these weights (a folder; may predate conditioning)
    exemplars: bool = False  # train with exemplar and context tokens (exemplar_data.py)
    exemplar_mix: dict[str, float | int] = field(default_factory=dict)  # ExemplarMix overrides
    # Loss weight of a pasted flag's pixels relative to the photo's (1 = none): a flag is a
    # small share of a batch's pixels, yet copying its colors from the exemplar is the skill.
    flag_loss_weight: float = 1.0
    # Several photo sources with sampling shares (sources.PhotoSource fields); empty = the
    # train split of data_dir, uniformly. data_dir's val split is always the validation set.
    sources: tuple[dict, ...] = ()
    # Input grays from old emulsions (film.FILM_RESPONSES names -> shares); empty = L* only.
    film_mix: dict[str, float] = field(default_factory=dict)
    # Share of samples whose input lightness goes through a random tone curve (film.tone_jitter)
    tone_jitter: float = 0.0
    # Sentence embeddings of the exemplar records (pack.py writes them): where MiniLM is absent.
    exemplar_texts: str = ""

    @classmethod
    def from_json(cls, path: str | Path) -> TrainConfig:
        """Read and check a config before anything runs: a JSON object, known keys, each value
        of its field's type, paths rebased (config_check), shares in range."""
        data = read_json_object(Path(path))
        check_keys(cls, data)
        check_types(cls, data)
        data = rebase_paths(data, Path(path))
        if "sizes" in data:
            data["sizes"] = tuple(tuple(s) for s in data["sizes"])
        if "sources" in data:
            data["sources"] = tuple(data["sources"])
        config = cls(**data)
        config.photo_sources()  # unknown fields or bad shares fail here, not mid-run
        if config.exemplar_mix:
            from colorizer.training.exemplar_data import ExemplarMix

            check_keys(ExemplarMix, config.exemplar_mix)
            check_types(ExemplarMix, config.exemplar_mix, "exemplar_mix.")
        check_film_mix(config.film_mix)
        check_tone_jitter(config.tone_jitter)
        return config

    def photo_sources(self) -> list[PhotoSource]:
        if not self.sources:
            return [PhotoSource(self.data_dir)]
        for i, s in enumerate(self.sources):
            check_types(PhotoSource, s, f"sources[{i}].")
        return [config_from_dict(PhotoSource, dict(s)) for s in self.sources]

    def crop_at(self, step: int) -> int:
        for until, size in self.sizes:
            if step < until * self.steps:
                return size
        return self.sizes[-1][1]


def resolve(path: str) -> Path:
    """A relative path from the repository root: from_json has already made the paths of a
    config outside the repository absolute (config_check.rebase_paths). A generator preset
    (configs/generator/NAME) is read from the package where no checkout holds it."""
    p = Path(path)
    if p.is_absolute():
        return p
    if p.parent == _PRESETS_IN_REPO and not (_REPO / p).exists():
        return PRESETS / p.name  # an installed package: the presets ship inside it
    return _REPO / p
