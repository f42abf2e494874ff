#!/usr/bin/env python3
"""No public header includes a header of a layer above its own (issue 17, item 4).

The layers, bottom up (dependencies point down only): reflect, driver, engine, dialect, schema,
query, session (dorm.hpp includes everything). A few headers are the vocabulary every layer speaks and may be
included from anywhere: the errors (error.hpp, detail/), the dialect enum (dialect/dialect.hpp),
dorm::value (engine/value.hpp) and the driver interface (driver/driver.hpp, which column types
bind to). Usage: check_layers.py <include-dir>; prints every upward include and exits 1 if any.
"""
import pathlib
import re
import sys

LAYERS = ["reflect", "driver", "engine", "dialect", "schema", "query", "session"]
VOCABULARY = {"error.hpp", "dialect/dialect.hpp", "engine/value.hpp", "driver/driver.hpp"}


def rank(rel: str) -> int:
    """-1 for the shared vocabulary, the layer's index otherwise, len(LAYERS) for dorm.hpp."""
    if rel in VOCABULARY or rel.startswith("detail/"):
        return -1
    top = rel.split("/", 1)[0]
    if top in LAYERS:
        return LAYERS.index(top)
    if rel == "dorm.hpp":
        return len(LAYERS)
    raise SystemExit(f"check_layers.py: {rel}: not in a known layer (add it to LAYERS or VOCABULARY)")


def name(r: int) -> str:
    return "vocabulary" if r < 0 else (LAYERS[r] if r < len(LAYERS) else "dorm.hpp")


def main() -> int:
    root = pathlib.Path(sys.argv[1]) / "dorm"
    include = re.compile(r'^\s*#\s*include\s*[<"]dorm/([^>"]+)[>"]')
    headers = sorted(root.rglob("*.hpp"))
    bad = []
    for h in headers:
        rel = h.relative_to(root).as_posix()
        mine = rank(rel)
        for n, line in enumerate(h.read_text(encoding="utf-8").splitlines(), 1):
            m = include.match(line)
            if not m:
                continue
            theirs = rank(m.group(1))
            if theirs > mine and not (mine < 0 and theirs < 0):
                bad.append(f"include/dorm/{rel}:{n}: {name(mine)} header includes {name(theirs)} header dorm/{m.group(1)}")
    for b in bad:
        print(b)
    print(f"check_layers.py: {len(headers)} headers, {len(bad)} upward include(s)")
    return 1 if bad or not headers else 0


if __name__ == "__main__":
    sys.exit(main())
