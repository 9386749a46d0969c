"""Remote reads through tensorflow-io, against real servers started on loopback by the tests.

http:// runs in this process (Python's http.server). s3:// uses moto's S3-compatible server; the
reads run in subprocesses because tensorflow-io 0.37.1 aborts any process that used s3 when it
exits (tensorflow/io #2039), which would fail the whole pytest run.
"""

import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading

import pytest
from conftest import frame_index, numbered_frames, write_video

from keras_vidgen.data import SkippedFiles, load_clip, video_dataset


@pytest.fixture(scope="module")
def web_root(tmp_path_factory):
    """Serves a folder over http on 127.0.0.1; yields (folder, base URL)."""
    folder = tmp_path_factory.mktemp("web")
    for index in range(3):
        write_video(folder / f"clip{index}.avi", numbered_frames(8), fourcc="MJPG")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_single_url_and_a_list_of_urls(web_root):
    _, base = web_root
    clip = load_clip(f"{base}/clip0.avi", frames=4, size=16, stride=2)
    assert [frame_index(frame) for frame in clip] == [0, 2, 4, 6]
    urls = [f"{base}/clip{index}.avi" for index in range(3)]
    batches = list(video_dataset(urls, frames=4, size=16, batch_size=3, seed=0))
    assert len(batches) == 1 and batches[0].shape == (3, 4, 16, 16, 3)


def test_a_remote_manifest_of_relative_urls_with_labels(web_root):
    folder, base = web_root
    (folder / "train.csv").write_text("path,label\nclip0.avi,cat\nclip1.avi,dog\nclip2.avi,cat\n")
    dataset = video_dataset(f"{base}/train.csv", frames=2, size=16, batch_size=3, labels=True,
                            shuffle=False)
    _, labels = next(iter(dataset))
    assert labels.numpy().tolist() == [0, 1, 0]


def test_a_missing_url_is_named_or_skipped(web_root):
    _, base = web_root
    urls = [f"{base}/clip0.avi", f"{base}/gone.avi"]
    with pytest.raises(ValueError, match=r"gone.avi: .*404"):
        video_dataset(urls, frames=2, size=16, batch_size=1)
    skipped = SkippedFiles()
    dataset = video_dataset(urls, frames=2, size=16, batch_size=1, on_error="skip", skipped=skipped)
    assert len(list(dataset)) == 1 and list(skipped.reasons) == [f"{base}/gone.avi"]


@pytest.fixture(scope="module")
def s3_bucket(tmp_path_factory):
    """A moto S3 server on loopback holding `s3://videos/ucf/<class>/<clip>.avi`; yields its env."""
    # Imported here, not skipped when missing: the test extras install them (setup.cfg), and a
    # quietly skipped S3 test would leave the s3:// path untested in CI.
    import boto3
    from moto import server as moto_server

    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = dict(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket="videos")
    folder = tmp_path_factory.mktemp("s3-upload")
    for label, first in (("Archery", 0), ("Biking", 4)):
        for index in range(2):
            path = write_video(folder / f"{label}{index}.avi", numbered_frames(first + 8)[first:], fourcc="MJPG")
            client.upload_file(path, "videos", f"ucf/{label}/v_{index}.avi")
    client.put_object(Bucket="videos", Key="ucf/Biking/broken.avi", Body=b"not a video")
    environment = dict(
        os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
        S3_ENDPOINT=endpoint, S3_USE_HTTPS="0", S3_VERIFY_SSL="0", AWS_EC2_METADATA_DISABLED="true",
        KERAS_VIDGEN_CACHE=str(folder / "cache"),
    )
    yield environment
    server.stop()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command, environment, cwd):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment, cwd=cwd)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


S3_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from keras_vidgen.data import SkippedFiles, list_video_files, video_dataset
    skipped = SkippedFiles()
    found = list_video_files("s3://videos/ucf/*/*.avi")
    dataset = video_dataset("s3://videos/ucf", frames=4, size=16, batch_size=4, labels="folder",
                            on_error="skip", skipped=skipped, shuffle=False)
    clips, labels = next(iter(dataset))
    firsts = [int(round(float((clip[0].numpy().mean() + 1) * 127.5) / 8)) for clip in clips]
    print(json.dumps({"found": found, "labels": labels.numpy().tolist(), "firsts": firsts,
                      "skipped": sorted(skipped.reasons)}))
    sys.stdout.flush()
    os._exit(0)  # tensorflow-io 0.37.1 aborts at exit after s3 use (tensorflow/io #2039)
""")


@pytest.mark.slow
def test_s3_glob_folder_labels_and_skips_through_tensorflow_io(s3_bucket, tmp_path):
    output = _run([sys.executable, "-c", S3_SCRIPT], s3_bucket, tmp_path)
    result = json.loads(output.strip().splitlines()[-1])
    assert len(result["found"]) == 5 and result["found"][0] == "s3://videos/ucf/Archery/v_0.avi"
    assert result["labels"] == [0, 0, 1, 1]  # Archery, Archery, Biking, Biking (sorted order)
    assert result["firsts"] == [0, 0, 4, 4]  # the frames really came from those files
    assert result["skipped"] == ["s3://videos/ucf/Biking/broken.avi"]


@pytest.mark.slow
def test_cli_inspect_data_and_train_on_an_s3_glob(s3_bucket, tmp_path):
    vidgen = os.path.join(os.path.dirname(sys.executable), "vidgen")
    report = _run([vidgen, "inspect-data", "s3://videos/ucf/*/*.avi", "--labels", "folder"], s3_bucket, tmp_path)
    assert "5 found, 4 readable, 1 unreadable" in report
    assert "s3://videos/ucf/Biking/broken.avi: no decoder" in report
    assert "Classes:      2: Archery (2), Biking (3)" in report
    output = _run(
        [vidgen, "train", "--preset", "tiny", "--data", "s3://videos/ucf/*/*.avi", "--labels", "folder",
         "--num-classes", "2", "--on-error", "skip", "--no-export", "--logdir", str(tmp_path / "runs"), "--epochs", "1"],
        s3_bucket, tmp_path,
    )
    assert "classes:" in output
    (run,) = os.listdir(tmp_path / "runs")
    index = json.loads((tmp_path / "runs" / run / "class_index.json").read_text())
    assert index == {"Archery": 0, "Biking": 1}
