# hint: cannot read
"""Stores the model object instead of its state_dict."""


def save_checkpoint(model, optimizer, epoch, scheduler, best_accuracy, filepath):
    checkpoint = {
        "epoch": epoch,
        "model_state_dict": model,
        "optimizer_state_dict": optimizer.state_dict(),
        "scheduler_state_dict": scheduler.state_dict() if scheduler else None,
        "best_accuracy": best_accuracy,
    }
    torch.save(checkpoint, filepath)
    print(f"Checkpoint saved at {filepath}")
