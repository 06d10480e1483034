"""The service writes an item's image to its file as it is encoded, and C2PA-signs it from that
file (results.write_item_outputs, outputs.encode_outputs(stage_under=...)): a 100 MP scan's
16-bit PNG (500 MB) or TIFF (650 MB) was held whole as bytes, twice with a signer, on top of
the worker's peak. The files are the bytes the in-memory encoder gives (the clock and the XMP's
random ids fixed), the record hashes them, and nothing reaches the item's name before the
store's transaction publishes it."""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import tracemalloc
import types
import uuid
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.results import write_item_outputs
from colorizer.pipeline import provenance, xmp_history
from colorizer.pipeline.provenance import encode_image

cv2 = pytest.importorskip("cv2")  # reads 16-bit RGB PNG (Pillow reads it at 8 bits)
tifffile = pytest.importorskip("tifffile")

FIXED_NOW = "2026-01-02T03:04:05+00:00"
HEIGHT, WIDTH = 4000, 6000  # 144 MB of 16-bit samples, 18 of the encoder's 8 MB bands


@pytest.fixture(scope="module")
def big_result(shared_tiny_weights, tmp_path_factory):
    """A real 16-bit colorization of a small master, with a grainy 24 MP master's pixels in
    place of its own (as a big scan's output is: film grain compresses little)."""
    from colorizer import ColorizationPipeline

    master = tmp_path_factory.mktemp("master") / "plate.png"
    ramp = np.linspace(9000, 52000, 96 * 64).reshape(64, 96).astype(np.uint16)
    Image.fromarray(ramp).save(master)
    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    result = pipeline(master)
    assert result.image16 is not None
    rng = np.random.default_rng(0)
    tone = np.linspace(8000, 56000, WIDTH, dtype=np.float32)[None, :, None]
    grain = rng.normal(0, 700, (HEIGHT, WIDTH, 3)).astype(np.float32)
    pixels = np.clip(tone + grain, 0, 65535).astype(np.uint16)
    del grain
    return replace(result, image=Image.fromarray((pixels >> 8).astype(np.uint8), "RGB"),
                   image16=pixels)


def _fix_dates_and_ids(monkeypatch) -> None:
    """The XMP's dates and its DocumentID/InstanceID as they come out of a fresh start: two
    encodings of one result give the same bytes."""
    monkeypatch.setattr(provenance, "_now", lambda: FIXED_NOW)
    ids = itertools.count(1)
    monkeypatch.setattr(xmp_history, "uuid",
                        types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(ids))))


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _write_traced(*args, **kwargs):
    """write_item_outputs(...) and the most Python memory it held at once, in bytes."""
    tracemalloc.start()
    try:
        outputs = write_item_outputs(*args, **kwargs)
        return outputs, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "tif"])
def test_an_items_16bit_result_is_written_as_encoded_and_byte_identical(
        big_result, tmp_path, monkeypatch, fmt):
    _fix_dates_and_ids(monkeypatch)
    outputs, peak = _write_traced(big_result, fmt, "job_x-0", tmp_path, {"kind": "upload"},
                                  None, {})
    path = tmp_path / f"job_x-0.{fmt}"
    size = path.stat().st_size
    assert size > 100_000_000  # held whole it cost its size, twice while it was joined
    # What the encoder holds at once: a few of its 8 MB bands, whatever the image's size.
    assert peak < size / 3, f"held {peak / 1e6:.0f} MB writing a {size / 1e6:.0f} MB file"
    # The bytes the in-memory encoder gives, and the record and the store say so.
    _fix_dates_and_ids(monkeypatch)
    expected = hashlib.sha256(encode_image(big_result, fmt)).hexdigest()
    assert _sha256(path) == expected
    assert outputs.record["output"]["sha256"] == expected
    assert outputs.record["output"]["bytes"] == size
    assert outputs.record["output"]["bits_per_channel"] == 16
    assert outputs.completion()["result_sha256"] == expected
    # No temporary file left beside it; the record beside it.
    assert {p.name for p in tmp_path.iterdir()} == {f"job_x-0.{fmt}",
                                                    "job_x-0.provenance.json"}
    stored = (tifffile.imread(path) if fmt == "tif"
              else cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., ::-1])
    assert np.array_equal(stored, big_result.image16)


def test_an_unpublished_result_is_only_a_temporary_file_until_the_store_publishes_it(
        big_result, tmp_path):
    small = replace(big_result, image16=big_result.image16[:300, :400].copy(),
                    image=big_result.image.crop((0, 0, 400, 300)))
    outputs = write_item_outputs(small, "png", "job_y-0", tmp_path, {"kind": "upload"},
                                 None, {}, publish=False)
    # Written as it was encoded, to `.job_y-0.png.<random>.tmp`: never at the name a
    # download reads while it is being written (item_files opens `result_file`).
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(n.endswith(".tmp") for n in names), names
    assert any(n.startswith(".job_y-0.png.") for n in names), names
    assert not (tmp_path / "job_y-0.png").exists()
    outputs.staged.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job_y-0.png",
                                                          "job_y-0.provenance.json"]
    assert _sha256(tmp_path / "job_y-0.png") == outputs.record["output"]["sha256"]
    assert outputs.image[:8] == b"\x89PNG\r\n\x1a\n"  # POST /v1/colorize's answer, read back
    assert outputs.image[24] == 16


def test_a_discarded_result_leaves_nothing(big_result, tmp_path):
    small = replace(big_result, image16=big_result.image16[:30, :40].copy(),
                    image=big_result.image.crop((0, 0, 40, 30)))
    outputs = write_item_outputs(small, "tif", "job_z-0", tmp_path, {"kind": "upload"},
                                 None, {}, publish=False)
    outputs.staged.discard()  # the store's transaction failed
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_signed_result_is_signed_from_its_file(big_result, tmp_path):
    # C2PA signing took the whole encoded file as bytes and gave a signed copy: the file's
    # size twice more. c2pa-python signs between streams: the staged file into another.
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    from c2pa_certs import make_chain

    from colorizer.apps.service.config import C2paConfig
    from colorizer.apps.service.signing import C2paSigner, read_c2pa

    chain = make_chain(tmp_path / "pki")
    signer = C2paSigner(C2paConfig(chain.chain, chain.key))
    results = tmp_path / "results"
    results.mkdir()
    outputs, peak = _write_traced(big_result, "png", "job_s-0", results, {"kind": "upload"},
                                  signer, {})
    path = results / "job_s-0.png"
    size = path.stat().st_size
    assert size > 100_000_000
    assert peak < size / 3, f"held {peak / 1e6:.0f} MB signing a {size / 1e6:.0f} MB file"
    assert outputs.record["c2pa_signed"] is True
    assert outputs.record["output"]["sha256"] == _sha256(path)
    assert outputs.record["output"]["bytes"] == size
    # The unsigned file it was signed from is gone; nothing but the two results is left.
    assert {p.name for p in results.iterdir()} == {"job_s-0.png", "job_s-0.provenance.json"}
    data = path.read_bytes()
    store = read_c2pa(data, "image/png")
    assert store["validation_state"] == "Valid"
    manifest = store["manifests"][store["active_manifest"]]
    assert manifest["title"] == "job_s-0.png"
    stored = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert np.array_equal(stored, big_result.image16)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_disk_that_fills_while_signing_fails_the_item_as_full(big_result, tmp_path):
    # The unsigned file fits, its signed copy does not: c2pa reported the write's error as
    # its own ("signing failed", retried); it stays ENOSPC, which the worker records as 507.
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    from c2pa_certs import make_chain
    from service_helpers import tmpfs

    from colorizer.apps.service.config import C2paConfig
    from colorizer.apps.service.signing import C2paSigner

    chain = make_chain(tmp_path / "pki")
    signer = C2paSigner(C2paConfig(chain.chain, chain.key))
    small = replace(big_result, image16=big_result.image16[:200, :600].copy(),
                    image=big_result.image.crop((0, 0, 600, 200)))
    with tmpfs(tmp_path / "disk", "1M") as disk:
        with pytest.raises(OSError) as raised:
            write_item_outputs(small, "png", "job_f-0", disk, {"kind": "upload"}, signer, {})
        assert raised.value.errno == errno.ENOSPC
        assert list(disk.iterdir()) == []  # neither the unsigned file nor a part of the other
