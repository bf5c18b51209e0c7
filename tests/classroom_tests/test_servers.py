"""Real servers (`python app.py`) on one database: two app servers share a class; a killed and
restarted server has every drawing and still knows the lecturer's browser; the prune command;
the engine scores and trains on a class's export."""

import json
import subprocess
import sys
import zipfile

import pytest

from nn.mnist import read_labelled
from tools.digits import data_url
from tools.digits import digit_png as png
from tools.servers import ROOT
from tools.servers import AppServer
from tools.servers import Client


def board_ids(client: Client, code: str) -> list:
    status, board = client.json("GET", f"/api/classes/{code}/drawings")
    assert status == 200
    return sorted(d["id"] for d in board["drawings"])


def submit(client: Client, code: str, digit: int) -> int:
    body = {"image": data_url(png(digit)), "intended": digit}
    status, body = client.json("POST", f"/api/classes/{code}/drawings", body)
    assert status == 201, body
    return body["id"]


def test_two_app_servers_share_one_database(tmp_path, database_url):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, two = AppServer(tmp_path / "one", database_url), None
    try:
        two = AppServer(tmp_path / "two", database_url)
        lecturer = Client(one.url)
        code = lecturer.start_class()
        phone = Client(two.url)  # submits through the other server
        ids = [submit(phone, code, d) for d in (1, 7, 0)]
        assert board_ids(Client(one.url), code) == sorted(ids)
        status, _headers, html = Client(one.url).get(f"/class/{code}")
        assert status == 200 and all(f'data-id="{i}"' in html.decode() for i in ids)
        status, _headers, html = Client(two.url).get(f"/class/{code}/live")
        assert status == 200 and html.decode().count('data-testid="board-item"') == 3
    finally:
        one.stop()
        if two:
            two.stop()


def test_two_servers_on_one_sqlite_file(tmp_path):
    """The default database (no URL): a file in the instance folder, shared when both point at it."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = AppServer(tmp_path / "a", url), AppServer(tmp_path / "b", url)
    try:
        code = Client(a.url).start_class()
        phones = [Client(b.url) for _ in range(5)]
        ids = [submit(phone, code, 1) for phone in phones]
        assert board_ids(Client(a.url), code) == sorted(ids)
    finally:
        a.stop()
        b.stop()


def test_a_restart_loses_nothing_and_keeps_the_lecturer(tmp_path, database_url):
    server = AppServer(tmp_path, database_url)
    lecturer = Client(server.url)
    code = lecturer.start_class()
    phone = Client(server.url)
    ids = [submit(phone, code, d) for d in (1, 7, 0, 1)]
    server.kill()  # SIGKILL: no clean shutdown
    server = AppServer(tmp_path, database_url, port=server.port)
    try:
        assert board_ids(Client(server.url), code) == sorted(ids)
        status, _headers, html = lecturer.get(f"/class/{code}")
        assert status == 200 and 'data-testid="close-class"' in html.decode()  # still the owner
        status, _headers, _body = lecturer.post(f"/class/{code}/drawings/{ids[0]}/hide")
        assert status == 303
        status, _headers, data = lecturer.get(f"/class/{code}/export.zip")
        assert status == 200
        path = tmp_path / "export.zip"
        path.write_bytes(data)
        assert read_labelled(path)[1].tolist() == [7, 0, 1]
        assert Client(server.url).get(f"/class/{code}/export.zip")[0] == 403
    finally:
        server.stop()


def test_prune_command_deletes_old_classes(tmp_path):
    env_instance = tmp_path / "instance"
    server = AppServer(tmp_path)
    try:
        code = Client(server.url).start_class()
    finally:
        server.stop()

    def prune(days: str):
        env = {"DIGITS_INSTANCE_PATH": str(env_instance), "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "classes", "prune", "--older-than", days],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "deleted 0 classes" in prune("1")
    assert "deleted 1 class " in prune("0")
    server = AppServer(tmp_path)
    try:
        assert Client(server.url).get(f"/class/{code}")[0] == 404
    finally:
        server.stop()


@pytest.fixture(scope="module")
def class_export(tmp_path_factory):
    """A real class's export.zip: twelve drawings of 0, 1 and 7 sent through a real server."""
    folder = tmp_path_factory.mktemp("export")
    server = AppServer(folder)
    try:
        lecturer = Client(server.url)
        code = lecturer.start_class()
        for k in range(12):
            submit(Client(server.url), code, (0, 1, 7)[k % 3])
        status, _headers, data = lecturer.get(f"/class/{code}/export.zip")
        assert status == 200
    finally:
        server.stop()
    path = folder / "export.zip"
    path.write_bytes(data)
    return path


def run_module(module: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)


def test_nn_evaluate_scores_every_model_on_a_class_export(class_export, tmp_path):
    result = run_module("nn", "evaluate", "--data", str(class_export))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["model"] for line in lines} == {p.stem for p in (ROOT / "models").glob("*.npz")}
    assert all(line["total"] == 12 and line["data"] == str(class_export) for line in lines)
    folder = tmp_path / "unpacked"
    zipfile.ZipFile(class_export).extractall(folder)
    from_folder = [json.loads(line) for line in run_module("nn", "evaluate", "--data", str(folder)).stdout.splitlines()]
    assert [line["correct"] for line in from_folder] == [line["correct"] for line in lines]
    missing = run_module("nn", "evaluate", "--data", str(tmp_path / "nothing.zip"))
    assert missing.returncode == 1 and "nothing.zip" in missing.stderr


def test_training_takes_a_class_export_as_extra_data(class_export, tmp_path):
    import numpy as np

    from nn.mnist import load_test_set
    from tests.mnist_files import write_split

    x, t = load_test_set()
    for split, rows in (("train", slice(0, 300)), ("test", slice(300, 400))):
        write_split(tmp_path, split, np.round(x[rows] * 255).reshape(-1, 28, 28), t[rows])
    out = tmp_path / "models"
    result = run_module(
        "training",
        "train", "--data-dir", str(tmp_path), "--name", "c", "--hidden", "8", "--epochs", "1", "--out", str(out),
        "--extra-data", str(class_export),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    card = json.loads((out / "c.json").read_text())
    assert card["extra_data"]["images"] == 12 and card["extra_data"]["file"].endswith("export.zip")
    assert "312 training images (300 MNIST + 12 from" in card["training"]
