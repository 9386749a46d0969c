"""Strided Conv3D forward + backward: TensorFlow's own op against `StridedConv3D`'s rewrite.

The discriminators' kernel-4 / stride-2 Conv3D layers, at the main job's (32x32x16, batch 16) and
the base preset's (64x64x16, batch 8) shapes, timed as `Conv3D` and as `StridedConv3D` with its
space-to-depth rewrite forced on, with oneDNN off and on (each state in its own process:
TensorFlow reads TF_ENABLE_ONEDNN_OPTS at import). Medians of --repeats calls of a tf.function.

Run: python benchmarks/bench_kernels.py [--repeats 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# (batch, frames, size, input channels, filters): every strided stage of the two presets' D.
SHAPES = [
    (16, 16, 32, 3, 32), (16, 8, 16, 32, 64), (16, 4, 8, 64, 128),
    (8, 16, 64, 3, 64), (8, 8, 32, 64, 128), (8, 4, 16, 128, 256),
]


def time_layer(layer, clips, repeats):
    """Median milliseconds of the layer's forward pass and of forward + both gradients."""
    import tensorflow as tf

    forward = tf.function(lambda x: layer(x))

    @tf.function
    def forward_backward(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(layer(x)))
        return tape.gradient(loss, [x, *layer.trainable_variables])

    times = []
    for function in (forward, forward_backward):
        function(clips)  # traces
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            [value.numpy() for value in tf.nest.flatten(function(clips))]
            seconds.append(time.perf_counter() - started)
        times.append(1000 * statistics.median(seconds))
    return times


def measure(repeats):
    """One row per shape and layer, in this process's oneDNN state."""
    import keras

    from keras_vidgen import doctor
    from keras_vidgen.layers import StridedConv3D

    rows = []
    for batch, frames, size, channels, filters in SHAPES:
        clips = keras.random.normal((batch, frames, size, size, channels), seed=0)
        for name, layer_class in (("Conv3D", keras.layers.Conv3D), ("StridedConv3D", _Rewritten(StridedConv3D))):
            layer = layer_class(filters, 4, strides=2, padding="same")
            forward, both = time_layer(layer, clips, repeats)
            rows.append(dict(shape=f"{batch}x{frames}x{size}x{size}x{channels}->{filters}", layer=name,
                             forward=forward, both=both))
    return dict(machine=doctor.machine_summary(), rows=rows)


def _Rewritten(layer_class):
    """The layer with its rewrite taken whatever the oneDNN state (to time the rewrite itself)."""

    class Rewritten(layer_class):
        def _rewrite_applies(self, input_shape):
            return True

    return Rewritten


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        import keras_vidgen  # noqa: F401  (before TensorFlow: the parent set the oneDNN state)

        print(json.dumps(measure(args.repeats)))
        return
    results = {}
    for state, value in (("off", "0"), ("on", "1")):
        env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=value, TF_CPP_MIN_LOG_LEVEL="2")
        output = subprocess.run([sys.executable, __file__, "--json", "--repeats", str(args.repeats)],
                                env=env, check=True, capture_output=True, text=True).stdout
        results[state] = json.loads(output.strip().splitlines()[-1])
        print(f"oneDNN {state}: {results[state]['machine']}")
    print(f"\nforward + backward ms (forward alone in brackets), median of {args.repeats}\n")
    print(f"{'shape':<28}{'layer':<15}{'oneDNN off':>20}{'oneDNN on':>20}")
    for off, on in zip(results["off"]["rows"], results["on"]["rows"]):
        print(f"{off['shape']:<28}{off['layer']:<15}"
              f"{off['both']:>10.0f} ({off['forward']:>5.0f}){on['both']:>12.0f} ({on['forward']:>5.0f})")


if __name__ == "__main__":
    main()
