#!/usr/bin/env bash
# The GPU throughput figures (#21) in one command, on a machine with a CUDA GPU and no network:
#
#   bash scripts/gpu_throughput.sh [PHOTOS]
#
# Runs in the repository root of a checkout (the lab's device tool runs it in a copy of the
# working tree). It needs a python3 with torch (CUDA), numpy, pillow and safetensors: the
# without-context figures need nothing else. The with-context figures need the project's
# other dependencies (OCR, MiniLM, faiss, ...); where they are missing, carry them as wheels
# in .whl/ (scripts/gpu_wheels.sh fetches them on a machine that reaches PyPI), else those
# cases print "could not run" and the others still run.
# Figures: printed, and written to $OUT/throughput.json when OUT is set (the device tool's
# folder that comes back), else eval/results/throughput.json.
set -uo pipefail
cd "$(dirname "$0")/.."
PHOTOS="${1:-128}"
DEVICE="${DEVICE:-cuda}"  # DEVICE=cpu: a dry run of this script on a machine without a GPU
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] && PY=.venv/bin/python
export PYTHONPATH="$PWD"
if compgen -G ".whl/*.whl" >/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/chronochrome-site .whl/*.whl && export PYTHONPATH="/tmp/chronochrome-site:$PWD"
fi
RESULT="${OUT:+$OUT/throughput.json}"
RESULT="${RESULT:-eval/results/throughput.json}"
export PYTHONUNBUFFERED=1
if [ "$DEVICE" = cuda ]; then
  "$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(), torch.__version__)" || exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
# Runs of at most 140 s (the compiled one 200 s): the script fits one 10-minute device call.
STATUS=0
run() { timeout "${LIMIT:-140}" "$PY" -m eval.bench_throughput --device "$DEVICE" --engines local --out "$RESULT" "$@" || STATUS=1; }
# bf16 autocast (the default on a GPU), batches of 32, four threads reading and encoding.
run --photos "$PHOTOS" --batch-size 32 --threads 4 --label $DEVICE-bf16-b32
# The same in fp32, and batches of 1: what precision and batching each bring.
run --photos "$PHOTOS" --batch-size 32 --threads 4 --precision fp32 --context off --label $DEVICE-fp32-b32
run --photos "$PHOTOS" --batch-size 1 --threads 4 --context off --label $DEVICE-bf16-b1
# torch.compile (each new photo shape compiles once: the start figure shows it).
LIMIT=200 run --photos "$PHOTOS" --batch-size 32 --threads 4 --compile --context off --label $DEVICE-bf16-b32-compiled
echo "figures: $RESULT"
exit "$STATUS"
