"""An output folder made unwritable for the user mid-batch, and the manifest base's writes
at a CLI run's start, as a user meets them.

The folder's permissions only bind a user who is not root, and these tests run as root: the
CLI runs as `nobody` (`setpriv`) in a folder that user owns, and the folder is made
read-only (`chmod 555`) between its first and second photo. Where `setpriv` is missing or
`nobody` cannot run the project's Python, those tests are skipped, saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from batch_helpers import FLAGS, photo_folder, visible_files

from colorizer.apps.manifest_journal import JOURNAL, MANIFEST, read_manifest_files

REPO = Path(__file__).resolve().parent.parent
CLI = REPO / ".venv/bin/chronochrome"
NOBODY = 65534
SETPRIV = shutil.which("setpriv")

# The CLI (`python -c WAITING_CLI colorize ...`), which says SECOND PHOTO on stdout before its
# second photo is read (the first is written and recorded by then) and waits for a line on
# stdin: the test changes the folder meanwhile.
WAITING_CLI = """
import sys
from colorizer.apps.cli import main
from colorizer.pipeline.colorization import ColorizationPipeline
original, calls = ColorizationPipeline.prepare, []
def prepare(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        print("SECOND PHOTO", flush=True)
        sys.stdin.readline()
    return original(self, *args, **kwargs)
ColorizationPipeline.prepare = prepare
sys.exit(main(sys.argv[1:]))
"""

# The CLI, counting the times the manifest's base is put in place (`os.replace` of its
# temporary file: Python's "os.rename" audit event), said on stderr as it ends.
COUNTING_CLI = f"""
import os, sys
from colorizer.apps.cli import main
replaced = []
def count(event, args):
    if event == "os.rename" and os.fspath(args[1]).endswith("/{MANIFEST}"):
        replaced.append(args[1])
sys.addaudithook(count)
try:
    code = main(sys.argv[1:])
finally:
    print(f"BASE WRITES {{len(replaced)}}", file=sys.stderr)
sys.exit(code)
"""


def _as_nobody(command: list[str]) -> list[str]:
    return [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]


def _nobody_env(home: Path) -> dict[str, str]:
    # nobody's own home does not exist: torch and matplotlib keep their caches here instead.
    return {**os.environ, "HOME": str(home), "TMPDIR": str(home),
            "PYTHONDONTWRITEBYTECODE": "1"}


def skip_unless_nobody_imports(modules: str) -> None:
    """Skips unless this is root with `setpriv`, and `nobody` can import `modules` from this
    checkout with its venv (their folders readable by others)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("running as another user needs root (setpriv)")
    if SETPRIV is None:
        pytest.skip("setpriv (util-linux) is not installed")
    check = subprocess.run(
        _as_nobody([sys.executable, "-c", f"import {modules}"]), cwd=REPO, capture_output=True,
        text=True, timeout=120, check=False, env=_nobody_env(Path(tempfile.gettempdir())))
    if check.returncode != 0:
        pytest.skip(f"user nobody cannot run {sys.executable} with this checkout "
                    f"(its folders not readable by others?): {check.stderr.strip()[-300:]}")


@pytest.fixture
def nobody_home():
    """A new folder `nobody` owns, under the system's temporary folder (pytest's own
    `tmp_path` is root's alone: 0700); skips where nobody cannot run this checkout."""
    skip_unless_nobody_imports("colorizer.apps.write_errors")
    folder = Path(tempfile.mkdtemp(prefix="chronochrome-nobody-"))
    os.chown(folder, NOBODY, NOBODY)
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)  # whatever a failed test left read-only
        shutil.rmtree(folder, ignore_errors=True)


def test_write_error_stops_for_a_folder_nobody_may_write_not_for_one_read_only_file(
        nobody_home):
    """`write_error` with the real "Permission denied" a user meets: in a folder made
    read-only for them the batch stops; one file made read-only fails only its photo."""
    locked, open_folder = nobody_home / "locked", nobody_home / "open"
    for folder in (locked, open_folder):
        folder.mkdir()
        os.chown(folder, NOBODY, NOBODY)
    (open_folder / "a.png").write_bytes(b"the user's")
    os.chmod(open_folder / "a.png", 0o444)
    os.chmod(locked, 0o555)
    probe = """
import sys
from pathlib import Path
from colorizer.apps.write_errors import write_error
for target in map(Path, sys.argv[1:]):
    try:
        target.open("wb")
    except OSError as exc:
        error = write_error(exc, target, target.parent)
        print(type(error).__name__, error)
"""
    done = subprocess.run(
        _as_nobody([sys.executable, "-c", probe, str(locked / "a.png"), str(open_folder / "a.png")]),
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        env=_nobody_env(nobody_home))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        (f"OutputDiskError cannot write {locked / 'a.png'} (Permission denied): the output "
         f"folder {locked} is no longer writable for this user; the batch stopped here: make "
         f"{locked} writable for this user (or choose another -o folder), and run the same "
         "command again: what is done is skipped"),
        f"OutputWriteError cannot write {open_folder / 'a.png'} (Permission denied)"]
    assert (open_folder / "a.png").read_bytes() == b"the user's"


@pytest.mark.slow
def test_a_folder_made_read_only_mid_batch_stops_it_and_the_same_command_resumes(
        nobody_home, shared_tiny_weights):
    skip_unless_nobody_imports("torch, colorizer.apps.cli")
    weights = shutil.copytree(shared_tiny_weights, nobody_home / "tiny-model")
    for path in (weights, *weights.iterdir()):  # saved private (0600): nobody's copy
        os.chown(path, NOBODY, NOBODY)
    src, out = photo_folder(nobody_home / "in", 4), nobody_home / "out"
    args = ["colorize", "--weights", str(weights), *FLAGS, str(src), "-o", str(out)]
    env = _nobody_env(nobody_home)
    child = subprocess.Popen(_as_nobody([sys.executable, "-c", WAITING_CLI, *args]), cwd=REPO,
                             env=env, text=True, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == "SECOND PHOTO\n", child.stderr.read()
        first = (out / "p0.png").read_bytes()
        os.chmod(out, 0o555)  # as `chmod 555 out` by its owner, mid-batch
        stdout, stderr = child.communicate("\n", timeout=300)
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [  # one line for the photo that met it: the later two never tried
        (f"error: cannot write {out / 'p1.png'} (Permission denied): the output folder {out} "
         f"is no longer writable for this user; the batch stopped here: make {out} writable "
         "for this user (or choose another -o folder), and run the same command again: what "
         "is done is skipped")]
    assert "stopped: 2 not colorized yet" in stderr and "Traceback" not in stderr
    assert "1 colorized, 0 skipped (already done), 1 failed" in stdout
    assert visible_files(out) == {"p0.png"} and (out / "p0.png").read_bytes() == first
    assert read_manifest_files(out).entries["p0.png"]["state"] == "done"  # in its journal

    os.chmod(out, 0o755)
    again = subprocess.run(_as_nobody([str(CLI), *args]), cwd=REPO, env=env, text=True,
                           capture_output=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert "3 colorized, 1 skipped (already done), 0 failed" in again.stdout
    assert (out / "p0.png").read_bytes() == first
    assert visible_files(out) == {f"p{i}.png" for i in range(4)}
    entries = read_manifest_files(out).entries
    assert {key: entry["state"] for key, entry in entries.items()} == {
        f"p{i}.png": "done" for i in range(4)}
    assert not (out / JOURNAL).exists()


@pytest.mark.slow
def test_a_cli_run_writes_the_manifest_base_once_at_its_start(shared_tiny_weights, tmp_path):
    """The base is written when the run starts (before the model loads) and when it ends:
    the batch starts from the manifest the CLI prepared, not a second rewrite."""
    src, out = photo_folder(tmp_path / "in", 2), tmp_path / "out"
    command = [sys.executable, "-c", COUNTING_CLI, "colorize", "--weights",
               str(shared_tiny_weights), *FLAGS, str(src), "-o", str(out)]
    first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300,
                           check=False)
    assert first.returncode == 0, first.stderr
    assert "2 colorized, 0 skipped (already done), 0 failed" in first.stdout
    assert "BASE WRITES 2" in first.stderr  # the start, and the end with the journal's lines
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert "0 colorized, 2 skipped (already done), 0 failed" in again.stdout
    assert "BASE WRITES 1" in again.stderr  # nothing changed: the start's alone
    assert set(read_manifest_files(out).entries) == {"p0.png", "p1.png"}
    assert (out / MANIFEST).is_file() and not (out / JOURNAL).exists()
