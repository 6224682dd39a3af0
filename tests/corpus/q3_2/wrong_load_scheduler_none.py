# hint: scheduler may be None
"""Loads into a scheduler that is None."""


def load_checkpoint(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    if True:
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    return checkpoint["epoch"], checkpoint.get("best_accuracy", 0)
