"""Do seeded runs repeat bit for bit? Trains one config in several fresh processes and reports the
first step at which their weights part, and into how many versions.

Each process trains bench_quality's setting (a preset, the training half of its data, seed 0
unless `--set seed=N`) for `--steps` steps and prints, after every step, a digest of the
generator's, the discriminator's, the EMA generator's and both optimizers' variables. Processes
run two at a time, one pinned to each of the first two cores, so a difference cannot come from
how many cores a process saw. Pass `--set` to narrow a cause down (`r1_gamma=0`) and
`--env NAME=VALUE` for environment switches (`TF_ENABLE_ONEDNN_OPTS=0`).

Run: python benchmarks/probe_determinism.py [--preset base] [--steps 20] [--processes 6]
     [--set r1_gamma=0] [--env TF_ENABLE_ONEDNN_OPTS=0] [--out OUT]
"""

import argparse
import collections
import os
import subprocess
import sys

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)


def child(preset_name, steps, settings, out_dir):
    """Trains in this process and prints `STEP <n> <digests>` after every step."""
    import dataclasses
    import hashlib

    import keras
    import numpy as np

    from bench_quality import split_halves
    from keras_vidgen.config import parse_settings, preset
    from keras_vidgen.train import resolve_data, train

    def digest(variables):
        hashed = hashlib.sha256()
        for variable in variables:
            hashed.update(np.asarray(variable.numpy()).tobytes())
        return hashed.hexdigest()[:10]

    class Digests(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            model = self.model
            ema = model.ema_generator.weights if model.ema_generator is not None else []
            print(f"STEP {batch} G {digest(model.generator.weights)} "
                  f"D {digest(model.discriminator.weights)} E {digest(ema)} "
                  f"GO {digest(model.g_optimizer.variables)} "
                  f"DO {digest(model.d_optimizer.variables)}", flush=True)

    config = preset(preset_name, name="determinism", logdir=os.path.join(out_dir, "runs"),
                    export_dir=None, max_minutes=None, epochs=1, steps_per_epoch=steps,
                    num_samples=2)
    config = config.updated(parse_settings(settings)).check()
    halves = split_halves(resolve_data(config), out_dir)
    train(dataclasses.replace(config, data=dataclasses.replace(config.data, data=halves["half_a"])),
          extra_callbacks=[Digests()])


def run_processes(args):
    """Runs the children two at a time; returns `[{step: digests}]`, one per process."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **dict(item.split("=", 1) for item in args.env))
    command = [sys.executable, os.path.abspath(__file__), "--child", "--preset", args.preset,
               "--steps", str(args.steps)] + [f"--set={item}" for item in args.set]
    results = []
    for first in range(0, args.processes, 2):
        running = []
        for index in range(first, min(first + 2, args.processes)):
            out_dir = os.path.join(args.out, f"process{index}")
            os.makedirs(out_dir, exist_ok=True)
            pinned = ["taskset", "-c", str(index % 2)] if hasattr(os, "sched_setaffinity") else []
            running.append(subprocess.Popen(pinned + command + ["--out", out_dir], env=env,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                            text=True))
        for process in running:
            output, _ = process.communicate()
            steps = {}
            for line in output.replace("\r", "\n").splitlines():
                if "STEP " in line:
                    words = line[line.index("STEP "):].split()
                    steps[int(words[1])] = " ".join(words[2:])
            if process.returncode != 0 or not steps:
                sys.exit(f"a process failed (exit {process.returncode}): run it with --child to see why")
            results.append(steps)
    return results


def report(results):
    """Prints where the processes part and into how many versions."""
    last = min(max(steps) for steps in results)
    for step in range(last + 1):
        versions = collections.Counter(steps[step] for steps in results)
        if len(versions) > 1:
            print(f"The {len(results)} processes part at step {step}: {len(versions)} versions, of "
                  + ", ".join(str(count) for count in versions.values()) + " processes.")
            final = collections.Counter(steps[last] for steps in results)
            print(f"At step {last}: {len(final)} versions.")
            return
    print(f"All {len(results)} processes agree at every step to step {last}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="base")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--out", default="benchmarks/out/determinism")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.preset, args.steps, ["seed=0", *args.set], args.out)
        return
    from keras_vidgen import doctor

    print(doctor.machine_summary(), flush=True)
    print(f"{args.processes} processes of {args.preset}, {args.steps} steps, "
          f"settings {args.set or 'as the preset'}, environment {args.env or 'as it is'}")
    report(run_processes(args))


if __name__ == "__main__":
    main()
