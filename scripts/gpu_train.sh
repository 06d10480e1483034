#!/usr/bin/env bash
# Train the generator on a lent GPU in one command (the lab's device `run`, ~9 minutes).
#
# Here, first (the next run: gen-v10 with tone curves as input, rule 23's gen-v11t config):
#                python -m colorizer.training.pack --config configs/train/gen-v11t.json \
#                    --gpu configs/train/gpu-v12.json --short-side 176 --quality 58 --keep 0.76
#                -> runs/gpu-pack (42 MiB, 54 s). The working tree travels with it, 64 MiB in all:
#                bash scripts/gpu_tree.sh aside   (the 20 MB of reports; `back` after the call)
# Then:          run(command="bash scripts/gpu_train.sh", carry=["runs/gpu-pack"], timeout_s=570)
# It resumes from the committed CPU weights (init_from in the packed config), trains with bf16
# autocast and large batches for max_minutes, prints throughput, and leaves the weights and
# the log in $OUT. The device tool brings back files of at most 16 MiB: the weights (22 MB)
# come back in parts, joined here with `cat model.safetensors.part-* > model.safetensors`
# (the printed sha256 checks the join); then evaluate (eval/operating_point_rules.md, rule 5).
#
# Elsewhere: PY (default: .venv/bin/python when present, else the machine's python3),
# CONFIG (the packed config), OUT (where the weights go); ALLOW_CPU=1 runs it without a GPU
# (a smoke test: the script is sized for a GPU's 9 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD"
if [ -x .venv/bin/python ]; then PY=${PY:-.venv/bin/python}; else PY=${PY:-python3}; fi
CONFIG=${CONFIG:-runs/gpu-pack/train.json}
OUT=${OUT:-runs/gpu-out}
die() { echo "error: $*" >&2; exit 2; }
[ -f "$CONFIG" ] || die "no packed config at $CONFIG: pack the photos first (the command is in \
this script's header: python -m colorizer.training.pack --config ... --gpu ...)"
"$PY" -c "import torch" 2>/dev/null || die "$PY cannot import torch: set PY to a python \
that has it (e.g. PY=.venv/bin/python after make install)"
if ! nvidia-smi --query-gpu=name,memory.total --format=csv 2>/dev/null; then
  [ "${ALLOW_CPU:-0}" = 1 ] || die "no GPU found (nvidia-smi): this script trains on a lent \
GPU; ALLOW_CPU=1 runs it on the CPU anyway"
  echo "no nvidia-smi: running on CPU (ALLOW_CPU=1)"
fi
mkdir -p "$OUT"
if [ -f runs/gpu-pack/pycountry.tar.gz ]; then  # what the GPU image lacks (pack.py)
  mkdir -p /tmp/site && tar -xzf runs/gpu-pack/pycountry.tar.gz -C /tmp/site
  export PYTHONPATH="$PYTHONPATH:/tmp/site"
fi
"$PY" - "$CONFIG" "$OUT" <<'PY'
import json, logging, shutil, sys, time
from pathlib import Path
from colorizer.training.train import TrainConfig, Trainer

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
config = TrainConfig.from_json(sys.argv[1])
out = Path(sys.argv[2])
started = time.time()
trainer = Trainer(config)
print(f"setup {time.time() - started:.1f} s: {len(trainer.train_bank)} photos, "
      f"device {trainer.accelerator.device}, mixed precision {trainer.accelerator.mixed_precision}")
weights = trainer.run()
for name in ("model.safetensors", "config.json"):
    shutil.copy(weights.parent / name, out / name)
shutil.copy(trainer.out / "log.jsonl", out / "log.jsonl")
print(json.dumps({"steps": trainer.step, "total_s": round(time.time() - started, 1)}))
PY
# Files over 16 MiB do not come back from the device machine: split them, print the hash.
sha256sum "$OUT/model.safetensors"
if [ "$(stat -c %s "$OUT/model.safetensors")" -gt $((15 * 2**20)) ]; then
  split -b 15M "$OUT/model.safetensors" "$OUT/model.safetensors.part-" && rm "$OUT/model.safetensors"
fi
ls -la "$OUT"
