"""`VideoPredictor`: a `keras.Model` that learns "predict" or "interpolate" with `fit()`.

`train_step` reads top to bottom like `VideoGAN`'s: split the real clips into what the generator
is given and what it must produce; the discriminator step (if adversarial); the generator step
(reconstruction + gradient difference + adversarial); the logs. Which frames go where is in
`tasks`, the losses in `keras_vidgen.losses`, the replica arithmetic in `replicas`.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import losses, media
from keras_vidgen.layers.diff_augment import diff_augment, parse_policy
from keras_vidgen.models import networks, replicas, tasks

LATENT = "z"


@keras.saving.register_keras_serializable(package="keras_vidgen")
class VideoPredictor(keras.Model):
    """Trains a generator that produces the missing frames of clips from the observed ones.

    The loss of the generator is, per example (Mathieu, Couprie & LeCun 2016),
    `recon_weight * recon(produced, real) + gdl_weight * GDL(produced, real) + adversarial_weight
    * adversarial`, where the discriminator judges whole clips: the observed frames with the
    produced ones in their place (`tasks.assemble_clip`) against the real clips. Without a
    discriminator (`adversarial_weight` 0 when built by `build_video_predictor`) it is plain
    regression.

    Args:
        generator: a functional model with input `observed` (and `z` if adversarial) returning
            the produced frames, about [-1, 1] (clipped to it where frames are produced:
            `run_predictor`).
        discriminator: a functional model judging whole clips, or None (regression only).
        task: "predict" or "interpolate".
        seed: seeds the latents and augmentations drawn in training (saved with the model).
        ema_decay: keep `ema_generator`, a moving average of the generator's weights, used to
            predict (as `VideoGAN`'s).
        **kwargs: passed to `keras.Model`.

    Example:
        >>> model = build_video_predictor("dcgan3d", "predict", observed=4, frames=12, size=64,
        ...                               g_filters=32, d_filters=32, latent_dim=32)
        >>> model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), gdl_weight=1.0)
        >>> model.fit(video_dataset("clips/", frames=12, repeat=True), steps_per_epoch=100)
        >>> future = model.predict_frames(first_frames)  # uint8 [N, 8, 64, 64, 3]
    """

    def __init__(self, generator, discriminator=None, task="predict", seed=None, ema_decay=None,
                 **kwargs):
        super().__init__(**kwargs)
        if task not in tasks.TASKS_WITH_OBSERVED:
            raise ValueError(f"task must be one of {tasks.TASKS_WITH_OBSERVED}, got {task!r}.")
        self.generator, self.discriminator = generator, discriminator
        self.task, self.seed, self.ema_decay = task, seed, ema_decay
        shapes = networks.input_shapes(generator)
        if tasks.OBSERVED not in shapes:
            raise ValueError(f"The generator needs an input named {tasks.OBSERVED!r}; it has "
                             f"{sorted(shapes)}.")
        self.observed = int(shapes[tasks.OBSERVED][0])
        self.latent_dim = int(shapes[LATENT][-1]) if LATENT in shapes else 0
        self.produced = int(generator.output_shape[1])
        self.frames = self.observed + self.produced
        self.frame_shape = tuple(int(d) for d in generator.output_shape[2:])
        if discriminator is not None:
            expected = (self.frames, *self.frame_shape)
            got = tuple(int(d) for d in discriminator.input_shape[1:])
            if got != expected:
                raise ValueError(f"The discriminator judges clips of {got}; observed + produced "
                                 f"clips are {expected}.")
        initial_seed = np.random.randint(2**31) if seed is None else seed
        self.latent_seed = self.add_weight(
            name="latent_seed", shape=(2,), dtype="int64",
            initializer=keras.initializers.Constant([initial_seed, 0]), trainable=False,
            aggregation="only_first_replica",
        )
        self.ema_generator = None
        if ema_decay:
            self.ema_generator = keras.models.clone_model(generator)
            networks.copy_weights(self.ema_generator, generator)
            self.ema_generator.trainable = False
        names = ["g_loss", "recon_penalty", "gdl_penalty", "g_reg_penalty", "g_adversarial",
                 "d_loss", "d_real", "d_fake"]
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self._active_metrics = names[:3]
        self.built = True

    @property
    def sampling_generator(self):
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, inputs, training=False):
        return self.sampling_generator(inputs, training=training)

    def compile(self, g_optimizer, d_optimizer=None, loss="hinge", recon_loss="mse",
                recon_weight=1.0, gdl_weight=0.0, adversarial_weight=0.01, augment=None, **kwargs):
        """Sets the optimizers and the weights of the generator's three losses.

        Args:
            g_optimizer: the generator's optimizer (instance, name or config).
            d_optimizer: the discriminator's (needed exactly when there is a discriminator).
            loss: the adversarial loss: "hinge", "bce", "wgan-gp" (without its penalty) or "lsgan".
            recon_loss: "mse" or "l1" on the produced frames.
            recon_weight, gdl_weight, adversarial_weight: the losses' weights. Mathieu et al.
                used 1, 1 and 0.05 on losses summed over pixels; these are means, and at 1, 1,
                0.05 the generator here fell to black frames, and at an adversarial 0.01 it
                gave up predicting (`benchmarks/bench_prediction.py` runs 1, 0.1, 0.001).
            augment: a DiffAugment policy for the discriminator's inputs.
            **kwargs: passed to `keras.Model.compile`.
        """
        if (d_optimizer is None) != (self.discriminator is None):
            raise ValueError("Give d_optimizer exactly when the model has a discriminator.")
        parse_policy(augment)
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        self.d_optimizer = None if d_optimizer is None else keras.optimizers.get(d_optimizer)
        self.gan_loss, self.recon_loss = loss, recon_loss
        self.d_loss_fn, self.g_loss_fn = losses.get(loss)
        self.recon_weight, self.gdl_weight = float(recon_weight), float(gdl_weight)
        self.adversarial_weight = float(adversarial_weight) if self.discriminator is not None else 0.0
        self.augment = augment or None
        self._active_metrics = ["g_loss", "recon_penalty", "gdl_penalty"]
        if networks.adds_losses(self.generator):
            self._active_metrics.append("g_reg_penalty")
        if self.discriminator is not None:
            self._active_metrics += ["g_adversarial", "d_loss", "d_real", "d_fake"]
        self.g_optimizer.build(self.generator.trainable_variables)
        if self.d_optimizer is not None:
            self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return None
        optimizer = self.d_optimizer
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": None if optimizer is None else keras.saving.serialize_keras_object(optimizer),
            "loss": self.gan_loss, "recon_loss": self.recon_loss, "recon_weight": self.recon_weight,
            "gdl_weight": self.gdl_weight, "adversarial_weight": self.adversarial_weight,
            "augment": self.augment,
        }

    def compile_from_config(self, config):
        config = dict(config)
        d_optimizer = config.pop("d_optimizer")
        self.compile(
            g_optimizer=keras.saving.deserialize_keras_object(config.pop("g_optimizer")),
            d_optimizer=None if d_optimizer is None else keras.saving.deserialize_keras_object(d_optimizer),
            **config,
        )

    @property
    def metrics(self):
        return [self._trackers[name] for name in self._active_metrics]

    @property
    def fit_steps(self):
        """The fit steps taken: the generator optimizer's update count (one per step)."""
        return self.g_optimizer.iterations

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch_size = tf.shape(real)[0]  # this replica's
        observed, target = tasks.split_clip(real, self.task, self.observed)
        results = {}

        # 1. The discriminator: real clips against clips completed by the generator.
        if self.discriminator is not None:
            produced = self.generator(self._generator_inputs(observed, batch_size), training=True)
            fake = tasks.assemble_clip(observed, produced, self.task)
            with tf.GradientTape() as tape:
                real_heads, fake_heads = self._discriminate(real), self._discriminate(fake)
                per_example = networks.sum_over_heads(self.d_loss_fn, real_heads, fake_heads)
                d_loss = replicas.average_over_global_batch(per_example, batch_size)
                d_loss += replicas.network_regularisation(self.discriminator.losses)
            variables = self.discriminator.trainable_variables
            self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
            results.update(d_loss=tf.reduce_mean(per_example), d_real=_mean(real_heads),
                           d_fake=_mean(fake_heads))

        # 2. The generator: reconstruction, gradient difference and (if any) adversarial loss.
        with tf.GradientTape() as tape:
            produced = self.generator(self._generator_inputs(observed, batch_size), training=True)
            target = tf.cast(target, produced.dtype)
            recon = losses.reconstruction_loss(target, produced, self.recon_loss)
            gdl = losses.gradient_difference_loss(target, produced)
            per_example = self.recon_weight * recon + self.gdl_weight * gdl
            if self.discriminator is not None:
                fake = tasks.assemble_clip(tf.cast(observed, produced.dtype), produced, self.task)
                adversarial = networks.sum_over_heads(self.g_loss_fn, self._discriminate(fake))
                per_example += self.adversarial_weight * adversarial
                results["g_adversarial"] = tf.reduce_mean(adversarial)
            regularisation = replicas.network_regularisation(self.generator.losses)
            g_loss = replicas.average_over_global_batch(per_example, batch_size) + regularisation
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        if self.ema_generator is not None:
            decay = networks.ema_decay_at(self.ema_decay, self.g_optimizer.iterations)
            networks.update_ema(self.ema_generator, self.generator, decay)
        results.update(g_loss=tf.reduce_mean(per_example), recon_penalty=tf.reduce_mean(recon),
                       gdl_penalty=tf.reduce_mean(gdl))
        if "g_reg_penalty" in self._active_metrics:
            results["g_reg_penalty"] = regularisation

        # 3. The logs, each averaged over replicas.
        for name, value in results.items():
            self._trackers[name].update_state(replicas.replica_mean(value))
        return replicas.fit_logs({metric.name: metric.result() for metric in self.metrics})

    def _generator_inputs(self, observed, batch_size, seed=None):
        if not self.latent_dim:
            return observed
        if seed is None:
            seed = tf.random.experimental.stateless_fold_in(self._next_seed(), replicas.replica_id())
        z = tf.random.stateless_normal((batch_size, self.latent_dim), seed=seed)
        return {tasks.OBSERVED: observed, LATENT: z}

    def _discriminate(self, videos):
        if self.augment:
            seed = tf.random.experimental.stateless_fold_in(self._next_seed(), replicas.replica_id())
            videos = diff_augment(videos, seed, self.augment)
        return networks.heads(self.discriminator(videos, training=True))

    def _next_seed(self):
        seed = tf.identity(self.latent_seed)
        self.latent_seed.assign_add(tf.constant([0, 1], tf.int64))
        return seed

    def produce(self, observed, seed=0):
        """Runs the sampling generator: observed frames -> produced frames, float32 in [-1, 1].

        Args:
            observed: `[N, k, H, W, C]`, uint8 or float in [-1, 1].
            seed: the latents' seed (adversarial models); the same seed gives the same frames.
        """
        observed = media.to_float(observed)
        count = tf.shape(observed)[0]
        seed = tf.constant([seed, 0], tf.int64)
        return run_predictor(self.sampling_generator, self._generator_inputs(observed, count, seed))

    def predict_frames(self, observed, seed=0, batch_size=16):
        """The produced frames of `observed` clips as uint8 `[N, produced, H, W, C]`."""
        observed = np.asarray(observed)
        batches = [media.to_uint8(self.produce(observed[i:i + batch_size], seed)).numpy()
                   for i in range(0, len(observed), batch_size)]
        return np.concatenate(batches, axis=0)

    @property
    def context_frames(self):
        """The frames it is given: callbacks that complete held-out clips (`FVDMonitor`) pass
        whole clips to `generate` when this is non-zero, as for a frame-conditional `VideoGAN`."""
        return self.observed

    def generate(self, num, seed=0, batch_size=16, context=None):
        """Completes clips: their observed frames with the produced ones in place, uint8
        `[num, frames, H, W, C]` (the clips FVD judges, as `VideoGAN.generate`'s).

        Args:
            num: how many clips.
            seed: the latents' seed of an adversarial predictor.
            batch_size: clips per forward pass.
            context: whole clips `[n, frames, H, W, C]` (uint8, or float in [-1, 1]), cycled if
                fewer than `num`; their frames to produce are ignored.
        """
        if context is None:
            raise ValueError(f"A {self.task} model completes clips: pass context, whole clips of "
                             f"{self.frames} frames.")
        clips = media.to_uint8(media.to_float(np.asarray(context))).numpy()
        clips = clips[np.arange(num) % len(clips)]
        observed, _ = tasks.split_clip(clips, self.task, self.observed)
        produced = self.predict_frames(np.asarray(observed), seed=seed, batch_size=batch_size)
        return tasks.assemble_clip(observed, produced, self.task).numpy()

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=None if self.discriminator is None
            else keras.saving.serialize_keras_object(self.discriminator),
            task=self.task, seed=self.seed, ema_decay=self.ema_decay,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        if config.get("discriminator") is not None:
            config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


def run_predictor(generator, inputs):
    """The produced frames of a predictor's generator, float32 clipped to [-1, 1]: its
    synthesised pixels are linear. The one place that turns the generator's output into frames,
    for `VideoPredictor.produce` and the export alike, so the export's check compares like with
    like."""
    produced = tf.cast(generator(inputs, training=False), tf.float32)
    return tf.clip_by_value(produced, -1.0, 1.0)


def _mean(heads):
    return tf.add_n([tf.reduce_mean(head) for head in heads]) / len(heads)
