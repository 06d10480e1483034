"""Reading a training config before anything runs: JSON object, field types, path base, and
the output folder, each refused in one line that names the field and the fix.

Paths in a config inside the repository (configs/train/...) are relative to the repository
root, so the model card's reproduction commands work from any folder. Paths in a config
outside the repository are relative to the current folder; its defaults still name the
repository's presets and photos, except output_dir, which defaults to runs/<config name> in
the current folder (never the repository's own reproduction run).
"""

from __future__ import annotations

import json
import time
import types
import typing
from dataclasses import fields
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parent.parent.parent
PATH_FIELDS = ("generator", "data_dir", "output_dir", "init_from", "exemplar_texts")
_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; ValueError when it is not valid JSON or not an object."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from exc
    if isinstance(data, dict):
        return data
    raise ValueError(f"must be a JSON object ({{\"steps\": 2000, ...}}), not "
                     f"{json.dumps(data)[:60]}")


def _type_error(value: Any, kind: Any, name: str) -> str | None:
    """Why `value` (read from JSON) is not a `kind`, naming `name`; None when it is."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if any(_type_error(value, k, name) is None for k in args):
            return None
        names = [_NAMES.get(k, str(k)) for k in args if not (k is int and float in args)]
        return f"{name} must be {' or '.join(names)}, not {json.dumps(value)}"
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            return f"{name} must be a list, not {json.dumps(value)}"
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        elif args and len(args) != len(value):
            return f"{name} must be a list of {len(args)}, not {json.dumps(value)}"
        errors = (_type_error(v, k, f"{name}[{i}]") for i, (v, k) in enumerate(zip(value, args)))
        return next((e for e in errors if e), None)
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            return f"{name} must be a JSON object, not {json.dumps(value)}"
        value_kind = args[1] if args else None
        errors = (_type_error(v, value_kind, f"{name}[{json.dumps(k)}]")
                  for k, v in value.items() if value_kind is not None)
        return next((e for e in errors if e), None)
    ok = {bool: lambda v: isinstance(v, bool),
          int: lambda v: isinstance(v, int) and not isinstance(v, bool),
          float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          str: lambda v: isinstance(v, str)}.get(kind)
    if ok is None or ok(value):
        return None
    return f"{name} must be {_NAMES[kind]}, not {json.dumps(value)}"


def check_types(kind: type, data: dict[str, Any], prefix: str = "") -> None:
    """Raise ValueError when a value of `data` is not of its `kind` field's declared type (an
    integer is a number; a JSON list is a tuple). Unknown keys are left to `check_keys`."""
    hints = typing.get_type_hints(kind)
    for f in fields(kind):
        if f.name in data:
            error = _type_error(data[f.name], hints[f.name], prefix + f.name)
            if error:
                raise ValueError(error)


def rebase_paths(data: dict[str, Any], config_path: Path, cwd: Path | None = None) -> dict:
    """`data` with the relative paths a config outside the repository gives made absolute
    against the current folder (module docstring); a config inside the repository as is."""
    config_path = config_path.resolve()
    if config_path.is_relative_to(_REPO):
        return data
    cwd = cwd or Path.cwd()
    data = dict(data)
    for key in PATH_FIELDS:
        if isinstance(data.get(key), str) and data[key] and not Path(data[key]).is_absolute():
            data[key] = str(cwd / data[key])
    data.setdefault("output_dir", str(cwd / "runs" / config_path.stem))
    if isinstance(data.get("sources"), list):
        data["sources"] = [{**s, "path": str(cwd / s["path"])}
                           if isinstance(s, dict) and isinstance(s.get("path"), str) else s
                           for s in data["sources"]]
    return data


def check_output_dir(out: Path) -> None:
    """Refuse an output folder that is, or lies under, an existing file."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise ValueError(f"output_dir {out} is not a folder ({folder} is a file): "
                                 "give a folder for checkpoints and weights")
            return


def check_input_paths(config: Any, resolve: Any) -> None:
    """Refuse a file or folder the config names for reading that is not there (a config
    copied out of the repository reads its relative paths from the current folder)."""
    for name in ("generator", "init_from", "exemplar_texts"):
        value = getattr(config, name, None)
        if value and not resolve(value).exists():
            raise ValueError(f"{name} {resolve(value)}: no such file or folder; paths in a "
                             "config outside the repository are relative to the current folder")


def newest_checkpoint(out: Path) -> tuple[Path, int] | None:
    """(folder, step) of the newest checkpoint a run in `out` would resume from, or None."""
    ckpts = sorted((out / "checkpoints").glob("step_*/trainer.json"))
    if not ckpts:
        return None
    return ckpts[-1].parent, json.loads(ckpts[-1].read_text())["step"]


class Progress:
    """Console lines between validation passes: after the first step, then every `every_s`
    seconds, so a CPU run whose eval_every steps take minutes still shows it is working."""

    def __init__(self, total: int, every_s: float = 30.0, clock=time.monotonic):
        self.total, self.every_s, self.clock = total, every_s, clock
        self._last: float | None = None
        self._losses: list[float] = []
        self._seconds: list[float] = []

    def update(self, step: int, loss: float, seconds: float) -> str | None:
        """Record one step; the line to print when one is due, else None."""
        self._losses.append(loss)
        self._seconds.append(seconds)
        now = self.clock()
        if self._last is not None and now - self._last < self.every_s:
            return None
        self._last = now
        n = len(self._losses)
        line = (f"step {step}/{self.total}: loss {sum(self._losses) / n:.4f}, "
                f"{sum(self._seconds) / n:.2f} s/step")
        self._losses, self._seconds = [], []
        return line
