# hint: nonlocal
"""Assigns to the enclosing variables without `nonlocal`."""


def make_checkpoint_callback(folder, model_name, run, every):
    best_accuracy = float("-inf")
    best_path = None

    def on_epoch_end(stats):
        state = dict(model=run.model, optimizer=run.optimizer, scheduler=run.scheduler, epoch=stats.epoch)
        if stats.epoch % every == 0:
            name = checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
        if stats.val_acc > best_accuracy:
            path = folder / checkpoint_filename(f"{model_name}-best", stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(path, **state, val_acc=stats.val_acc)
            if best_path is not None:
                best_path.unlink()
            best_accuracy = stats.val_acc
            best_path = path

    return on_epoch_end
