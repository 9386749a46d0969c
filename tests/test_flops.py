import keras
import pytest
import tensorflow as tf

from keras_vidgen import flops
from keras_vidgen.models import build_video_gan, stylegan_v


def profiled_flops(layer, input_shape):
    """FLOPs TensorFlow's own profiler counts for one forward pass of `layer`."""
    function = tf.function(lambda x: layer(x)).get_concrete_function(tf.TensorSpec(input_shape, tf.float32))
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    profile = tf.compat.v1.profiler.profile(graph=function.graph, options=options)
    return profile.total_float_ops


@pytest.mark.parametrize(
    "layer, input_shape",
    [
        (keras.layers.Conv3D(6, (3, 4, 4), strides=(1, 2, 2), padding="same", use_bias=False), (2, 4, 8, 8, 3)),
        (keras.layers.Dense(7, use_bias=False), (2, 5)),
    ],
)
def test_layer_formula_matches_tensorflows_profiler(layer, input_shape):
    inputs = keras.Input(input_shape[1:])
    keras.Model(inputs, layer(inputs))  # builds the layer with known input and output shapes
    assert flops.layer_forward_flops(layer, input_shape[0]) == profiled_flops(layer, input_shape)


def test_transposed_convolution_costs_what_the_convolution_it_transposes_costs():
    # Conv3DTranspose(8 -> 6 ch) on x costs the same as the Conv3D(6 -> 8 ch) that maps back.
    small, large = keras.Input((2, 4, 4, 8)), keras.Input((4, 8, 8, 6))
    up = keras.layers.Conv3DTranspose(6, 4, strides=2, padding="same")
    down = keras.layers.Conv3D(8, 4, strides=2, padding="same")
    keras.Model(small, up(small)), keras.Model(large, down(large))
    assert flops.layer_forward_flops(up, 3) == flops.layer_forward_flops(down, 3)


def test_gan_step_is_four_generator_and_eight_discriminator_passes():
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8)
    g, d = flops.model_forward_flops(gan.generator, 2), flops.model_forward_flops(gan.discriminator, 2)
    assert g > 0 and d > 0
    assert flops.gan_step_flops(gan, 2) == 4 * g + 8 * d


def test_a_spectrally_normalised_layer_counts_as_the_layer_it_wraps():
    from keras_vidgen.layers import SpectralNorm

    inputs = keras.Input((4, 8, 8, 3))
    plain = keras.layers.Conv3D(6, 3, padding="same")
    wrapped = SpectralNorm(keras.layers.Conv3D(6, 3, padding="same"))
    keras.Model(inputs, [plain(inputs), wrapped(inputs)])
    assert flops.layer_forward_flops(wrapped, 2) == flops.layer_forward_flops(plain, 2) > 0


def test_a_modulated_convolution_counts_as_its_convolution():
    from keras_vidgen.layers import ModulatedConv2D

    image, style = keras.Input((8, 8, 5)), keras.Input((12,))
    modulated, plain = ModulatedConv2D(6, 3), keras.layers.Conv2D(6, 3, padding="same")
    keras.Model([image, style], [modulated([image, style]), plain(image)])
    assert flops.layer_forward_flops(modulated, 2) == flops.layer_forward_flops(plain, 2) > 0


def test_a_continuous_time_generator_is_counted_for_each_frame_it_renders_but_per_clip_layers():
    gan = build_video_gan("stylegan-v", 8, 4, 16, g_filters=16, d_filters=8, still_background=True)
    per_clip = [layer for layer in gan.generator.layers if stylegan_v.per_clip_layer(layer)]
    assert {"mapping0", "background_synthesis_project", "background_to_rgb"} <= {
        layer.name for layer in per_clip}
    # A sprite is drawn once a clip too; only its path is computed for each frame.
    sprite_gan = build_video_gan("stylegan-v", 8, 4, 16, g_filters=16, d_filters=8, still_background=True,
                                 sprite_foreground=True)
    sprite = sprite_gan.generator
    assert {layer.name for layer in sprite.layers if stylegan_v.per_clip_layer(layer)} >= {
        "sprite_synthesis_project", "sprite_to_rgb"}
    assert not stylegan_v.per_clip_layer(sprite.get_layer("shift_hidden0"))
    # Its path runs once a frame, on the frames' batch; the drawing once a clip: a cheaper step.
    assert 0 < flops.gan_step_flops(sprite_gan, 2) < flops.gan_step_flops(gan, 2)
    once = sum(flops.layer_forward_flops(layer, 1) for layer in per_clip)
    assert once > 0
    # 2 clips of 3 frames: the frames' layers count 6 times, the clips' (mapping, background) 2.
    g = flops.model_forward_flops(gan.generator, 2 * 3) - (6 - 2) * once
    d = flops.model_forward_flops(gan.discriminator, 2)
    assert flops.gan_step_flops(gan, 2) == 4 * g + 8 * d
