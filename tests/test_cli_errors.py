"""`vidgen`'s errors: bad flags refused at once, by name, leaving nothing behind; user errors in
one line; a bug's traceback kept."""

import os
import subprocess
import sys

import pytest

from keras_vidgen import cli
from keras_vidgen.errors import DataError

TINY = ["--preset", "tiny", "--epochs", "1", "--steps-per-epoch", "1"]


@pytest.mark.parametrize("flags, named", [
    (["--arch", "dcgan"], "--arch"),
    (["--loss", "hinj"], "--loss"),
    (["--labels", "folders"], "--labels"),
    (["--frames", "0"], "--frames 0"),
    (["--batch-size", "-1"], "--batch-size -1"),
    (["--labels", "folder"], "--num-classes"),  # class labels need a class count
    (["--frames", "4", "--context-frames", "4"], "--context-frames 4"),
    (["--n-critic", "5", "--strategy", "mirrored"], "--strategy mirrored"),
    (["--arch", "stylegan-v", "--context-frames", "2"], "--context-frames 2"),
    (["--arch", "stylegan-v", "--frames", "2"], "--frames 2"),
])
def test_a_bad_flag_exits_at_once_naming_it_and_leaves_nothing(flags, named, tmp_path,
                                                              tensorflow_unimportable):
    from test_cli import vidgen_executable

    environment = dict(os.environ, KERAS_VIDGEN_CACHE=str(tmp_path / "cache"),
                       PYTHONPATH=tensorflow_unimportable)
    result = subprocess.run(
        [vidgen_executable(), "train", *TINY, *flags, "--logdir", str(tmp_path / "runs"),
         "--export-dir", str(tmp_path / "exports")],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path), env=environment,
    )
    assert result.returncode == 2, result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []  # no run folder, export or data set


@pytest.fixture(scope="module")
def tensorflow_unimportable(tmp_path_factory):
    """A PYTHONPATH that puts first a folder whose `tensorflow` raises on import: a flag refused
    "at once" is refused before TensorFlow (seconds to import) is loaded, checked without timing
    anything (a wall-clock bound failed on a loaded machine). The caller's PYTHONPATH follows, so
    a checkout run with `PYTHONPATH=.` still finds keras_vidgen."""
    folder = tmp_path_factory.mktemp("no_tensorflow")
    (folder / "tensorflow").mkdir()
    (folder / "tensorflow" / "__init__.py").write_text(
        'raise ImportError("tensorflow was imported before the flags were checked")\n')
    return os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])


def test_the_unimportable_tensorflow_is_what_the_subprocess_gets(tensorflow_unimportable):
    """Without this, a folder that did not shadow the installed TensorFlow would make the test
    above pass whether or not the CLI imports TensorFlow first."""
    result = subprocess.run(
        [sys.executable, "-c", "import tensorflow"], capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=tensorflow_unimportable),
    )
    assert "tensorflow was imported before the flags were checked" in result.stderr


def test_an_internal_bug_keeps_its_traceback(monkeypatch):
    from keras_vidgen.cli import commands

    def broken(args):
        raise ValueError("a bug, not a user error")

    monkeypatch.setattr(commands, "make_shapes", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["make-shapes", "out"])


def test_a_user_error_is_one_line(monkeypatch, capsys):
    from keras_vidgen.cli import commands

    def bad_data(args):
        raise DataError("clips/a.mp4: not a video")

    monkeypatch.setattr(commands, "make_shapes", bad_data)
    assert cli.main(["make-shapes", "out"]) == 1
    assert capsys.readouterr().err == "vidgen make-shapes: error: clips/a.mp4: not a video\n"


def test_every_setting_is_a_flag_and_reaches_the_config():
    from keras_vidgen import config as vidgen_config
    from keras_vidgen.cli import flags

    parser = cli.build_parser()
    for path, field, hint in vidgen_config.settings_of():
        flag = flags.flag_of(path)
        kind = vidgen_config.value_type(hint)
        value = {bool: None, int: "3", float: "0.5"}.get(kind, None)
        if field.metadata.get("choices"):
            value = field.metadata["choices"][-1]
        elif kind is str or field.metadata.get("parse"):
            value = {"jit_compile": "off", "data.clips_per_video": "all"}.get(path, "x")
        argv = ["train", flag] if value is None else ["train", flag, value]
        config = cli.config_from_args(parser.parse_args(argv))
        got = config.to_dict()
        for part in path.split("."):
            got = got[part]
        expected = {None: True, "3": 3, "0.5": 0.5, "off": False}.get(value, value)
        assert got == expected, (path, got)


def test_inspect_data_refuses_a_bad_data_flag_by_name(tmp_path, capsys):
    assert cli.main(["inspect-data", str(tmp_path), "--frames", "0"]) == 2
    assert capsys.readouterr().err.strip() == "vidgen inspect-data: error: --frames 0 must be at least 1"


def test_a_class_count_that_does_not_match_the_data_is_refused_before_the_run_folder(tmp_path, capsys):
    from conftest import numbered_frames, write_video

    for name in ("a", "b"):
        (tmp_path / "data" / name).mkdir(parents=True)
        write_video(tmp_path / "data" / name / "v.avi", numbered_frames(6), fourcc="MJPG")
    code = cli.main([*["train", *TINY], "--data", str(tmp_path / "data"), "--labels", "folder",
                     "--num-classes", "3", "--logdir", str(tmp_path / "runs"), "--no-export"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--num-classes 3 does not match the 2 classes that --labels folder finds" in err
    assert "['a', 'b']" in err and not (tmp_path / "runs").exists()
