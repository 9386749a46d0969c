"""Finding videos: folders, globs, frame folders, manifests (CSV, JSON lines), and labels."""

import json

import pytest
from conftest import frame_index, numbered_frames, write_frame_folder, write_gif, write_video

from keras_vidgen import data
from keras_vidgen.data import attach_labels, list_videos, read_video_manifest, video_dataset


@pytest.fixture(scope="module")
def class_tree(tmp_path_factory):
    """A UCF-101-style tree: class folders of clips (an .avi, a .gif, a frame folder)."""
    root = tmp_path_factory.mktemp("ucf")
    levels = {"Biking": 0, "Archery": 5}  # class -> first grey step, so clips tell their class
    for name, first in levels.items():
        frames = numbered_frames(first + 6)[first:]
        (root / name).mkdir()
        write_video(root / name / "v_01.avi", frames, fourcc="MJPG")
        write_gif(root / name / "v_02.gif", frames)
        write_frame_folder(root / name / "v_03", frames)
    (root / "README.txt").write_text("not a video")
    return root


def test_a_folder_finds_files_gifs_and_frame_folders(class_tree):
    paths = data.list_video_files(str(class_tree))
    assert len(paths) == 6
    assert sum(path.endswith("/") for path in paths) == 2  # the frame folders, marked with "/"


def test_a_glob_can_match_frame_folders(class_tree):
    assert data.list_video_files(str(class_tree / "*" / "v_03")) == [
        str(class_tree / "Archery" / "v_03") + "/", str(class_tree / "Biking" / "v_03") + "/"
    ]


def test_folder_labels_are_sorted_class_indices(class_tree):
    entries, class_index = attach_labels(list_videos(str(class_tree)), "folder")
    assert class_index == {"Archery": 0, "Biking": 1}
    assert {(entry.path.split("/")[-3 if entry.path.endswith("/") else -2], entry.label) for entry in entries} == {
        ("Archery", 0), ("Biking", 1)
    }


def test_the_dataset_yields_clips_with_their_folder_labels(class_tree):
    dataset = video_dataset(str(class_tree), frames=2, size=16, batch_size=2, labels="folder", seed=0)
    assert dataset.element_spec[1].shape.as_list() == [2]
    seen = set()
    for clips, labels in dataset:
        for clip, label in zip(clips.numpy(), labels.numpy()):
            first = frame_index(((clip[0] + 1) * 127.5).round())
            seen.add((int(label), first >= 5))  # Archery clips start at grey step 5
    assert seen == {(0, True), (1, False)}


def test_csv_manifest_with_labels_times_and_relative_paths(tmp_path):
    (tmp_path / "videos").mkdir()
    write_video(tmp_path / "videos" / "a.avi", numbered_frames(20), fourcc="MJPG", fps=10)
    write_video(tmp_path / "videos" / "b.avi", numbered_frames(20), fourcc="MJPG", fps=10)
    manifest = tmp_path / "train.csv"
    manifest.write_text("path,label,start,end\nvideos/a.avi,jump,0.5,1.0\nvideos/b.avi,run,,\n")
    entries = read_video_manifest(str(manifest))
    assert [(e.path, e.label, e.start, e.end) for e in entries] == [
        (str(tmp_path / "videos" / "a.avi"), "jump", 0.5, 1.0),
        (str(tmp_path / "videos" / "b.avi"), "run", None, None),
    ]
    dataset = video_dataset(str(manifest), frames=3, size=16, batch_size=2, labels=True, shuffle=False)
    clips, labels = next(iter(dataset))
    first = [frame_index(((clip[0] + 1) * 127.5).round()) for clip in clips.numpy()]
    assert labels.numpy().tolist() == [0, 1] and first == [5, 0]  # "jump" starts at 0.5 s


def test_jsonl_manifest_and_integer_labels(tmp_path):
    write_video(tmp_path / "a.mp4", numbered_frames(8))
    write_frame_folder(tmp_path / "frames", numbered_frames(8))
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"path": "a.mp4", "label": 3}) + "\n\n" + json.dumps({"path": "frames", "label": 7}) + "\n"
    )
    entries, class_index = attach_labels(read_video_manifest(str(manifest)), "manifest")
    assert [entry.label for entry in entries] == [3, 7] and class_index == {"3": 3, "7": 7}
    assert entries[1].path.endswith("frames/")  # a folder in a manifest is a frame folder


def test_the_built_in_shapes_manifest_is_a_source(tmp_path):
    folder = data.make_moving_shapes(str(tmp_path / "shapes"), num_videos=3, frames=4, size=16)
    entries = list_videos(folder + "/manifest.jsonl")
    assert len(entries) == 3 and all(entry.label in (0, 1, 2) for entry in entries)


@pytest.mark.parametrize(
    "text, message",
    [
        ("label\njump\n", "line 2 has no `path`"),
        ("path,start\na.mp4,soon\n", "start 'soon' is not a number"),
        ("path,start,end\na.mp4,2,1\n", "end 1.0 is not after start 2.0"),
    ],
)
def test_bad_manifest_rows_name_the_line(tmp_path, text, message):
    manifest = tmp_path / "bad.csv"
    manifest.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_video_manifest(str(manifest))


def test_manifest_labels_missing_on_some_rows_are_explained(tmp_path):
    write_video(tmp_path / "a.mp4", numbered_frames(4))
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,label\na.mp4,x\na.mp4\n")
    entries = [entry for entry in read_video_manifest(str(manifest))]
    with pytest.raises(ValueError, match="no label"):
        attach_labels(entries, "manifest")


def test_http_globs_and_folders_are_refused_with_what_to_do_instead():
    for source in ("http://127.0.0.1:9/videos/*.mp4", "https://example.invalid/videos/"):
        with pytest.raises(ValueError, match="no directory listing.*manifest"):
            data.list_video_files(source)


def test_a_class_index_round_trips_through_json(tmp_path):
    path = data.save_class_index(str(tmp_path / "class_index.json"), {"b": 1, "a": 0})
    assert data.load_class_index(path) == {"a": 0, "b": 1}
    assert list(json.load(open(path))) == ["a", "b"]
