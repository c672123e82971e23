"""Schemathesis hooks for fuzzing factline's GraphQL API (tests/fuzz/run.sh).

- Strategies for the schema's custom scalars: `JSON` (mutation inputs: any
  JSON value, and records that are nearly valid, so mutations reach the
  validator and sometimes the database), `DateTime`, `Decimal`, `NaiveDate`.
- The check `no_internal_error`: no 5xx, and every GraphQL error carries an
  `extensions.code` other than `INTERNAL`. Errors such as `NOT_FOUND` or
  `BAD_USER_INPUT` are the API answering a random query correctly; the
  built-in GraphQL check counts any error as a server error, so it is replaced
  by this one.
"""

import graphql
from hypothesis import strategies as st

import schemathesis
from schemathesis.graphql import nodes


def _name(key):
    return graphql.NameNode(value=key)


def _to_node(value):
    """A Python JSON value as a GraphQL value node."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([_to_node(v) for v in value])
    return nodes.Object([graphql.ObjectFieldNode(name=_name(k), value=_to_node(v)) for k, v in value.items()])


_keys = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,12}", fullmatch=True)
_any_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)
_slugs = st.from_regex(r"fuzz-[a-z0-9]{1,12}", fullmatch=True)
_citations = st.just([{"source": "seed-article"}])
_names = st.lists(
    st.fixed_dictionaries({"lang": st.sampled_from(["en", "ar", "x"]), "text": st.text(min_size=0, max_size=30),
                           "kind": st.sampled_from(["primary", "alias"])}),
    min_size=0, max_size=3,
)
_records = st.one_of(
    st.fixed_dictionaries({"slug": _slugs, "kind": st.sampled_from(["collective", "crew", "nope"]),
                           "names": _names, "citations": _citations}),
    st.fixed_dictionaries({"slug": _slugs, "title": st.text(max_size=30), "kind": st.sampled_from(["news", "court"]),
                           "language": st.sampled_from(["en", "de", "??"]), "url": st.just("https://example.org/x")}),
    st.fixed_dictionaries({"slug": _slugs, "names": _names, "start": st.sampled_from(["2011", "2011-02-30", "x"]),
                           "citations": _citations,
                           "groups": st.just([{"group": "anonymous", "role": "claimed",
                                               "citations": [{"source": "seed-article"}]}])}),
)

schemathesis.graphql.scalar("JSON", st.one_of(_any_json, _records).map(_to_node))
schemathesis.graphql.scalar("DateTime", st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")))
schemathesis.graphql.scalar(
    "Decimal", st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: nodes.String(str(d)))
)
schemathesis.graphql.scalar("NaiveDate", st.dates().map(lambda d: nodes.String(d.isoformat())))


@schemathesis.check
def no_internal_error(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}: {response.text[:300]}")
    body = response.json()
    if not isinstance(body, dict):
        raise AssertionError(f"not a GraphQL response object: {response.text[:300]}")
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            raise AssertionError(f"an error without extensions.code: {error}")
        if code == "INTERNAL":
            raise AssertionError(f"an INTERNAL error: {error}")
    return None
