# hint: best_accuracy
"""best_accuracy is not stored."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
    }
    torch.save(checkpoint, filepath)
    print(f"Checkpoint saved at {filepath}")
