"""Arrays as photos: a numpy array or a torch tensor given to the Python API -> `LoadedImage`.

    pipe(np.asarray(photo))                  # (H, W) or (H, W, 1|3|4), as numpy lays out images
    pipe(torchvision_tensor)                 # (C, H, W) or (1, C, H, W), as torch lays them out

Values are read by dtype, as the loader reads files (imageio.py): uint8 is 0-255, uint16 is
16-bit (/ 65535), bool is black and white; other integers that fit 0-255 are 8-bit levels,
ones that fit 0-65535 16-bit. Floats in [0, 1] are taken as they are, floats up to 255 as 8-bit
levels; a resampler's overshoot of either range (up to 5%) is clipped. NaN and infinity are
black, as in a float TIFF. Each such reading is a note of the result's input.
Anything that would need a guess (a numpy (C, H, W), values below 0 or above any range, a
batch) is refused with an `UnsupportedImageError` that says what to pass instead: a wrong
guess would be a wrong photo returned without a word.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from colorizer.errors import ImageTooLargeError, UnsupportedImageError
from colorizer.pipeline.image_pixels import FLOAT_OVERSHOOT, NONFINITE_NOTE, has_color, to_srgb
from colorizer.pipeline.imageio import COLOR_INPUT_NOTE, LoadedImage, check_not_empty
from colorizer.pipeline.tint_note import tint_notes

_CHANNELS = (1, 3, 4)  # gray, RGB, RGBA
# A resampler's overshoot of a float photo's range (image_pixels.FLOAT_OVERSHOOT) is clipped;
# more than that below black is another range ([-1, 1] of a normalised network input), which
# clipping would darken.
_OVERSHOOT = FLOAT_OVERSHOOT
_LAYOUT_FIX = "pass (H, W), (H, W, 3) or (H, W, 4) as numpy, or (C, H, W) as a torch tensor"


def is_array(image: object) -> bool:
    """A numpy array or a torch tensor (what `load_array` reads)."""
    return isinstance(image, np.ndarray | torch.Tensor)


def array_name(image: object) -> str:
    """How errors and results name an array input."""
    return "<tensor>" if isinstance(image, torch.Tensor) else "<array>"


def load_array(image: np.ndarray | torch.Tensor, max_pixels: int) -> LoadedImage:
    """The array's pixels as the loader keeps them (image_pixels.py), with notes; the caller's
    array is never modified nor kept."""
    name = array_name(image)
    values = _hwc(image, name)  # (H, W) or (H, W, C)
    height, width = values.shape[:2]
    check_not_empty((width, height), name)
    if width * height > max_pixels:
        raise ImageTooLargeError(
            name, f"image is {width}x{height} = {width * height:,} pixels, above the limit of "
            f"{max_pixels:,}", f"downscale it first, or raise the limit with "
            f"max_pixels={width * height}")
    pixels, mode, notes = _scaled(values, name)
    if pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[-1] == 4:
        pixels, alpha_notes = to_srgb(Image.fromarray(pixels, "RGBA"), None, name)
        notes += alpha_notes
    elif pixels.ndim == 3 and pixels.shape[-1] == 4:
        pixels, notes = _float_on_white(pixels), notes + _alpha_note(pixels)
    pixels = np.ascontiguousarray(pixels)
    is_color = has_color(pixels)
    if is_color:  # the same notes as a file of these pixels gets (imageio.py)
        notes += [COLOR_INPUT_NOTE, *tint_notes(pixels)]
    return LoadedImage(pixels=pixels, is_color=is_color, source_mode=mode, source_format=None,
                       size=(width, height), frames=1, notes=tuple(notes), sha256=None,
                       name=name)


def _hwc(image: np.ndarray | torch.Tensor, name: str) -> np.ndarray:
    """(H, W) or (H, W, C) numpy values, whatever layout convention the caller's library has."""
    if isinstance(image, torch.Tensor):
        image = _tensor_hwc(image, name)
    if image.ndim == 3 and image.shape[-1] not in _CHANNELS and image.shape[0] in _CHANNELS:
        raise UnsupportedImageError(
            name, f"a numpy array of shape {image.shape} looks like (C, H, W), but numpy "
            "images are read as (H, W) or (H, W, C)", "pass arr.transpose(1, 2, 0)")
    if image.ndim == 4:
        raise UnsupportedImageError(
            name, f"a numpy array of shape {image.shape} is a batch", "pass a list of photos, "
            "list(arr), to colorize each")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in _CHANNELS):
        raise UnsupportedImageError(name, f"a numpy array of shape {image.shape} is no image "
                                    "layout chronochrome reads", _LAYOUT_FIX)
    return image


def _tensor_hwc(tensor: torch.Tensor, name: str) -> np.ndarray:
    """A torch (C, H, W), (1, C, H, W) or (H, W) tensor -> (H, W[, C]) numpy, on the CPU."""
    shape = tuple(tensor.shape)
    if tensor.ndim == 4 and shape[0] == 1:
        tensor = tensor[0]
    elif tensor.ndim == 4:
        raise UnsupportedImageError(name, f"a tensor of shape {shape} is a batch of "
                                    f"{shape[0]} photos", "pass a list, list(batch), to "
                                    "colorize each")
    if tensor.ndim == 3 and tensor.shape[0] not in _CHANNELS:
        fix = ("pass t.permute(2, 0, 1)" if tensor.shape[-1] in _CHANNELS else _LAYOUT_FIX)
        raise UnsupportedImageError(name, f"a tensor of shape {shape} is not (C, H, W) with "
                                    "C 1, 3 or 4 (torch images are read channels first)", fix)
    if tensor.ndim not in (2, 3):
        raise UnsupportedImageError(name, f"a tensor of shape {shape} is no image layout "
                                    "chronochrome reads", _LAYOUT_FIX)
    tensor = tensor.detach().cpu()
    if tensor.is_floating_point() and tensor.dtype not in (torch.float32, torch.float64):
        tensor = tensor.float()  # bf16/fp16 have no numpy dtype (bf16) or are slow in numpy
    values = tensor.numpy()
    return values if values.ndim == 2 else values.transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)


def _scaled(values: np.ndarray, name: str) -> tuple[np.ndarray, str, list[str]]:
    """uint8 0-255, or float32 in [0, 1]; with the PIL mode it matches and the notes."""
    mode = "L" if values.ndim == 2 else {3: "RGB", 4: "RGBA"}[values.shape[-1]]
    if values.dtype == np.bool_:
        return values.astype(np.uint8) * np.uint8(255), "1", [
            "boolean array read as black (False) and white (True)"]
    if values.dtype == np.uint8:
        return np.array(values, copy=True), mode, []
    if values.dtype.kind in "iu":
        return _integers(values, mode, name)
    if values.dtype.kind == "f":
        return _floats(values, mode, name)
    raise UnsupportedImageError(name, f"an array of dtype {values.dtype} holds no pixel values",
                                "pass uint8 (0-255), uint16 (0-65535) or float (0-1) values")


def _integers(values: np.ndarray, mode: str, name: str) -> tuple[np.ndarray, str, list[str]]:
    low, peak = int(values.min()), int(values.max())
    deep = "I;16" if mode == "L" else mode
    if values.dtype == np.uint16:
        if 0 < peak <= 255:  # 8-bit levels in a 16-bit array: /65535 would be all but black
            raise UnsupportedImageError(
                name, f"a uint16 array is read as 16-bit (0-65535), and its values are at "
                f"most {peak}: the photo would be black", "for 8-bit levels pass "
                "arr.astype(np.uint8); for 16-bit data scale it to the full range")
        return _unit(values, 65535.0), deep, ["16-bit array scaled by 65535"]
    if low < 0 or peak > 65535:
        raise UnsupportedImageError(
            name, f"an integer array ({values.dtype}) with values from {low} to {peak} fits "
            "neither 0-255 nor 0-65535", "pass uint8 (0-255), uint16 (0-65535) or float (0-1)")
    if peak <= 255:
        return values.astype(np.uint8), mode, [
            f"{values.dtype} array with values at most 255 taken as 8-bit"]
    return _unit(values, 65535.0), deep, [
        f"{values.dtype} array with values above 255 taken as 16-bit and scaled by 65535"]


def _floats(values: np.ndarray, mode: str, name: str) -> tuple[np.ndarray, str, list[str]]:
    notes: list[str] = []
    finite = np.isfinite(values)
    if not finite.all():
        if not finite.any():
            raise UnsupportedImageError(name, "every value of the array is NaN or infinite",
                                        "pass the photo's pixel values")
        notes.append(f"{int((~finite).sum()):,} {NONFINITE_NOTE}")
        values = np.where(finite, values, 0.0)
    del finite
    low, peak = float(values.min()), float(values.max())
    scale = 1.0 if peak <= 1.0 + _OVERSHOOT else 255.0
    if low < -_OVERSHOOT * scale:
        raise UnsupportedImageError(
            name, f"float values go down to {low:g}, below black (0)", "pass values in [0, 1]; "
            "a [-1, 1] network input is (x + 1) / 2, a normalised one needs its mean and std "
            "undone")
    if peak > 255 * (1.0 + _OVERSHOOT):
        raise UnsupportedImageError(
            name, f"float values go up to {peak:g}, above both 1 and 255",
            "pass values in [0, 1] (or 0-255)")
    if scale == 255.0:
        notes.append("float array with values above 1 taken as 0-255 and scaled by 255")
    level = 0.5 / 255 * scale  # half an 8-bit level: float rounding below it goes unsaid
    if low < -level or peak > scale + level:
        notes.append(f"float values outside the range (from {low:g} to {peak:g}) clipped")
    return _unit(values, scale), "F" if mode == "L" else mode, notes


def _unit(values: np.ndarray, scale: float) -> np.ndarray:
    """Values / scale as float32 clipped to [0, 1] (a fresh array: the caller's is kept)."""
    out = values.astype(np.float32)  # always a copy
    if scale != 1.0:
        out /= np.float32(scale)
    return np.clip(out, 0.0, 1.0, out=out)


def _float_on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) float in [0, 1] -> (H, W, 3) over white, as the loader flattens alpha."""
    alpha = rgba[..., 3:]
    return rgba[..., :3] * alpha + (1.0 - alpha)


def _alpha_note(rgba: np.ndarray) -> list[str]:
    return ["alpha composited on white"] if float(rgba[..., 3].min()) < 1.0 else []
