"""Values kept per unchanging object and key (helpers.memo)."""

from __future__ import annotations

import gc

from helpers import memo


class Owner:
    pass


def test_a_value_is_made_once_per_owner_and_key():
    first, second, made = Owner(), Owner(), []

    def make():
        made.append(1)
        return len(made)

    assert memo.kept(first, "a", make) == 1
    assert memo.kept(first, "a", make) == 1, "kept, not made again"
    assert memo.kept(first, "b", make) == 2, "another key is made"
    assert memo.kept(second, "a", make) == 3, "another owner is made"


def test_more_keys_than_the_limit_start_over_and_the_values_go_with_the_owner():
    owner = Owner()
    for key in range(memo.LIMIT):
        memo.kept(owner, key, lambda key=key: key)
    assert memo.kept(owner, 0, lambda: "again") == 0
    memo.kept(owner, "one more", lambda: 1)  # over the limit: all forgotten
    assert memo.kept(owner, 0, lambda: "again") == "again"
    count = len(memo._STORE)
    del owner
    gc.collect()
    assert len(memo._STORE) == count - 1
