"""`VideoGAN`'s sampling side after training: its generator's inputs from what a caller has
(latents, optional labels and context clips), and videos in batches.

`VideoGAN.render` and `VideoGAN.generate` document the arguments; these are their bodies.
"""

import numpy as np
import tensorflow as tf

from keras_vidgen import media
from keras_vidgen.models import gan_parts


def render(gan, z, labels=None, context=None):
    """Runs `gan`'s sampling generator on given latents; float videos in [-1, 1]."""
    count = len(z)
    inputs = {"z": tf.convert_to_tensor(z, tf.float32)}
    if gan.conditional:
        labels = np.arange(count) % gan.num_classes if labels is None else labels
        inputs["label"] = tf.constant(np.broadcast_to(labels, (count,)), tf.int32)
    if gan.context_frames:
        if context is None:
            raise ValueError(f"This model continues clips: pass context of {gan.context_frames} frames.")
        context = gan_parts.to_float_clips(context)[:, : gan.context_frames]
        # Fewer contexts than latents (e.g. one real batch for many samples) are cycled.
        inputs["context"] = tf.gather(context, tf.range(count) % tf.shape(context)[0])
    return gan.sampling_generator(inputs if len(inputs) > 1 else inputs["z"], training=False)


def generate(gan, num, seed=None, batch_size=16, labels=None, context=None):
    """`num` uint8 videos from `gan`, rendered `batch_size` at a time."""
    z = gan.latents(num, seed)
    if context is not None:
        context = np.asarray(context)
        context = context[np.arange(num) % len(context)]
    if gan.conditional:
        labels = np.broadcast_to(np.arange(num) % gan.num_classes if labels is None else labels, (num,))
    batches = [
        media.to_uint8(gan.render(
            z[i:i + batch_size],
            labels=None if labels is None else labels[i:i + batch_size],
            context=None if context is None else context[i:i + batch_size],
        )).numpy()
        for i in range(0, num, batch_size)
    ]
    return np.concatenate(batches, axis=0)
