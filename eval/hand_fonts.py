"""Handwriting fonts with Cyrillic letters, for generated titles that look written by hand.

    python -m eval.hand_fonts        # fetch them (npm registry), once; ~2.5 MB downloaded

The machines this project runs on have only DejaVu and FreeFont installed, so the generated
titles of eval/writing_cases.py could only fake a hand by slanting and bending a printed
face. Real slide titles are felt-tip capitals and cursive. These eight SIL Open Font License
faces (Google Fonts, packaged by Fontsource on the npm registry, the one registry here that
carries them) range from felt-tip print (Neucha, Pangolin, Amatic SC, Shantell Sans, Caveat,
Bad Script) to cursive (Marck Script, Comforter). Fontsource ships each face as subsets: the
Cyrillic file has no digits, so a title is drawn in runs, each character from the subset
that has it (`HandFont.mask`, context/line_script_train.py `draw_runs`).

Fetched into `eval/fonts/hand/` (ignored by git; never committed), each package pinned by
version and checked against its npm integrity hash before its two files are kept.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFont

from context.line_script_train import draw_runs

FONT_DIR = Path(__file__).resolve().parent / "fonts" / "hand"

# (Fontsource package, version, npm integrity of its tarball)
PACKAGES = (
    ("caveat", "5.3.0", "eHTfzQxFSW9ABERRLNruHoNJmKed2J7pqTUc5lp4a4POMgXGKpxmWj3d9Hz10kmAg6iuTTLe6UagbA4bnsmfQw=="),
    ("marck-script", "5.3.0", "PLm3zCeXB7osgon3TC0bjBFPua3d5syocLWFpK5eZZGoaSsOw6bpHLdMoGB8PkAErf4RiRUEiszs+Y7JhDnB/w=="),
    ("bad-script", "5.3.0", "7MElotXA5LHyvyElVXnwPpT71wYSKLmpvm7TV0e4ahaRP6D1vXocyfHOgENi9MHgRmGxhmz7Gr1fDuji0MNvkQ=="),
    ("neucha", "5.3.0", "7PoHR/5toTeYP3T6wJyZ8xcT3uTJ6UcyAgrDo1OIUtKX/xuxbblvUyVQcN0lQEppY6EgkCC8zMkFsBhwUvWXBg=="),
    ("pangolin", "5.3.0", "3avtyqWX2QiQXKxVChWeVtF3FpB/wcojYXP13oO30WG44Ox9bCUHuHEtMd6NVgqpXSUqNLFaLm8K+29xVzkDZQ=="),
    ("amatic-sc", "5.3.0", "qGAftmq7o21ViixCApztfLOe6TP0VFp3x9ac5KVTwBqW6SU8YJeGWgcLHOfBkooAI+/411R/flMqXos8GseNkA=="),
    ("shantell-sans", "5.3.0", "hVKmS5EO/xGOtKx+rHuyqIsswjWp5bb91DlszxSkO4jEqOSaRIjYH/iu5gJ7QVszDlofoezZeWM5OdKgyE2jtg=="),
    ("comforter", "5.2.8", "zaL332/ummxPS37EJI7j+9IiFJOrfb1RV1tEUg+G9Q3uSRbLxVF8k3v/LnrL8hlhkuFCSny1v4kr29o3PZmDDA=="),
)
SUBSETS = ("cyrillic", "latin")


@dataclass(frozen=True)
class HandFont:
    """One face as two subset files: Cyrillic letters, and Latin letters with digits."""

    name: str
    cyrillic: Path
    latin: Path

    def mask(self, text: str, size: int) -> Image.Image:
        """`text` in white on black (an "L" mask with a 4-px margin), each run of characters
        drawn from the subset file that has them."""
        return draw_runs(text, ImageFont.truetype(str(self.cyrillic), size),
                         ImageFont.truetype(str(self.latin), size))


def _paths(name: str, folder: Path) -> dict[str, Path]:
    return {s: folder / f"{name}-{s}-400-normal.woff" for s in SUBSETS}


def hand_fonts(folder: Path = FONT_DIR) -> list[HandFont]:
    """The faces fetched into `folder`, in `PACKAGES` order (none when not fetched)."""
    out = []
    for name, _, _ in PACKAGES:
        paths = _paths(name, folder)
        if all(p.is_file() for p in paths.values()):
            out.append(HandFont(name, paths["cyrillic"], paths["latin"]))
    return out


def _integrity(path: Path) -> str:
    return base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(folder: Path = FONT_DIR) -> list[HandFont]:
    """Fetch every face of `PACKAGES` not yet in `folder` with `npm pack`; raises
    RuntimeError naming the package when npm fails or a tarball's hash differs."""
    folder.mkdir(parents=True, exist_ok=True)
    have = {f.name for f in hand_fonts(folder)}
    for name, version, integrity in PACKAGES:
        if name in have:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            spec = f"@fontsource/{name}@{version}"
            done = subprocess.run(["npm", "pack", spec, "--pack-destination", tmp],
                                  check=False, capture_output=True, text=True,
                                  timeout=300)
            tarballs = list(Path(tmp).glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                raise RuntimeError(f"npm pack {spec} failed: {done.stderr.strip()[-300:]}"
                                   " (needs npm and the npm registry)")
            if _integrity(tarballs[0]) != integrity:
                raise RuntimeError(f"{spec}: the tarball's sha512 is not the pinned one; "
                                   "not using it")
            with tarfile.open(tarballs[0]) as tar:
                for path in _paths(name, folder).values():
                    member = tar.extractfile(f"package/files/{path.name}")
                    if member is None:
                        raise RuntimeError(f"{spec} has no {path.name}")
                    with path.open("wb") as out:
                        shutil.copyfileobj(member, out)
    return hand_fonts(folder)


def main() -> int:
    try:
        fonts = fetch()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{len(fonts)} handwriting fonts in {FONT_DIR}: {', '.join(f.name for f in fonts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
