"""Saves the CUDA generators too when there are any; a dict; the epoch as an int."""


def save_training_state(path, run, epoch):
    torch.save(
        {
            "epoch": int(epoch),
            "model_state_dict": run.model.state_dict(),
            "optimizer_state_dict": run.optimizer.state_dict(),
            "scheduler_state_dict": run.scheduler.state_dict(),
            "cpu_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        },
        path,
    )


def load_training_state(path, run):
    state = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(state["model_state_dict"])
    run.optimizer.load_state_dict(state["optimizer_state_dict"])
    run.scheduler.load_state_dict(state["scheduler_state_dict"])
    torch.set_rng_state(state["cpu_rng"])
    if state["cuda_rng"]:
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return state["epoch"]
