"""Video in, video out: which frames of a clip a task gives the generator and which it asks for.

Tasks (`keras_vidgen.choices.TASKS`):

- "generate": videos from noise (`VideoGAN`; nothing observed).
- "predict": the first `k` frames observed, the remaining `T - k` produced (the future).
- "interpolate": the first `k / 2` and the last `k / 2` frames observed, the `T - k` between
  them produced (in-betweening, frame-rate upsampling).

A generator for "predict" or "interpolate" takes the observed frames (input `observed`, float
`[N, k, H, W, C]` in [-1, 1]) and, when trained adversarially, a latent `z`, and outputs only the
produced frames `[N, T - k, H, W, C]`. `split_clip` and `assemble_clip` are each other's inverse,
so the discriminator judges the whole clip with the produced frames in their place, seams
included. Functions of tensors, any backend op is TensorFlow's.
"""

import tensorflow as tf

# The generator's input of observed frames (its latent input is `signatures.LATENT`, "z").
OBSERVED = "observed"
TASKS_WITH_OBSERVED = ("predict", "interpolate")


def produced_count(frames, observed):
    """The frames a predict or interpolate generator outputs for clips of `frames`."""
    return frames - observed


def split_clip(clip, task, observed):
    """Splits clips `[N, T, ...]` into `(observed frames, frames to produce)`.

    Args:
        clip: a tensor (or array) of clips, time on axis 1.
        task: "predict" or "interpolate".
        observed: the number of observed frames `k` (even for "interpolate").

    Returns:
        `(observed [N, k, ...], target [N, T - k, ...])`.

    Example:
        >>> split_clip(tf.reshape(tf.range(6), [1, 6]), "interpolate", 2)
        (<... [[0, 5]]>, <... [[1, 2, 3, 4]]>)
    """
    if task == "predict":
        return clip[:, :observed], clip[:, observed:]
    if task == "interpolate":
        head, frames = observed // 2, clip.shape[1]
        tail = frames - (observed - head)
        return tf.concat([clip[:, :head], clip[:, tail:]], axis=1), clip[:, head:tail]
    raise ValueError(f"Task {task!r} observes no frames; expected one of {TASKS_WITH_OBSERVED}.")


def assemble_clip(observed, produced, task):
    """Puts observed and produced frames back in clip order: the inverse of `split_clip`.

    Args:
        observed: `[N, k, ...]`.
        produced: `[N, T - k, ...]`, of the same dtype.
        task: "predict" or "interpolate".

    Returns:
        `[N, T, ...]`.
    """
    if task == "predict":
        return tf.concat([observed, produced], axis=1)
    if task == "interpolate":
        head = observed.shape[1] // 2
        return tf.concat([observed[:, :head], produced, observed[:, head:]], axis=1)
    raise ValueError(f"Task {task!r} observes no frames; expected one of {TASKS_WITH_OBSERVED}.")


def nearest_observed(task, observed):
    """The index, among the `observed` frames, of the one just before the produced frames: the
    last for "predict", the last of the first half for "interpolate"."""
    if task == "predict":
        return observed - 1
    if task == "interpolate":
        return observed // 2 - 1
    raise ValueError(f"Task {task!r} observes no frames; expected one of {TASKS_WITH_OBSERVED}.")


def copy_last_frame(observed, produced_frames):
    """The baseline every predictor must beat: the last observed frame, repeated.

    Args:
        observed: `[N, k, H, W, C]`.
        produced_frames: how many frames to predict.

    Returns:
        `[N, produced_frames, H, W, C]`.
    """
    last = observed[:, -1:]
    return tf.repeat(last, produced_frames, axis=1)


def roll_out(produce, observed, total):
    """Predicts further than a model was trained to, by feeding its predictions back.

    Each round gives `produce` the last `k` frames known so far (observed or predicted) and
    appends what it returns, until `total` frames follow the observed ones. Errors compound:
    the frames of later rounds are predicted from predictions (see the PSNR-over-time curve of
    `benchmarks/bench_prediction.py`).

    Args:
        produce: a function from frames `[N, k, H, W, C]` to the next frames `[N, F, H, W, C]`
            (same dtype), e.g. `VideoPredictor.predict_frames`.
        observed: `[N, k, H, W, C]` numpy array.
        total: how many frames to predict (any number; the last round is cut to fit).

    Returns:
        numpy `[N, total, H, W, C]`: the predicted frames only.
    """
    import numpy as np

    known, count = np.asarray(observed), observed.shape[1]
    predicted = []
    while sum(part.shape[1] for part in predicted) < total:
        step = np.asarray(produce(known[:, -count:]))
        predicted.append(step)
        known = np.concatenate([known, step], axis=1)
    return np.concatenate(predicted, axis=1)[:, :total]
