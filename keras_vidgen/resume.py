"""Surviving a killed run: step backups, and resuming at the exact step that was saved.

`StepBackup` writes the model's whole state (both networks, the EMA generator, both optimizers,
the random-stream state) every N steps, atomically. `fit_resumable` restores the latest backup
and fits only the steps that remain, on the data stream from where it was, so a run killed at any
point and rerun with the same command ends with the same weights as one that was never killed.

Keras's `BackupAndRestore` is not used: in Keras 3.15 it restores the epoch but not the step
within it, so a run killed mid-epoch repeats the epoch's finished steps (on top of their saved
result, and on the epoch's first batches again), and its two-file write is not atomic.
"""

import os

import keras

WEIGHTS = "latest.weights.h5"


class StepBackup(keras.callbacks.Callback):
    """Saves the model's weights (optimizer and seed state included) every `every_n_steps`.

    The file is written beside its final name and renamed over it, so a process killed while
    writing leaves the previous backup intact. The step is the discriminator optimizer's count,
    which `VideoGAN` advances once per fit step.

    Args:
        backup_dir: folder of the backup (created if needed).
        every_n_steps: how often to save; the end of every epoch is saved too.
    """

    def __init__(self, backup_dir, every_n_steps):
        super().__init__()
        self.backup_dir = backup_dir
        self.every_n_steps = every_n_steps

    def on_train_batch_end(self, batch, logs=None):
        if self.every_n_steps and global_step(self.model) % self.every_n_steps == 0:
            self.save()

    def on_epoch_end(self, epoch, logs=None):
        self.save()

    def save(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        final = os.path.join(self.backup_dir, WEIGHTS)
        partial = os.path.join(self.backup_dir, "partial." + WEIGHTS)
        self.model.save_weights(partial, overwrite=True)
        os.replace(partial, final)


def global_step(model):
    """Fit steps the `VideoGAN` has taken (`VideoGAN.fit_steps`), as an int."""
    return int(model.fit_steps.numpy())


def restore(model, backup_dir):
    """Loads the latest backup into a compiled model, if there is one; returns its step (0 if none)."""
    path = os.path.join(backup_dir, WEIGHTS)
    if not os.path.exists(path):
        return 0
    model.load_weights(path)
    return global_step(model)


def fit_resumable(model, make_dataset, epochs, steps_per_epoch, callbacks=(), backup_dir=None,
                  backup_every=0, verbose="auto"):
    """`model.fit(make_dataset(), epochs, steps_per_epoch)` that resumes from `backup_dir`.

    With a backup at step `s`, training continues at step `s` on the batches a never-interrupted
    run would see there (`make_dataset().skip(s)`), finishing the interrupted epoch with its
    remaining steps first. The backup is deleted once training completes (it is
    kept when a callback such as `TimeLimit` stops training early, so a rerun continues).

    `make_dataset` must return a new, deterministic (seeded), endlessly repeating dataset on
    every call: tf.data gives each new iterator of one reshuffling dataset object a new order.
    Skipping decodes the skipped batches; a pipeline that can start at a batch without decoding
    would make resuming a long run faster.

    Args:
        model: a compiled `VideoGAN`.
        make_dataset: a function returning the training `tf.data.Dataset`.
        epochs, steps_per_epoch: of the whole run, as for `fit`.
        callbacks: more callbacks.
        backup_dir: where backups go; None fits without them.
        backup_every: steps between backups (0: at epoch ends only).
        verbose: passed to `fit`.

    Returns:
        The step training resumed from (0 for a fresh run).
    """
    callbacks = list(callbacks)
    start = 0
    if backup_dir:
        start = restore(model, backup_dir)
        if start:
            print(f"Resuming from the backup in {backup_dir} at step {start}.")
        callbacks.append(StepBackup(backup_dir, backup_every))
    done = start
    while done < epochs * steps_per_epoch and not model.stop_training:
        epoch, into_epoch = divmod(done, steps_per_epoch)
        # A partial epoch first, alone; then all whole epochs in one fit.
        last_epoch = epoch + 1 if into_epoch else epochs
        steps = steps_per_epoch - into_epoch
        model.fit(make_dataset().skip(done), initial_epoch=epoch, epochs=last_epoch, steps_per_epoch=steps,
                  shuffle=False, callbacks=callbacks, verbose=verbose)
        done = global_step(model)
        if into_epoch == 0:
            break
    if backup_dir and os.path.exists(os.path.join(backup_dir, WEIGHTS)) and not model.stop_training:
        os.remove(os.path.join(backup_dir, WEIGHTS))
    return start
