# hint: get_rng_state
"""Saves NumPy's generator, which the training does not use."""

import numpy as np


def save_training_state(path, run, epoch):
    torch.save(
        {
            "epoch": epoch,
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "rng": torch.from_numpy(np.random.get_state()[1].astype("int64")),
        },
        path,
    )


def load_training_state(path, run):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    state = list(np.random.get_state())
    state[1] = checkpoint["rng"].numpy().astype("uint32")
    np.random.set_state(tuple(state))
    return checkpoint["epoch"]
