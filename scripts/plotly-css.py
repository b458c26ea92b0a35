"""Writes src/reec/api/static/plotly/plotly.css: the style rules plotly.js would otherwise add
as an inline <style> element at load, which the page's CSP (no 'unsafe-inline') refuses.
exposure.html links it with id "plotly.js-style-global" and class "no-inline-styles", which
tells plotly.js the rules are there. Rerun after updating the vendored plotly-basic.min.js:

    .venv/bin/python scripts/plotly-css.py
"""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "reec" / "api" / "static" / "plotly"


def main() -> None:
    js = (STATIC / "plotly-basic.min.js").read_text("utf-8")
    found = re.search(r"(\w+)=\{(\"X,X div\":.*?)\};for\(\w+ in \1\)", js, re.S)
    if found is None:
        raise SystemExit("plotly's style rules not found in plotly-basic.min.js")
    quoted = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
    pair = re.compile(rf"\s*({quoted}|\w+)\s*:\s*({quoted})\s*,?")
    body, pos, rules = found[2], 0, []
    while pos < len(body):
        m = pair.match(body, pos)
        if m is None:
            raise SystemExit(f"cannot read plotly's style rules at {body[pos : pos + 60]!r}")
        selector, style = m[1].strip("\"'"), m[2][1:-1]
        sel = re.sub(r"^,", " ,", selector)
        sel = sel.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{sel}{{{style}}}")
        pos = m.end()
    version = (STATIC / "VERSION").read_text("utf-8").split(" from ")[0]
    head = f"/* plotly.js's own style rules ({version}), from scripts/plotly-css.py */\n"
    (STATIC / "plotly.css").write_text(head + "\n".join(rules) + "\n", "utf-8")
    print(f"wrote {len(rules)} rules to {STATIC / 'plotly.css'}")


if __name__ == "__main__":
    main()
