# hint: get_rng_state
"""Re-seeds instead of restoring the generator's state."""


def save_training_state(path, run, epoch):
    torch.save(
        {
            "epoch": epoch,
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "rng": torch.get_rng_state(),
        },
        path,
    )


def load_training_state(path, run):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    torch.manual_seed(checkpoint["epoch"])
    return checkpoint["epoch"]
