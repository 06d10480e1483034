"""How photo files are read, shared by both loaders: `python -m context`'s
(context/photo_reading.py) and colorize's (colorizer/pipeline/imageio.py, which imports these
from here: context never imports colorizer). A camera raw file is refused (camera_raw.py), a
.jp2's ICC profile found where Pillow skips it (jp2_header.py), an embedded profile converted
to sRGB (icc.py), and a PNM of a maxval other than 255 decoded at numpy's speed
(pnm_decoder.py), so that both commands read a file as the same pixels.
"""
