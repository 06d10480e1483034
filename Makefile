# Two commands on a fresh Debian machine: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.chronochrome-installed

.PHONY: install demo test eval bench train clean

$(STAMP): pyproject.toml scripts/install.sh requirements.lock
	bash scripts/install.sh
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/chronochrome colorize --samples -o outputs --report

# The tests in parallel processes (pytest-xdist), a module's tests in one process and in
# order (--dist loadfile: a module's later tests may use the page its earlier ones opened):
# 4.5 min on the 2-core CPU against 7.5 in one process. `make test TEST_WORKERS=0`: one.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

eval: install
	$(PY) -m eval.real_photos
	$(PY) -m eval.blobs
	$(PY) -m eval.flag_scenes
	$(PY) -m eval.hand_fonts  # handwriting faces for eval.real_writing (npm registry)
	$(PY) -m eval.real_writing
	$(PY) -m eval.homoglyph_words
	$(PY) -m eval.scene_floor
	$(PY) -m eval.bad_inputs
	$(PY) -m eval.bad_http
	$(PY) -m eval.check.real
	$(PY) -m eval.report
	$(PY) -m eval.report --dataset heldout
	$(PY) -m eval.tradeoff
	$(PY) -m eval.tradeoff --guided
	$(PY) -m eval.tune_transfer
	$(PY) -m eval.flag_bench
	$(PY) -m eval.flag_bench --chroma-scale 1.0 --name flags-scale1

# `make train` tries the trainer in seconds; `make train TRAIN_CONFIG=configs/train/lite0-v1.json`
# is the README's training run.
TRAIN_CONFIG ?= configs/train/smoke.json
train: install
	$(VENV)/bin/chronochrome train --config $(TRAIN_CONFIG)

bench: install
	$(PY) -m eval.bench_speed
	$(PY) -m eval.bench_memory
	$(PY) -m eval.bench_long_batch

clean:
	rm -rf outputs .pytest_cache
