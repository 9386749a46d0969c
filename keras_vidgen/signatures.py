"""The serving signatures of a generator, derived from the generator's own inputs.

A generator takes `z` (float `[N, latent_dim]`) and, if it is conditional, a `label` input (class
index) and/or a `context` input (float frames in [-1, 1] to continue). Every signature takes the
same conditions in serving form and returns the same two outputs:

    serving_default     inputs  z float32 [N, latent_dim]
    generate_from_seed  inputs  seed int64 [], num int32 []   (N = num; same seed, same videos)
    both, if the generator has them:  label int32 [N], context uint8 [N, k, H, W, C]
    both                outputs video uint8 [N, T, H, W, C], video_float float32 (same, [-1, 1])

Everything here is core TensorFlow, so the same functions run in Python and inside a SavedModel.
"""

import numpy as np
import tensorflow as tf

from keras_vidgen import latents, media

LATENT, LABEL, CONTEXT, TIMES = "z", "label", "context", "times"
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
        ValueError: an input is not named `z`, `label` or `context`, or there is no `z`.
    """
    names = [tensor.name for tensor in generator.inputs]
    unknown = sorted(set(names) - {LATENT, LABEL, CONTEXT})
    if unknown or LATENT not in names:
        raise ValueError(
            f"The generator {generator.name!r} has inputs {names}; export needs a `z` input and "
            f"understands only `z`, `label` and `context`: rename the keras.Input layers."
        )
    return names


def latent_dim(generator):
    """Returns the length of the generator's `z` input."""
    return int(_inputs_by_name(generator)[LATENT].shape[-1])


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
        inputs = dict(inputs)
        num = inputs.pop("num")
        for name, tensor in inputs.items():
            if name != "seed":
                tf.debugging.assert_equal(
                    tf.shape(tensor)[0], num, message=f"{name} must have `num` rows"
                )
        inputs[LATENT] = latents.seeded_latents(num, dim, inputs.pop("seed"))
        return outputs(run_generator(generator, inputs))

    latent_spec = tf.TensorSpec([None, dim], tf.float32, name=LATENT)
    seed_specs = [tf.TensorSpec([], tf.int64, name="seed"), tf.TensorSpec([], tf.int32, name="num")]
    return {
        SERVING_DEFAULT: Signature(SERVING_DEFAULT, [latent_spec, *conditions], from_latents),
        FROM_SEED: Signature(FROM_SEED, [*seed_specs, *conditions], from_seed),
    }


def run_generator(generator, inputs, training=False):
    """Runs the generator on serving-form inputs; returns float videos in [-1, 1].

    Args:
        generator: as for `build_signatures`.
        inputs: dict with `z` float `[N, latent_dim]`, and `label` int `[N]` / `context` uint8
            `[N, k, H, W, C]` if the generator has those inputs.
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
    return tf.cast(video, tf.float32)


def outputs(video_float):
    """Returns a signature's outputs for float videos: `video` uint8 and `video_float` float32."""
    return {"video": media.to_uint8(video_float), "video_float": video_float}


def sample_inputs(generator, name, num=2):
    """Returns valid numpy inputs for signature `name`: for verifying an export and warming it up.

    Labels are 0 (valid for any number of classes); context frames are fixed random pixels.
    """
    inputs = {}
    if name == SERVING_DEFAULT:
        inputs[LATENT] = latents.seeded_latents(num, latent_dim(generator), seed=0).numpy()
    else:
        inputs.update(seed=np.int64(0), num=np.int32(num))
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
