"""torch.random's names; a tuple of states; the epoch first."""


def save_training_state(path, run, epoch):
    state = (
        epoch,
        run.model.state_dict(),
        run.optimizer.state_dict(),
        run.scheduler.state_dict(),
        torch.random.get_rng_state(),
    )
    torch.save(state, path)


def load_training_state(path, run):
    epoch, model, optimizer, scheduler, rng = torch.load(path, map_location="cpu", weights_only=True)
    run.model.load_state_dict(model)
    run.optimizer.load_state_dict(optimizer)
    run.scheduler.load_state_dict(scheduler)
    torch.random.set_rng_state(rng)
    return epoch
