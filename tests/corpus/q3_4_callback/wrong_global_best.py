# hint: best-so-far
"""The best accuracy in a module-level variable: a second callback starts from the first one's best."""

BEST = {"accuracy": float("-inf"), "path": None}


def make_checkpoint_callback(folder, model_name, run, every):
    def on_epoch_end(stats):
        state = dict(model=run.model, optimizer=run.optimizer, scheduler=run.scheduler, epoch=stats.epoch)
        if stats.epoch % every == 0:
            name = checkpoint_filename(model_name, stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(folder / name, **state, val_acc=stats.val_acc)
        if stats.val_acc > BEST["accuracy"]:
            path = folder / checkpoint_filename(f"{model_name}-best", stats.epoch, 100 * stats.val_acc)
            utils.save_checkpoint(path, **state, val_acc=stats.val_acc)
            if BEST["path"] is not None and BEST["path"].exists():
                BEST["path"].unlink()
            BEST.update(accuracy=stats.val_acc, path=path)

    return on_epoch_end
