"""The per-version cache of the default template's parsed copier.yml: used when sure, rebuilt otherwise."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader
from ruamel.yaml import YAML

from mlscaffold.bundle import list_versions
from mlscaffold.config_cache import bytecode_cache, bytecode_dir, cache_dir, cache_key, cached_config
from mlscaffold.generate import create_project
from mlscaffold.render import copier_run, load_template_config
from mlscaffold.template import load_config, resolve_source


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return cache_dir()


class Loader:
    """A configuration loader that counts its calls."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.calls = 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        return self.config


def test_cache_dir_follows_xdg_cache_home(cache: Path, tmp_path: Path) -> None:
    assert cache == tmp_path / "xdg" / "mlscaffold" / "copier-config"


def test_second_read_comes_from_the_cache(cache: Path) -> None:
    load = Loader({"project_name": {"type": "str", "default": "demo"}, "_subdirectory": "template"})
    assert cached_config("tree-a", load) == load.config
    assert cached_config("tree-a", load) == load.config
    assert load.calls == 1
    assert [p.name for p in cache.iterdir()] == [f"{cache_key('tree-a')}.json"]


def test_a_fifo_or_a_huge_file_in_place_of_an_entry_is_never_read(cache: Path) -> None:
    cache.mkdir(parents=True)
    entry = cache / f"{cache_key('tree-a')}.json"
    os.mkfifo(entry)  # reading it would block for ever
    load = Loader({"a": {"default": 1}})
    assert cached_config("tree-a", load) == {"a": {"default": 1}}
    assert entry.is_file() and not entry.is_fifo()  # replaced by a real entry
    with entry.open("w", encoding="utf-8") as handle:
        handle.write('{"format": 1, "key": "' + cache_key("tree-a") + '", "config": {"a": "')
        handle.write("x" * 5_000_000 + '"}}')
    assert cached_config("tree-a", load) == {"a": {"default": 1}}
    assert load.calls == 2
    assert entry.stat().st_size < 1000


def test_the_key_changes_with_the_template_content(cache: Path) -> None:
    assert cache_key("tree-a") != cache_key("tree-b")
    old, new = Loader({"a": {"default": 1}}), Loader({"a": {"default": 2}})
    assert cached_config("tree-a", old) == {"a": {"default": 1}}
    # Another version never gets the first one's answers.
    assert cached_config("tree-b", new) == {"a": {"default": 2}}
    assert (old.calls, new.calls) == (1, 1)
    assert len(list(cache.iterdir())) == 2


@pytest.mark.parametrize(
    "written",
    [
        b"\x00\xff not json",
        b'{"format": 1, "key": "',
        b"[1, 2, 3]",
        b'{"format": 0, "key": "KEY", "config": {"a": {"default": "stale"}}}',
        b'{"format": 1, "key": "another", "config": {"a": {"default": "stale"}}}',
        b'{"format": 1, "key": "KEY", "config": ["not", "a", "mapping"]}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["binary", "truncated", "not-an-object", "old-format", "other-key", "bad-config", "deep"],
)
def test_a_corrupt_or_stale_entry_is_ignored_and_rebuilt(cache: Path, written: bytes) -> None:
    key = cache_key("tree-a")
    cache.mkdir(parents=True)
    entry = cache / f"{key}.json"
    entry.write_bytes(written.replace(b"KEY", key.encode()))
    load = Loader({"a": {"default": "fresh"}})
    assert cached_config("tree-a", load) == {"a": {"default": "fresh"}}
    assert load.calls == 1
    assert json.loads(entry.read_text(encoding="utf-8"))["config"] == {"a": {"default": "fresh"}}
    assert cached_config("tree-a", load) == {"a": {"default": "fresh"}}
    assert load.calls == 1
    assert [p.name for p in cache.iterdir()] == [entry.name]  # no partial file left behind


@pytest.mark.parametrize(
    "config",
    [
        {"released": {"default": datetime.date(2026, 1, 1)}},
        {"a": {"choices": {1: "one"}}},
        {"a": {"default": float("nan")}},
        YAML().load("a: {default: &yes true}\nb: {default: *yes}\n"),
    ],
    ids=["date", "int-key", "nan", "anchored-bool"],
)
def test_what_json_cannot_hold_exactly_is_not_cached(cache: Path, config: dict[str, Any]) -> None:
    load = Loader(config)
    assert cached_config("tree-a", load) is config
    assert cached_config("tree-a", load) is config
    assert load.calls == 2
    assert not cache.exists()


def test_a_cache_that_cannot_be_written_costs_only_time(cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("a file where the directory should be", encoding="utf-8")
    load = Loader({"a": {"default": 1}})
    assert cached_config("tree-a", load) == {"a": {"default": 1}}
    assert cached_config("tree-a", load) == {"a": {"default": 1}}
    assert load.calls == 2


def test_default_template_versions_are_cached_apart_and_read_back_exactly(
    cache: Path, template_bundle: Path
) -> None:
    versions = list_versions(template_bundle)
    picked = sorted({versions[0], versions[-1]})
    parsed = {}
    for tag in picked:
        source = resolve_source(None, tag, template_bundle)
        with copier_run(source, trust=False) as run:
            fresh = load_template_config(run.template_dir)
            first, second = run.config(), run.config()
            parsed[tag] = load_config(run.template_dir)
        # The entry read back gives the same configuration and questions as a fresh parse.
        for config in (first, second):
            assert config.raw == fresh.raw
            assert config.questions == fresh.questions
            assert config.skip_if_exists == fresh.skip_if_exists
    assert len(list(cache.glob("*.json"))) == len(picked)


def test_a_tampered_entry_of_another_version_is_never_used(cache: Path, template_bundle: Path) -> None:
    newest = list_versions(template_bundle)[-1]
    source = resolve_source(None, newest, template_bundle)
    with copier_run(source, trust=False) as run:
        truth = run.config()
        entry = next(cache.glob("*.json"))
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["config"]["project_name"] = {"type": "str", "default": "stale"}
        data["key"] = cache_key("some other tree")
        entry.write_text(json.dumps(data), encoding="utf-8")
        again = run.config()
    assert again.raw == truth.raw
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == entry.stem  # rebuilt


def test_bytecode_keys_name_the_content_the_compiler_and_the_file_not_the_checkout(cache: Path) -> None:
    base = bytecode_cache("tree-a", "copier 1, jinja2 1")
    key = base.get_cache_key("README.md.jinja", "/tmp/one/README.md.jinja")
    assert key == base.get_cache_key("README.md.jinja", "/tmp/two/README.md.jinja")
    assert key != base.get_cache_key("Makefile.jinja", "/tmp/one/Makefile.jinja")
    assert key != bytecode_cache("tree-b", "copier 1, jinja2 1").get_cache_key("README.md.jinja")
    assert key != bytecode_cache("tree-a", "copier 2, jinja2 1").get_cache_key("README.md.jinja")


def _render(templates: Path, name: str, cache_for: str) -> str:
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=False)  # noqa: S701 - not HTML
    env.bytecode_cache = bytecode_cache(cache_for, "test")
    return env.get_template(name).render(who="world")


def test_bytecode_is_reused_only_for_the_same_source_and_unreadable_entries_compile_again(
    cache: Path, tmp_path: Path
) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "a.jinja").write_text("hello {{ who }}", encoding="utf-8")
    assert _render(templates, "a.jinja", "tree-a") == "hello world"
    entries = list(bytecode_dir().iterdir())
    assert len(entries) == 1
    assert _render(templates, "a.jinja", "tree-a") == "hello world"
    # Same key, another source: Jinja's checksum refuses the old bytecode.
    (templates / "a.jinja").write_text("bye {{ who }}", encoding="utf-8")
    assert _render(templates, "a.jinja", "tree-a") == "bye world"
    valid = entries[0].read_bytes()
    for broken in (b"", b"garbage", valid[:12], valid[:-8], valid[:20] + b"\x00" * 40):
        entries[0].write_bytes(broken)
        assert _render(templates, "a.jinja", "tree-a") == "bye world"
    entries[0].unlink()
    os.mkfifo(entries[0])  # opening it would block for ever
    assert _render(templates, "a.jinja", "tree-a") == "bye world"
    assert entries[0].is_file()


def test_an_unwritable_bytecode_cache_costs_only_time(cache: Path, tmp_path: Path) -> None:
    bytecode_dir().parent.mkdir(parents=True)
    bytecode_dir().write_text("a file where the directory should be", encoding="utf-8")
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "a.jinja").write_text("hello {{ who }}", encoding="utf-8")
    assert _render(templates, "a.jinja", "tree-a") == "hello world"
    assert _render(templates, "a.jinja", "tree-a") == "hello world"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_a_project_rendered_from_cached_or_corrupt_caches_is_the_same(
    cache: Path, tmp_path: Path, template_bundle: Path
) -> None:
    made = []
    for run in range(3):
        if run == 2:
            for entry in [*bytecode_dir().iterdir(), *cache.iterdir()]:
                entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
        target = tmp_path / f"run{run}" / "demo"
        create_project(target, use_defaults=True, init_git=False)
        made.append(_tree(target))
    assert len(list(bytecode_dir().iterdir())) > 10  # the files' bytecode is kept
    assert made[0] == made[1] == made[2]
