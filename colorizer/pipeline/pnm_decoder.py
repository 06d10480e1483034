"""Pillow's PNM decoding of a maxval other than 255, done with numpy: the code lives in
context/photo_formats/pnm_decoder.py, which both loaders use (context never imports
colorizer); these names stay for colorizer's callers."""

from __future__ import annotations

from context.photo_formats.pnm_decoder import FastPnmDecoder, use_fast_decoder

__all__ = ["FastPnmDecoder", "use_fast_decoder"]
