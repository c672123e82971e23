# Shortcuts; `make check` is what CI runs (.ci/run).
.PHONY: run test check data

run:
	cargo run --release -- serve

test:
	cargo test --workspace

check:
	bash .ci/run

# Regenerate the bundled dataset from the curated facts (../shared/data/facts.json).
data:
	python3 tools/transform_facts.py ../shared/data/facts.json > data/factline.json
