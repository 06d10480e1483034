"""The model: color space, the encoder, the generator and its conditioning, and the small heads
on the encoder's maps (balance predictor, flag finder). Nothing here reads files or images."""
