"""A tidy frame whose text columns are categoricals (as a national store holds them) gives
exactly the observations of the same frame with text columns: ``aggregate_up`` and
``compute`` read the codes, never the order of the categories."""

from __future__ import annotations

import pandas as pd

from helpers.indicators.aggregation import aggregate_up, count_variables
from helpers.indicators.computation import compute

TEXT = ["area_code", "level", "variable", "status", "source"]


def test_categorical_tidy_gives_the_same_observations(demo_ws, demo_facts):
    tidy, links = demo_ws.variables_raw, demo_facts.hierarchy
    counts = count_variables(demo_facts.catalogue)
    expected = compute(aggregate_up(tidy, links, demo_ws.own_variables, counts=counts),
                       demo_facts.catalogue)
    # categories in an order of their own (not sorted) and one that never occurs
    coded = tidy.astype({c: pd.CategoricalDtype([*sorted(tidy[c].dropna().unique(),
                                                          reverse=True), "never"])
                         for c in TEXT})
    summed = aggregate_up(coded, links, demo_ws.own_variables, counts=counts)
    assert isinstance(summed["area_code"].dtype, pd.CategoricalDtype)  # no copy as text
    pd.testing.assert_frame_equal(compute(summed, demo_facts.catalogue), expected)
