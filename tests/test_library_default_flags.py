"""`library build --default` refuses an archive's options instead of ignoring them.

User audit: `chronochrome library build --default --max-pixels 5` exited 0 and built the whole
curated library (76 exemplars) as if the flag were not there. --default renders its exemplars
(flags, cloth) from the knowledge base and reads no photo, so a pixel cap (like --metadata,
--era, a FOLDER ...) cannot apply: it is refused in one `error:` line, exit code 2, before any
work, and nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from retrieval.cli import main

_SAYS = ("apply to an archive's build (FOLDER --metadata CSV) only; --default renders the "
         "curated library's exemplars (flags, cloth) and reads no photos")


def _one_line_error(err: str) -> str:
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_cli_refuses_default_with_max_pixels(tmp_path):
    """Through the real command, as a person types it."""
    out = tmp_path / "lib"
    env = {**os.environ, "CHRONOCHROME_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "library", "build",
                           "--default", "--max-pixels", "5", "--out", str(out), "--no-visual"],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    err = _one_line_error(done.stderr)
    assert err.startswith("error: --max-pixels applies to an archive's build")
    assert "drop it, or build the archive without --default" in err
    assert done.stdout == "" and not out.exists() and not (tmp_path / "cache").exists()


@pytest.mark.parametrize(("extra", "named"), [
    (["--era", "1905-1915", "--max-pixels", "100"], "--era, --max-pixels"),
    (["photos", "--metadata", "meta.csv"], "FOLDER photos, --metadata"),
    (["--kind", "flag", "--region", "France"], "--region, --kind"),
    (["--allow-outside-folder", "--id-prefix", "x-"], "--id-prefix, --allow-outside-folder"),
])
def test_default_refuses_every_archive_option(tmp_path, capsys, extra, named):
    out = tmp_path / "lib"
    assert main(["build", "--default", "--out", str(out), "--no-visual", *extra]) == 2
    err = _one_line_error(capsys.readouterr().err)
    assert err.startswith(f"error: {named} {_SAYS}")
    assert not out.exists()


def test_default_options_of_its_own_still_reach_the_out_check(tmp_path, capsys):
    """--out, --overwrite and --no-visual are --default's own: not refused as an archive's
    (the folder check that follows answers here, before any build)."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "b.txt").write_text("keep me")
    assert main(["build", "--default", "--out", str(out), "--overwrite", "--no-visual"]) == 2
    err = _one_line_error(capsys.readouterr().err)
    assert "is not an exemplar library" in err and "archive" not in err
