"""TF Serving warm-up requests, and running a gRPC `PredictRequest` against a loaded SavedModel.

TF Serving replays `assets.extra/tf_serving_warmup_requests` (a TFRecord file of `PredictionLog`
protos) when it loads a version, before reporting it ready, so the first user request does not pay
for graph initialisation (TF Serving's "SavedModel Warmup" guide).
"""

import os

import tensorflow as tf
from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")


def predict_request(model_name, signature_name, inputs):
    """Builds a gRPC `PredictRequest` from named numpy inputs.

    Args:
        model_name: the name TF Serving serves the model under (`--model_name`).
        signature_name: e.g. `"serving_default"`.
        inputs: dict of input name -> array-like (dtypes as the signature expects).

    Returns:
        A `tensorflow_serving.apis.predict_pb2.PredictRequest`.
    """
    request = predict_pb2.PredictRequest(
        model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature_name)
    )
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def write_warmup(version_dir, requests):
    """Writes `requests` as the warm-up file of the SavedModel version in `version_dir`.

    Returns:
        The file's path.
    """
    path = os.path.join(version_dir, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for request in requests:
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log.SerializeToString())
    return path


def read_warmup(version_dir):
    """Returns the `PredictRequest`s of a version's warm-up file, in order."""
    path = os.path.join(version_dir, WARMUP_FILE)
    requests = []
    for record in tf.data.TFRecordDataset(path):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        requests.append(log.predict_log.request)
    return requests


def predict(loaded, request):
    """Answers a `PredictRequest` from a `tf.saved_model.load`ed model, as TF Serving's Predict does.

    Args:
        loaded: the loaded SavedModel.
        request: a `PredictRequest`; an empty `signature_name` means `serving_default`, and a
            non-empty `output_filter` keeps only the outputs it names.

    Returns:
        A `PredictResponse`.
    """
    name = request.model_spec.signature_name or "serving_default"
    if name not in loaded.signatures:
        raise ValueError(f"The SavedModel has no signature {name!r}; it has {sorted(loaded.signatures)}.")
    inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
    outputs = loaded.signatures[name](**inputs)
    wanted = set(request.output_filter) or set(outputs)
    response = predict_pb2.PredictResponse(model_spec=request.model_spec)
    for key in sorted(wanted):
        response.outputs[key].CopyFrom(tf.make_tensor_proto(outputs[key].numpy()))
    return response
