"""Hostile input: whatever the bytes, the readers answer with an ActesError or a result."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoires.interop import actes as a
from tests.interop.actes.conftest import FIXTURES

SAMPLES = sorted(path.read_bytes() for path in FIXTURES.glob("*.xml"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data):
    try:
        a.parse_any(data, "x")
    except a.ActesError:
        pass


@FUZZ
@given(st.sampled_from(SAMPLES), st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_mutated_fixtures(sample, position, patch):
    position %= len(sample)
    data = sample[:position] + patch + sample[position + len(patch):]
    try:
        message = a.parse_message(data, "x.xml")
    except a.ActesError:
        return
    assert message.root in a.BY_ROOT
    message.to_json()


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["a.xml", "b.pdf", "c.xml"]), st.sampled_from(SAMPLES)),
                min_size=1, max_size=3, unique_by=lambda m: m[0]),
       st.integers(min_value=0, max_value=400))
def test_truncated_archives(members, cut):
    data = a.pack(members)
    try:
        a.parse_any(data[: max(1, len(data) - cut)], "x.tar.gz")
    except a.ActesError:
        pass
