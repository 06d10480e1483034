"""Training: data, the generator's trainer and the trainers of the small heads.

    chronochrome train --config configs/train/lite0-v1.json
    python -m colorizer.training.train_balance --out colorizer/weights/default
"""
