"""CSV lists and IIIF manifests as batch inputs (#21): one photo per row or canvas, named by
the planner, remote images fetched through the service's fetcher, a bad row recorded as that
photo's failure, provenance in the manifest entry, a re-run skipping what was done; the same
through the Ray engine's worker path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.batch import BatchColorizer
from colorizer.apps.cli import main
from colorizer.apps.engines import PipelineSpec, make_batch
from colorizer.apps.planner import find_sources
from colorizer.apps.service.fetch import FetchConfig
from colorizer.errors import ChronochromeError

TRUST_LOCAL = FetchConfig(trusted_hosts=("127.0.0.1",))


def _photo(path: Path, seed: int = 0, size=(40, 56)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random(size) * 255).astype(np.uint8)).save(path)
    return path


def _spec(weights) -> PipelineSpec:
    return PipelineSpec(weights, "cpu", context=False, exemplars=False,
                        settings={"render_size": 64})


def _batch(weights, out: Path) -> BatchColorizer:
    return make_batch(_spec(weights), out, fetch=TRUST_LOCAL)


def _entries(out: Path) -> dict:
    return json.loads((out / ".chronochrome-manifest.json").read_text())


def csv_list(tmp_path: Path, base: str) -> Path:
    folder = tmp_path / "list"
    _photo(folder / "a.png", 1)
    _photo(folder / "sub" / "b.png", 2)
    rows = ["path,caption,hint,id",
            'a.png,"Kazan, 1950s street",,',
            "sub/b.png,,USSR 1960,../../escape/named",
            "missing.png",  # trailing columns left out: allowed
            "a.png,too,many,fields,here",
            f"{base}/remote.png,a remote photo,,"]
    (folder / "photos.csv").write_text("\n".join(rows) + "\n")
    return folder / "photos.csv"


def test_csv_list_rows_become_photos_and_bad_rows_their_failures(tiny_weights, tmp_path, web):
    folder, base = web
    _photo(folder / "remote.png", 3)
    out = tmp_path / "out"
    summary = _batch(tiny_weights, out).run([csv_list(tmp_path, base)])
    status = {Path(str(i.output)).relative_to(out).as_posix(): i.status for i in summary.items}
    # The id column names the output, inside OUTDIR ('..' dropped); a sub-folder is kept.
    assert status == {"a.png": "done", "escape/named.png": "done", "missing.png": "failed",
                      "row-5.png": "failed", "remote.png": "done"}
    messages = [i.message for i in summary.failed]
    assert messages[0] == (f"{tmp_path}/list/missing.png: no such file (row 4 of "
                           f"{tmp_path}/list/photos.csv). fix row 4 of photos.csv")
    assert messages[1].startswith(
        f"{tmp_path}/list/photos.csv: row 5 has 1 more field than the header")
    entries = _entries(out)
    assert entries["a.png"]["settings"]["caption"] == "Kazan, 1950s street"
    assert entries["escape/named.png"]["settings"]["hints"] == "USSR 1960"
    remote = entries["remote.png"]
    assert remote["input"] == f"{base}/remote.png"
    assert remote["origin"]["url"] == f"{base}/remote.png" and remote["origin"]["row"] == "6"
    assert remote["settings"]["caption"] == "a remote photo"
    # Resumable by the same fingerprint: a re-run skips every photo it wrote.
    again = _batch(tiny_weights, out).run([csv_list(tmp_path, base)])
    assert (again.count("skipped"), again.count("failed"), again.count("done")) == (3, 2, 0)


def test_csv_list_without_a_photo_column_is_a_one_line_error(tiny_weights, tmp_path, capsys):
    (tmp_path / "list.csv").write_text("name,caption\na.png,x\n")
    with pytest.raises(ChronochromeError, match="no 'path', 'file' or 'url' column"):
        find_sources([tmp_path / "list.csv"])
    code = main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 str(tmp_path / "list.csv"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "e.g. path,caption" in err


def _manifest_v3(base: str, service: str) -> dict:
    def canvas(n: int, label, body: dict) -> dict:
        cid = f"{base}/canvas/{n}"
        return {"id": cid, "type": "Canvas", "width": 56, "height": 40,
                **({"label": label} if label else {}),
                "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": [{
                    "id": f"{cid}/anno", "type": "Annotation", "motivation": "painting",
                    "target": cid, "body": body}]}]}

    image = {"id": f"{base}/one.png", "type": "Image", "format": "image/png"}
    served = {"id": f"{base}/svc/full/max/0/default.jpg", "type": "Image",
              "service": [{"id": service, "type": "ImageService3", "profile": "level1"}]}
    return {"@context": "http://iiif.io/api/presentation/3/context.json",
            "id": f"{base}/manifest.json", "type": "Manifest", "label": {"en": ["Album"]},
            "items": [canvas(1, {"en": ["Page 1"]}, image), canvas(2, {"en": ["Page 1"]}, image),
                      canvas(3, None, served)]}


def iiif_site(folder: Path, base: str) -> Path:
    """one.png, and an Image API service (info.json + the one size asked for) at /svc."""
    _photo(folder / "one.png", 4)
    info = {"@context": "http://iiif.io/api/image/3/context.json", "id": f"{base}/svc",
            "type": "ImageService3", "profile": "level1", "width": 112, "height": 80}
    (folder / "svc").mkdir()
    (folder / "svc" / "info.json").write_text(json.dumps(info))
    _photo(folder / "svc" / "full" / "max" / "0" / "default.jpg", 5, size=(80, 112))
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(_manifest_v3(base, f"{base}/svc")))
    return manifest


def test_iiif_manifest_canvases_become_photos(tiny_weights, tmp_path, web):
    folder, base = web
    local = iiif_site(folder, base)
    out = tmp_path / "out"
    for given in (local, f"{base}/manifest.json"):  # a local file and a URL alike
        sources = find_sources([given], fetch=TRUST_LOCAL)
        assert [s.caption for s in sources] == ["Page 1", "Page 1", None]
    summary = _batch(tiny_weights, out).run([f"{base}/manifest.json"])
    assert [i.status for i in summary.items] == ["done"] * 3
    # Labels name the outputs, collision-safe; no label: the canvas id's last part.
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["3.png", "Page 1-2.png", "Page 1.png"]
    entries = _entries(out)
    assert entries["Page 1.png"]["origin"]["manifest"] == f"{base}/manifest.json"
    assert entries["Page 1-2.png"]["origin"]["canvas"] == f"{base}/canvas/2"
    assert entries["3.png"]["origin"]["requested_size"] == "max"  # within the pixel cap
    assert entries["3.png"]["origin"]["service"] == f"{base}/svc"
    assert Image.open(out / "3.png").size == (112, 80)
    again = _batch(tiny_weights, out).run([local])
    assert again.count("skipped") == 3


def test_iiif_v2_manifest_and_a_refused_address(tiny_weights, tmp_path, web):
    folder, base = web
    _photo(folder / "one.png", 4)
    v2 = {"@context": "http://iiif.io/api/presentation/2/context.json", "@type": "sc:Manifest",
          "@id": f"{base}/v2.json", "label": "Old album", "sequences": [{"canvases": [
              {"@id": f"{base}/c/1", "label": "Recto", "images": [
                  {"resource": {"@id": f"{base}/one.png"}}]}]}]}
    (tmp_path / "v2.json").write_text(json.dumps(v2))
    out = tmp_path / "out"
    assert [i.status for i in _batch(tiny_weights, out).run([tmp_path / "v2.json"]).items] \
        == ["done"]
    assert (out / "Recto.png").is_file()
    # Without trusting it, a loopback address is refused per photo; the batch goes on.
    refused = make_batch(_spec(tiny_weights), tmp_path / "out2").run([tmp_path / "v2.json"])
    assert refused.items[0].status == "failed"
    assert "not a public address; pass --trust-host 127.0.0.1" in refused.items[0].message


def test_the_ray_worker_path_runs_collection_photos(tiny_weights, tmp_path, web, monkeypatch):
    """The Ray engine's `_execute` with its worker called in this process (the real actor
    pool: tests/test_ray_engine.py, slow): rows carry the plan with URL, caption and hint."""
    pytest.importorskip("ray", reason="the Ray engine is an extra")
    from colorizer.apps import ray_engine

    folder, base = web
    _photo(folder / "remote.png", 3)
    csv_path = csv_list(tmp_path, base)

    class InProcess:
        def __init__(self, rows, worker):
            self.rows, self.worker = rows, worker

        def iter_rows(self):
            batch = {k: np.asarray([r[k] for r in self.rows], dtype=object)
                     for k in self.rows[0]}
            result = self.worker(batch)
            for index, outcome in zip(result["index"], result["outcome"]):
                yield {"index": index, "outcome": outcome}

    def dataset(self, rows, hints, caption):
        worker = ray_engine.ColorizeWorker(self.spec, self.fmt, self.report, self.exemplars,
                                           hints, caption, self.color_hints, self.fetch, "cpu")
        return InProcess(rows, worker)

    monkeypatch.setattr(ray_engine.RayBatchColorizer, "_dataset", dataset)
    out = tmp_path / "ray"
    summary = make_batch(_spec(tiny_weights), out, engine="ray", fetch=TRUST_LOCAL).run([csv_path])
    assert sorted(i.status for i in summary.items) == ["done"] * 3 + ["failed"] * 2
    local = tmp_path / "local"
    _batch(tiny_weights, local).run([csv_path])
    ours, theirs = _entries(out), _entries(local)
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key]["settings"] == theirs[key]["settings"]
        assert ours[key].get("origin") == theirs[key].get("origin")
    again = make_batch(_spec(tiny_weights), out, engine="ray", fetch=TRUST_LOCAL).run([csv_path])
    assert again.count("skipped") == 3


@pytest.mark.parametrize("document", ["not json", '{"type": "Manifest", "items": [{}]}',
                                      '{"type": "Manifest", "items": [{"type": "Canvas"}]}',
                                      '{"@type": "sc:Manifest", "sequences": [{"canvases": 5}]}',
                                      "[1, 2]"])
def test_a_manifest_that_cannot_be_read_is_a_one_line_error(tmp_path, document):
    (tmp_path / "m.json").write_text(document)
    with pytest.raises(ChronochromeError) as caught:
        find_sources([tmp_path / "m.json"])
    assert str(caught.value).startswith(f"{tmp_path / 'm.json'}: ")
    assert "\n" not in str(caught.value)


def test_the_cli_takes_a_manifest_url_and_trusts_only_the_hosts_named(tiny_weights, tmp_path,
                                                                       web, capsys):
    folder, base = web
    iiif_site(folder, base)
    args = ["colorize", "--weights", str(tiny_weights), "--device", "cpu", "--render-size",
            "64", "--no-context", "--no-exemplars", f"{base}/manifest.json"]
    # The manifest itself is fetched from a loopback address: refused, one line, no work.
    assert main([*args, "-o", str(tmp_path / "refused")]) == 2
    assert "not a public address" in capsys.readouterr().err
    assert main([*args, "-o", str(tmp_path / "out"), "--trust-host", "127.0.0.1"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [
        "3.png", "Page 1-2.png", "Page 1.png"]
