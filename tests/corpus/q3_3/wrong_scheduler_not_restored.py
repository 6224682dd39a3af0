# hint: scheduler
"""The scheduler starts again from epoch 0."""


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
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]
