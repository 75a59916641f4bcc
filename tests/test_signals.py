"""Every signal receiver the project connects is still connected once garbage is collected.

Signals hold weak references to their receivers: a receiver defined inside a function (say,
AppConfig.ready) is collected when that function returns and then silently never runs. With DEBUG
on, Django's argument check caches the function (functools.lru_cache) and so keeps it alive, which
hid exactly that bug from every test until the suite ran with production settings. This test drops
that cache first, so it catches the bug with DEBUG on or off.
"""

import ast
import gc
import weakref
from pathlib import Path

import django.utils.inspect
from django.apps import apps
from django.dispatch import Signal

ROOT = Path(__file__).resolve().parent.parent


def our_packages() -> list[Path]:
    """The project package and every installed app at the top of this checkout."""
    paths = {Path(config.path) for config in apps.get_app_configs()}
    return [*sorted(path for path in paths if path.parent == ROOT), ROOT / "streetinfo"]


def connections() -> list[tuple[str, int, str | None]]:
    """(file, line, dispatch_uid) of each `x.connect(...)` call and `@receiver(...)` in our code."""
    found = []
    for package in our_packages():
        for path in package.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in {"connect", "receiver"}:
                    continue
                uid = next(
                    (kw.value.value for kw in node.keywords if kw.arg == "dispatch_uid"), None
                )
                found.append((str(path.relative_to(ROOT)), node.lineno, uid))
    return found


def live_receiver_uids() -> set[str]:
    uids = set()
    # type(), not isinstance(): a dead weak proxy among the objects raises on isinstance().
    for signal in (obj for obj in gc.get_objects() if issubclass(type(obj), Signal)):
        for lookup_key, receiver, *_rest in signal.receivers:
            # A weak reference (the default) or the function itself (weak=False).
            alive = not isinstance(receiver, weakref.ref) or receiver() is not None
            if alive and isinstance(lookup_key[0], str):
                uids.add(lookup_key[0])
    return uids


def test_the_scan_finds_our_connections():
    """A guard for the guard: the receivers that keep the page cache right are among those
    found (content announcing its changes, the edge hearing them)."""
    uids = {uid for _file, _line, uid in connections()}
    assert {"content-save", "content-delete", "edge-invalidate-copies"} <= uids


def test_every_connection_names_a_dispatch_uid():
    """A dispatch_uid is how the check below finds a receiver again (and it keeps a module
    imported twice from connecting twice)."""
    unnamed = [f"{file}:{line}" for file, line, uid in connections() if uid is None]
    assert not unnamed, f"connect() without dispatch_uid at {', '.join(unnamed)}"


def test_every_receiver_survives_garbage_collection():
    django.utils.inspect._get_func_parameters.cache_clear()
    gc.collect()
    live = live_receiver_uids()
    dead = [f"{uid} ({file}:{line})" for file, line, uid in connections() if uid not in live]
    assert not dead, f"receivers collected as garbage, so never called: {', '.join(dead)}"
