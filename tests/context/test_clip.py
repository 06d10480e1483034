"""The CLIP path with a tiny randomly initialised transformers CLIP built from a config."""

import pytest
from PIL import Image

from context import ContextConfig, ContextEncoder
from context.clip import DECADES, REGIONS, ClipZeroShot

transformers = pytest.importorskip("transformers", reason="pip install transformers")


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPTextConfig,
        CLIPVisionConfig,
        PreTrainedTokenizerFast,
    )

    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=CLIPTextConfig(vocab_size=99, hidden_size=16, intermediate_size=32,
                                   num_hidden_layers=1, num_attention_heads=2,
                                   max_position_embeddings=64, projection_dim=8),
        vision_config=CLIPVisionConfig(hidden_size=16, intermediate_size=32,
                                       num_hidden_layers=1, num_attention_heads=2,
                                       image_size=32, patch_size=8, projection_dim=8),
        projection_dim=8)
    model = CLIPModel(config)
    vocab = {"[UNK]": 0, "[PAD]": 1, **{w: i + 2 for i, w in enumerate(
        ["a", "photograph", "taken", "in", "the", "old", "photo", "from", "historical",
         "black", "and", "white", "vintage", "circa", "of", "street", "s", ".", ",",
         "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
    path = tmp_path_factory.mktemp("tiny_clip")
    model.save_pretrained(path)
    fast.save_pretrained(path)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
                       ).save_pretrained(path)
    return path


@pytest.mark.slow
def test_tiny_clip_zero_shot(tiny_clip_dir):
    clip = ClipZeroShot.from_pretrained(str(tiny_clip_dir))
    out = clip(Image.new("RGB", (50, 40), (120, 90, 60)))
    assert set(out.decade_probs) == set(DECADES)
    assert set(out.region_probs) == {pid for pid, _ in REGIONS}
    assert abs(sum(out.decade_probs.values()) - 1) < 1e-4
    assert out.image_embedding.shape == (8,)


@pytest.mark.slow
def test_encoder_reports_clip_used(tiny_clip_dir):
    enc = ContextEncoder.from_default(ContextConfig(use_ocr=False, embed=False,
                                                    clip_checkpoint=str(tiny_clip_dir),
                                                    clip_min_probability=0.0))
    ctx = enc(Image.new("RGB", (64, 64)), hint="Kazan 1950")
    assert ctx.sources["clip"].used and ctx.sources["clip"].detail == str(tiny_clip_dir)
    assert len(ctx.image_embedding) == 8
    assert ctx.era.source == "hint"  # CLIP never outranks the hint
    assert any(e.source == "clip" for e in ctx.era.evidence) or any(
        c.field == "era" and "clip" in c.other for c in ctx.conflicts)
