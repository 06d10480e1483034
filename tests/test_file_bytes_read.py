"""The loader reads a file with an allocation of its own size, not of the 1 GB cap
(colorizer/pipeline/file_bytes.py): `read(MAX_FILE_BYTES + 1)` reserved 1 GB for every photo,
a MemoryError where address space is limited (`ulimit -v`, a container's limit)."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import textwrap
import tracemalloc

from colorizer.pipeline import file_bytes
from colorizer.pipeline.file_bytes import read_file_bytes


def test_a_small_photo_is_read_with_an_allocation_of_its_own_size(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 400)  # ~100 KB
    tracemalloc.start()
    try:
        data = read_file_bytes(photo, "photo.jpg")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data == photo.read_bytes()
    assert peak < 1_000_000, f"reading a 100 KB file allocated {peak / 1e6:.0f} MB at its peak"


def test_a_file_that_grew_or_shrank_since_it_was_measured_is_read_whole():
    assert file_bytes._read_whole(io.BytesIO(b"x" * 20), size=10) == b"x" * 20
    assert file_bytes._read_whole(io.BytesIO(b"x" * 5), size=10) == b"x" * 5
    assert file_bytes._read_whole(io.BytesIO(b""), size=0) == b""


def test_a_photo_loads_under_an_address_space_limit_below_the_cap(tmp_path):
    """What a user with `ulimit -v` meets: a limit of the process's present size plus 600 MB,
    under the 1 GB the old read reserved."""
    photo = tmp_path / "photo.png"
    from PIL import Image
    Image.new("L", (64, 48), 90).save(photo)
    script = textwrap.dedent(f"""
        import resource
        from colorizer.pipeline.file_bytes import read_file_bytes
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        limit = pages * resource.getpagesize() + 600 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(len(read_file_bytes({str(photo)!r}, "photo.png")))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) == photo.stat().st_size
    assert resource.RLIMIT_AS  # the limit this test relies on exists here
