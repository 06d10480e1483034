"""Bytes a batch writes to its output folder's manifest over N photos: rewriting it whole
after every change (as before the journal) and with the journal (colorizer.apps.
output_manifest). Synthetic entries, two changes per photo as a batch makes them (pending,
then done); bytes counted by the kernel (/proc/self/io's wchar: every write() of this
process, Linux).

    .venv/bin/python scripts/manifest_write_bytes.py [N=2000] [FOLDER=a new temporary one]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from colorizer.apps.output_manifest import Manifest


def synthetic_entry(i: int, state: str) -> dict:
    """An entry the size a batch writes (~536 bytes in the base)."""
    name = f"box-{i // 100:04d}/photo-{i:06d}"
    return {"input": f"/archive/scans/{name}.tif", "input_path": f"/archive/scans/{name}.tif",
            "input_sha256": f"{i:064x}", "sidecar_sha256": None,
            "settings": {"model": "f" * 64, "render_size": 512, "context": True,
                         "exemplars": True, "precision": "fp32", "hints": None,
                         "caption": None},
            "state": state, "files": [f"{name}.png"]}


def kernel_bytes_written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


def written_bytes(folder: Path, n: int, whole_each_change: bool) -> int:
    """Bytes written over a batch of `n` photos into the new folder `folder`."""
    folder.mkdir(parents=True)
    start = kernel_bytes_written()
    manifest = Manifest(folder)
    manifest.save()  # the run's start (prepare_outdir)
    for i in range(n):
        key = f"box-{i // 100:04d}/photo-{i:06d}.png"
        for state in ("pending", "done"):
            if whole_each_change:  # what Manifest.save() was called for before the journal
                manifest.entries[key] = synthetic_entry(i, state)
                manifest.save()
            else:
                manifest.set(key, synthetic_entry(i, state))
    manifest.finish()  # the run's end
    return kernel_bytes_written() - start


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 2000
    with tempfile.TemporaryDirectory(dir=argv[1] if len(argv) > 1 else None) as tmp:
        before = written_bytes(Path(tmp) / "whole", n, whole_each_change=True)
        now = written_bytes(Path(tmp) / "journal", n, whole_each_change=False)
    print(f"{n} photos: rewritten whole {before} bytes, journal {now} bytes "
          f"({before / now:.0f}x less)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
