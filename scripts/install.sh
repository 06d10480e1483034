#!/usr/bin/env bash
# Installs everything chronochrome needs on a fresh Debian machine into .venv:
# Debian packages (OCR, fonts, sample photos) when missing, then the Python package.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-osd
  tesseract-ocr-script-cyrl tesseract-ocr-script-latn tesseract-ocr-script-grek
  tesseract-ocr-script-arab tesseract-ocr-script-hebr
  tesseract-ocr-script-geor tesseract-ocr-script-armn
  tesseract-ocr-eng tesseract-ocr-rus tesseract-ocr-tat tesseract-ocr-ukr tesseract-ocr-bel
  tesseract-ocr-kaz tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-pol
  fonts-dejavu-core fonts-freefont-ttf visp-images-data
  chromium  # tests/web drive the workbench page with it (through playwright); report PDFs
  poppler-utils  # the plausibility report's PDF test renders its pages (pdftoppm)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "warning: not root and no sudo; install these yourself: apt-get install ${missing[*]}" >&2
      SUDO="skip"
    fi
  fi
  if [ "$SUDO" != "skip" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=".venv/bin/python -m pip"
# torch: the CPU build unless this machine has CUDA (a looser spec pulls GBs of CUDA wheels).
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    $PIP install -q torch
  else
    # PyTorch's CPU-only index first (without it pip resolves to the CUDA build: GBs of CUDA
    # libraries); where that index is unreachable, the configured index (fails in seconds).
    $PIP install -q --timeout 10 --retries 0 --index-url https://download.pytorch.org/whl/cpu \
      torch==2.13.0 2>/dev/null || $PIP install -q torch==2.13.0
  fi
fi
# ray: the optional engine for collections (--engine ray), and c2pa: signed outputs (--c2pa-cert),
# installed here so their tests run.
# requirements.lock pins every dependency to the versions the tests passed with (regenerate:
# pip freeze --exclude-editable without torch, after a clean install and a green make test).
$PIP install -q -c requirements.lock -e ".[dev,ray,c2pa]"
