"""Shared Hypothesis strategies."""

from __future__ import annotations

from hypothesis import strategies as st

from domain.accounts.claims import PLATFORMS
from domain.kernel.text import DISPLAY_NAME_MAX

display_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=DISPLAY_NAME_MAX,
).filter(lambda s: s.strip())

any_text = st.text(max_size=80)
platforms = st.sampled_from(sorted(PLATFORMS))
platform_user_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=24)

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# The client's part of a narrative state (flags, nodes, choices are the server's).
narrative_states = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in ("flags", "nodes", "choices")), json_values, max_size=6
)

names = st.from_regex(r"[a-z0-9_.:-]{1,24}", fullmatch=True)
