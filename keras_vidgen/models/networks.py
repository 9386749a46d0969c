"""What a GAN needs to know of its two networks: their inputs by name (the generator's `z`,
`label`, `context`, `times` of `keras_vidgen.signatures`) and whether they fit together, the
discriminator's heads and the features they are computed from, the EMA of a generator's
weights, which networks add losses of their own. Functions of networks and tensors; `VideoGAN`
composes them."""

import collections

import keras
import tensorflow as tf

from keras_vidgen.layers.penalty import Penalty
from keras_vidgen.signatures import CONTEXT, LABEL, LATENT, TIMES

# What a generator and discriminator pair says about the GAN they make (see `network_specs`).
NetworkSpecs = collections.namedtuple(
    "NetworkSpecs",
    ["latent_dim", "context_frames", "conditional", "video_input", "video_shape", "sparse_frames"],
)

# What a batch of clips is conditioned on, travelling together from the data to both networks:
# class `labels [N]`, the `context` frames a generator continues, and the `times [N, K]` of the
# frames of a continuous-time GAN (each `None` when the GAN has no such input).
Conditions = collections.namedtuple("Conditions", ["labels", "context", "times"],
                                    defaults=(None, None, None))


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


def network_specs(generator, discriminator, num_classes):
    """Checks that a generator and a discriminator make one GAN; returns its `NetworkSpecs`.

    Args:
        generator: a functional model with input `z` (and optionally `label`, `context`).
        discriminator: a functional model with a clip input (and `label` if the generator has one).
        num_classes: the number of classes; given exactly when the generator has a `label` input.

    Returns:
        `NetworkSpecs(latent_dim, context_frames, conditional, video_input, video_shape,
        sparse_frames)`; a continuous-time generator (one with a `times` input) renders any
        number of frames, and `sparse_frames` is how many of a clip's its discriminator judges
        (0 for every other generator). Its `video_shape` then starts with `None`.

    Raises:
        ValueError: if the two do not fit together (inputs, conditioning or clip shape).
    """
    g_inputs = input_shapes(generator)
    if LATENT not in g_inputs:
        raise ValueError(f"The generator needs an input named {LATENT!r}; it has {sorted(g_inputs)}.")
    latent_dim = int(g_inputs[LATENT][-1])
    context_frames = int(g_inputs[CONTEXT][0]) if CONTEXT in g_inputs else 0
    conditional = LABEL in g_inputs
    if conditional != bool(num_classes):
        raise ValueError(
            "num_classes must be given exactly when the generator has a 'label' input "
            f"(generator inputs {sorted(g_inputs)}, num_classes={num_classes})."
        )
    d_inputs = input_shapes(discriminator)
    if (LABEL in d_inputs) != conditional:
        raise ValueError("The generator and the discriminator must both take a 'label' or neither.")
    if (TIMES in d_inputs) != (TIMES in g_inputs):
        raise ValueError("The generator and the discriminator must both take frame 'times' or neither.")
    video_input = video_input_name(discriminator)
    video_shape = tuple(None if d is None else int(d) for d in generator.output_shape[1:])
    expected = tuple(int(d) for d in d_inputs[video_input])
    sparse_frames = expected[0] if TIMES in g_inputs else 0
    # A continuous-time generator renders as many frames as it is given times.
    compared = (video_shape[1:], expected[1:]) if sparse_frames else (video_shape, expected)
    if compared[0] != compared[1]:
        raise ValueError(
            f"The generator makes videos of shape {video_shape} but the discriminator "
            f"expects {expected}; build both for the same frames, size and channels."
        )
    return NetworkSpecs(latent_dim, context_frames, conditional, video_input, video_shape,
                        sparse_frames)


def heads(logits):
    """A discriminator's output as a list of logits tensors (one tensor, a list, or a dict)."""
    if isinstance(logits, dict):
        return [logits[key] for key in sorted(logits)]
    if isinstance(logits, (list, tuple)):
        return list(logits)
    return [logits]


def with_features(discriminator):
    """The discriminator with a second output: the features its logits are computed from.

    A functional model sharing the discriminator's layers and weights, called as it is:
    `{"logits": its outputs (any structure `heads` takes), "features": float32 [N, F]}`, where
    the features are the input of each layer that outputs a head, flattened per example and
    joined in `heads`' order (for stylegan-v the last hidden layer, which has seen the clip's
    frames with their time gaps and the batch's standard deviation).

    Raises:
        ValueError: if a head is not the output of one of the discriminator's layers.
    """
    producers = {id(layer.output): layer for layer in discriminator.layers
                 if not isinstance(layer.output, (list, tuple, dict))}
    features = []
    for head in heads(discriminator.output):
        layer = producers.get(id(head))
        if layer is None:
            raise ValueError(f"The discriminator's output {head.name!r} is not the output of one "
                             "of its layers, so there are no features it was computed from.")
        source = layer.input[0] if isinstance(layer.input, (list, tuple)) else layer.input
        features.append(keras.layers.Flatten()(source))
    joined = features[0] if len(features) == 1 else keras.layers.Concatenate()(features)
    joined = keras.layers.Activation("linear", dtype="float32")(joined)
    return keras.Model(discriminator.input, {"logits": discriminator.output, "features": joined},
                       name=f"{discriminator.name}_with_features")


def generator_inputs(z, conditions=Conditions()):
    """A generator's inputs by name: `z` alone for an unconditional one, else a dict with the
    `label`s, `context` frames and/or `times` of `conditions`."""
    given = {LATENT: z, LABEL: conditions.labels, CONTEXT: conditions.context,
             TIMES: conditions.times}
    inputs = {name: value for name, value in given.items() if value is not None}
    return inputs if len(inputs) > 1 else z


def discriminator_inputs(videos, conditions, video_input):
    """A discriminator's inputs: the videos alone, or a dict with the `label`s and/or `times`."""
    given = {video_input: videos, LABEL: conditions.labels, TIMES: conditions.times}
    inputs = {name: value for name, value in given.items() if value is not None}
    return inputs if len(inputs) > 1 else videos


def sum_over_heads(function, *head_lists):
    """Sums a per-example loss over discriminator heads: `sum_h function(head_h, ...)`."""
    return tf.add_n([function(*args) for args in zip(*head_lists)])


def ema_decay_at(decay, updates):
    """The EMA decay after `updates` updates: `min(decay, (1 + n) / (10 + n))`.

    The warm-up of `tf.train.ExponentialMovingAverage(num_updates)`, so a short run's average is
    not dominated by the untrained initial weights.
    """
    updates = tf.cast(updates, tf.float32)
    return tf.minimum(decay, (1.0 + updates) / (10.0 + updates))


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


def ramped_penalties(model):
    """A network's `Penalty` layers whose weight follows a schedule over training steps."""
    return [layer for layer in model._flatten_layers() if isinstance(layer, Penalty) and layer.ramp]


def set_penalty_step(model, step):
    """Tells a network's scheduled penalties (`ramped_penalties`) the training step."""
    for layer in ramped_penalties(model):
        layer.step.assign(tf.cast(step, layer.step.dtype))


def adds_losses(model):
    """Whether a network adds losses of its own when called (e.g. VGAN's mask penalty, the
    predictor's leashes on its heads)."""
    def adds(layer):
        regularisers = ("activity_regularizer", "kernel_regularizer", "bias_regularizer")
        return (isinstance(layer, Penalty)
                or any(getattr(layer, r, None) for r in regularisers))

    return any(adds(layer) for layer in model._flatten_layers())
