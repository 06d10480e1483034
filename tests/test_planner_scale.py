"""Planning a batch stays near-linear when many photos ask for one name (a CSV list of 10,000
rows of `small.png` took 81 s before the first photo), and gives exactly the names it gave
when it tried `small`, `small-2`, ... afresh for every row."""

from __future__ import annotations

import os
import random
from pathlib import Path, PurePosixPath

from colorizer.apps import planner
from colorizer.apps.outputs import image_suffix
from colorizer.apps.planner import SIDE_ENDINGS, find_sources, plan_outputs
from colorizer.apps.source import Source


def _old_plan(sources: list[Source], outdir: Path, fmt: str) -> list[tuple[str, str]]:
    """The planner before the fix, as (key, note) per source: every row tries every number
    from 1, every name resolved in full. The reference the fast planner must match."""
    def clashes(stem, taken, inputs):
        names = [f"{stem}{suffix}", *(f"{stem}{e}" for e in SIDE_ENDINGS)]
        return any(n.casefold() in taken
                   or str(planner.real_path(outdir / n)).casefold() in inputs for n in names)

    suffix, bases = image_suffix(fmt), [planner._base(s) for s in sources]
    counts: dict[str, set[str]] = {}
    for source, base in zip(sources, bases):
        counts.setdefault(base.casefold(), set()).add(source.relative.suffix.casefold())
    inputs = {str(planner.real_path(s.path)).casefold() for s in sources if not s.url}
    taken: set[str] = set()
    planned = []
    for source, asked in zip(sources, bases):
        base, shared = asked, len(counts[asked.casefold()]) > 1
        if shared:
            base = f"{base}_{source.relative.suffix.lstrip('.').lower()}"
        shared = shared or clashes(base, taken, set())
        stem, n = base, 1
        while clashes(stem, taken, inputs):
            n += 1
            stem = f"{base}-{n}"
        names = [f"{stem}{suffix}", *(f"{stem}{e}" for e in SIDE_ENDINGS)]
        taken.update(name.casefold() for name in names)
        note = "" if stem == asked else planner._renamed(source, f"{asked}{suffix}",
                                                          names[0], shared)
        planned.append((names[0], note))
    return planned


def _counting_clashes(monkeypatch) -> list[int]:
    """Counts the planner's clash checks; each call still runs the real check."""
    calls, real = [0], planner._clashes

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(planner, "_clashes", counted)
    return calls


def test_twenty_thousand_rows_of_one_stem_are_numbered_in_order_in_linear_work(
        tmp_path, monkeypatch):
    (tmp_path / "small.png").write_bytes(b"")  # never read: planning looks at names only
    rows = 20_000
    listed = tmp_path / "photos.csv"
    listed.write_text("path\n" + "small.png\n" * rows)
    sources = find_sources([listed])
    calls = _counting_clashes(monkeypatch)
    plans = plan_outputs(sources, tmp_path / "out", "png")
    assert [p.key for p in plans] == ["small.png", *(f"small-{n}.png" for n in range(2, rows + 1))]
    assert plans[-1].sides[".json"] == tmp_path / "out" / f"small-{rows}.json"
    assert plans[1].note == ("row 3 of photos.csv asks for the name small.png (another photo "
                             "of this run asks for it too); written as small-2.png")
    # One check for the note and one for the name per row; trying every number afresh for
    # every row made 200 million checks (minutes, where this takes about a second).
    assert calls[0] == 2 * rows


def test_numbers_taken_by_inputs_and_other_names_are_skipped_once(tmp_path, monkeypatch):
    """Outputs written in place: `small.png` and `small-3.png` are inputs, `small-5` is asked
    for by another photo; the rows of `small` go around all three, each tried once."""
    for name in ("small.png", "small-3.png", "small-5.png"):
        (tmp_path / name).write_bytes(b"")
    sources = [Source(tmp_path / "small-5.png", PurePosixPath("small-5.png"))]
    sources += [Source(tmp_path / "small.png", PurePosixPath("small.png"))] * 6
    sources += [Source(tmp_path / "small-3.png", PurePosixPath("small-3.png"))]
    calls = _counting_clashes(monkeypatch)
    keys = [p.key for p in plan_outputs(sources, tmp_path, "png")]
    assert keys == ["small-5-2.png", "small-2.png", "small-4.png", "small-6.png", "small-7.png",
                    "small-8.png", "small-9.png", "small-3-2.png"]
    # Two checks a row, and one more for each name met that is not free: small-5 and
    # small-3 (their own inputs), small, small-3 and small-5 once for all rows of small.
    assert calls[0] == 2 * len(sources) + 2 + 3
    assert keys == [key for key, _ in _old_plan(sources, tmp_path, "png")]


def _random_sources(rng: random.Random, folder: Path, count: int) -> list[Source]:
    stems = ["a", "A", "a-2", "a-3", "a_jpg", "a.uncertainty", "a-2.exemplars", "b", "B-2"]
    sources = []
    for _ in range(count):
        relative = PurePosixPath(rng.choice(["", "s/", "S/"]) + rng.choice(stems)
                                 + rng.choice([".jpg", ".png", ".PNG"]))
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        origin = (("list", str(folder / "photos.csv")), ("row", str(len(sources) + 2)))
        sources.append(Source(path, relative, origin=origin if rng.random() < 0.5 else ()))
    return sources


def test_names_and_notes_match_the_planner_that_tried_every_number(tmp_path):
    """Case-insensitive clashes, suffixes kept, side files clashing with images, inputs met
    in place and through links: the same names and notes as before, in random batches."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    out.mkdir()
    (inputs / "s").mkdir(parents=True)
    os.symlink(inputs / "s", out / "s")  # an output folder that is an input folder
    os.symlink(inputs / "a.png", out / "a-3.png")  # an output name that leads to an input
    for seed in range(30):
        rng = random.Random(seed)
        sources = _random_sources(rng, inputs, rng.randint(1, 60))
        for outdir, fmt in ((inputs, "png"), (out, "png"), (out, "jpeg")):
            planned = [(p.key, p.note) for p in plan_outputs(sources, outdir, fmt)]
            assert planned == _old_plan(sources, outdir, fmt), (seed, outdir, fmt)
