"""`mistral files` and `finetune upload` in-process: reuse, progress, 413, list/show/rm/download."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

import tests.fakes.files  # noqa: F401  # registers the Files routes
from mistral_cli.services import files as svc
from tests.commands.test_finetune import write_train
from tests.fakes import FakeMistral
from tests.fakes.files import FilesFake
from tests.support import invoke, make_context


def ctx(transport: object, **env: str):
    environ = {**os.environ, "MISTRAL_NO_DEPRECATION_NOTICE": "1", **env}
    return make_context(transport, env=env, environ=environ)


def files(fake: FakeMistral) -> FilesFake:
    return fake.module(FilesFake)


def test_upload_names_by_hash_and_reuses(fake, fake_transport, tmp_path):
    train = write_train(tmp_path / "train.jsonl")
    local = svc.hash_file(train)
    first = invoke(["finetune", "upload", str(train)], ctx(fake_transport))
    assert first.exit_code == 0, first.stderr
    file_id = first.stdout.strip()
    stored = files(fake).files[file_id]
    assert stored.filename == f"train.{local.sha256[:12]}.jsonl"
    assert stored.content == train.read_bytes()
    assert f"uploaded {train} as {file_id}" in first.stderr
    again = invoke(["finetune", "upload", str(train)], ctx(fake_transport))
    assert again.stdout == first.stdout
    assert f"reusing {train} as {file_id}" in again.stderr
    assert files(fake).uploads == 1
    cache = Path(os.environ["MISTRAL_CACHE_DIR"]) / "uploads.json"
    cache.unlink()  # no local record: found by searching the hash prefix
    searched = invoke(["finetune", "upload", str(train), "--json"], ctx(fake_transport))
    document = json.loads(searched.stdout)
    assert document[0]["id"] == file_id
    assert document[0]["reused"] is True
    assert fake.requests_to("GET /v1/files")[-1].query["search"] == [local.sha256[:12]]
    forced = invoke(["finetune", "upload", str(train), "--no-reuse"], ctx(fake_transport))
    assert forced.stdout.strip() != file_id
    assert files(fake).uploads == 2


def test_upload_reports_progress_as_httpx_reads(fake, fake_transport, tmp_path):
    train = write_train(tmp_path / "train.jsonl", count=400)
    seen: list[tuple[str, int, int]] = []
    client = make_context(fake_transport).client()
    result = svc.upload(client, train, on_progress=lambda *a: seen.append(a))
    size = train.stat().st_size
    assert seen[-1] == ("uploading", size, size)
    assert ("hashing", size, size) in seen
    assert result.reused is False
    assert result.file.bytes == size


def test_expired_cached_upload_is_uploaded_again(fake, fake_transport, tmp_path):
    train = write_train(tmp_path / "train.jsonl")
    first = invoke(["finetune", "upload", str(train), "--no-validate"], ctx(fake_transport))
    files(fake).expire(first.stdout.strip())
    again = invoke(["finetune", "upload", str(train), "--no-validate"], ctx(fake_transport))
    assert again.exit_code == 0
    assert again.stdout != first.stdout


def test_too_large_413_exit_4(fake, fake_transport, tmp_path):
    files(fake).max_bytes = 100
    train = write_train(tmp_path / "train.jsonl")
    result = invoke(["finetune", "upload", str(train)], ctx(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        4,
        "",
        f"mistral: error: File too large (HTTP 413, request {fake.requests[-1].request_id})\n"
        "hint: the upload is too large: files must be at most 512 MB\n",
    )


def test_invalid_file_is_not_uploaded(fake, fake_transport, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = invoke(["finetune", "upload", str(bad)], ctx(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        8,
        "",
        f"{bad}: FT007 warning: only 1 example\n"
        f"{bad}:1: FT101 error: invalid JSON: Expecting value\n"
        "1 sample · 0 tokens · 1 error, 1 warning\n"
        f"mistral: error: {bad}: 1 error(s); nothing was uploaded\n"
        f"hint: fix the data (mistral finetune validate {bad} --fix OUT) or pass --no-validate\n",
    )
    assert fake.requests == []


def test_files_list_show_rm_download(fake, fake_transport, tmp_path):
    kept = files(fake).add("results.jsonl", b'{"a": 1}\n{"a": 2}\n', purpose="batch")
    files(fake).add("other.jsonl", b"{}\n")
    listed = invoke(["files", "list", "--purpose", "batch"], ctx(fake_transport))
    assert listed.stdout.startswith(f"{kept.id}\tresults.jsonl\tbatch\t18\t")
    assert len(listed.stdout.splitlines()) == 1
    shown = invoke(["files", "show", kept.id, "--json"], ctx(fake_transport))
    assert json.loads(shown.stdout)["num_lines"] == 2
    target = tmp_path / "out" / "r.jsonl"
    got = invoke(["files", "download", kept.id, "-o", str(target)], ctx(fake_transport))
    assert got.exit_code == 0, got.stderr
    assert target.read_bytes() == kept.content
    assert got.stdout == f"{target}\n"
    assert not list(target.parent.glob(".*.part"))
    refused = invoke(["files", "rm", kept.id], ctx(fake_transport))
    assert refused.exit_code == 2
    removed = invoke(["files", "rm", kept.id, "--yes"], ctx(fake_transport))
    assert removed.stdout == f"{kept.id}\tdeleted\n"
    missing = invoke(["files", "show", kept.id], ctx(fake_transport))
    assert missing.exit_code == 4
    assert "mistral files list" in missing.stderr


def test_download_never_overwrites_without_force_and_checks_first(fake, fake_transport, tmp_path):
    kept = files(fake).add("results.jsonl", b'{"a": 1}\n', purpose="batch")
    target = tmp_path / "r.jsonl"
    target.write_bytes(b"mine\n")
    refused = invoke(["files", "download", kept.id, "-o", str(target)], ctx(fake_transport))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mistral: error: {target} already exists\nhint: pass --force to overwrite it\n"
    )
    assert fake.requests == []
    assert target.read_bytes() == b"mine\n"
    argv = ["files", "download", kept.id, "-o", str(target), "--force"]
    forced = invoke(argv, ctx(fake_transport))
    assert forced.exit_code == 0, forced.stderr
    assert target.read_bytes() == kept.content


def test_download_ignores_a_symlink_planted_at_the_old_temp_name(fake, fake_transport, tmp_path):
    kept = files(fake).add("results.jsonl", b'{"a": 1}\n', purpose="batch")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / ".r.jsonl.part").symlink_to(victim)
    target = tmp_path / "r.jsonl"
    done = invoke(["files", "download", kept.id, "-o", str(target)], ctx(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert victim.read_bytes() == b"precious"
    assert target.read_bytes() == kept.content


def test_download_to_dash_is_stdout_only(fake, fake_transport):
    kept = files(fake).add("results.jsonl", b'{"a": 1}\n{"a": 2}\n', purpose="batch")
    done = invoke(["files", "download", kept.id, "-o", "-"], ctx(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == kept.content.decode()
    assert done.stderr == ""
    assert not Path("-").exists()


def test_download_to_a_link_to_a_device_keeps_the_link(fake, fake_transport, tmp_path):
    kept = files(fake).add("results.jsonl", b"x\n", purpose="batch")
    link = tmp_path / "stdout-like"
    link.symlink_to("/dev/null")
    done = invoke(["files", "download", kept.id, "-o", str(link)], ctx(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert os.readlink(link) == "/dev/null"


@pytest.mark.parametrize(
    ("server_name", "local"),
    [(".bashrc", "bashrc"), ("../x", "x"), ("../../.env", "env"), ("", None)],
)
def test_a_server_chosen_name_is_made_safe(fake, fake_transport, server_name, local):
    kept = files(fake).add("placeholder.jsonl", b"data\n", purpose="batch")
    files(fake).files[kept.id].filename = server_name
    done = invoke(["files", "download", kept.id], ctx(fake_transport))
    assert done.exit_code == 0, done.stderr
    name = local or kept.id
    assert done.stdout == f"{name}\n"
    assert Path(name).read_bytes() == b"data\n"
    assert sorted(p.name for p in Path.cwd().iterdir()) == [name]


def test_a_server_chosen_name_never_replaces_a_file(fake, fake_transport):
    kept = files(fake).add(".bashrc", b"alias ls='rm -rf'\n", purpose="batch")
    Path("bashrc").write_text("mine\n")
    for extra in ([], ["--force"]):
        refused = invoke(["files", "download", kept.id, *extra], ctx(fake_transport))
        assert refused.exit_code == 2
        assert refused.stderr == (
            f"mistral: error: bashrc already exists (the name the server gives file {kept.id})\n"
            "hint: choose where to write with -o PATH (and --force to replace a file)\n"
        )
    assert Path("bashrc").read_text() == "mine\n"
    assert fake.requests_to("GET /v1/files/{file_id}/content") == []


def test_download_disk_full_is_exit_1_naming_the_file(fake, fake_transport, tmp_path, monkeypatch):
    kept = files(fake).add("results.jsonl", b"x\n" * 1000, purpose="batch")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "r.jsonl"
    done = invoke(["files", "download", kept.id, "-o", str(target)], ctx(fake_transport))
    assert done.exit_code == 1
    assert done.stderr == (
        f"mistral: error: cannot write {target}: no space left on device\n"
        "hint: free some space or choose another location\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # no temporary file left


def test_validate_fix_needs_force_for_an_existing_output(tmp_path):
    train = write_train(tmp_path / "train.jsonl")
    out = tmp_path / "fixed.jsonl"
    out.write_text("mine\n")
    argv = ["finetune", "validate", str(train), "--fix", str(out)]
    refused = invoke(argv, make_context())
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mistral: error: {out} already exists\nhint: pass --force to overwrite it\n"
    )
    assert out.read_text() == "mine\n"
    forced = invoke([*argv, "--force"], make_context())
    assert forced.exit_code == 0, forced.stderr
    assert out.read_bytes() == train.read_bytes()
