"""scripts/weights_at.sh: the default weights of a commit, written where a training config's
`init_from` expects them."""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "weights_at.sh"


def _git_ok() -> bool:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                          check=False, capture_output=True).returncode == 0


@pytest.mark.skipif(not _git_ok(), reason="not a git checkout")
def test_writes_the_committed_weights(tmp_path):
    out = tmp_path / "w"
    run = subprocess.run(["bash", str(SCRIPT), "HEAD", str(out)], cwd=REPO,
                         check=False, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    committed = subprocess.run(["git", "show", "HEAD:colorizer/weights/default/config.json"],
                               cwd=REPO, check=False, capture_output=True).stdout
    assert (out / "config.json").read_bytes() == committed
    assert (out / "model.safetensors").stat().st_size > 1_000_000


@pytest.mark.skipif(not _git_ok(), reason="not a git checkout")
def test_unknown_commit_is_a_clear_error(tmp_path):
    run = subprocess.run(["bash", str(SCRIPT), "no-such-commit", str(tmp_path / "w")],
                         cwd=REPO, check=False, capture_output=True, text=True)
    assert run.returncode == 2
    assert "no commit 'no-such-commit'" in run.stderr
    assert not (tmp_path / "w").exists()


@pytest.mark.skipif(not _git_ok(), reason="not a git checkout")
def test_a_folder_without_weights_at_that_commit_is_a_clear_error(tmp_path):
    run = subprocess.run(["bash", str(SCRIPT), "HEAD", str(tmp_path / "w"),
                          "colorizer/weights/no-such-version"],
                         cwd=REPO, check=False, capture_output=True, text=True)
    assert run.returncode == 2
    assert "no colorizer/weights/no-such-version/model.safetensors at HEAD" in run.stderr
    assert not (tmp_path / "w").exists()
