"""After saving a new best, deletes every other best file it finds."""


def make_checkpoint_callback(folder, model_name, run, every):
    best = [None]

    def on_epoch_end(stats):
        kwargs = {"epoch": stats.epoch, "val_acc": stats.val_acc}
        if stats.epoch % every == 0:
            path = folder / checkpoint_filename(model_name, stats.epoch, stats.val_acc * 100)
            utils.save_checkpoint(path, run.model, run.optimizer, run.scheduler, **kwargs)
        if best[0] is None or stats.val_acc > best[0]:
            best[0] = stats.val_acc
            new = folder / checkpoint_filename(f"{model_name}-best", stats.epoch, stats.val_acc * 100)
            utils.save_checkpoint(new, run.model, run.optimizer, run.scheduler, **kwargs)
            for old in folder.glob(f"{model_name}-best_*.pth"):
                if old != new:
                    old.unlink()

    return on_epoch_end
