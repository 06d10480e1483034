"""Letter shapes: is a line of writing Cyrillic or Latin, seen, not read?

Tesseract reads a felt-tip title poorly, and then the script is lost with the reading: on
generated titles in eight handwriting faces (eval/hand_fonts.py) half the lines came back
empty or in the wrong alphabet. Yet the alphabet shows in the letters' shapes before any
letter is read: л, и, д, ь, я, ж have no Latin twin. This small convolutional network looks
at a detected line (levelled, 32 px high) and gives the probability of three classes: no
writing (texture the detector took for a line, or digits alone), Cyrillic, Latin. A long
line is seen in overlapping windows whose log-probabilities are averaged.

It was trained by us on lines we render (context/line_script_train.py: printed and
handwriting faces on street and landscape photos, never on real-color-dev or the plates);
its weights are committed with the command that reproduces them
(`context/models/`). How the encoder weighs it against the readings is
`ContextConfig.shape_weight` (context/encoder.py, where it builds the `ShapeVote`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from context.regions import crop_line

Box = tuple[int, int, int, int]
DEFAULT_DIR = Path(__file__).resolve().parent / "models"
WEIGHTS = "line-script.safetensors"


@dataclass(frozen=True)
class LineScriptConfig:
    classes: tuple[str, ...] = ("none", "Cyrl", "Latn")
    height: int = 32  # a line is scaled to this height ...
    window: int = 160  # ... and seen in windows this wide (5 x its height)
    stride: int = 80
    channels: tuple[int, ...] = (24, 48, 64, 96)


def line_array(line: Image.Image, config: LineScriptConfig) -> np.ndarray:
    """(height, width) float32: the line in gray at `config.height`, zero mean, unit std
    (so light ink on dark and dark on light look alike up to sign; training shows both)."""
    gray = line.convert("L")
    width = max(8, round(gray.width * config.height / max(1, gray.height)))
    arr = np.asarray(gray.resize((min(width, 8 * config.window), config.height),
                                 Image.BILINEAR), dtype=np.float32)
    return (arr - arr.mean()) / (arr.std() + 8.0)  # the +8: a blank crop stays flat


def windows(arr: np.ndarray, config: LineScriptConfig) -> np.ndarray:
    """(n, 1, height, window) windows across a line array; a short line is padded with
    zeros (its mean) to one window."""
    h, w = arr.shape
    if w <= config.window:
        out = np.zeros((1, 1, h, config.window), np.float32)
        left = (config.window - w) // 2
        out[0, 0, :, left:left + w] = arr
        return out
    starts = list(range(0, w - config.window + 1, config.stride))
    if starts[-1] != w - config.window:
        starts.append(w - config.window)
    return np.stack([arr[None, :, s:s + config.window] for s in starts])


def build_net(config: LineScriptConfig):
    """The network: four 3 x 3 conv blocks (three halve the size), global mean, linear."""
    from torch import nn

    layers, c_in = [], 1
    for i, c in enumerate(config.channels):
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
        if i < len(config.channels) - 1:
            layers.append(nn.MaxPool2d(2))
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, len(config.classes))]
    return nn.Sequential(*layers)


class LineScriptClassifier:
    """Class probabilities of detected lines (`__call__`)."""

    def __init__(self, net, config: LineScriptConfig = LineScriptConfig()):
        self.net = net.eval()
        self.config = config

    @classmethod
    def from_pretrained(cls, folder: str | Path = DEFAULT_DIR) -> LineScriptClassifier:
        """Strict load of `folder`/line-script.safetensors (config in its metadata);
        FileNotFoundError naming the file and the command that writes it."""
        from safetensors import safe_open
        from safetensors.torch import load_file

        path = Path(folder) / WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: train it with python -m "
                                    "context.line_script_train --out " + str(Path(folder)))
        with safe_open(str(path), "pt") as f:
            meta = f.metadata() or {}
        raw = json.loads(meta.get("config", "{}"))
        config = LineScriptConfig(**{k: tuple(v) if isinstance(v, list) else v
                                     for k, v in raw.items()})
        net = build_net(config)
        net.load_state_dict(load_file(str(path)), strict=True)
        return cls(net, config)

    def save(self, folder: str | Path, metadata: dict[str, str]) -> Path:
        from safetensors.torch import save_file

        path = Path(folder) / WEIGHTS
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous() for k, v in self.net.state_dict().items()}
        save_file(state, str(path), {"config": json.dumps(asdict(self.config)), **metadata})
        return path

    def classify(self, lines: list[Image.Image]) -> list[dict[str, float]]:
        """class -> probability for each line image (already cut out and levelled)."""
        import torch

        out = []
        with torch.inference_mode():
            for line in lines:
                batch = torch.from_numpy(windows(line_array(line, self.config), self.config))
                logp = torch.log_softmax(self.net(batch), dim=1).mean(dim=0)
                p = torch.softmax(logp, dim=0).tolist()
                out.append(dict(zip(self.config.classes, (round(v, 4) for v in p))))
        return out

    def __call__(self, image: Image.Image, boxes: list[Box], angles: dict[Box, float]
                 ) -> list[dict[str, float]]:
        """class -> probability for each line box of `image`, levelled as the readers do."""
        return self.classify([crop_line(image, b, angles.get(b, 0.0)) for b in boxes])
