"""Which torch device a pipeline runs on: explicit, and an error when it is not there."""

from __future__ import annotations

import torch

from colorizer.errors import ChronochromeError


class DeviceUnavailableError(ChronochromeError):
    """An explicitly requested device does not exist on this machine."""


def resolve_device(device: str | torch.device) -> torch.device:
    """'auto' -> CUDA if present else CPU; an explicit device that is missing is an error."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"--device {device} was requested but no CUDA device is available: "
            "use --device auto or --device cpu"
        )
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise DeviceUnavailableError(f"unknown device {device!r}: use auto, cpu or cuda[:N]")
    return torch.device(device)
