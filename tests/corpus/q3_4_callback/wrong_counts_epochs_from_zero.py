# hint: counts from 1
"""Periodic files at epochs 1, 3, 5."""


def make_checkpoint_callback(folder, model_name, run, every):
    best = {"accuracy": float("-inf"), "path": None}

    def on_epoch_end(stats):
        accuracy = 100 * stats.val_acc
        state = dict(model=run.model, optimizer=run.optimizer, scheduler=run.scheduler, epoch=stats.epoch)
        if (stats.epoch - 1) % every == 0:
            utils.save_checkpoint(
                folder / checkpoint_filename(model_name, stats.epoch, accuracy), **state, val_acc=stats.val_acc
            )
        if stats.val_acc > best["accuracy"]:
            path = folder / checkpoint_filename(f"{model_name}-best", stats.epoch, accuracy)
            utils.save_checkpoint(path, **state, val_acc=stats.val_acc)
            if best["path"] is not None:
                best["path"].unlink()
            best.update(accuracy=stats.val_acc, path=path)

    return on_epoch_end
