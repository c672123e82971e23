"""schema.graphql says exactly what the server introspects.

graphql-core prints the schema built from the committed file and the schema
built from the server's introspection answer, both sorted the same way; the
two texts must be equal (descriptions, directives such as @specifiedBy,
deprecations, argument defaults included).

    python3 schema_matches_introspection.py http://127.0.0.1:PORT schema.graphql
"""

import json
import sys
import urllib.request

from graphql import (
    build_client_schema,
    build_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)


def introspect(base):
    query = get_introspection_query(descriptions=True, specified_by_url=True)
    req = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        body = json.load(res)
    if body.get("errors"):
        sys.exit(f"introspection failed: {body['errors']}")
    return body["data"]


def printed(schema):
    return print_schema(lexicographic_sort_schema(schema))


def main(base, path):
    served = printed(build_client_schema(introspect(base)))
    with open(path, encoding="utf-8") as f:
        committed = printed(build_schema(f.read()))
    if served != committed:
        import difflib

        diff = difflib.unified_diff(
            committed.splitlines(), served.splitlines(), "schema.graphql", "introspection", lineterm=""
        )
        sys.exit("schema.graphql differs from the introspected schema:\n" + "\n".join(diff))
    print(f"schema.graphql matches the introspected schema ({len(served.splitlines())} lines)")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
