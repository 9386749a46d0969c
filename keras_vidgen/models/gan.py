"""`VideoGAN`: a `keras.Model` that trains a video generator against a discriminator with `fit()`."""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import losses, media
from keras_vidgen.latents import seeded_latents


@keras.saving.register_keras_serializable(package="keras_vidgen")
class VideoGAN(keras.Model):
    """Adversarial training of a video generator, driven by plain `model.fit()`.

    Composes a generator (`z [N, latent_dim]` -> video `[N, T, H, W, C]` in [-1, 1]) and a
    discriminator (video -> logits). Each `train_step` makes one discriminator update and one
    generator update with fresh latents (Goodfellow et al. 2014; the keras-io DCGAN example's
    structure). Calling the model runs the generator, so it is built, saveable and exportable.

    Args:
        generator: a built `keras.Model` mapping latents to videos.
        discriminator: a built `keras.Model` mapping videos to realness logits.
        seed: seeds the latents drawn during training; the stream's state is a model weight, so
            a reloaded model continues the same random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
        >>> gan = VideoGAN(build_generator(128, 16, 64), build_discriminator(16, 64))
        >>> gan.compile(
        ...     g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...     d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...     loss="hinge",
        ... )
        >>> gan.fit(video_dataset("clips/*.mp4"), epochs=10)
        >>> videos = gan.generate(4, seed=0)  # uint8 [4, 16, 64, 64, 3]
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        self.latent_dim = int(generator.input_shape[-1])
        self.video_shape = tuple(int(d) for d in generator.output_shape[1:])
        expected = tuple(int(d) for d in discriminator.input_shape[1:])
        if self.video_shape != expected:
            raise ValueError(
                f"The generator makes videos of shape {self.video_shape} but the discriminator "
                f"expects {expected}; build both for the same frames, size and channels."
            )
        # The latent stream's state is a weight of the model, so `save`/`load_model` and
        # checkpoints continue the same stream (a keras.random.SeedGenerator is not saved).
        initial_seed = np.random.randint(2**31) if seed is None else seed
        self.latent_seed = self.add_weight(
            name="latent_seed",
            shape=(2,),
            dtype="int64",
            initializer=keras.initializers.Constant([initial_seed, 0]),
            trainable=False,
            aggregation="only_first_replica",
        )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # Both networks are functional models, built on construction; fit() never builds a
        # subclassed model's sub-networks, so the GAN declares itself built here.
        self.built = True

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def compile(self, g_optimizer, d_optimizer, loss="hinge", **kwargs):
        """Sets both optimizers and the adversarial loss.

        Args:
            g_optimizer: the generator's optimizer (instance, name or config).
            d_optimizer: the discriminator's optimizer.
            loss: "hinge" or "bce" (non-saturating); see `keras_vidgen.losses`.
            **kwargs: passed to `keras.Model.compile` (e.g. `run_eagerly`, `jit_compile`).
        """
        # No optimizer for Keras itself: a placeholder one would be built, saved and logged as if
        # it trained something.
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.gan_loss = loss
        self.d_loss_fn, self.g_loss_fn = losses.get(loss)
        # Keras builds only `self.optimizer`; building ours now creates their slots inside the
        # caller's distribution scope and before a checkpoint is restored into them.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return None  # an uncompiled GAN saves its networks only
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "loss": self.gan_loss,
        }

    def compile_from_config(self, config):
        self.compile(
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            loss=config["loss"],
        )

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch_size = tf.shape(real)[0]
        d_loss, real_logits, fake_logits = self._discriminator_step(real, batch_size)
        g_loss = self._generator_step(batch_size)
        self._update_trackers({
            self.d_loss_tracker: d_loss,
            self.g_loss_tracker: g_loss,
            self.d_real_tracker: tf.reduce_mean(real_logits),
            self.d_fake_tracker: tf.reduce_mean(fake_logits),
        })
        return self._logs()

    def _logs(self):
        logs = {metric.name: metric.result() for metric in self.metrics}
        strategy = tf.distribute.get_strategy()
        if getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)():
            # Keras reduces fit()'s logs across workers with strategy.reduce(MEAN, axis=0), which
            # fails on scalars ("Invalid reduction dimension 0", tensorflow/tensorflow#72388).
            # Shape [1] reduces to the same scalar (the values are already global means).
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    @staticmethod
    def _update_trackers(values):
        """Updates each tracker with the mean of its value over all replicas (identity on one)."""
        context = tf.distribute.get_replica_context()
        for tracker, value in values.items():
            if context is not None and context.num_replicas_in_sync > 1:
                value = context.all_reduce(tf.distribute.ReduceOp.MEAN, value)
            tracker.update_state(value)

    def _discriminator_step(self, real, batch_size):
        z = self._sample_latents(batch_size)
        # Outside the tape: a tape records every op on the variables it sees, and D's gradients
        # never need G's activations (measured: 2.08 -> 2.48 clips/s at 64x64x16, batch 8).
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            per_example = self.d_loss_fn(real_logits, fake_logits)
            loss = self._average_over_global_batch(per_example, batch_size)
            # Identity unless the optimizer is a LossScaleOptimizer (mixed_float16), whose
            # apply_gradients unscales the gradients again.
            scaled = self.d_optimizer.scale_loss(loss)
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return tf.reduce_mean(per_example), real_logits, fake_logits

    def _generator_step(self, batch_size):
        z = self._sample_latents(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            per_example = self.g_loss_fn(self.discriminator(fake, training=True))
            loss = self._average_over_global_batch(per_example, batch_size)
            scaled = self.g_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return tf.reduce_mean(per_example)

    def _sample_latents(self, batch_size):
        seed = tf.identity(self.latent_seed)
        self.latent_seed.assign_add(tf.constant([0, 1], tf.int64))
        # Every replica draws the latents of the whole global batch from the shared seed and
        # keeps its own slice, so N replicas see exactly the latents one device would.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        context = tf.distribute.get_replica_context()
        replica_id = context.replica_id_in_sync_group if context is not None else 0
        z = tf.random.stateless_normal((batch_size * replicas, self.latent_dim), seed=seed)
        return z[replica_id * batch_size:(replica_id + 1) * batch_size]

    @staticmethod
    def _average_over_global_batch(per_example, batch_size):
        per_example = tf.cast(per_example, tf.float32)  # losses in float32 under mixed precision
        # Under a tf.distribute strategy gradients are summed across replicas, so each replica
        # divides its sum by the global batch; on one device this is the plain mean.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        global_batch = tf.cast(batch_size * replicas, per_example.dtype)
        return tf.reduce_sum(per_example) / global_batch

    def latents(self, num, seed=None):
        """Returns `num` standard-normal latents as a float32 numpy array `[num, latent_dim]`.

        Drawn by `keras_vidgen.latents.seeded_latents`, as an exported SavedModel's
        `generate_from_seed` signature draws them: the same seed gives the same latents in both.

        Args:
            num: how many latent vectors.
            seed: an integer; `None` draws a fresh random seed.
        """
        seed = np.random.randint(2**31) if seed is None else seed
        return seeded_latents(num, self.latent_dim, seed).numpy()

    def generate(self, num, seed=None, batch_size=16):
        """Generates `num` videos as uint8 `[num, frames, height, width, channels]`.

        Args:
            num: how many videos.
            seed: the same seed gives the same videos from the same weights.
            batch_size: videos generated per forward pass.
        """
        z = self.latents(num, seed)
        batches = [
            media.to_uint8(self.generator(z[i:i + batch_size], training=False)).numpy()
            for i in range(0, num, batch_size)
        ]
        return np.concatenate(batches, axis=0)

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
