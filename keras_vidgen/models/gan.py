"""`VideoGAN`: a `keras.Model` that trains a video generator against a discriminator with `fit()`."""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import losses
from keras_vidgen.latents import seeded_latents
from keras_vidgen.layers.diff_augment import parse_policy
from keras_vidgen.models import gan_parts, gan_replicas, gan_sampling, gan_steps

_BASE_METRICS = ("d_loss", "g_loss", "d_real", "d_fake")
_PENALTY_METRICS = ("gp_penalty", "r1_penalty", "recon_penalty", "g_reg_penalty")


@keras.saving.register_keras_serializable(package="keras_vidgen")
class VideoGAN(keras.Model):
    """Adversarial training of a video generator, driven by plain `model.fit()`.

    Composes a generator (`z [N, latent_dim]` -> video `[N, T, H, W, C]` in [-1, 1]) and a
    discriminator (video -> logits, or a list/dict of logits tensors: one per head). Calling the
    model runs the sampling generator (the EMA one if there is one), so it is built, saveable and
    exportable.

    One `fit` step is one discriminator update on that step's real batch; the generator is
    updated every `n_critic`-th step (WGAN-GP's schedule, Gulrajani et al. 2017, where each critic
    step sees a fresh real batch). With several discriminator heads (MoCoGAN's video and frame
    discriminators, DVD-GAN's spatial and temporal ones) the per-example losses of all heads are
    summed with weight 1, and the penalties use the critic `sum_h mean(logits_h)`.

    Conditioning follows the generator's inputs: an int `label` input makes the GAN
    class-conditional (fit on `(clips, labels)`; the fakes of a step reuse the real batch's
    labels, so both sides see the data's class frequencies); a `context` input of `k` frames
    makes it frame-conditional (the context is the real clip's first `k` frames, and the
    generator pays `recon_weight * L1` for differing from them in its first `k` frames).

    Args:
        generator: a built functional `keras.Model` with input `z` (and optionally `label`,
            `context`) returning videos.
        discriminator: a built functional `keras.Model` with input `video` (and `label` if
            class-conditional) returning logits.
        seed: seeds the latents, penalty interpolations and augmentations drawn in training; the
            stream's state is a model weight, so a reloaded model continues the same stream.
        ema_decay: keep `ema_generator`, an exponential moving average of the generator's weights
            (Karras et al. 2018; Yazici et al. 2019), updated after every generator step with
            decay `min(ema_decay, (1 + n) / (10 + n))` after n generator steps (the warm-up of
            `tf.train.ExponentialMovingAverage`); it is what `generate()` and calling the model
            use. None: no EMA.
        num_classes: the number of classes of a class-conditional generator.
        class_names: their names in index order (e.g. the folder names of the training data),
            saved with the model and written into its export for `vidgen sample --label NAME`.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
        >>> gan = VideoGAN(build_generator(128, 16, 64), build_discriminator(16, 64), ema_decay=0.999)
        >>> gan.compile(
        ...     g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...     d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...     loss="hinge",
        ... )
        >>> gan.fit(video_dataset("clips/*.mp4"), epochs=10)
        >>> videos = gan.generate(4, seed=0)  # uint8 [4, 16, 64, 64, 3]
    """

    def __init__(self, generator, discriminator, seed=None, ema_decay=None, num_classes=None,
                 class_names=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        self.ema_decay = ema_decay
        self.num_classes = num_classes
        self.class_names = list(class_names) if class_names is not None else None
        if self.class_names is not None and len(self.class_names) != num_classes:
            raise ValueError(
                f"{len(self.class_names)} class_names for num_classes={num_classes}: give one "
                "name per class, in index order."
            )
        specs = gan_parts.network_specs(generator, discriminator, num_classes)
        self.latent_dim, self.context_frames = specs.latent_dim, specs.context_frames
        self.conditional, self.video_shape = specs.conditional, specs.video_shape
        self._video_input = specs.video_input
        # The random stream's state is a weight of the model, so `save`/`load_model` and
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
        self.ema_generator = self._make_ema() if ema_decay else None
        self._trackers = {
            name: keras.metrics.Mean(name=name) for name in _BASE_METRICS + _PENALTY_METRICS
        }
        self._active_metrics = list(_BASE_METRICS)
        # Both networks are functional models, built on construction; fit() never builds a
        # subclassed model's sub-networks, so the GAN declares itself built here.
        self.built = True

    def _make_ema(self):
        ema = keras.models.clone_model(self.generator)
        gan_parts.copy_weights(ema, self.generator)
        ema.trainable = False
        return ema

    @property
    def sampling_generator(self):
        """The generator that samples: the EMA one when there is one, else the trained one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, inputs, training=False):
        return self.sampling_generator(inputs, training=training)

    def compile(self, g_optimizer, d_optimizer, loss="hinge", n_critic=1, gp_weight=None,
                r1_gamma=0.0, r1_interval=1, augment=None, recon_weight=10.0, **kwargs):
        """Sets both optimizers, the adversarial loss and the regularisers.

        Args:
            g_optimizer: the generator's optimizer (instance, name or config).
            d_optimizer: the discriminator's optimizer.
            loss: "hinge", "bce" (non-saturating), "wgan-gp" or "lsgan"; see `keras_vidgen.losses`.
            n_critic: discriminator steps per generator step (5 in WGAN-GP); single replica only.
            gp_weight: weight of the gradient penalty (None: 10 for "wgan-gp", else 0 = off).
            r1_gamma: R1 penalty weight gamma; D pays `gamma / 2 * ||grad D(real)||^2` (0 = off).
            r1_interval: apply R1 every this many D steps, scaled by it (lazy regularisation).
            augment: a DiffAugment policy such as "color,translation,cutout" applied to every
                discriminator input, real and fake, in both steps (None = off).
            recon_weight: weight of the frame-conditional L1 reconstruction of the context.
            **kwargs: passed to `keras.Model.compile` (e.g. `run_eagerly`, `jit_compile`).
        """
        if n_critic < 1 or r1_interval < 1:
            raise ValueError(f"n_critic and r1_interval must be >= 1; got {n_critic}, {r1_interval}.")
        parse_policy(augment)
        if n_critic > 1 and self.distribute_strategy.num_replicas_in_sync > 1:
            # The G update sits in a tf.cond, and a multi-replica optimizer update (a merge_call)
            # cannot run inside one.
            raise ValueError(
                "n_critic > 1 needs a single replica; under a multi-replica tf.distribute "
                "strategy use n_critic=1 (e.g. with spectral_norm or r1_gamma)."
            )
        # No optimizer for Keras itself: a placeholder one would be built, saved and logged as if
        # it trained something.
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.gan_loss = loss
        self.d_loss_fn, self.g_loss_fn = losses.get(loss)
        self.n_critic = int(n_critic)
        self.gp_weight = losses.DEFAULT_GP_WEIGHT.get(loss, 0.0) if gp_weight is None else gp_weight
        self.r1_gamma, self.r1_interval = float(r1_gamma), int(r1_interval)
        self.augment = augment or None
        self.recon_weight = float(recon_weight)
        active = dict(gp_penalty=self.gp_weight > 0, r1_penalty=self.r1_gamma > 0,
                      recon_penalty=self.context_frames > 0,
                      g_reg_penalty=gan_parts.adds_losses(self.generator))
        self._active_metrics = list(_BASE_METRICS) + [name for name, on in active.items() if on]
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
            "n_critic": self.n_critic,
            "gp_weight": self.gp_weight,
            "r1_gamma": self.r1_gamma,
            "r1_interval": self.r1_interval,
            "augment": self.augment,
            "recon_weight": self.recon_weight,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            g_optimizer=keras.saving.deserialize_keras_object(config.pop("g_optimizer")),
            d_optimizer=keras.saving.deserialize_keras_object(config.pop("d_optimizer")),
            **config,
        )

    @property
    def metrics(self):
        return [self._trackers[name] for name in self._active_metrics]

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch_size = tf.shape(real)[0]
        context = real[:, : self.context_frames] if self.context_frames else None
        d_results = gan_steps.discriminator_step(self, real, labels, batch_size)
        if self.n_critic == 1:
            g_results, g_weight = gan_steps.generator_step(self, labels, context, batch_size), 1.0
        else:
            # The D optimizer has just counted this step: G steps after every n_critic-th one.
            g_turn = tf.equal(self.d_optimizer.iterations % self.n_critic, 0)
            g_results = tf.cond(
                g_turn,
                lambda: gan_steps.generator_step(self, labels, context, batch_size),
                lambda: {name: tf.constant(0.0) for name in self._generator_metric_names()},
            )
            g_weight = tf.cast(g_turn, tf.float32)
        for name, (value, weight) in d_results.items():
            self._trackers[name].update_state(gan_replicas.replica_mean(value), sample_weight=weight)
        for name, value in g_results.items():
            # Steps without a G update do not count towards the G metrics' means.
            self._trackers[name].update_state(gan_replicas.replica_mean(value), sample_weight=g_weight)
        return gan_replicas.fit_logs({metric.name: metric.result() for metric in self.metrics})

    def _unpack(self, data):
        if isinstance(data, (tuple, list)):
            real, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            real, labels = data, None
        if self.conditional and labels is None:
            raise ValueError("A class-conditional VideoGAN trains on (clips, labels) batches.")
        return real, (tf.cast(tf.reshape(labels, [-1]), tf.int32) if self.conditional else None)

    def _generator_metric_names(self):
        return [name for name in ("g_loss", "recon_penalty", "g_reg_penalty")
                if name in self._active_metrics]

    def _next_shared_seed(self):
        """The next seed of the saved random stream: the same on every replica."""
        seed = tf.identity(self.latent_seed)
        self.latent_seed.assign_add(tf.constant([0, 1], tf.int64))
        return seed

    def _next_seed(self):
        """The next seed with this replica's id folded in, so replicas draw different numbers."""
        return tf.random.experimental.stateless_fold_in(
            self._next_shared_seed(), gan_replicas.replica_id())

    def _sample_latents(self, batch_size):
        # Every replica draws the latents of the whole global batch from the shared seed and
        # keeps its own slice, so N replicas see exactly the latents one device would.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        z = tf.random.stateless_normal(
            (batch_size * replicas, self.latent_dim), seed=self._next_shared_seed()
        )
        replica = gan_replicas.replica_id()
        return z[replica * batch_size:(replica + 1) * batch_size]

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

    def render(self, z, labels=None, context=None):
        """Runs the sampling generator on given latents; returns float videos in [-1, 1].

        Args:
            z: float `[N, latent_dim]`.
            labels: int `[N]` or one int for all (class-conditional; default: classes in turn).
            context: the first frames `[M, k, H, W, C]` (or whole clips), uint8 or float in
                [-1, 1] (frame-conditional; required there; cycled if M < N).
        """
        return gan_sampling.render(self, z, labels=labels, context=context)

    def generate(self, num, seed=None, batch_size=16, labels=None, context=None):
        """Generates `num` videos as uint8 `[num, frames, height, width, channels]`.

        Args:
            num: how many videos.
            seed: the same seed gives the same videos from the same weights.
            batch_size: videos generated per forward pass.
            labels: class-conditional models: int `[num]` or one int (default: classes in turn).
            context: frame-conditional models: the first frames of each video, `[num, k, H, W, C]`
                uint8 (or float in [-1, 1]; cycled if fewer); the generated clips continue them.
        """
        return gan_sampling.generate(self, num, seed=seed, batch_size=batch_size, labels=labels,
                                     context=context)

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            seed=self.seed,
            ema_decay=self.ema_decay,
            num_classes=self.num_classes,
            class_names=self.class_names,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
