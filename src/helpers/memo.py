"""Values derived from an object whose frames do not change, made once per object and key.

A warm kernel serves many reports from one ``Workspace``, ``Facts`` or ``National``
object; what every report derives from it again (the gemeente's signals, Nederland's
totals, a comparison with the parent) is kept beside the object — weakly, so it goes
with the object — under a key naming what else it depends on. Imports nothing else from
the package, so every stage may use it.

Examples
--------
>>> class Owner: ...
>>> owner, made = Owner(), []
>>> kept(owner, ("double", 2), lambda: made.append(1) or 4)
4
>>> kept(owner, ("double", 2), lambda: made.append(1) or 4), len(made)
(4, 1)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["kept", "LIMIT"]

T = TypeVar("T")

LIMIT = 32
"""Values kept per object: a kernel asked for more keys forgets them all and starts over."""

_STORE: weakref.WeakKeyDictionary[Any, dict[Hashable, Any]] = weakref.WeakKeyDictionary()


def kept(owner: Any, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` for ``owner`` and ``key``, made the first time and kept (the value
    itself: a caller that changes it must copy it first)."""
    store = _STORE.setdefault(owner, {})
    if key not in store:
        if len(store) >= LIMIT:
            store.clear()
        store[key] = make()
    return store[key]
