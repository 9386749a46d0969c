"""The serving signatures of a generator, derived from the generator's own inputs.

A generator takes `z` (float `[N, latent_dim]`) and, if it is conditional, a `label` input (class
index) and/or a `context` input (float frames in [-1, 1] to continue); a continuous-time generator
(`stylegan-v`) also takes the `times` of the frames to render. Every signature takes the same
conditions in serving form and returns the same two outputs:

    serving_default     inputs  z float32 [N, latent_dim]
                                (continuous-time: and times float32 [N, T], frame times, any T)
    generate_from_seed  inputs  seed int64 [], num int32 []   (N = num; same seed, same videos)
                                (continuous-time: and frames int32 [], renders times 0..frames-1)
    both, if the generator has them:  label int32 [N], context uint8 [N, k, H, W, C]
    both                outputs video uint8 [N, T, H, W, C], video_float float32 (same, [-1, 1])

Everything here is core TensorFlow, so the same functions run in Python and inside a SavedModel.
"""

import numpy as np
import tensorflow as tf

from keras_vidgen import latents, media

LATENT, LABEL, CONTEXT, TIMES = "z", "label", "context", "times"
# `generate_from_seed`'s frame count for a continuous-time generator.
FRAMES = "frames"
SERVING_DEFAULT, FROM_SEED = "serving_default", "generate_from_seed"
NAMES = (SERVING_DEFAULT, FROM_SEED)
OUTPUTS = ("video", "video_float")


class Signature:
    """One named signature: a `tf.function` over named tensors, callable with keywords.

    Called in Python it behaves like a loaded SavedModel's `signatures[name]`: keyword tensors in,
    a dict of `video` and `video_float` out.

    Attributes:
        name: the signature's name.
        specs: its input `tf.TensorSpec`s, named.
        function: the `tf.function` (positional, in `specs` order) that an export archive holds.
    """

    def __init__(self, name, specs, body):
        self.name = name
        self.specs = list(specs)
        names = [spec.name for spec in self.specs]

        @tf.function(input_signature=self.specs)
        def function(*tensors):
            return body(dict(zip(names, tensors)))

        self.function = function

    def __call__(self, **inputs):
        return self.function(*[inputs[spec.name] for spec in self.specs])

    @property
    def structured_input_signature(self):
        """`((), {name: TensorSpec})`, as a loaded SavedModel signature reports its inputs."""
        return (), {spec.name: spec for spec in self.specs}

    @property
    def structured_outputs(self):
        """`{name: tensor}` with the outputs' shapes, as a loaded SavedModel signature has."""
        return self.function.get_concrete_function().structured_outputs


def input_names(generator):
    """Returns the generator's input names, checking that it has `z` and nothing export can't feed.

    Raises:
        ValueError: an input is not named `z`, `label`, `context` or `times`, or there is no `z`.
    """
    names = [tensor.name for tensor in generator.inputs]
    unknown = sorted(set(names) - {LATENT, LABEL, CONTEXT, TIMES})
    if unknown or LATENT not in names:
        raise ValueError(
            f"The generator {generator.name!r} has inputs {names}; export needs a `z` input and "
            f"understands only `z`, `label`, `context` and `times`: rename the keras.Input layers."
        )
    return names


def latent_dim(generator):
    """Returns the length of the generator's `z` input."""
    return int(_inputs_by_name(generator)[LATENT].shape[-1])


def continuous_time(generator):
    """Whether the generator renders frames at given `times` (any number of them)."""
    return TIMES in input_names(generator)


def condition_specs(generator, batch=None):
    """Returns the serving-form `TensorSpec`s of the generator's conditions, `[]` if unconditional."""
    inputs = _inputs_by_name(generator)
    specs = []
    if LABEL in inputs:
        specs.append(tf.TensorSpec([batch], tf.int32, name=LABEL))
    if CONTEXT in inputs:
        specs.append(tf.TensorSpec([batch, *inputs[CONTEXT].shape[1:]], tf.uint8, name=CONTEXT))
    return specs


def build_signatures(generator):
    """Returns `{name: Signature}` for `serving_default` and `generate_from_seed`.

    Args:
        generator: a built functional `keras.Model` whose inputs are named `z`, `label`, `context`.
    """
    dim = latent_dim(generator)
    conditions = condition_specs(generator)

    def from_latents(inputs):
        return outputs(run_generator(generator, inputs))

    def from_seed(inputs):
        checks = [tf.debugging.assert_equal(tf.shape(tensor)[0], inputs["num"],
                                            message=f"{name} must have `num` rows")
                  for name, tensor in inputs.items() if name not in ("seed", "num", FRAMES)]
        # Every op of the generator waits for the checks: in a graph, an assertion nothing
        # depends on may run after the generator has already failed on the mismatched rows.
        with tf.control_dependencies(checks):
            inputs = {name: tf.identity(tensor) for name, tensor in inputs.items()}
        return outputs(run_generator(generator, seed_to_generator_inputs(generator, inputs)))

    latent_spec = tf.TensorSpec([None, dim], tf.float32, name=LATENT)
    seed_specs = [tf.TensorSpec([], tf.int64, name="seed"), tf.TensorSpec([], tf.int32, name="num")]
    if continuous_time(generator):
        latent_spec = [latent_spec, tf.TensorSpec([None, None], tf.float32, name=TIMES)]
        seed_specs.append(tf.TensorSpec([], tf.int32, name=FRAMES))
    else:
        latent_spec = [latent_spec]
    return {
        SERVING_DEFAULT: Signature(SERVING_DEFAULT, [*latent_spec, *conditions], from_latents),
        FROM_SEED: Signature(FROM_SEED, [*seed_specs, *conditions], from_seed),
    }


def seed_to_generator_inputs(generator, inputs):
    """`generate_from_seed`'s inputs (`seed`, `num`, a continuous-time generator's `frames`, and
    the conditions) -> the generator's: the seed's latents, and times `0 .. frames - 1`."""
    inputs = dict(inputs)
    num = inputs.pop("num")
    inputs[LATENT] = latents.seeded_latents(num, latent_dim(generator), inputs.pop("seed"))
    if FRAMES in inputs:
        times = tf.range(tf.cast(inputs.pop(FRAMES), tf.float32))
        inputs[TIMES] = tf.tile(times[None], [num, 1])
    return inputs


def run_generator(generator, inputs, training=False):
    """Runs the generator on serving-form inputs; returns float videos clipped to [-1, 1].

    Args:
        generator: as for `build_signatures`.
        inputs: dict with `z` float `[N, latent_dim]`, and `label` int `[N]` / `context` uint8
            `[N, k, H, W, C]` / `times` float `[N, T]` if the generator has those inputs.
        training: passed to the generator.
    """
    arguments = {}
    for tensor in generator.inputs:
        value = tf.convert_to_tensor(inputs[tensor.name])
        if tensor.name == LABEL:  # [N] -> the generator's own rank, e.g. [N, 1]
            value = tf.reshape(value, [-1] + [1] * (len(tensor.shape) - 1))
        elif tensor.name == CONTEXT:
            value = media.to_float(value)
        arguments[tensor.name] = tf.cast(value, tensor.dtype)
    # By name: the package's generators take a dict of inputs, whose order is not their list's.
    video = generator(arguments if len(arguments) > 1 else arguments[LATENT], training=training)
    # Clipped: a linear output (stylegan-v's, as StyleGAN2's) may stray past [-1, 1].
    return tf.clip_by_value(tf.cast(video, tf.float32), -1.0, 1.0)


def outputs(video_float):
    """Returns a signature's outputs for float videos: `video` uint8 and `video_float` float32."""
    return {"video": media.to_uint8(video_float), "video_float": video_float}


def sample_inputs(generator, name, num=2):
    """Returns valid numpy inputs for signature `name`: for verifying an export and warming it up.

    Labels are 0 (valid for any number of classes); context frames are fixed random pixels; a
    continuous-time generator renders 4 frames (times 0, 1.5, 3, 4.5 from latents).
    """
    inputs = {}
    if name == SERVING_DEFAULT:
        inputs[LATENT] = latents.seeded_latents(num, latent_dim(generator), seed=0).numpy()
        if continuous_time(generator):
            inputs[TIMES] = np.tile(np.arange(4, dtype=np.float32) * 1.5, (num, 1))
    else:
        inputs.update(seed=np.int64(0), num=np.int32(num))
        if continuous_time(generator):
            inputs[FRAMES] = np.int32(4)
    for spec in condition_specs(generator, batch=num):
        if spec.name == LABEL:
            inputs[LABEL] = np.zeros([num], np.int32)
        else:
            rng = np.random.default_rng(0)
            inputs[CONTEXT] = rng.integers(0, 256, spec.shape, dtype=np.uint8)
    return inputs


def _inputs_by_name(generator):
    input_names(generator)
    return {tensor.name: tensor for tensor in generator.inputs}
