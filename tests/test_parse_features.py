"""Derived features typed as text (the CLI's --features, a link's features=): keys or labels."""

from __future__ import annotations

import pytest

from backprop.datasets import FEATURES
from backprop.errors import ConfigError
from backprop.parse import parse_features


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("", ()),
        (" , ", ()),
        ("x1sq", ("x1sq",)),
        ("sinx2, x1sq ,X1X2", ("x1sq", "x1x2", "sinx2")),  # FEATURES order, any case, spaces
        ("x1sq,x1sq", ("x1sq",)),
        ("x1², sin x2, x1·x2", ("x1sq", "x1x2", "sinx2")),  # the labels the page shows
        (",".join(FEATURES), tuple(FEATURES)),
    ],
)
def test_features_are_read_as_keys_in_their_order(text: str, keys: tuple[str, ...]) -> None:
    assert parse_features(text) == keys


@pytest.mark.parametrize(
    ("text", "named"), [("x3", "'x3'"), ("x1sq;x2sq", "'x1sq;x2sq'"), ("x1sq,<b>", "'<b>'")]
)
def test_an_unknown_feature_is_named_with_the_known_ones(text: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_features(text, "link")
    assert raised.value.field == "link"
    assert str(raised.value) == (
        f"Features must be a comma-separated list of x1sq, x2sq, x1x2, sinx1, sinx2; {named} is not one."
    )
