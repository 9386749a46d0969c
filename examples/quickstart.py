"""Train a video GAN on the built-in moving shapes, save it, sample it and export it.

Run: python examples/quickstart.py            (1,200 steps of 16 clips: ~10 minutes on a 2-core
                                                AMD EPYC, ~3 where the matmul rate is 6x that)
     python examples/quickstart.py --steps 2  (a smoke run of a few seconds)
"""

import argparse

import keras_vidgen as kv  # first: it turns oneDNN on before TensorFlow is imported

import keras  # noqa: E402


def main(steps_per_epoch=150, epochs=8, workdir="."):
    # Any glob, folder or list of video files works here; these are the built-in moving shapes.
    videos = kv.make_moving_shapes(f"{workdir}/data/shapes", num_videos=256, frames=32, size=32)
    dataset = kv.video_dataset(videos, frames=16, size=32, batch_size=16, repeat=True, seed=0)

    gan = kv.build_video_gan(
        "dcgan3d", latent_dim=64, frames=16, size=32, g_filters=256, d_filters=32, seed=0,
        spectral_norm=True,  # in the discriminator (Miyato et al. 2018)
        ema_decay=0.999,  # samples and exports come from a moving average of G's weights
    )
    gan.compile(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.9),
        d_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9),
        loss="hinge",
    )
    gan.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch)

    gan.save(f"{workdir}/run.keras")  # keras.models.load_model() restores it, optimizers included
    kv.media.write_video(f"{workdir}/samples.gif", kv.media.tile_videos(gan.generate(8, seed=0)))
    export_path = kv.export_generator(gan, f"{workdir}/saved_models/shapes")
    print(f"Checkpoint {workdir}/run.keras, samples {workdir}/samples.gif, export {export_path}")
    return export_path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150, help="steps per epoch")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--workdir", default=".", help="where data and outputs go")
    args = parser.parse_args()
    main(args.steps, args.epochs, args.workdir)
