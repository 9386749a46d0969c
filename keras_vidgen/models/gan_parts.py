"""Helpers of `VideoGAN`: network input specs, discriminator heads, the EMA update."""

import tensorflow as tf


def input_shapes(model):
    """Returns `{input name: shape without batch}` of a functional model."""
    return {tensor.name: tuple(tensor.shape[1:]) for tensor in model.inputs}


def video_input_name(discriminator):
    """The discriminator's clip input: "video", or its only input whatever its name."""
    names = list(input_shapes(discriminator))
    if len(names) == 1:
        return names[0]
    if "video" not in names:
        raise ValueError(f"A discriminator with several inputs needs one named 'video'; got {names}.")
    return "video"


def heads(logits):
    """A discriminator's output as a list of logits tensors (one tensor, a list, or a dict)."""
    if isinstance(logits, dict):
        return [logits[key] for key in sorted(logits)]
    if isinstance(logits, (list, tuple)):
        return list(logits)
    return [logits]


def per_example_mean(tensor):
    """Mean over all non-batch axes: `[N, ...]` -> `[N]`."""
    if tensor.shape.rank == 1:
        return tensor
    return tf.reduce_mean(tf.reshape(tensor, [tf.shape(tensor)[0], -1]), axis=1)


def sum_over_heads(function, *head_lists):
    """Sums a per-example loss over discriminator heads: `sum_h function(head_h, ...)`."""
    return tf.add_n([function(*args) for args in zip(*head_lists)])


def update_ema(ema_model, model, decay):
    """`w_ema = decay * w_ema + (1 - decay) * w` for trainable weights; a plain copy for the rest
    (BatchNorm statistics, which are already averages)."""
    for shadow, source in zip(ema_model.variables, model.variables):
        if source.trainable:
            shadow.assign(decay * shadow + (1.0 - decay) * source)
        else:
            shadow.assign(source)


def copy_weights(target, source):
    for shadow, variable in zip(target.variables, source.variables):
        shadow.assign(variable)


def to_float_clips(clips):
    """uint8 clips in [0, 255] -> float32 in [-1, 1]; float clips are taken as already in it."""
    clips = tf.convert_to_tensor(clips)
    if clips.dtype == tf.uint8:
        return tf.cast(clips, tf.float32) / 127.5 - 1.0
    return tf.cast(clips, tf.float32)
