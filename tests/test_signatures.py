import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import media, signatures
from keras_vidgen.latents import seeded_latents


def specs_of(signature):
    return {name: (spec.dtype, spec.shape.as_list())
            for name, spec in signature.structured_input_signature[1].items()}


def test_an_unconditional_generator_gets_z_and_seed_signatures(make_generator):
    built = signatures.build_signatures(make_generator())
    assert specs_of(built["serving_default"]) == {"z": (tf.float32, [None, 8])}
    assert specs_of(built["generate_from_seed"]) == {"seed": (tf.int64, []), "num": (tf.int32, [])}


def test_conditional_inputs_appear_in_both_signatures_in_serving_form(make_generator):
    generator = make_generator(label_classes=3, context_frames=1)
    for signature in signatures.build_signatures(generator).values():
        specs = specs_of(signature)
        assert specs["label"] == (tf.int32, [None])
        assert specs["context"] == (tf.uint8, [None, 1, 8, 8, 3])


def test_the_label_reaches_the_generator(make_generator):
    generator = make_generator(label_classes=3)
    serve = signatures.build_signatures(generator)["serving_default"]
    z = seeded_latents(2, 8, seed=0)
    out = serve(z=z, label=tf.constant([2, 2], tf.int32))
    np.testing.assert_allclose(
        out["video_float"], generator([z, tf.constant([[2], [2]])], training=False), atol=1e-6
    )
    assert not np.array_equal(out["video"], serve(z=z, label=tf.constant([0, 0]))["video"])


def test_context_pixels_are_mapped_to_the_generators_float_range(make_generator):
    generator = make_generator(context_frames=1)
    serve = signatures.build_signatures(generator)["serving_default"]
    z = seeded_latents(2, 8, seed=0)
    pixels = np.random.default_rng(0).integers(0, 256, (2, 1, 8, 8, 3), dtype=np.uint8)
    out = serve(z=z, context=tf.constant(pixels))
    expected = generator([z, media.to_float(pixels)], training=False)
    np.testing.assert_allclose(out["video_float"], expected, atol=1e-6)


def test_generate_from_seed_equals_serving_default_on_the_seeds_latents(make_generator):
    built = signatures.build_signatures(make_generator(label_classes=3))
    label = tf.constant([1, 0, 2], tf.int32)
    from_seed = built["generate_from_seed"](seed=tf.constant(5, tf.int64), num=tf.constant(3), label=label)
    direct = built["serving_default"](z=seeded_latents(3, 8, seed=5), label=label)
    np.testing.assert_array_equal(from_seed["video"], direct["video"])


def test_generate_from_seed_refuses_a_label_per_wrong_count(make_generator):
    built = signatures.build_signatures(make_generator(label_classes=3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="label must have `num` rows"):
        built["generate_from_seed"](seed=tf.constant(5, tf.int64), num=tf.constant(3),
                                    label=tf.constant([1], tf.int32))


def test_generate_from_seed_checks_the_rows_before_the_generator_runs(make_generator):
    """In a graph an assertion runs whenever the executor gets to it: unless the generator's ops
    depend on it, a wrong count of labels may fail inside the generator first, with a shape error
    that does not say what to fix (seen once in CI)."""
    built = signatures.build_signatures(make_generator(label_classes=3))
    graph = built["generate_from_seed"].function.get_concrete_function().graph
    checks = {op for op in graph.get_operations() if op.type == "Assert"}
    assert checks

    def depends_on_a_check(op, seen):
        if op in checks:
            return True
        if op in seen:
            return False
        seen.add(op)
        return any(depends_on_a_check(parent, seen)
                   for parent in [tensor.op for tensor in op.inputs] + list(op.control_inputs))

    generator_ops = [op for op in graph.get_operations() if op.type in ("MatMul", "ConcatV2")]
    assert generator_ops
    assert all(depends_on_a_check(op, set()) for op in generator_ops)


def test_unknown_generator_inputs_are_named():
    z = keras.Input((4,), name="z")
    style = keras.Input((2,), name="style")
    generator = keras.Model([z, style], keras.layers.Concatenate()([z, style]))
    with pytest.raises(ValueError, match=r"\['z', 'style'\].*rename"):
        signatures.build_signatures(generator)


def test_sample_inputs_fit_every_signature(make_generator):
    generator = make_generator(label_classes=3, context_frames=1)
    for name, signature in signatures.build_signatures(generator).items():
        out = signature(**signatures.sample_inputs(generator, name, num=2))
        assert out["video"].shape == (2, 2, 8, 8, 3) and out["video"].dtype == tf.uint8
