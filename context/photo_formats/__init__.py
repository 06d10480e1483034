"""How photo files are read, shared by the three readers: colorize's
(colorizer/pipeline/imageio.py, which imports these from here: context never imports
colorizer), `python -m context`'s (context/photo_reading.py) and `library build`'s
(retrieval/exemplar_photo.py). A camera raw file is refused (camera_raw.py), a .jp2's ICC
profile found where Pillow skips it (jp2_header.py), an embedded profile converted to sRGB
(icc.py), a PNM of a maxval other than 255 decoded at numpy's speed (pnm_decoder.py), a
multi-page TIFF read at its full-size page (tiff_pages.py) and a photo turned upright as its
EXIF Orientation says (orientation.py), so that all three read a file as the same pixels.
"""
