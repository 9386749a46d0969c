"""Convolving each example with its own filters: one depthwise convolution over the examples
folded into channels (`[N, H, W, D]` -> `[1, H, W, N * D]`), not a loop over the batch."""

import tensorflow as tf


def per_example_depthwise(images, filters, padding):
    """Convolves (cross-correlates) each example's image with its own per-channel filters.

    Args:
        images: `[N, H, W, D]`.
        filters: `[kh, kw, N, D]`: example n's channel d is filtered by `filters[:, :, n, d]`.
        padding: "SAME" or "VALID", as for `tf.nn.depthwise_conv2d`.

    Returns:
        `[N, H', W', D]`.
    """
    shape = tf.shape(images)
    count, height, width, depth = shape[0], shape[1], shape[2], shape[3]
    folded = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, height, width, count * depth])
    kernel_shape = tf.shape(filters)
    filters = tf.reshape(filters, [kernel_shape[0], kernel_shape[1], count * depth, 1])
    out = tf.nn.depthwise_conv2d(folded, filters, strides=[1, 1, 1, 1], padding=padding)
    out_shape = tf.shape(out)
    return tf.transpose(tf.reshape(out, [out_shape[1], out_shape[2], count, depth]), [2, 0, 1, 3])
