"""A list as the pair; map_location="cpu"; `is not None`."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": None if scheduler is None else scheduler.state_dict(),
            "best_accuracy": best_accuracy,
        },
        filepath,
    )


def load_checkpoint(model, optimizer, scheduler, filepath):
    checkpoint = torch.load(filepath, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    if scheduler is not None:
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    return [checkpoint["epoch"], checkpoint["best_accuracy"]]
