"""Temporaries reused from one band of full-size work to the next, instead of made anew.

The merge (pipeline/full_size.py) converts a 108 MP photo in ~100 bands of 1 M pixels; each
band made ~150 MB of new tensors (39 float32 a pixel). The C library hands such big blocks
back to the system when they are freed and the next band touches new pages again: 1.5 s of a
6 s merge went to page faults (860 000 a merge). Bands are all one size but the last, so each
temporary is taken from here by name and the memory of the previous band is written over.
"""

from __future__ import annotations

import torch


class ScratchTensors:
    """Named temporaries, each kept at the largest size asked for; `take` gives a contiguous
    tensor of the asked shape, dtype and device (the merge runs on the CPU, training's
    validation on the GPU) whose values are left over (every caller writes it first)."""

    def __init__(self) -> None:
        self._held: dict[str, torch.Tensor] = {}

    def take(self, name: str, shape: torch.Size | tuple[int, ...], dtype: torch.dtype,
             device: torch.device) -> torch.Tensor:
        count = 1
        for size in shape:
            count *= size
        held = self._held.get(name)
        if (held is None or held.dtype != dtype or held.device != device
                or held.numel() < count):
            held = torch.empty(count, dtype=dtype, device=device)
            self._held[name] = held
        return held[:count].view(shape)


class FreshTensors:
    """`ScratchTensors`'s interface without reuse: a new tensor at each `take` (for a single
    call, and for what the caller keeps after the next band)."""

    def take(self, name: str, shape: torch.Size | tuple[int, ...], dtype: torch.dtype,
             device: torch.device) -> torch.Tensor:
        return torch.empty(shape, dtype=dtype, device=device)


Temporaries = ScratchTensors | FreshTensors
