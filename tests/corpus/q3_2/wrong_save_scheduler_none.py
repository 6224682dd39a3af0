# hint: scheduler may be None
"""Calls state_dict() on a scheduler that is None."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict(),
        "best_accuracy": best_accuracy,
    }
    torch.save(checkpoint, filepath)
    print(f"Checkpoint saved at {filepath}")
