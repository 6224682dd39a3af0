"""A small class whose instances are the callback."""

import os


class CheckpointKeeper:
    def __init__(self, folder, model_name, run, every):
        self.folder, self.model_name, self.run, self.every = folder, model_name, run, every
        self.best_accuracy, self.best_path = None, None

    def __call__(self, stats):
        save = lambda path: utils.save_checkpoint(
            path, self.run.model, self.run.optimizer, self.run.scheduler, epoch=stats.epoch, val_acc=stats.val_acc
        )
        if stats.epoch % self.every == 0:
            save(self.folder / checkpoint_filename(self.model_name, stats.epoch, 100 * stats.val_acc))
        if self.best_accuracy is None or stats.val_acc > self.best_accuracy:
            path = self.folder / checkpoint_filename(f"{self.model_name}-best", stats.epoch, 100 * stats.val_acc)
            save(path)
            if self.best_path is not None:
                os.remove(self.best_path)
            self.best_accuracy, self.best_path = stats.val_acc, path


def make_checkpoint_callback(folder, model_name, run, every):
    return CheckpointKeeper(folder, model_name, run, every)
