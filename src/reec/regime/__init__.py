"""The regime layer: the rule data, its schema and loader, `Regime.as_of(D)`, the condition and
match languages. It imports only `reec.model`, `reec.errors`, `reec.elements` and `reec.yamlio`."""
