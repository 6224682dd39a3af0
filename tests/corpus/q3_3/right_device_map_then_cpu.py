"""Loads to the model's device but moves the RNG states back to the CPU before restoring them."""


def save_training_state(path, run, epoch):
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": run.model.state_dict(),
        "optimizer_state_dict": run.optimizer.state_dict(),
        "scheduler_state_dict": run.scheduler.state_dict(),
        "cpu_rng": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        checkpoint["cuda_rng"] = torch.cuda.get_rng_state_all()
    torch.save(checkpoint, path)


def load_training_state(path, run):
    device = next(run.model.parameters()).device
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    run.model.load_state_dict(checkpoint["model_state_dict"])
    run.optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    run.scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    torch.set_rng_state(checkpoint["cpu_rng"].cpu())
    if "cuda_rng" in checkpoint and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([state.cpu() for state in checkpoint["cuda_rng"]])
    return int(checkpoint["epoch"])
