"""Color hints benchmark (issue 19): `python -m eval.color_hints`."""
