"""`VideoGAN`: a `keras.Model` that trains a video generator against a discriminator with `fit()`.

`train_step` reads top to bottom, as in keras-io's `dcgan_overriding_train_step.py`: the
discriminator step, then the generator step, then the logs. The details are functions of tensors
and networks: the multi-replica arithmetic in `replicas`, the networks' inputs, heads and EMA in
`networks`, the losses and penalties in `keras_vidgen.losses`. The steps draw their randomness
from the model's saved random stream, and the order of the draws is part of the model's
behaviour: a resumed run (or a reloaded `.keras` file) draws exactly what an uninterrupted one
would.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import losses, media
from keras_vidgen.choices import MODE_SEEKING_SPACES
from keras_vidgen.latents import seeded_latents
from keras_vidgen.layers.diff_augment import diff_augment, parse_policy
from keras_vidgen.models import networks, replicas, time_sampling

_BASE_METRICS = ("d_loss", "g_loss", "d_real", "d_fake")
_PENALTY_METRICS = ("gp_penalty", "r1_penalty", "recon_penalty", "g_reg_penalty",
                    "mode_seeking_penalty")
# What the generator's step reports (the rest come from the discriminator's).
_GENERATOR_METRICS = ("g_loss", "recon_penalty", "g_reg_penalty", "mode_seeking_penalty")


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
    generator pays `recon_weight * L1` for differing from them in its first `k` frames); a
    `times` input makes it continuous-time (StyleGAN-V, `models.stylegan_v`): each step judges
    `K` frames of every real clip, drawn at random (`time_sampling`), against fakes rendered at
    the same gaps from a random start time, and `generate(n, frames=F)` renders any length.

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
        frames: the training clips' length: what a continuous-time generator renders by default
            (other generators' clip length is their output's).
        sparse_max_distance: a continuous-time GAN's judged frames of a clip lie within this
            many frames of each other, the first to the last (`time_sampling.sparse_frame_indices`'
            `max_distance`; at least `K - 1`); `None`: anywhere in the clip.
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
                 class_names=None, frames=None, sparse_max_distance=None, **kwargs):
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
        specs = networks.network_specs(generator, discriminator, num_classes)
        self.latent_dim, self.context_frames = specs.latent_dim, specs.context_frames
        self.conditional, self.video_shape = specs.conditional, specs.video_shape
        self._video_input, self.sparse_frames = specs.video_input, specs.sparse_frames
        self.frames = frames if frames is not None else self.video_shape[0]
        if self.frames is None:
            raise ValueError("A continuous-time generator renders any length: give `frames`, the "
                             "training clips' length, for its default.")
        self.sparse_max_distance = sparse_max_distance
        if sparse_max_distance is not None:
            if not self.sparse_frames:
                raise ValueError(f"sparse_max_distance={sparse_max_distance} spaces the frames a "
                                 "continuous-time GAN judges, and this one judges whole clips: "
                                 "drop it.")
            if sparse_max_distance < self.sparse_frames - 1:
                raise ValueError(f"sparse_max_distance={sparse_max_distance} cannot hold the "
                                 f"{self.sparse_frames} distinct frames the discriminator judges: "
                                 f"use at least {self.sparse_frames - 1}.")
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
        networks.copy_weights(ema, self.generator)
        ema.trainable = False
        return ema

    @property
    def sampling_generator(self):
        """The generator that samples: the EMA one when there is one, else the trained one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, inputs, training=False):
        if self.sparse_frames and not isinstance(inputs, dict):
            # Latents alone: a continuous-time generator renders the training clips' length.
            times = self._render_times(tf.shape(inputs)[0], None)
            inputs = networks.generator_inputs(inputs, networks.Conditions(times=times))
        return self.sampling_generator(inputs, training=training)

    def compile(self, g_optimizer, d_optimizer, loss="hinge", n_critic=1, gp_weight=None,
                r1_gamma=0.0, r1_interval=1, augment=None, recon_weight=10.0,
                mode_seeking_weight=0.0, mode_seeking_pool=1, mode_seeking_space="pixels",
                mode_seeking_steps=None, **kwargs):
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
            mode_seeking_weight: weight of MSGAN's mode-seeking term in the generator's loss
                (`losses.mode_seeking_penalty`; 0 = off); needs batches of at least 2 a replica.
            mode_seeking_pool: the term compares clips averaged over blocks of this side of each
                frame (1 = pixels), so G cannot buy distance with pixel noise.
            mode_seeking_space: where the term measures how far apart two clips are: "pixels"
                (their frames, pooled by `mode_seeking_pool`) or "discriminator" (the features
                its logits are computed from, `networks.with_features`, over their batch's mean
                size, `losses.scale_free`: what tells real clips from fakes, not what pixel
                noise changes).
            mode_seeking_steps: the term pushes for the first this many fit steps only, then
                its weight is 0 (it is still measured and logged); `None`: the whole run. A
                schedule: the pressure that keeps a mode while both are being drawn, off for the
                rest so it does not soften outlines.
            **kwargs: passed to `keras.Model.compile` (e.g. `run_eagerly`, `jit_compile`).
        """
        if min(n_critic, r1_interval, mode_seeking_pool) < 1:
            raise ValueError("n_critic, r1_interval and mode_seeking_pool must be >= 1; got "
                             f"{n_critic}, {r1_interval}, {mode_seeking_pool}.")
        if mode_seeking_space not in MODE_SEEKING_SPACES:
            raise ValueError(f"mode_seeking_space must be one of {MODE_SEEKING_SPACES}; got "
                             f"{mode_seeking_space!r}.")
        if mode_seeking_space != "pixels" and mode_seeking_pool > 1:
            raise ValueError(f"mode_seeking_pool ({mode_seeking_pool}) pools pixels: use 1 with "
                             f"mode_seeking_space={mode_seeking_space!r}.")
        if mode_seeking_steps is not None and mode_seeking_steps < 1:
            raise ValueError("mode_seeking_steps must be >= 1 (None: the whole run); got "
                             f"{mode_seeking_steps}.")
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
        self.mode_seeking_weight = float(mode_seeking_weight)
        self.mode_seeking_pool = int(mode_seeking_pool)
        self.mode_seeking_space = mode_seeking_space
        self.mode_seeking_steps = None if mode_seeking_steps is None else int(mode_seeking_steps)
        # Built once: the discriminator's layers with a second output, sharing its weights.
        self._discriminator_with_features = (
            networks.with_features(self.discriminator) if self._seeks_in_discriminator() else None)
        active = dict(gp_penalty=self.gp_weight > 0, r1_penalty=self.r1_gamma > 0,
                      recon_penalty=self.context_frames > 0,
                      mode_seeking_penalty=self.mode_seeking_weight > 0,
                      g_reg_penalty=networks.adds_losses(self.generator))
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
            "mode_seeking_weight": self.mode_seeking_weight,
            "mode_seeking_pool": self.mode_seeking_pool,
            "mode_seeking_space": self.mode_seeking_space,
            "mode_seeking_steps": self.mode_seeking_steps,
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

    @property
    def fit_steps(self):
        """The fit steps taken, as a variable: the discriminator optimizer's update count (one per
        step; the generator's lags behind when `n_critic > 1`)."""
        return self.d_optimizer.iterations

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch_size = tf.shape(real)[0]  # this replica's
        context = real[:, : self.context_frames] if self.context_frames else None
        # A continuous-time GAN judges a few frames of each clip, taken at random times.
        real, times = self._sparse_frames(real, batch_size)
        conditions = networks.Conditions(labels, context, times)

        # 1. The discriminator: real clips against as many fresh fakes.
        d_results = self._discriminator_step(real, conditions, batch_size)

        # The generator's scheduled penalties (e.g. a prior that starts late) learn the step.
        networks.set_penalty_step(self.generator, self.fit_steps)

        # 2. The generator, every n_critic-th step (WGAN-GP's schedule).
        if self.n_critic == 1:
            g_results, g_weight = self._generator_step(conditions, batch_size), 1.0
        else:
            # The D optimizer has just counted this step: G steps after every n_critic-th one.
            g_turn = tf.equal(self.fit_steps % self.n_critic, 0)
            g_results = tf.cond(
                g_turn,
                lambda: self._generator_step(conditions, batch_size),
                lambda: {name: tf.constant(0.0) for name in self._generator_metric_names()},
            )
            g_weight = tf.cast(g_turn, tf.float32)

        # 3. The logs: each value averaged over replicas; steps without a G update do not count
        # towards the G metrics' means.
        for name, (value, weight) in d_results.items():
            self._trackers[name].update_state(replicas.replica_mean(value), sample_weight=weight)
        for name, value in g_results.items():
            self._trackers[name].update_state(replicas.replica_mean(value), sample_weight=g_weight)
        return replicas.fit_logs({metric.name: metric.result() for metric in self.metrics})

    def _discriminator_step(self, real, conditions, batch_size):
        """One discriminator update; returns `{metric: (value, sample weight)}`."""
        z = self._sample_latents(batch_size)
        fake = self.generator(self._fake_inputs(z, conditions, batch_size), training=True)
        one = tf.constant(1.0)
        with tf.GradientTape() as tape:
            real_heads = self._discriminate(real, conditions)
            fake_heads = self._discriminate(fake, conditions)
            per_example = networks.sum_over_heads(self.d_loss_fn, real_heads, fake_heads)
            loss = replicas.average_over_global_batch(per_example, batch_size)
            results = {"d_loss": (tf.reduce_mean(per_example), one)}
            if self.gp_weight > 0:
                alpha = losses.interpolation_weights(batch_size, real.shape.rank, self._next_seed())
                gp = losses.gradient_penalty(self._critic(conditions), real, fake, alpha)
                loss += self.gp_weight * replicas.average_over_global_batch(gp, batch_size)
                results["gp_penalty"] = (tf.reduce_mean(gp), one)
            if self.r1_gamma > 0:
                # Counted before this step's update, so the very first step is regularised.
                r1, r1_weight = losses.lazy_r1_penalty(
                    self._critic(conditions), real, self.fit_steps, self.r1_interval,
                    masked=self.distribute_strategy.num_replicas_in_sync > 1,
                )
                r1_loss = replicas.average_over_global_batch(r1, batch_size)
                loss += 0.5 * self.r1_gamma * self.r1_interval * r1_loss
                results["r1_penalty"] = (tf.reduce_mean(r1), r1_weight)
            loss += replicas.network_regularisation(self.discriminator.losses)
            # Identity unless the optimizer is a LossScaleOptimizer (mixed_float16), whose
            # apply_gradients unscales the gradients again.
            scaled = self.d_optimizer.scale_loss(loss)
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        results["d_real"] = (_mean_over_heads(real_heads), one)
        results["d_fake"] = (_mean_over_heads(fake_heads), one)
        return results

    def _generator_step(self, conditions, batch_size):
        """One generator update (then the EMA generator's); returns `{metric: value}`."""
        z = self._sample_latents(batch_size)
        context = conditions.context
        with tf.GradientTape() as tape:
            fake = self.generator(self._fake_inputs(z, conditions, batch_size), training=True)
            regularisation = replicas.network_regularisation(self.generator.losses)
            if self._seeks_in_discriminator():
                heads, features = self._discriminate(fake, conditions, with_features=True)
            else:
                heads, features = self._discriminate(fake, conditions), None
            per_example = networks.sum_over_heads(self.g_loss_fn, heads)
            loss = replicas.average_over_global_batch(per_example, batch_size) + regularisation
            results = {"g_loss": tf.reduce_mean(per_example)}
            if self.context_frames:
                recon = losses.per_example_mean(tf.abs(fake[:, : self.context_frames] - context))
                loss += self.recon_weight * replicas.average_over_global_batch(recon, batch_size)
                results["recon_penalty"] = tf.reduce_mean(recon)
            if self.mode_seeking_weight > 0:
                compared = fake if features is None else losses.scale_free(features)
                seeking = losses.mode_seeking_penalty(compared, z, self.mode_seeking_pool)
                loss += self._mode_seeking_weight_now() * replicas.average_over_global_batch(
                    seeking, batch_size)
                results["mode_seeking_penalty"] = tf.reduce_mean(seeking)
            scaled = self.g_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        if self.ema_generator is not None:
            decay = networks.ema_decay_at(self.ema_decay, self.g_optimizer.iterations)
            networks.update_ema(self.ema_generator, self.generator, decay)
        if "g_reg_penalty" in self._active_metrics:
            results["g_reg_penalty"] = regularisation
        return results

    def _discriminate(self, videos, conditions, with_features=False):
        """The discriminator's heads (a list of logits tensors) on DiffAugmented videos; with
        `with_features`, `(heads, features [N, F])` (`networks.with_features`)."""
        if self.augment:
            videos = diff_augment(videos, self._next_seed(), self.augment)
        inputs = networks.discriminator_inputs(videos, conditions, self._video_input)
        if with_features:
            outputs = self._discriminator_with_features(inputs, training=True)
            return networks.heads(outputs["logits"]), outputs["features"]
        return networks.heads(self.discriminator(inputs, training=True))

    def _mode_seeking_weight_now(self):
        """The mode-seeking term's weight at this step: `mode_seeking_weight` over fit steps 1 to
        `mode_seeking_steps` (the D step has already counted this one), 0 after."""
        if self.mode_seeking_steps is None:
            return self.mode_seeking_weight
        pushing = tf.cast(self.fit_steps <= self.mode_seeking_steps, tf.float32)
        return self.mode_seeking_weight * pushing

    def _seeks_in_discriminator(self):
        return self.mode_seeking_weight > 0 and self.mode_seeking_space == "discriminator"

    def _critic(self, conditions):
        """One score per example, `sum_h mean(logits_h)`: what the penalties differentiate."""
        def critic(videos):
            heads = self._discriminate(videos, conditions)
            return tf.add_n([losses.per_example_mean(head) for head in heads])
        return critic

    def _unpack(self, data):
        if isinstance(data, (tuple, list)):
            real, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            real, labels = data, None
        if self.conditional and labels is None:
            raise ValueError("A class-conditional VideoGAN trains on (clips, labels) batches.")
        return real, (tf.cast(tf.reshape(labels, [-1]), tf.int32) if self.conditional else None)

    def _sparse_frames(self, real, batch_size):
        """`(frames, times)`: `sparse_frames` frames of each clip at random, in order, with their
        float times; `(real, None)` unless the GAN is continuous-time."""
        if not self.sparse_frames:
            return real, None
        indices = self._replica_share(
            lambda total, seed: time_sampling.sparse_frame_indices(
                total, real.shape[1], self.sparse_frames, seed, self.sparse_max_distance),
            batch_size)
        return time_sampling.take_frames(real, indices), tf.cast(indices, tf.float32)

    def _fake_inputs(self, z, conditions, batch_size):
        """The generator's inputs for fakes under the real clips' conditions. A continuous-time
        generator renders the real frames' gaps from a random start time
        (`time_sampling.time_offsets`), so it learns every time it may be asked for; its fakes
        are judged at the real times, since the discriminator sees only the gaps, which are then
        exactly the real ones."""
        if conditions.times is not None:
            offsets = self._replica_share(time_sampling.time_offsets, batch_size)
            conditions = conditions._replace(times=conditions.times + offsets)
        return networks.generator_inputs(z, conditions)

    def _generator_metric_names(self):
        return [name for name in _GENERATOR_METRICS if name in self._active_metrics]

    def _next_shared_seed(self):
        """The next seed of the saved random stream: the same on every replica."""
        seed = tf.identity(self.latent_seed)
        self.latent_seed.assign_add(tf.constant([0, 1], tf.int64))
        return seed

    def _next_seed(self):
        """The next seed with this replica's id folded in, so replicas draw different numbers."""
        return tf.random.experimental.stateless_fold_in(
            self._next_shared_seed(), replicas.replica_id())

    def _sample_latents(self, batch_size):
        return self._replica_share(
            lambda total, seed: tf.random.stateless_normal((total, self.latent_dim), seed=seed),
            batch_size)

    def _replica_share(self, draw, batch_size):
        """`draw(global batch size, seed)` on every replica from the shared seed, keeping this
        replica's slice: N replicas see exactly the numbers one device would."""
        count = tf.distribute.get_strategy().num_replicas_in_sync
        values = draw(batch_size * count, self._next_shared_seed())
        replica = replicas.replica_id()
        return values[replica * batch_size:(replica + 1) * batch_size]

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

    def render(self, z, labels=None, context=None, frames=None):
        """Runs the sampling generator on given latents; returns float videos in [-1, 1].

        Args:
            z: float `[N, latent_dim]`.
            labels: int `[N]` or one int for all (class-conditional; default: classes in turn).
            context: the first frames `[M, k, H, W, C]` (or whole clips), uint8 or float in
                [-1, 1] (frame-conditional; required there; cycled if M < N).
            frames: continuous-time models: render times `0, 1, ..., frames - 1` (default: the
                training clips' length), or a float array of times `[K]`; others: must be `None`.
        """
        count = len(z)
        if self.conditional:
            labels = np.arange(count) % self.num_classes if labels is None else labels
            labels = tf.constant(np.broadcast_to(labels, (count,)), tf.int32)
        else:
            labels = None
        if self.context_frames:
            if context is None:
                raise ValueError(
                    f"This model continues clips: pass context of {self.context_frames} frames.")
            context = media.to_float(context)[:, : self.context_frames]
            # Fewer contexts than latents (e.g. one real batch for many samples) are cycled.
            context = tf.gather(context, tf.range(count) % tf.shape(context)[0])
        else:
            context = None
        conditions = networks.Conditions(labels, context, self._render_times(count, frames))
        inputs = networks.generator_inputs(tf.convert_to_tensor(z, tf.float32), conditions)
        # Clipped: a linear output (stylegan-v's, as StyleGAN2's) may stray past [-1, 1].
        return tf.clip_by_value(self.sampling_generator(inputs, training=False), -1.0, 1.0)

    def _render_times(self, count, frames):
        if not self.sparse_frames:
            if frames is not None:
                raise ValueError(f"This model makes {self.frames}-frame clips; only a continuous-"
                                 "time model (arch stylegan-v) renders other lengths.")
            return None
        return time_sampling.frame_times(count, self.frames if frames is None else frames)

    def generate(self, num, seed=None, batch_size=16, labels=None, context=None, frames=None):
        """Generates `num` videos as uint8 `[num, frames, height, width, channels]`.

        Args:
            num: how many videos.
            seed: the same seed gives the same videos from the same weights.
            batch_size: videos generated per forward pass.
            labels: class-conditional models: int `[num]` or one int (default: classes in turn).
            context: frame-conditional models: the first frames of each video, `[num, k, H, W, C]`
                uint8 (or float in [-1, 1]; cycled if fewer); the generated clips continue them.
            frames: continuous-time models: frames per video (default: the training length) or
                an array of float times, e.g. `np.arange(64) / 4` for 4x the frame rate.
        """
        z = self.latents(num, seed)
        if context is not None:
            context = np.asarray(context)
            context = context[np.arange(num) % len(context)]
        if self.conditional:
            default = np.arange(num) % self.num_classes
            labels = np.broadcast_to(default if labels is None else labels, (num,))
        batches = [
            media.to_uint8(self.render(
                z[i:i + batch_size],
                labels=None if labels is None else labels[i:i + batch_size],
                context=None if context is None else context[i:i + batch_size],
                frames=frames,
            )).numpy()
            for i in range(0, num, batch_size)
        ]
        return np.concatenate(batches, axis=0)

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            seed=self.seed,
            ema_decay=self.ema_decay,
            num_classes=self.num_classes,
            class_names=self.class_names,
            frames=self.frames,
            sparse_max_distance=self.sparse_max_distance,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


def _mean_over_heads(heads):
    """The mean logit of a batch, averaged over the discriminator's heads (for the logs)."""
    return tf.add_n([tf.reduce_mean(head) for head in heads]) / len(heads)
