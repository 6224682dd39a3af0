"""dict(...) built step by step, prints on both sides, default torch.load."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    state = dict(epoch=epoch, best_accuracy=best_accuracy)
    state["model_state_dict"] = model.state_dict()
    state["optimizer_state_dict"] = optimizer.state_dict()
    state["scheduler_state_dict"] = scheduler.state_dict() if scheduler is not None else None
    torch.save(state, filepath)
    print("saved", filepath)


def load_checkpoint(model, optimizer, scheduler, filepath):
    state = torch.load(filepath)
    model.load_state_dict(state["model_state_dict"])
    optimizer.load_state_dict(state["optimizer_state_dict"])
    if scheduler is not None and state["scheduler_state_dict"] is not None:
        scheduler.load_state_dict(state["scheduler_state_dict"])
    print("loaded epoch", state["epoch"])
    return state["epoch"], state["best_accuracy"]
