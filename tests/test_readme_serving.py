"""The README's TF Serving examples, fed to a real export as TF Serving would feed them."""

import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf
from conftest import Exportable
from tensorflow_serving.apis import prediction_service_pb2_grpc

from keras_vidgen import warmup
from keras_vidgen.config import preset
from keras_vidgen.export import export_generator
from keras_vidgen.models import build_video_gan
from keras_vidgen.sample import load_sampler

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")
EXAMPLE = re.compile(r"<!-- serving-example: (.+?) -->\n```\w+\n(.*?)```", re.DOTALL)


def readme_examples():
    with open(README) as file:
        return dict(EXAMPLE.findall(file.read()))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An export of the `tiny` preset's generator shape, the model the README's bodies are for."""
    config = preset("tiny")
    gan = build_video_gan("dcgan3d", config.model.latent_dim, config.data.frames, config.data.size,
                          g_filters=16, d_filters=8, seed=0)
    path = export_generator(Exportable(gan.generator), str(tmp_path_factory.mktemp("m") / "vidgen"))
    return path, tf.saved_model.load(path)


def rest_predict(loaded, body):
    """Answers a REST `:predict` body the way TF Serving's JSON API documents it.

    Row form: `instances` is a list with one object per example (or one value if the signature has
    a single input); each input is stacked along a new batch axis. Columnar form: `inputs` holds
    each input whole. A signature with a single output has its name left out of the response.
    """
    signature = loaded.signatures[body.get("signature_name", "serving_default")]
    specs = signature.structured_input_signature[1]
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows[0], dict):
            rows = [{next(iter(specs)): row} for row in rows]
        inputs = {name: np.stack([np.asarray(row[name]) for row in rows]) for name in specs}
    else:
        columns = body["inputs"] if isinstance(body["inputs"], dict) else {next(iter(specs)): body["inputs"]}
        inputs = {name: np.asarray(value) for name, value in columns.items()}
    outputs = signature(**{name: tf.constant(value, specs[name].dtype) for name, value in inputs.items()})
    outputs = {name: value.numpy() for name, value in outputs.items()}
    single = next(iter(outputs)) if len(outputs) == 1 else None
    if "instances" in body:
        batch = len(next(iter(outputs.values())))
        rows = [{name: value[i] for name, value in outputs.items()} for i in range(batch)]
        return {"predictions": [row[single] if single else row for row in rows]}
    return {"outputs": outputs[single] if single else outputs}


def skeleton(response):
    """Replaces every array in a response by `"<dtype> [shape]"`, as the README writes them."""
    if isinstance(response, dict):
        return {key: skeleton(value) for key, value in response.items()}
    if isinstance(response, list):
        return [skeleton(value) for value in response]
    return f"{response.dtype.name} {list(response.shape)}"


@pytest.mark.parametrize("form", ["row", "columnar", "seed"])
def test_readme_rest_bodies_give_the_documented_responses(served, form):
    examples = readme_examples()
    response = rest_predict(served[1], json.loads(examples[f"{form} request"]))
    assert skeleton(response) == json.loads(examples[f"{form} response"])


def test_readme_row_and_columnar_forms_give_the_same_videos(served):
    examples = readme_examples()
    rows = rest_predict(served[1], json.loads(examples["row request"]))["predictions"]
    columns = rest_predict(served[1], json.loads(examples["columnar request"]))["outputs"]
    np.testing.assert_array_equal(np.stack([row["video"] for row in rows]), columns["video"])


def test_readme_seed_body_gives_what_vidgen_sample_gives(served):
    body = json.loads(readme_examples()["seed request"])
    video = rest_predict(served[1], body)["outputs"]["video"]
    expected = load_sampler(served[0]).from_seed(body["inputs"]["num"], seed=body["inputs"]["seed"])
    np.testing.assert_array_equal(video, expected)


def test_readme_grpc_example_runs_against_the_export(served, monkeypatch):
    class LocalStub:
        """Answers Predict from the loaded export instead of over the network."""

        def __init__(self, channel):
            pass

        def Predict(self, request, timeout=None):
            return warmup.predict(served[1], request)

    monkeypatch.setattr(prediction_service_pb2_grpc, "PredictionServiceStub", LocalStub)
    namespace = {}
    exec(readme_examples()["grpc"], namespace)
    assert list(namespace["response"].outputs) == ["video"]  # the output filter held
    np.testing.assert_array_equal(namespace["videos"], load_sampler(served[0]).from_seed(4, seed=7))
