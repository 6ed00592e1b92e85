import tempfile

import torch

from rindoku import lm, models, reward


def _world(n=192, seed=0):
    """Pairs whose chosen completion names the prompt's colour and rejected denies it."""
    import random

    colours = ["red", "green", "blue", "black"]
    r = random.Random(seed)
    prompts, chosen, rejected = [], [], []
    for _ in range(n):
        c, other = r.sample(colours, 2)
        prompts.append(f"<bos> colour {c} :")
        chosen.append(f" it is {c} <eos>")
        rejected.append(f" it is not {c} <eos>" if other != "red" else f" it is {other} <eos>")
    tok = models.word_tokenizer([p + c for p, c in zip(prompts, chosen)], colours + ["not"])
    return tok, prompts, chosen, rejected


def _chapter_04_reward_model(tok, prompts, chosen, rejected, seed):
    """Chapter 04's train_reward_model and raw_reward as they were written in the notebook
    (copied verbatim but for the data): the reference for the library's."""
    from datasets import Dataset
    from transformers import GPT2Config, GPT2ForSequenceClassification, PrinterCallback
    from trl import RewardConfig, RewardTrainer

    TRAINER_ARGS = dict(
        output_dir=tempfile.mkdtemp(),
        per_device_train_batch_size=64,
        bf16=False,
        activation_checkpointing=False,
        use_cpu=True,
        seed=seed,
        save_strategy="no",
        report_to=[],
        logging_strategy="no",
        disable_tqdm=True,
    )
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tok),
        n_positions=16,
        n_embd=64,
        n_layer=2,
        n_head=4,
        num_labels=1,
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    model = GPT2ForSequenceClassification(config)
    data = Dataset.from_dict({"prompt": prompts, "chosen": chosen, "rejected": rejected})
    args = RewardConfig(num_train_epochs=2, learning_rate=3e-3, **TRAINER_ARGS)
    trainer = RewardTrainer(model=model, args=args, train_dataset=data, processing_class=tok)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    with torch.no_grad():
        texts = [p + c for p, c in zip(prompts + prompts, chosen + rejected)]
        ids, mask = lm.pad_batch(lm.encode(tok, texts), tok.pad_token_id)
        return model(input_ids=ids, attention_mask=mask).logits[:, 0]


def test_library_reward_model_gives_the_chapters_numbers():
    tok, prompts, chosen, rejected = _world()
    want = _chapter_04_reward_model(tok, prompts, chosen, rejected, seed=3)
    rm = reward.train_reward_model(tok, prompts, chosen, rejected, seed=3, epochs=2, lr=3e-3,
                                   max_len=16)
    got = reward.rewards(rm, tok, prompts + prompts, chosen + rejected)
    assert torch.equal(got, want)  # bit-identical: same model, data, seed and trainer
    assert not rm.training
    # training moved the rewards towards the preference: the mean margin r(chosen) - r(rejected)
    # grew from the untrained model's (the same initialisation)
    torch.manual_seed(3)
    untrained = reward.reward_model(tok, max_len=16).eval()
    before = reward.rewards(untrained, tok, prompts + prompts, chosen + rejected)
    n = len(prompts)
    assert (got[:n] - got[n:]).mean() > (before[:n] - before[n:]).mean()


def test_rewards_batches_and_appends_eos_as_trl_does():
    tok, prompts, chosen, _ = _world(8)
    torch.manual_seed(0)
    rm = reward.reward_model(tok, max_len=16, d_model=16, n_layer=1, n_head=2).eval()
    whole = reward.rewards(rm, tok, prompts, chosen)
    assert torch.allclose(reward.rewards(rm, tok, prompts, chosen, batch_size=3), whole, atol=1e-6)
    bare = [c.removesuffix("<eos>") for c in chosen]  # " it is red " + "<eos>"
    assert torch.allclose(reward.rewards(rm, tok, prompts, bare), whole, atol=1e-6)
