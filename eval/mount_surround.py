"""Is a photo's mount (a card, a mat, a white border, the scanner bed) left as it was scanned,
and the photo inside unchanged?

    python -m eval.mount_surround [--shared DIR]   # the datasets (default: ../shared/datasets)

Scans: photos of historical-bw placed on the surrounds of eval/mount_scans.py (a toned cabinet
card, a brass oval mat, a gray arched mat, a scanner bed, a white border) and on the worn and
ornamented cards of eval/mount_worn_scans.py (gilt lettering and rules, an embossed frame,
foxing and stains, a torn corner, a card askew on the scanner bed) and of
eval/mount_edge_scans.py (a pale sky meeting its card, stains across the print's edge),
whose photo and mount pixels are known, and historical-bw's own scans on mounts (`MOUNTED`:
the mount there is the one the detector found). Each is colorized by the default pipeline (embedded weights,
context and exemplars on, as the CLI runs) twice: as shipped, and with the mount left to the
generator as before colorizer/pipeline/mount.py (`keep_mount` skipped). Measured: the mount's
C* (mean, p95) against the scan's own there, and CIEDE2000 between the two runs on the photo.

The detector's false fires: every photo of real-color-dev and the Prokudin-Gorsky plates, and
`VAL_PHOTOS` of photos-train (the val split, 91, then the held-out split: 187 in all), read by
the pipeline's loader and given to `photo_region` (a fire there changes an ordinary photo's
pixels). historical-bw, where mounts are common, is listed apart.

Writes eval/results/mount-surround.{json,md,png} (the PNG: scan, before, shipped, per row).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from skimage.color import deltaE_ciede2000, rgb2lab

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.mount import measure_mount, photo_region
from colorizer.training.data import list_photos
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    VAL_FRACTION,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    pixels,
    shared_datasets,
)
from eval.mount_edge_scans import EDGE_MOUNTS
from eval.mount_scans import MOUNTS, MountScan
from eval.mount_worn_scans import WORN_MOUNTS
from eval.surround_off import colorized_without

# (surround, photo): white-border/LondonSheep (its white sky meets the white border) and
# torn-corner/Killarney (its flat shore meets the card) were missed before their print's
# rectangle was read back from its straight sides (colorizer/pipeline/mount_edges.py).
SYNTHETIC = (("cabinet-card", "historical-bw/deoldify__1890Surfer.jpg"),
             ("oval-mat", "historical-bw/deoldify__1910Bike.jpg"),
             ("arched-mat", "prokudin-gorsky/pg_camel.jpg"),
             ("scanner-bed", "historical-bw/deoldify__Killarney1910.jpg"),
             ("white-border", "historical-bw/deoldify__1899NycBlizzard.jpg"),
             ("white-border", "historical-bw/deoldify__LondonSheep1920s.jpg"),
             ("gilt-imprint", "historical-bw/deoldify__LondonSheep1920s.jpg"),
             ("embossed-border", "historical-bw/deoldify__1910Bike.jpg"),
             ("foxed-stained", "historical-bw/deoldify__1890Surfer.jpg"),
             ("torn-corner", "historical-bw/deoldify__Killarney1910.jpg"),
             ("tilted-on-bed", "historical-bw/deoldify__1899NycBlizzard.jpg"),
             ("pale-sky-card", "historical-bw/deoldify__SanFran1851.jpg"),
             ("pale-sky-gray", "historical-bw/deoldify__1890sTouristsEgypt.jpg"),
             ("stain-on-edge", "historical-bw/deoldify__Mormons1870s.jpg"))
SURROUNDS = {**MOUNTS, **WORN_MOUNTS, **EDGE_MOUNTS}
MOUNTED = ("deoldify__Late1800sNative.jpg", "deoldify__1867MusicianConstantinople.jpg",
           "deoldify__Dolores1920s.jpg", "deoldify__CafeParis1928.jpg",
           "deoldify__LibraryOfCongress1910.jpg", "deoldify__PicadillyLate1800s.jpg")
ORDINARY = ("real-color-dev", "prokudin-gorsky")
VAL_PHOTOS = 200
_BAND = 6  # px: the band along the found photo's outline counted as neither (real scans)
_THUMB = 150  # px: the contact sheet's row height


def _lab(image: Image.Image) -> np.ndarray:
    return rgb2lab(np.asarray(image.convert("RGB"), np.float64) / 255)


def _chroma(lab: np.ndarray, mask: np.ndarray) -> dict:
    if not mask.any():
        return {"mean": None, "p95": None, "hue": None}
    c = np.hypot(lab[..., 1], lab[..., 2])[mask]
    hue = np.degrees(np.arctan2(lab[..., 2][mask].mean(), lab[..., 1][mask].mean())) % 360
    return {"mean": round(float(c.mean()), 2), "p95": round(float(np.percentile(c, 95)), 2),
            "hue": round(float(hue))}


def colorize_both(pipe: ColorizationPipeline, scan: Image.Image
                  ) -> tuple[Image.Image, Image.Image]:
    """(before, shipped): the scan colorized with the mount left to the generator, and as
    shipped."""
    shipped = pipe(scan).image
    return colorized_without(pipe, scan, "mount_inside"), shipped  # as before mount.py


def measure(scan: MountScan, before: Image.Image, shipped: Image.Image) -> dict:
    labs = {"scan": _lab(scan.image), "before": _lab(before), "shipped": _lab(shipped)}
    moved = deltaE_ciede2000(labs["before"], labs["shipped"])
    return {"mount_C": {k: _chroma(lab, scan.mount) for k, lab in labs.items()},
            "photo_C": _chroma(labs["shipped"], scan.photo),
            "photo_de00": {"mean": round(float(moved[scan.photo].mean()), 3),
                           "max": round(float(moved[scan.photo].max()), 3)},
            "detected": bool(photo_region(lightness_of(load_image(scan.image))[0, 0].numpy())
                             is not None)}


def found_masks(scan: Image.Image) -> MountScan:
    """A real scan with the masks the detector found (all photo when it found none)."""
    from scipy.ndimage import binary_dilation

    region = photo_region(lightness_of(load_image(scan))[0, 0].numpy())
    if region is None:
        return MountScan(scan, np.ones(scan.size[::-1], bool), np.zeros(scan.size[::-1], bool))
    window = np.asarray(Image.fromarray(region).resize(scan.size, Image.Resampling.NEAREST))
    return MountScan(scan, ~binary_dilation(~window, iterations=_BAND),
                     ~binary_dilation(window, iterations=_BAND))


def false_fires(shared: Path) -> dict:
    """Which ordinary photos the detector fires on (see the module docstring)."""
    train = shared / TRAIN_PHOTOS
    val = list_photos(train, "val", VAL_FRACTION)
    sets = {name: sorted(p for p in (shared / name).iterdir() if p.suffix.lower() in
                         (".jpg", ".jpeg", ".png", ".tif"))
            for name in (*ORDINARY, "historical-bw")}
    sets["photos-train"] = (val + list_photos(train, "test", VAL_FRACTION))[:VAL_PHOTOS]
    out = {}
    for name, paths in sets.items():
        fired = {}
        for path in paths:
            measured = measure_mount(lightness_of(load_image(path))[0, 0].numpy())
            if measured is not None and measured[0].found:
                fired[path.name] = measured[0].__dict__
        out[name] = {"photos": len(paths), "fired": fired}
        print(name, len(paths), "photos, fired on", len(fired), flush=True)
    return out


def fire_harm(pipe: ColorizationPipeline, path: Path) -> tuple[dict, list[Image.Image]]:
    """What a fire on an ordinary color photo changes: its gray version colorized before and
    shipped, CIEDE2000 between them and to the photo's own colors."""
    truth = pixels(Image.open(path).convert("RGB"))
    gray = luminance_input(truth)
    before, shipped = colorize_both(pipe, gray)
    labs = {"truth": rgb2lab(truth), "before": _lab(before), "shipped": _lab(shipped)}
    moved = deltaE_ciede2000(labs["before"], labs["shipped"])
    return ({"moved_mean": round(float(moved.mean()), 3),
             "moved_share": round(float((moved > 1.0).mean()), 3),
             "de00_truth_before": round(float(deltaE_ciede2000(labs["truth"],
                                                               labs["before"]).mean()), 2),
             "de00_truth_shipped": round(float(deltaE_ciede2000(labs["truth"],
                                                                labs["shipped"]).mean()), 2)},
            [Image.open(path), before, shipped])


def _row(images: list[Image.Image], label: str) -> Image.Image:
    thumbs = [i.convert("RGB").resize((round(_THUMB * i.width / i.height), _THUMB))
              for i in images]
    row = Image.new("RGB", (sum(t.width for t in thumbs) + 4 * len(thumbs), _THUMB + 14),
                    "white")
    x = 0
    for thumb in thumbs:
        row.paste(thumb, (x, 14))
        x += thumb.width + 4
    ImageDraw.Draw(row).text((2, 1), label, fill="black")
    return row


def contact_sheet(rows: list[Image.Image], out: Path) -> None:
    columns = 2
    width = max(r.width for r in rows)
    per_column = -(-len(rows) // columns)
    sheet = Image.new("RGB", (columns * (width + 8), per_column * rows[0].height), "white")
    for i, row in enumerate(rows):
        sheet.paste(row, ((i // per_column) * (width + 8), (i % per_column) * row.height))
    sheet.quantize(colors=255).save(out, optimize=True)  # palette PNG: well under 1 MB


def _mount_line(name: str, r: dict) -> str:
    m = r["mount_C"]
    return (f"| {name} | {'yes' if r['detected'] else '**no**'} | {m['scan']['mean']} | "
            f"{m['before']['mean']} / {m['before']['p95']} (hue {m['before']['hue']}) | "
            f"{m['shipped']['mean']} / {m['shipped']['p95']} | {r['photo_C']['mean']} | "
            f"{r['photo_de00']['mean']} / {r['photo_de00']['max']} |")


def _fire_note(photo: str, evidence: dict) -> str:
    harm = evidence.get("harm")
    if harm is None:
        return photo
    return (f"{photo} (ΔE00 moved {harm['moved_mean']}, {harm['moved_share']:.0%} of pixels "
            f"by >1; to its truth {harm['de00_truth_before']} → {harm['de00_truth_shipped']})")


def write(rows: dict, fires: dict) -> None:
    (RESULTS_DIR / "mount-surround.json").write_text(
        json.dumps({"scans": rows, "false_fires": fires}, indent=1) + "\n")
    lines = ["# A photo's mount, kept as scanned", "",
             ("`python -m eval.mount_surround` (how the scans are made and measured: its "
              "docstring). Mount C*: the scan's own there; before (the mount left to the "
              "generator) and shipped, mean / p95 (before: the hue angle of the mean a*b*, "
              "~90 yellow, ~270 blue). Photo: C* shipped, and CIEDE2000 between "
              "before and shipped (mean / max) on the photo, 6 px in from its outline. The "
              "real scans' mount is the one the detector found."), "",
             "| scan | detected | mount C* scan | before | shipped | photo C* | photo ΔE00 |",
             "|---|---|---:|---:|---:|---:|---:|"]
    lines += [_mount_line(name, r) for name, r in rows.items()]
    lines += ["", ("Fires on other photos: each fired photo's gray version colorized before and "
                   "shipped: mean CIEDE2000 moved, share of pixels moved by more than 1, and "
                   "mean CIEDE2000 to the photo's own colors before → shipped."), "",
              "| photos | count | fired on |", "|---|---:|---|"]
    for name, f in fires.items():
        fired = ", ".join(_fire_note(photo, e) for photo, e in sorted(f["fired"].items()))
        lines.append(f"| {name} | {f['photos']} | {len(f['fired'])}: {fired or 'none'} |")
    lines += ["", ("historical-bw holds scans on mounts: its fires are mounts, borders or "
                   "masks when they are looked at (the contact sheet's last rows), not "
                   "false fires by themselves.")]
    (RESULTS_DIR / "mount-surround.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.mount_surround",
                                     description=__doc__.splitlines()[0])
    add_shared_argument(parser, "historical-bw, prokudin-gorsky, real-color-dev, photos-train")
    shared, asked = shared_datasets(parser.parse_args(argv))
    if problem := absent_data(shared, "historical-bw", "prokudin-gorsky", "real-color-dev",
                               TRAIN_PHOTOS):
        return missing_data(asked, "mount_surround", problem)
    pipe = ColorizationPipeline.from_pretrained()
    rows, sheet = {}, []
    scans = [(f"{kind} ({Path(name).stem})",
              SURROUNDS[kind](Image.open(shared / name).convert("L"), np.random.default_rng(i)))
             for i, (kind, name) in enumerate(SYNTHETIC)]
    scans += [(name, found_masks(Image.open(shared / "historical-bw" / name)))
              for name in MOUNTED]
    for label, scan in scans:
        before, shipped = colorize_both(pipe, scan.image)
        rows[label] = measure(scan, before, shipped)
        sheet.append(_row([scan.image, before, shipped], label))
        print(label, rows[label], flush=True)
    fires = false_fires(shared)
    for name, f in fires.items():
        folder = shared / (TRAIN_PHOTOS if name == "photos-train" else name)
        for photo in f["fired"] if name != "historical-bw" else ():
            f["fired"][photo]["harm"], images = fire_harm(pipe, folder / photo)
            sheet.append(_row(images, f"fired: {name}/{photo}"))
            print(photo, f["fired"][photo]["harm"], flush=True)
    write(rows, fires)
    contact_sheet(sheet, RESULTS_DIR / "mount-surround.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
