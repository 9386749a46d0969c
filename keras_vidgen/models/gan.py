"""`VideoGAN`: a `keras.Model` that trains a video generator against a discriminator with `fit()`."""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import losses, media
from keras_vidgen.latents import seeded_latents
from keras_vidgen.layers.diff_augment import diff_augment, parse_policy
from keras_vidgen.models import gan_parts

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
                 **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        self.ema_decay = ema_decay
        self.num_classes = num_classes
        self._check_networks()
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

    def _check_networks(self):
        g_inputs = gan_parts.input_shapes(self.generator)
        if "z" not in g_inputs:
            raise ValueError(f"The generator needs an input named 'z'; it has {sorted(g_inputs)}.")
        self.latent_dim = int(g_inputs["z"][-1])
        self.context_frames = int(g_inputs["context"][0]) if "context" in g_inputs else 0
        self.conditional = "label" in g_inputs
        if self.conditional != bool(self.num_classes):
            raise ValueError(
                "num_classes must be given exactly when the generator has a 'label' input "
                f"(generator inputs {sorted(g_inputs)}, num_classes={self.num_classes})."
            )
        d_inputs = gan_parts.input_shapes(self.discriminator)
        if ("label" in d_inputs) != self.conditional:
            raise ValueError("The generator and the discriminator must both take a 'label' or neither.")
        self._video_input = gan_parts.video_input_name(self.discriminator)
        self.video_shape = tuple(int(d) for d in self.generator.output_shape[1:])
        expected = tuple(int(d) for d in d_inputs[self._video_input])
        if self.video_shape != expected:
            raise ValueError(
                f"The generator makes videos of shape {self.video_shape} but the discriminator "
                f"expects {expected}; build both for the same frames, size and channels."
            )

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
                      g_reg_penalty=_adds_losses(self.generator))
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
        d_results = self._discriminator_step(real, labels, batch_size)
        if self.n_critic == 1:
            g_results, g_weight = self._generator_step(labels, context, batch_size), 1.0
        else:
            # The D optimizer has just counted this step: G steps after every n_critic-th one.
            g_turn = tf.equal(self.d_optimizer.iterations % self.n_critic, 0)
            g_results = tf.cond(
                g_turn,
                lambda: self._generator_step(labels, context, batch_size),
                lambda: {name: tf.constant(0.0) for name in self._generator_metric_names()},
            )
            g_weight = tf.cast(g_turn, tf.float32)
        for name, (value, weight) in d_results.items():
            self._trackers[name].update_state(_replica_mean(value), sample_weight=weight)
        for name, value in g_results.items():
            # Steps without a G update do not count towards the G metrics' means.
            self._trackers[name].update_state(_replica_mean(value), sample_weight=g_weight)
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

    def _discriminator_step(self, real, labels, batch_size):
        z = self._sample_latents(batch_size)
        fake = self.generator(self._generator_inputs(z, labels, real), training=True)
        one = tf.constant(1.0)
        with tf.GradientTape() as tape:
            real_heads = self._discriminate(real, labels)
            fake_heads = self._discriminate(fake, labels)
            per_example = gan_parts.sum_over_heads(self.d_loss_fn, real_heads, fake_heads)
            loss = self._average_over_global_batch(per_example, batch_size)
            results = {"d_loss": (tf.reduce_mean(per_example), one)}
            if self.gp_weight > 0:
                alpha = losses.interpolation_weights(batch_size, real.shape.rank, self._next_seed())
                gp = losses.gradient_penalty(self._critic(labels), real, fake, alpha)
                loss += self.gp_weight * self._average_over_global_batch(gp, batch_size)
                results["gp_penalty"] = (tf.reduce_mean(gp), one)
            if self.r1_gamma > 0:
                r1, r1_weight = self._lazy_r1(real, labels, batch_size)
                loss += 0.5 * self.r1_gamma * self.r1_interval * self._average_over_global_batch(
                    r1, batch_size)
                results["r1_penalty"] = (tf.reduce_mean(r1), r1_weight)
            loss += self._regularisation(self.discriminator)
            # Identity unless the optimizer is a LossScaleOptimizer (mixed_float16), whose
            # apply_gradients unscales the gradients again.
            scaled = self.d_optimizer.scale_loss(loss)
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        results["d_real"] = (tf.add_n([tf.reduce_mean(h) for h in real_heads]) / len(real_heads), one)
        results["d_fake"] = (tf.add_n([tf.reduce_mean(h) for h in fake_heads]) / len(fake_heads), one)
        return results

    def _lazy_r1(self, real, labels, batch_size):
        if self.r1_interval == 1:
            return losses.r1_penalty(self._critic(labels), real), tf.constant(1.0)
        # Counted before this step's update, so the very first step is regularised.
        r1_turn = tf.equal(self.d_optimizer.iterations % self.r1_interval, 0)
        weight = tf.cast(r1_turn, tf.float32)
        if self.distribute_strategy.num_replicas_in_sync > 1:
            # Across replicas, the state updates inside D (spectral norm vectors, augmentation
            # seeds) cannot sit in a tf.cond: compute every step and mask (no time saved).
            return losses.r1_penalty(self._critic(labels), real) * weight, weight
        r1 = tf.cond(r1_turn, lambda: losses.r1_penalty(self._critic(labels), real),
                     lambda: tf.zeros([batch_size]))
        return r1, weight

    def _generator_step(self, labels, context, batch_size):
        z = self._sample_latents(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self._generator_inputs(z, labels, context), training=True)
            regularisation = self._regularisation(self.generator)
            fake_heads = self._discriminate(fake, labels)
            per_example = gan_parts.sum_over_heads(self.g_loss_fn, fake_heads)
            loss = self._average_over_global_batch(per_example, batch_size) + regularisation
            results = {"g_loss": tf.reduce_mean(per_example)}
            if self.context_frames:
                recon = gan_parts.per_example_mean(tf.abs(fake[:, : self.context_frames] - context))
                loss += self.recon_weight * self._average_over_global_batch(recon, batch_size)
                results["recon_penalty"] = tf.reduce_mean(recon)
            scaled = self.g_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        if self.ema_generator is not None:
            gan_parts.update_ema(self.ema_generator, self.generator, self._ema_decay_now())
        if "g_reg_penalty" in self._active_metrics:
            results["g_reg_penalty"] = regularisation
        return results

    def _ema_decay_now(self):
        # Warm-up as in tf.train.ExponentialMovingAverage(num_updates): min(decay, (1+n)/(10+n)),
        # so a short run's EMA is not dominated by the untrained initial weights.
        updates = tf.cast(self.g_optimizer.iterations, tf.float32)
        return tf.minimum(self.ema_decay, (1.0 + updates) / (10.0 + updates))

    def _discriminate(self, videos, labels):
        """The discriminator's heads on (augmented) videos."""
        if self.augment:
            videos = diff_augment(videos, self._next_seed(), self.augment)
        inputs = {self._video_input: videos, "label": labels} if self.conditional else videos
        return gan_parts.heads(self.discriminator(inputs, training=True))

    def _critic(self, labels):
        """One score per example, `sum_h mean(logits_h)`: what the penalties differentiate."""
        def critic(videos):
            heads = self._discriminate(videos, labels)
            return tf.add_n([gan_parts.per_example_mean(head) for head in heads])
        return critic

    def _generator_inputs(self, z, labels, clips):
        inputs = {"z": z}
        if self.conditional:
            inputs["label"] = labels
        if self.context_frames:
            inputs["context"] = clips[:, : self.context_frames]
        return inputs if len(inputs) > 1 else z

    def _regularisation(self, network):
        # Losses the network added in its last call (`add_loss`, weight regularisers): scalar
        # means per replica, so divided by the replica count as Keras does for its own losses.
        if not network.losses:
            return tf.constant(0.0)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return tf.add_n([tf.cast(x, tf.float32) for x in network.losses]) / replicas

    def _next_shared_seed(self):
        """The next seed of the saved random stream: the same on every replica."""
        seed = tf.identity(self.latent_seed)
        self.latent_seed.assign_add(tf.constant([0, 1], tf.int64))
        return seed

    def _next_seed(self):
        """The next seed with this replica's id folded in, so replicas draw different numbers."""
        return tf.random.experimental.stateless_fold_in(self._next_shared_seed(), _replica_id())

    def _sample_latents(self, batch_size):
        # Every replica draws the latents of the whole global batch from the shared seed and
        # keeps its own slice, so N replicas see exactly the latents one device would.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        z = tf.random.stateless_normal(
            (batch_size * replicas, self.latent_dim), seed=self._next_shared_seed()
        )
        return z[_replica_id() * batch_size:(_replica_id() + 1) * batch_size]

    @staticmethod
    def _average_over_global_batch(per_example, batch_size):
        # Under a tf.distribute strategy gradients are summed across replicas, so each replica
        # divides its sum by the global batch; on one device this is the plain mean.
        per_example = tf.cast(per_example, tf.float32)  # losses in float32 under mixed precision
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

    def render(self, z, labels=None, context=None):
        """Runs the sampling generator on given latents; returns float videos in [-1, 1].

        Args:
            z: float `[N, latent_dim]`.
            labels: int `[N]` or one int for all (class-conditional; default: classes in turn).
            context: the first frames `[M, k, H, W, C]` (or whole clips), uint8 or float in
                [-1, 1] (frame-conditional; required there; cycled if M < N).
        """
        count = len(z)
        inputs = {"z": tf.convert_to_tensor(z, tf.float32)}
        if self.conditional:
            labels = np.arange(count) % self.num_classes if labels is None else labels
            inputs["label"] = tf.constant(np.broadcast_to(labels, (count,)), tf.int32)
        if self.context_frames:
            if context is None:
                raise ValueError(f"This model continues clips: pass context of {self.context_frames} frames.")
            context = gan_parts.to_float_clips(context)[:, : self.context_frames]
            # Fewer contexts than latents (e.g. one real batch for many samples) are cycled.
            inputs["context"] = tf.gather(context, tf.range(count) % tf.shape(context)[0])
        return self.sampling_generator(inputs if len(inputs) > 1 else inputs["z"], training=False)

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
        z = self.latents(num, seed)
        if context is not None:
            context = np.asarray(context)
            context = context[np.arange(num) % len(context)]
        if self.conditional:
            labels = np.broadcast_to(np.arange(num) % self.num_classes if labels is None else labels, (num,))
        batches = [
            media.to_uint8(self.render(
                z[i:i + batch_size],
                labels=None if labels is None else labels[i:i + batch_size],
                context=None if context is None else context[i:i + batch_size],
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
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


def _adds_losses(model):
    """Whether a network adds losses of its own when called (e.g. VGAN's mask penalty)."""
    from keras_vidgen.layers import MeanAbsPenalty

    def adds(layer):
        regularisers = ("activity_regularizer", "kernel_regularizer", "bias_regularizer")
        return isinstance(layer, MeanAbsPenalty) or any(getattr(layer, r, None) for r in regularisers)

    return any(adds(layer) for layer in model._flatten_layers())


def _replica_id():
    context = tf.distribute.get_replica_context()
    return context.replica_id_in_sync_group if context is not None else 0


def _replica_mean(value):
    """The mean of `value` over all replicas (itself on one), so every replica logs global values."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)
