"""nonlocal variables."""


def make_checkpoint_callback(folder, model_name, run, every):
    best_accuracy = -1.0
    best_path = None

    def on_epoch_end(stats):
        nonlocal best_accuracy, best_path
        percent = 100 * stats.val_acc
        if stats.epoch % every == 0:
            utils.save_checkpoint(
                folder / checkpoint_filename(model_name, stats.epoch, percent),
                run.model,
                run.optimizer,
                run.scheduler,
                epoch=stats.epoch,
                val_acc=stats.val_acc,
            )
        if stats.val_acc > best_accuracy:
            new_path = folder / checkpoint_filename(model_name + "-best", stats.epoch, percent)
            utils.save_checkpoint(
                new_path, run.model, run.optimizer, run.scheduler, epoch=stats.epoch, val_acc=stats.val_acc
            )
            if best_path is not None:
                best_path.unlink(missing_ok=True)
            best_accuracy, best_path = stats.val_acc, new_path

    return on_epoch_end
