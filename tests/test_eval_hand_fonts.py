"""eval/hand_fonts.py and the handwritten generated titles: faces found in a folder, drawn in
runs, refused on a wrong hash, and titles made in them."""

import shutil
from pathlib import Path

import pytest

import eval.hand_fonts as hf
import eval.writing_cases as wc
from context import ContextConfig
from eval.common import SHARED_DATASETS

SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _faces(folder: Path, names=("neucha", "pangolin")) -> None:
    """Stand-ins: DejaVu under the fetched faces' file names (FreeType reads it the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        for subset in hf.SUBSETS:
            shutil.copy(SANS, folder / f"{name}-{subset}-400-normal.woff")


def test_faces_are_listed_in_package_order_and_draw(tmp_path):
    assert hf.hand_fonts(tmp_path) == []
    _faces(tmp_path, ("pangolin", "neucha"))
    (tmp_path / "caveat-cyrillic-400-normal.woff").write_bytes(b"")  # half a face: left out
    fonts = hf.hand_fonts(tmp_path)
    assert [f.name for f in fonts] == ["neucha", "pangolin"]
    mask = fonts[0].mask("Москва-81", 30)
    assert mask.mode == "L" and mask.getbbox() is not None and mask.height >= 20


def test_a_tarball_with_another_hash_is_refused(tmp_path, monkeypatch):
    def fake_run(cmd, **kw):
        dest = Path(cmd[cmd.index("--pack-destination") + 1])
        (dest / "fontsource-x.tgz").write_bytes(b"not the pinned tarball")
        return type("Done", (), {"returncode": 0, "stderr": ""})()

    monkeypatch.setattr(hf.subprocess, "run", fake_run)
    monkeypatch.setattr(hf, "PACKAGES", (("neucha", "5.3.0", "AAAA"),))
    with pytest.raises(RuntimeError, match="sha512"):
        hf.fetch(tmp_path)
    assert hf.hand_fonts(tmp_path) == []  # nothing half-fetched is kept


def test_npm_failing_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(hf.subprocess, "run", lambda cmd, **kw: type(
        "Done", (), {"returncode": 1, "stderr": "npm error 404"})())
    monkeypatch.setattr(hf, "PACKAGES", (("neucha", "5.3.0", "AAAA"),))
    with pytest.raises(RuntimeError, match="npm pack @fontsource/neucha@5.3.0 failed"):
        hf.fetch(tmp_path)


@pytest.mark.shared
def test_generated_titles_in_hand_faces(tmp_path, monkeypatch):
    photos = sorted((SHARED_DATASETS / "photos-train").glob("*.jpg"))[::97][:4]
    if not photos:
        pytest.skip("no ../shared photos")
    monkeypatch.setattr(wc, "hand_fonts", list)
    assert wc.generated_cases(ContextConfig().data_dir, photos, 3, hands=True) == []
    _faces(tmp_path)
    monkeypatch.setattr(wc, "hand_fonts", lambda: hf.hand_fonts(tmp_path))
    cases = wc.generated_cases(ContextConfig().data_dir, photos, 6, seed=3, hands=True)
    assert [c.name.split("-", 1)[1] for c in cases] == ["hand-neucha", "hand-pangolin"] * 3
    assert all(c.image.size in ((480, 360), (240, 180)) for c in cases)
    printed = wc.generated_cases(ContextConfig().data_dir, photos, 6, seed=3)
    assert all("hand" not in c.name for c in printed)
