"""A dict as the closure's memory; `>` so that a tie keeps the earlier best."""


def make_checkpoint_callback(folder, model_name, run, every):
    folder = Path(folder)
    memory = {"best": None, "path": None}

    def on_epoch_end(stats):
        if stats.epoch % every == 0:
            path = folder / checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(
                path, run.model, run.optimizer, run.scheduler, epoch=stats.epoch, val_acc=stats.val_acc
            )
        if memory["best"] is None or stats.val_acc > memory["best"]:
            path = folder / checkpoint_filename(f"{model_name}-best", stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(
                path, run.model, run.optimizer, run.scheduler, epoch=stats.epoch, val_acc=stats.val_acc
            )
            if memory["path"] is not None and memory["path"] != path:
                memory["path"].unlink()
            memory["best"], memory["path"] = stats.val_acc, path

    return on_epoch_end
