"""Retrieval benchmark: search latency on a synthetic library, and the default library build.

    python -m eval.bench_retrieval [--records 100000] [--queries 300] [--visual]
                                   [--build-default]

The synthetic library has `--records` exemplars over the gazetteer's polities (random eras,
1-60 years long) with clustered 384-d text vectors (an HNSW index above 20k records, as in
production); `--visual` adds a 1280-d visual index. Queries are contexts with an era, a
region hierarchy from the gazetteer and a query vector near a random record. The timed call is
`ExemplarRetriever.search` (filters + FAISS + scoring); embedding the query with MiniLM is
timed separately. `--build-default` builds the curated library (MiniLM + Lite0) into a fresh
temporary cache and reports the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np


def synthetic_library(n: int, resolver, visual: bool, root: Path, seed: int = 0):
    """`n` records sharing one placeholder image in `root` (hits check their image exists)."""
    from PIL import Image

    from retrieval.embedders import l2_normalize
    from retrieval.index import VectorIndex
    from retrieval.library import ExemplarLibrary, LibraryInfo
    from retrieval.types import Exemplar, NamedColor

    rng = np.random.default_rng(seed)
    polities = sorted(p for p in resolver.g.polities if not p.startswith("iso_"))
    refs = [resolver.ref(p) for p in polities]
    kinds = ("flag", "banner", "uniform", "insignia", "photo")
    region_of = rng.integers(0, len(refs), n)
    starts = rng.integers(1840, 2000, n)
    ends = np.minimum(starts + rng.integers(0, 60, n), 2026)
    centers = l2_normalize(rng.normal(size=(len(refs), 384)))
    text = l2_normalize(centers[region_of] + 0.9 * l2_normalize(rng.normal(size=(n, 384))))
    color = (NamedColor("red", "#CC0000", "field"),)
    Image.new("RGB", (64, 64), (204, 0, 0)).save(root / "synthetic.png")
    exemplars = [Exemplar(f"syn{i}", kinds[i % 5], f"synthetic {i}", int(starts[i]), int(ends[i]),
                          (refs[region_of[i]],), color, "synthetic", "CC0", "synthetic.png")
                 for i in range(n)]
    t0 = time.perf_counter()
    text_index = VectorIndex.build(text, "synthetic-text-384")
    visual_index = None
    if visual:
        vis = l2_normalize(rng.normal(size=(n, 1280)).astype(np.float32))
        visual_index = VectorIndex.build(vis, "synthetic-visual-1280")
    index_s = time.perf_counter() - t0
    info = LibraryInfo("synthetic", "1", n, text_index.info.embedder,
                       visual_index.info.embedder if visual_index else None)
    return ExemplarLibrary(exemplars, text_index, visual_index, info, root), polities, index_s


def bench_search(n: int, queries: int, visual: bool) -> dict:
    from context.config import ContextConfig
    from context.gazetteer import load_gazetteer
    from context.types import Era, Region, SceneContext
    from retrieval.regions import RegionResolver
    from retrieval.retriever import ExemplarRetriever

    g = load_gazetteer(ContextConfig().data_dir)
    resolver = RegionResolver(g)
    t0 = time.perf_counter()
    scratch = tempfile.TemporaryDirectory(prefix="chronochrome-bench-")
    library, polities, index_s = synthetic_library(n, resolver, visual, Path(scratch.name))
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    retriever = ExemplarRetriever(library, resolver)
    init_s = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    times, sizes = [], []
    for q in range(queries):
        polity = polities[int(rng.integers(len(polities)))]
        year = int(rng.integers(1850, 2020))
        res = g.resolve_polity(polity, (year, year))
        context = replace(SceneContext.empty("synthetic query"),
                          era=Era(year, year, 0.9, "hint"),
                          region=Region(res.name, res.wikidata, res.iso, 0.9, "hint",
                                        hierarchy=tuple(res.hierarchy)))
        anchor = library.text_index.vectors[int(rng.integers(n))]
        text_vec = anchor + 0.3 * rng.normal(size=anchor.shape).astype(np.float32) / 20
        text_vec /= np.linalg.norm(text_vec)
        vis_vec = None
        if visual:
            vis_vec = library.visual_index.vectors[int(rng.integers(n))]
        t = time.perf_counter()
        hits = retriever.search(context, text_vec, vis_vec, 5)
        times.append((time.perf_counter() - t) * 1000)
        sizes.append(len(hits))
    scratch.cleanup()
    times_a = np.asarray(times[10:])  # the first queries warm caches
    return {"records": n, "queries": len(times_a), "visual_index": visual,
            "index_kind": library.text_index.info.kind,
            "median_ms": round(float(np.median(times_a)), 3),
            "p90_ms": round(float(np.percentile(times_a, 90)), 3),
            "max_ms": round(float(times_a.max()), 3), "mean_hits": float(np.mean(sizes)),
            "library_build_s": round(build_s, 1), "index_build_s": round(index_s, 1),
            "retriever_init_s": round(init_s, 2)}


def bench_query_embedding(queries: int = 20) -> dict:
    from context.embedding import MiniLMEmbedder

    emb = MiniLMEmbedder()
    emb.embed(["warm up"])
    hints = ["A photograph from 1950 in USSR. USSR 1950", "France 1916", "Kazan 1950s"]
    times = []
    for i in range(queries):
        t = time.perf_counter()
        emb.embed([hints[i % len(hints)]])
        times.append((time.perf_counter() - t) * 1000)
    return {"minilm_query_embedding_median_ms": round(float(np.median(times)), 2)}


def bench_build_default() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CHRONOCHROME_CACHE"] = tmp
        from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
        from context.config import ContextConfig
        from context.embedding import MiniLMEmbedder
        from context.gazetteer import load_gazetteer
        from retrieval.knowledge import default_library
        from retrieval.regions import RegionResolver

        t0 = time.perf_counter()
        text, visual = MiniLMEmbedder(), LuminanceEncoderEmbedder()
        resolver = RegionResolver(load_gazetteer(ContextConfig().data_dir))
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        lib = default_library(text, visual, resolver)
        build_s = time.perf_counter() - t0
        return {"default_library_records": len(lib), "default_build_s": round(build_s, 1),
                "model_load_s": round(load_s, 1),
                "default_library_mb": round(sum(f.stat().st_size for f in Path(lib.root).rglob("*")
                                                if f.is_file()) / 2**20, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--visual", action="store_true", help="add a 1280-d visual index")
    p.add_argument("--build-default", action="store_true", help="time the default build")
    args = p.parse_args(argv)
    out = bench_search(args.records, args.queries, args.visual)
    out.update(bench_query_embedding())
    if args.build_default:
        out.update(bench_build_default())
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
