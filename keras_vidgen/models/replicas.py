"""What a GAN training step does differently under a tf.distribute strategy: functions of tensors.

Each replica runs the step on its slice of the global batch and the gradients are summed across
replicas, so hand-written losses divide by the global batch, and logged values are averaged over
replicas. On one device every function here reduces to the plain computation.
"""

import tensorflow as tf


def replica_id():
    """This replica's index in its sync group; 0 outside a replica context."""
    context = tf.distribute.get_replica_context()
    return context.replica_id_in_sync_group if context is not None else 0


def replica_mean(value):
    """The mean of `value` over all replicas (itself on one), so every replica logs global values."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)


def average_over_global_batch(per_example, batch_size):
    """This replica's share of the global-batch mean of a per-example loss.

    Args:
        per_example: the loss of each example of this replica's batch, `[batch_size]`.
        batch_size: this replica's batch size.

    Returns:
        A float32 scalar: `sum(per_example) / global batch size`.
    """
    # Under a tf.distribute strategy gradients are summed across replicas, so each replica
    # divides its sum by the global batch; on one device this is the plain mean.
    per_example = tf.cast(per_example, tf.float32)  # losses in float32 under mixed precision
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    global_batch = tf.cast(batch_size * replicas, per_example.dtype)
    return tf.reduce_sum(per_example) / global_batch


def network_regularisation(network_losses):
    """This replica's share of the losses a network added in its last call (`network.losses`:
    `add_loss`, weight regularisers); a float32 scalar, 0 if there are none."""
    # They are scalar means per replica, so divided by the replica count as Keras does for its
    # own losses.
    if not network_losses:
        return tf.constant(0.0)
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return tf.add_n([tf.cast(x, tf.float32) for x in network_losses]) / replicas


def fit_logs(logs):
    """`train_step`'s `{name: scalar}` logs in a shape `fit()` can reduce on every strategy."""
    strategy = tf.distribute.get_strategy()
    if getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)():
        # Keras reduces fit()'s logs across workers with strategy.reduce(MEAN, axis=0), which
        # fails on scalars ("Invalid reduction dimension 0", tensorflow/tensorflow#72388).
        # Shape [1] reduces to the same scalar (the values are already global means).
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
