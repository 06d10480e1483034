#!/usr/bin/env bash
# Make room for a GPU training pack: the device tool sends the working tree with the carried
# pack, 64 MiB in all, and the tracked reports (eval/results, docs: ~20 MB of contact sheets
# and screenshots) are not needed there.
#
#   bash scripts/gpu_tree.sh aside   # move them into runs/tree-aside (ignored: it stays here)
#   ... run(command="bash scripts/gpu_train.sh", carry=["runs/gpu-pack"], timeout_s=570) ...
#   bash scripts/gpu_tree.sh back    # put them back (git status is clean again)
#
# It prints what would travel: tracked files still present plus the pack.
set -euo pipefail
cd "$(dirname "$0")/.."
ASIDE=runs/tree-aside
case "${1:-}" in
  aside)
    if [ -e "$ASIDE" ]; then echo "$ASIDE exists: run '$0 back' first" >&2; exit 1; fi
    mkdir -p "$ASIDE/eval"
    mv eval/results "$ASIDE/eval/results"
    mv docs "$ASIDE/docs"
    ;;
  back)
    if [ ! -d "$ASIDE" ]; then echo "nothing aside ($ASIDE is missing)" >&2; exit 1; fi
    if [ -e eval/results ] || [ -e docs ]; then
      echo "eval/results or docs exists again: move or delete it, then '$0 back'" >&2; exit 1
    fi
    mv "$ASIDE/eval/results" eval/results
    mv "$ASIDE/docs" docs
    rm -rf "$ASIDE"
    ;;
  *) echo "usage: $0 aside|back" >&2; exit 2 ;;
esac
tree=$( (git ls-files -z | xargs -0 stat -c %s 2>/dev/null || true) | awk "{s += \$1} END {print s + 0}")
pack=$(du -sb runs/gpu-pack 2>/dev/null | cut -f1 || echo 0)
echo "tracked files present: $((tree / 1048576)) MiB; runs/gpu-pack: $((${pack:-0} / 1048576)) MiB; limit 64 MiB"
