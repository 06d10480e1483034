"""The benchmark's fixed choices: scene kinds, what counts as red, targets, texts, colors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eval.common import RESULTS_DIR
from eval.flags.designs import SOVIET, FlagSpec

OUT_DIR = RESULTS_DIR / "flag-scenes"
KINDS = ("angle", "fold", "hanging", "crowd", "slogan", "hidden", "beside", "ortho")
ORTHO_GEOMETRIES = KINDS[:5]
# Red, per pixel: CIELAB hue in [350, 360) or [0, 60] degrees. The sRGB red primary sits at 40,
# crimson and carmine at 20-30, rose red just below 0; past 60 is orange, below 350 magenta.
RED_HUE = (350.0, 60.0)
RED_CHROMA = 20.0  # C* from which a pixel is red: pale but unmistakable (gray output is ~0-5)
STRONG_CHROMA = 30.0  # C* from which it is strongly red: what a leak must reach to count
RED_SHARE = 0.5  # a scene is red when this share of its red-cloth pixels is red
GRAY_CHROMA = 12.0  # a scene that is not red came out gray when its cloth's mean C* is below
LEAK_DILATE = 4  # px around the whole-flag mask: bleeding this close is the flag's edge
MIN_RED_PIXELS = 300  # a layout leaving fewer visible red-cloth pixels is drawn again
OWN_MIN_PIXELS = 30  # design colors of other flags covering fewer pixels are not scored
PANCHROMATIC = (0.2126729, 0.7151522, 0.0721750)  # sRGB's Y: the plain L* input
ORTHOCHROMATIC = (0.05, 0.45, 0.5)  # blue-green film: red prints nearly black
GRAIN = 0.012  # film grain, std of the gray value (grain blobs ~1 px)
AMBIENT = 0.35  # share of light that reaches a fold facing away from the light
VALLEY_SHADOW = 0.45  # light lost at the bottom of the deepest fold (neighbours shade it)
TARGETS = {"hint": 0.9, "caption": 0.8, "leak": 0.003, "control_gain": 0.001}
SOVIET_HINT = SOVIET.hint
CAPTIONS = ("Москва, 1 мая 1950", "Ленинград 1947", "Киев, 7 ноября 1951", "Сталинград, 1949",
            "Горький, Первомай 1953", "Свердловск 1952", "Минск, 9 мая 1955", "Казань, 1948",
            "Новосибирск 1954", "Одесса, 1 мая 1956")
SLOGANS = ("СЛАВА ВЕЛИКОМУ ОКТЯБРЮ", "ДА ЗДРАВСТВУЕТ 1 МАЯ", "ВСЯ ВЛАСТЬ СОВЕТАМ",
           "ПРОЛЕТАРИИ ВСЕХ СТРАН, СОЕДИНЯЙТЕСЬ!", "СЛАВА ТРУДУ", "ВПЕРЁД, К КОММУНИЗМУ!",
           "ДА ЗДРАВСТВУЕТ СССР", "МИРУ — МИР")
BANNER_WORDS = (("СЛАВА", "ТРУДУ"), ("СССР",), ("1", "МАЯ"), ("ОКТЯБРЬ",), ("МИР",))
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REDS = ((204, 0, 0), (190, 22, 28), (214, 40, 30), (172, 26, 34), (200, 18, 44))
GOLDS = ((232, 190, 60), (245, 208, 84), (212, 168, 52))
LETTERING = ((244, 240, 228), (236, 200, 70))
FLAG_DESIGNS = ("svg:soviet", "svg:variant", "emblem_flag", "plain_red")
DISTRACTORS = ("freeciv21_bavarian.svg", "freeciv21_libya_old.svg", "freeciv21_kiev.svg",
               "freeciv21_novgorod.svg", "freeciv21_hanover.svg", "freeciv21_tanganyika.svg")
OTHER_FLAGS = (
    FlagSpec("freeciv21_germanempire.svg", "German Empire", "German Empire 1910", (),
                "German Empire"),
    FlagSpec("freeciv21_russia.svg", "Russian Empire", "Russian Empire 1910", (),
                "Russian Empire"),
)
OTHER_GEOMETRIES = ("angle", "fold", "crowd", "hidden")
# Scene label map: what each pixel of the truth is.
BACKGROUND, POLE, RED, DETAIL, OTHER = 0, 1, 2, 3, 4
PALETTE0 = 10  # PALETTE0 + k: design color k of an other-flag target (own-colors scoring)


def red_hue(hue: np.ndarray | float) -> np.ndarray | bool:
    """Hue angle(s) in degrees [0, 360) within RED_HUE, which wraps through 0."""
    return (hue >= RED_HUE[0]) | (hue <= RED_HUE[1])


def red_pixels(lab: np.ndarray, min_chroma: float) -> np.ndarray:
    """(H, W) bool: hue in RED_HUE and C* >= min_chroma."""
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    return red_hue(hue) & (np.hypot(lab[..., 1], lab[..., 2]) >= min_chroma)
