# hint: still drives another optimizer
"""A new optimizer is built and loaded, but run.scheduler keeps driving the one new_run() made."""


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
    run.optimizer = torch.optim.SGD(run.model.parameters(), lr=0.1, momentum=0.9)
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]
