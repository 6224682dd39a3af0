# hint: scheduler
"""Steps the scheduler while saving (as if the save ended the epoch): the saved position is one ahead."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    if scheduler is not None:
        scheduler.step()
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
        "best_accuracy": best_accuracy,
    }
    torch.save(checkpoint, filepath)
