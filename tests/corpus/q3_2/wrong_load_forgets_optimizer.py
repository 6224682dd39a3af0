# hint: optimizer
"""The optimizer's state is not restored."""


def load_checkpoint(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    if scheduler and checkpoint["scheduler_state_dict"] is not None:
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    return checkpoint["epoch"], checkpoint.get("best_accuracy", 0)
