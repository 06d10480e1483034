"""Which torch device a pipeline runs on: explicit, and an error when it is not there."""

from __future__ import annotations

import torch

from colorizer.errors import ChronochromeError


class DeviceUnavailableError(ChronochromeError):
    """An explicitly requested device does not exist on this machine."""


_FIX = "use 'auto' (CUDA if present, else the CPU) or 'cpu' (CLI: --device auto / --device cpu)"


def resolve_device(device: str | torch.device) -> torch.device:
    """'auto' -> CUDA if present else CPU; an explicit device that is missing is an error.
    A `torch.device` is checked as its name is: torch.device("cuda") on a machine without
    CUDA failed only at the first photo, deep inside torch."""
    name = str(device).strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    kind, _, index = name.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        problem = ("is not supported (chronochrome runs on CUDA or the CPU)" if kind == "mps"
                   else "is not a device chronochrome knows")
        raise DeviceUnavailableError(f"device {str(device)!r} {problem}: {_FIX}, or 'cuda:N' "
                                     "for one CUDA GPU")
    if kind == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"device {name!r} (--device {name}) was requested but no CUDA device is "
            f"available: {_FIX}")
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise DeviceUnavailableError(
            f"device {name!r} was requested but this machine has {count} CUDA device"
            f"{'s' if count != 1 else ''} (cuda:0 to cuda:{count - 1}): {_FIX}")
    return torch.device(name)
