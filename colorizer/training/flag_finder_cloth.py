"""The cloths of the flag finder's synthetic scenes (`train_flag_finder.py`, step 2): the flags
folder's designs rasterised, plain/star/border/striped cloths and text banners drawn here, and
each warped onto the scene with a projective quad, folds, a sag and a pole."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import map_coordinates

SCENE_W, SCENE_H = 512, 384  # the pipeline's render size (long side 512) in landscape
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf",
         "DejaVuSansCondensed-Bold.ttf")
WORDS = ("SALUTE", "PEACE", "UNITY", "LABOUR", "VICTORY", "GLORY", "WELCOME", "REPUBLIC",
         "FREEDOM", "1949", "1917", "MAY DAY", "НАРОД", "ТРУД", "ПОБЕДА", "ЗАВОД", "КОЛХОЗ",
         "РОДИНА", "ПАРТИЯ", "СОЮЗ", "ЗНАМЯ", "ЛЕНИН", "ПЯТИЛЕТКА", "1945", "1937")

# --- drawings ----------------------------------------------------------------------------


def rasterize_svg(path: Path, width: int) -> np.ndarray:
    """An SVG file -> (H, W, 4) float RGBA in [0, 1] (resvg, as the flag benchmarks do)."""
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_path=str(path), width=int(width), dpi=96,
                                skip_system_fonts=True)
    rgba = Image.open(io.BytesIO(bytes(png))).convert("RGBA")
    return np.asarray(rgba, dtype=np.float32) / 255.0


def load_designs(folder: Path, width: int = 320) -> list[np.ndarray]:
    """Every SVG design of the flags folder that resvg can read, rasterised once (a few use
    editor namespaces resvg rejects; they are skipped, not patched)."""
    designs = []
    for path in sorted(folder.glob("*.svg")):
        try:
            designs.append(rasterize_svg(path, width))
        except ValueError:
            continue
    return designs


def _cloth_color(rng: np.random.Generator) -> tuple[int, int, int]:
    """Mostly reds (what the hints ask for), else any color: the finder must not care."""
    if rng.random() < 0.6:
        return (int(rng.integers(150, 235)), int(rng.integers(0, 50)), int(rng.integers(0, 55)))
    return tuple(int(v) for v in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _font(rng: np.random.Generator, size: int) -> ImageFont.ImageFont:
    path = FONT_DIR / FONTS[int(rng.integers(len(FONTS)))]
    return ImageFont.truetype(str(path), max(6, size)) if path.exists() else \
        ImageFont.load_default()


def drawn_cloth(rng: np.random.Generator) -> np.ndarray:
    """A plain cloth, a cloth with a star or border or stripes, or a text banner: RGBA."""
    style = rng.choice(["plain", "star", "border", "stripes", "banner", "vertical"])
    if style == "banner":
        w, h = 480, int(480 / rng.uniform(2.5, 7.0))
    elif style == "vertical":
        h, w = 480, int(480 / rng.uniform(1.8, 4.0))
    else:
        w, h = 360, int(360 / rng.uniform(1.2, 2.2))
    ground = _cloth_color(rng)
    image = Image.new("RGB", (w, h), ground)
    draw = ImageDraw.Draw(image)
    accent = tuple(int(v) for v in rng.integers(0, 256, 3))
    if style == "star":
        cx, cy, r = rng.uniform(0.15, 0.5) * w, rng.uniform(0.25, 0.6) * h, h * rng.uniform(.1, .3)
        pts = [(cx + (r if k % 2 == 0 else r * 0.4) * np.sin(k * np.pi / 5),
                cy - (r if k % 2 == 0 else r * 0.4) * np.cos(k * np.pi / 5)) for k in range(10)]
        draw.polygon(pts, fill=accent)
    elif style == "border":
        b = int(h * rng.uniform(0.04, 0.12))
        draw.rectangle([0, 0, w - 1, h - 1], outline=accent, width=b)
    elif style == "stripes":
        n = int(rng.integers(2, 4))
        for k in range(n):
            if k % 2:
                draw.rectangle([0, k * h // n, w, (k + 1) * h // n], fill=accent)
    if style in ("banner", "vertical") or rng.random() < 0.25:
        text = " ".join(rng.choice(WORDS, int(rng.integers(1, 4))))
        if style == "vertical":
            text = text.replace(" ", "\n")
        ink = (240, 232, 210) if rng.random() < 0.6 else accent
        font = _font(rng, int(h * (0.5 if style == "banner" else 0.15)))
        box = draw.multiline_textbbox((0, 0), text, font=font)
        scale = min(0.9 * w / max(1, box[2] - box[0]), 0.8 * h / max(1, box[3] - box[1]), 1.0)
        if scale < 1.0:
            font = _font(rng, int(font.size * scale))
            box = draw.multiline_textbbox((0, 0), text, font=font)
        draw.multiline_text(((w - box[2] + box[0]) / 2 - box[0], (h - box[3] + box[1]) / 2
                             - box[1]), text, font=font, fill=ink, align="center")
    rgb = np.asarray(image, dtype=np.float32) / 255.0
    return np.concatenate([rgb, np.ones_like(rgb[..., :1])], axis=2)


def photo_lettering(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Words painted on the photo's own ground, as on a slide's title card or a caption
    written onto a print ("Дорога на Оренбург" over a sky): RGBA, transparent off the
    letters. Without them the finder took such lettering for a slogan banner (its text
    banners are cloth; rule 32 of eval/operating_point_rules.md)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    dark = rng.random() < 0.6
    ink = ((int(rng.integers(0, 60)),) * 3 if dark else
           (int(rng.integers(200, 256)),) * 3 if rng.random() < 0.6 else
           tuple(int(v) for v in rng.integers(0, 256, 3)))
    y = rng.uniform(0.02, 0.3) * height
    for _ in range(int(rng.integers(1, 4))):
        text = " ".join(rng.choice(WORDS, int(rng.integers(1, 3))))
        font = _font(rng, int(height * rng.uniform(0.08, 0.2)))
        box = draw.textbbox((0, 0), text, font=font)
        scale = min(0.95 * width / max(1, box[2] - box[0]), 1.0)
        if scale < 1.0:
            font = _font(rng, int(font.size * scale))
            box = draw.textbbox((0, 0), text, font=font)
        x = rng.uniform(0, max(1.0, width - (box[2] - box[0])))
        draw.text((x - box[0], y - box[1]), text, font=font, fill=(*ink, 255),
                  stroke_width=int(rng.integers(0, 3)), stroke_fill=(*ink, 255))
        y += (box[3] - box[1]) * rng.uniform(1.1, 1.6)
        if y > 0.9 * height:
            break
    image = image.rotate(float(rng.uniform(-8, 8)), resample=Image.BILINEAR)
    return np.asarray(image, dtype=np.float32) / 255.0


# Uniform dyes (sRGB): khaki, olive drab, field grey, horizon blue, navy, rifle green,
# brown, feldgrau, grey. A uniform's cloth is plain and often light in the gray, unlike the
# saturated reds of most drawn cloths; without such cloths the finder missed plain uniforms.
UNIFORM_DYES = ((195, 176, 145), (107, 100, 60), (110, 112, 100), (124, 162, 184),
                (35, 45, 75), (50, 70, 50), (120, 85, 55), (95, 100, 85), (150, 150, 145))


def uniform_cloth(rng: np.random.Generator) -> np.ndarray:
    """Plain uniform cloth: a jittered dye of UNIFORM_DYES, seams, maybe a pocket, a belt
    and buttons of the same dye or a little darker (texture, not a design): RGBA."""
    w = 320
    h = int(w * rng.uniform(0.8, 1.6))
    base = np.asarray(UNIFORM_DYES[int(rng.integers(len(UNIFORM_DYES)))], float)
    ground = tuple(int(v) for v in np.clip(base * rng.uniform(0.85, 1.15)
                                           + rng.normal(0, 6, 3), 0, 255))
    darker = tuple(int(v * rng.uniform(0.55, 0.8)) for v in ground)
    image = Image.new("RGB", (w, h), ground)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, 3))):  # seams
        x = int(rng.uniform(0.2, 0.8) * w)
        draw.line([(x, 0), (x + int(rng.normal(0, 10)), h)], fill=darker, width=3)
    if rng.random() < 0.5:  # a pocket
        px, py = rng.uniform(0.1, 0.6) * w, rng.uniform(0.1, 0.5) * h
        draw.rectangle([px, py, px + 0.25 * w, py + 0.2 * h], outline=darker, width=3)
    if rng.random() < 0.3:  # a belt
        y = int(rng.uniform(0.4, 0.8) * h)
        draw.rectangle([0, y, w, y + int(0.05 * h)], fill=darker)
    if rng.random() < 0.4:  # buttons
        x = rng.uniform(0.4, 0.6) * w
        for k in range(int(rng.integers(3, 6))):
            y = (k + 1) * h / 7
            draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=darker)
    rgb = np.asarray(image, dtype=np.float32) / 255.0
    return np.concatenate([rgb, np.ones_like(rgb[..., :1])], axis=2)


# --- geometry ------------------------------------------------------------------------------


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 map of the 4 points `src` onto `dst` (both (4, 2))."""
    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    return vt[-1].reshape(3, 3) / vt[-1, -1]


@dataclass(frozen=True)
class Placed:
    """A cloth drawn onto the scene: its colors, coverage and shading, full-scene sized."""

    rgb: np.ndarray  # (H, W, 3) linear RGB where alpha > 0
    alpha: np.ndarray  # (H, W) in [0, 1]
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the quad's bounds


def _quad(rng: np.random.Generator, aspect: float, share: float) -> np.ndarray:
    """(4, 2) corners of a cloth of `aspect` covering `share` of the scene: placed at random,
    jittered (perspective, angle) and in 3 of 10 cases turned."""
    area = share * SCENE_W * SCENE_H
    bw, bh = np.sqrt(area * aspect), np.sqrt(area / aspect)
    if bw > SCENE_W * 0.95 or bh > SCENE_H * 0.95:
        f = min(SCENE_W * 0.95 / bw, SCENE_H * 0.95 / bh)
        bw, bh = bw * f, bh * f
    x0 = rng.uniform(0, SCENE_W - bw)
    y0 = rng.uniform(0, SCENE_H - bh)
    quad = np.array([[x0, y0], [x0 + bw, y0], [x0 + bw, y0 + bh], [x0, y0 + bh]])
    quad += rng.normal(0, 0.12, (4, 2)) * np.array([bw, bh])  # perspective / angle
    if rng.random() < 0.3:  # a turned flag: rotate the quad
        angle = rng.uniform(-0.6, 0.6)
        c = quad.mean(0)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        quad = (quad - c) @ rot.T + c
    return quad


def _folds(rng: np.random.Generator, u: np.ndarray, v: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texture coordinates (u, v) displaced by 0-4 folds along a random direction and maybe a
    sag; returns them with the folds' Lambert-like shading (same shape)."""
    shade = np.ones_like(u)
    folds = int(rng.integers(0, 5))
    direction = rng.uniform(-0.5, 0.5) + (np.pi / 2 if rng.random() < 0.15 else 0.0)
    depth = rng.uniform(0.2, 0.65)
    for _ in range(folds):
        freq = rng.uniform(1.0, 6.0)
        amp = rng.uniform(0.01, 0.06)
        phase = rng.uniform(0, 2 * np.pi)
        t = np.cos(direction) * u + np.sin(direction) * v
        arg = 2 * np.pi * freq * t + phase
        grow = np.clip(u, 0, 1) if rng.random() < 0.5 else 1.0  # waves grow from the hoist
        u = u + amp * np.sin(arg) * grow * np.cos(direction)
        v = v + amp * np.sin(arg) * grow * np.sin(direction) * 0.5
        shade = shade * (1 - depth / folds * (0.5 - 0.5 * np.cos(arg)) * 2 * grow)
    if rng.random() < 0.2:  # the sag of a banner hung by its ends
        v = v - rng.uniform(0.05, 0.2) * 4 * u * (1 - u)
    shade = np.clip(shade, 0.25, 1.1) * rng.uniform(0.75, 1.15)
    return u, v, shade


def place_cloth(rng: np.random.Generator, texture: np.ndarray, share: float
                ) -> Placed | None:
    """Warp `texture` (h, w, 4 sRGB+alpha) onto the scene at `share` of its area: projective
    quad, folds along a random direction (displacement and Lambert-like shading), a sag."""
    th, tw = texture.shape[:2]
    quad = _quad(rng, tw / th, share)
    ix0, iy0 = max(0, int(quad[:, 0].min()) - 8), max(0, int(quad[:, 1].min()) - 8)
    ix1 = min(SCENE_W, int(quad[:, 0].max()) + 9)
    iy1 = min(SCENE_H, int(quad[:, 1].max()) + 9)
    if ix1 - ix0 < 4 or iy1 - iy0 < 4:
        return None
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    inverse = _homography(quad, unit)
    ys, xs = np.mgrid[iy0:iy1, ix0:ix1].astype(np.float64)
    p = inverse @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    u, v = (p[0] / p[2]).reshape(xs.shape), (p[1] / p[2]).reshape(xs.shape)
    u, v, shade = _folds(rng, u, v)
    rows, cols = v * (th - 1), u * (tw - 1)
    chans = [map_coordinates(texture[..., c], [rows, cols], order=1, mode="constant", cval=0.0)
             for c in range(4)]
    srgb = np.stack(chans[:3], axis=-1).clip(0, 1)
    alpha = chans[3].clip(0, 1)
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    full_rgb = np.zeros((SCENE_H, SCENE_W, 3), np.float32)
    full_alpha = np.zeros((SCENE_H, SCENE_W), np.float32)
    full_rgb[iy0:iy1, ix0:ix1] = lin * shade[..., None]
    full_alpha[iy0:iy1, ix0:ix1] = alpha
    return Placed(full_rgb, full_alpha, (ix0, iy0, ix1, iy1))


def draw_pole(rng: np.random.Generator, linear: np.ndarray, placed: Placed) -> None:
    """A thin pole at the cloth's left or right edge (not cloth: its cells stay negative),
    drawn into `linear` (H, W, 3) in place."""
    x0, y0, x1, y1 = placed.box
    x = x0 + 6 if rng.random() < 0.5 else x1 - 7
    width = int(rng.integers(2, 5))
    top = max(0, y0 - int(rng.integers(0, 20)))
    bottom = min(SCENE_H, y1 + int(rng.integers(10, 140)))
    tone = rng.uniform(0.02, 0.6)
    linear[top:bottom, max(0, x - width // 2):x + width // 2 + 1] = tone
