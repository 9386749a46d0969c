"""Timing training steps from inside `fit()`, shared by the benchmarks.

Timing whole `fit()` calls measures fit's start-up and teardown, not training: on this machine
a `fit()` over a `tf.data` pipeline sometimes takes ~9 s more to return after its last step
(tf.data tearing down its iterator), so the same model read 10.5 and 5.9 clips/s in
consecutive 15-step calls. Step times recorded by a callback leave that out, and still include
any wait for the next batch (Keras fetches it inside the step).
"""

import time

import keras


class StepTimer(keras.callbacks.Callback):
    """Records the wall time of every training step."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._started = None

    def on_train_batch_begin(self, batch, logs=None):
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds.append(time.perf_counter() - self._started)


def fit_step_seconds(model, dataset, steps, warmup):
    """Runs `warmup + steps` steps in one `fit()`; returns the timed steps' seconds."""
    timer = StepTimer()
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[timer])
    return timer.seconds[warmup:]
