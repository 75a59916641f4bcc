"""What the content side says when it changes. Models and apps announce; whoever keeps copies of
what visitors see (the page cache and static mode, in `edge/`) listens, and content knows nothing
of them.

`content_changed` is sent with `instance`, the row, after each save or delete of a row of a model
declared `shown_to_visitors` (a public page or a scan answer shows it), and when something else
about a row changes what pages show (a photo's renditions made again). Receivers run inside the
transaction: what must wait for the commit waits on its own (`edge.pagecache.invalidate` does).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db.models import Model
from django.dispatch import Signal

content_changed = Signal()

# Set while a writer changes many rows at once (a spreadsheet import): whoever keeps copies then
# treats every change as "everything changed", once, instead of working out per row which pages
# show it (`edge.pagecache.invalidate`).
_many = contextvars.ContextVar("streetinfo_many_changes", default=False)


@contextlib.contextmanager
def many_changes() -> Iterator[None]:
    """Announces that the changes made inside the block are many (see `changing_many`)."""
    token = _many.set(True)
    try:
        yield
    finally:
        _many.reset(token)


def changing_many() -> bool:
    """Whether the changes being made now are part of many (`many_changes`)."""
    return _many.get()


# The models (and their subclasses: streets, relics and scenic spots are places) whose rows
# public pages or scans show, declared by each app's ready().
_shown: tuple[type[Model], ...] = ()


def shown_to_visitors(*models: type[Model]) -> None:
    """Declares rows of `models`, and of their subclasses, as what visitors see: their saves and
    deletes are announced as `content_changed`."""
    global _shown
    _shown = tuple(dict.fromkeys((*_shown, *models)))


def saved_or_deleted(sender: type[Model], instance: Model, **kwargs) -> None:
    """The post_save and post_delete receiver (connected in `sites.apps`): passes a change to a
    row visitors see on as `content_changed`.

    A module-level function: a signal holds a weak reference to its receiver, so a function
    defined inside ready() would be collected as soon as ready() returned (tests/test_signals.py
    checks every receiver)."""
    if issubclass(sender, _shown):
        content_changed.send(sender=sender, instance=instance)
