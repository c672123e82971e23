"""Check that schemathesis reads tests/fuzz/schemathesis.toml as meant,
against the live OpenAPI document, before any fuzzing starts.

Why this exists: `--checks all` on the command line outranks every
per-operation setting of the file, so the file's "a history outlives its
record" exemption was silently ignored, and a stateful run that happened to
DELETE a record and then read its history failed (ST301). The run now leaves
the checks to the file. This script fails if any check is off where the file
does not say so, or if the history exemption does not reach every history
route in every phase.

    python config_check.py <schemathesis.toml> <openapi.json URL>
"""
import json
import sys
import urllib.request

import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

PHASES = [None, "examples", "coverage", "fuzzing", "stateful"]
EXEMPT = "use_after_free"


def main(config_path: str, document_url: str) -> int:
    load_all_checks()
    with urllib.request.urlopen(document_url) as answer:
        document = json.load(answer)
    config = SchemathesisConfig.from_path(config_path)
    schema = schemathesis.openapi.from_dict(document, config=config)
    # max_response_time is built in but not registered among the others.
    names = sorted({*CHECKS.get_all_names(), "max_response_time"})
    problems = []
    histories = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        history = operation.path.endswith("/history")
        histories += history
        for phase in PHASES:
            checks = schema.config.checks_config_for(operation=operation, phase=phase)
            for name in names:
                enabled = checks.get_by_name(name=name).enabled
                expected = not (history and name == EXEMPT)
                if enabled != expected:
                    state = "on" if enabled else "off"
                    problems.append(f"{operation.label} ({phase or 'any'} phase): {name} is {state}")
    if histories == 0:
        problems.append("the document has no history route, so the exemption was not checked")
    for problem in problems:
        print(f"schemathesis.toml is not read as meant: {problem}", file=sys.stderr)
    if not problems:
        print(f"schemathesis.toml: {len(names)} checks on for every operation, {EXEMPT} off for {histories} history routes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
