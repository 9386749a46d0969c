"""`vidgen doctor` and the machine summary every benchmark starts with."""

from keras_vidgen import doctor, onednn
from keras_vidgen.cli import main


def test_doctor_reports_versions_cpu_onednn_and_a_run_estimate(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_VIDGEN_CACHE", str(tmp_path))
    assert main(["doctor", "--preset", "tiny"]) == 0
    # It timed the steps fed by the preset's own pipeline, from its own data (written for it),
    # not clips from memory: on a 2-core Zen 3 those said 200 ms where the run took 267.
    assert [path.name for path in tmp_path.iterdir()] == ["moving_shapes-n8-f8-s16-seed0"]
    # Each line is a name padded to 27 characters, then its value.
    lines = {line[:27].strip(): line[28:] for line in capsys.readouterr().out.splitlines()}
    for fact in ("python", "tensorflow", "keras", "tensorflow-io", "opencv-python-headless",
                 "numpy", "cpu", "cores", "instruction sets", "oneDNN", "GPUs seen by TensorFlow",
                 "remote file systems", "fp32 matmul (3 s)", "training step", "so"):
        assert fact in lines, fact
    assert lines["tensorflow"].startswith("2.17")
    assert lines["oneDNN"].startswith("on" if onednn.enabled() else "off")
    assert float(lines["fp32 matmul (3 s)"].split()[0]) > 0
    assert float(lines["training step"].split()[0]) > 0
    # The tiny preset: 1 epoch of 2 steps, no time budget.
    assert "trains its 2 steps in about" in lines["so"]
    assert "s3" in lines["remote file systems"]  # tensorflow-io's plugins load with TF 2.17


def test_machine_summary_names_cpu_onednn_and_the_given_matmul_rate():
    summary = doctor.machine_summary(matmul=123.4)
    assert doctor.cpu_model() in summary
    assert f"oneDNN {'on' if onednn.enabled() else 'off'}" in summary
    assert "fp32 matmul 123 GFLOP/s" in summary
