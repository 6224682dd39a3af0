# hint: guide's keys
"""Shorter keys than the guide's."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    checkpoint = {
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
        "best_accuracy": best_accuracy,
    }
    torch.save(checkpoint, filepath)
    print(f"Checkpoint saved at {filepath}")
