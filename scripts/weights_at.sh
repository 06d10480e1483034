#!/usr/bin/env bash
# Write the default weights as committed at a given commit into a folder, e.g. the cond-v3
# weights that gen-v2 and the gen-v2-lstar ablation start from (configs/train/*.json
# `init_from`):
#   bash scripts/weights_at.sh 2077afb^ runs/cond-v3
# An intermediate version kept for one commit in another folder of the repository (the
# GPU-trained gen-v6 that gen-v7 continues) is read from that folder, the third argument:
#   bash scripts/weights_at.sh COMMIT runs/gen-v6 colorizer/weights/intermediate/gen-v6
set -euo pipefail
if [ $# -ne 2 ] && [ $# -ne 3 ]; then
  echo "usage: bash scripts/weights_at.sh COMMIT FOLDER [REPO_FOLDER] (e.g. 2077afb^ runs/cond-v3)" >&2
  exit 2
fi
commit=$1 out=$2 from=${3:-colorizer/weights/default}
git rev-parse --verify --quiet "$commit^{commit}" >/dev/null \
  || { echo "error: no commit '$commit' in this clone" >&2; exit 2; }
for f in model.safetensors config.json; do
  git cat-file -e "$commit:$from/$f" 2>/dev/null \
    || { echo "error: no $from/$f at $commit" >&2; exit 2; }
done
mkdir -p "$out"
for f in model.safetensors config.json decoding.json; do  # an intermediate: no decoding
  ! git cat-file -e "$commit:$from/$f" 2>/dev/null || git show "$commit:$from/$f" > "$out/$f"
done
echo "wrote $out (weights of $commit: $(sha256sum "$out/model.safetensors" | cut -c1-16)…)"
