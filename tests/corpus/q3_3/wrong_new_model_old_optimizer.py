# hint: holds other tensors than run.model's parameters
"""A deep copy of the model is loaded and put in run.model: the optimizer still updates the old one."""

import copy


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
    model = copy.deepcopy(run.model)
    model.load_state_dict(checkpoint["model"])
    run.model = model
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]
