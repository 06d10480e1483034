#!/usr/bin/env bash
# Write the default weights as committed at a given commit into a folder, e.g. the cond-v3
# weights that gen-v2 and the gen-v2-lstar ablation start from (configs/train/*.json
# `init_from`):
#   bash scripts/weights_at.sh 2077afb^ runs/cond-v3
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: bash scripts/weights_at.sh COMMIT FOLDER (e.g. 2077afb^ runs/cond-v3)" >&2
  exit 2
fi
commit=$1 out=$2
git rev-parse --verify --quiet "$commit^{commit}" >/dev/null \
  || { echo "error: no commit '$commit' in this clone" >&2; exit 2; }
mkdir -p "$out"
for f in model.safetensors config.json decoding.json; do
  git show "$commit:colorizer/weights/default/$f" > "$out/$f"
done
echo "wrote $out (weights of $commit: $(sha256sum "$out/model.safetensors" | cut -c1-16)…)"
