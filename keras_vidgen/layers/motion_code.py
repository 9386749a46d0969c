"""`MotionCode`: a video's motion as a continuous function of time (after StyleGAN-V)."""

import math

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MotionCode(keras.layers.Layer):
    """Maps a video's latent and real-valued times to motion codes, one per time.

    After StyleGAN-V (Skorokhodov et al. 2022): random motion noise at anchors `spacing` frames
    apart, interpolated linearly between the two anchors around `t` and mapped by a learned
    linear layer, plus sine and cosine features `a * sin(w t + phi)` with learned frequencies `w`
    whose phases and amplitudes come from the interpolated noise. The code at `t` depends only on
    the latent and `t`, so a frame rendered at `t` is the same whichever other times are
    rendered with it, and any real `t >= 0` can be rendered: 64 frames from a model trained on 16,
    or 4x the frame rate with `t = 0, 0.25, 0.5, ...`.

    The anchor noise is a pseudo-random function of the latent and the anchor's index, drawn
    without state: `sqrt(2) cos(z R + 2 pi (j alpha + beta))` with a fixed Gaussian `R` and
    uniform `alpha, beta` per channel. For Gaussian `z` the phase `z R` is spread over many
    periods, so each channel is zero-mean, unit-variance noise over videos; along the anchors
    each channel is a sinusoid of its own random frequency `alpha`, so the sequence never
    repeats (incommensurate frequencies) and has the same statistics at anchor 100 as at anchor 0:
    motion neither loops nor freezes past the training length. The latent alone fixes the video,
    so `z` stays the model's only random input (`generate_from_seed`, `vidgen sample`,
    interpolation between latents work as for every other architecture).

    Args:
        noise_dim: channels of the anchor noise.
        code_dim: channels of the learned map of the interpolated noise.
        frequencies: sine/cosine pairs; their periods start log-spaced from `min_period` to
            `max_period` frames and are learned.
        spacing: frames between anchors.
        max_period: the longest initial period, in frames.
        min_period: the shortest initial period, in frames. A period of 2 flips sign every frame:
            the generator can make frames flicker from the first step.
        seed: fixes `R`, `alpha`, `beta` (kept in the config, so a reloaded model has the same).
        **kwargs: passed to `keras.layers.Layer`; its `dtype` is float32 under any policy (in
            float16 a phase `w t` of 25 radians, `t = 64` at the shortest period, moves in steps
            of 1/64, and the noise's anchors blur), so a mixed-precision generator's next layer
            casts the codes down.

    Call args:
        inputs: `[z, times]`: `z [N, latent_dim]`, `times [N, K]` float frame times.

    Returns:
        `[N, K, code_dim + 2 * frequencies]`.
    """

    def __init__(self, noise_dim=64, code_dim=64, frequencies=16, spacing=8.0, max_period=64.0,
                 seed=0, min_period=2.0, **kwargs):
        super().__init__(**{**kwargs, "dtype": "float32"})
        self.noise_dim = noise_dim
        self.code_dim = code_dim
        self.frequencies = frequencies
        self.spacing = spacing
        self.max_period = max_period
        self.min_period = min_period
        self.seed = seed

    def build(self, input_shape):
        z_shape, _ = input_shape
        latent_dim = int(z_shape[-1])
        rng = np.random.default_rng(self.seed)
        # Constants of the noise function, not weights: the config rebuilds them exactly.
        self._projection = tf.constant(rng.standard_normal((latent_dim, self.noise_dim)), tf.float32)
        self._alpha = tf.constant(rng.uniform(size=self.noise_dim), tf.float32)
        self._beta = tf.constant(rng.uniform(size=self.noise_dim), tf.float32)
        self.code = keras.layers.Dense(self.code_dim, dtype="float32", name="code")
        self.code.build((None, None, self.noise_dim))
        self.phase = keras.layers.Dense(self.frequencies, dtype="float32", name="phase")
        self.phase.build((None, None, self.code_dim))
        self.amplitude = keras.layers.Dense(self.frequencies, bias_initializer="ones", dtype="float32",
                                            name="amplitude")
        self.amplitude.build((None, None, self.code_dim))
        periods = np.geomspace(self.min_period, self.max_period, self.frequencies)
        self.angular_frequency = self.add_weight(
            name="angular_frequency", shape=(self.frequencies,),
            initializer=keras.initializers.Constant(2 * math.pi / periods),
        )
        self.built = True

    def anchor_noise(self, z, anchors):
        """The noise of anchors `anchors [N, K]` (float indices) of the videos `z [N, latent_dim]`."""
        phase = tf.matmul(z, self._projection)[:, None, :]  # [N, 1, noise_dim]
        turns = anchors[..., None] * self._alpha + self._beta  # [N, K, noise_dim]
        return math.sqrt(2.0) * tf.cos(phase + 2 * math.pi * (turns - tf.floor(turns)))

    def call(self, inputs):
        z, times = inputs
        z, times = tf.cast(z, tf.float32), tf.cast(times, tf.float32)
        position = times / self.spacing
        left = tf.floor(position)
        weight = (position - left)[..., None]
        noise = (1.0 - weight) * self.anchor_noise(z, left) + weight * self.anchor_noise(z, left + 1)
        code = self.code(noise)  # [N, K, code_dim]
        angle = self.angular_frequency * times[..., None] + self.phase(code)
        amplitude = self.amplitude(code)
        return tf.concat([code, amplitude * tf.sin(angle), amplitude * tf.cos(angle)], axis=-1)

    def compute_output_shape(self, input_shape):
        _, times_shape = input_shape
        return (*times_shape, self.code_dim + 2 * self.frequencies)

    def get_config(self):
        config = super().get_config()
        config.update(noise_dim=self.noise_dim, code_dim=self.code_dim, frequencies=self.frequencies,
                      spacing=self.spacing, max_period=self.max_period, seed=self.seed,
                      min_period=self.min_period)
        return config
