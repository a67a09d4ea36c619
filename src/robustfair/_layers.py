"""The layers of the package, lowest first: a module may import only from its own layer or below.

``tests/test_layers.py`` walks every import in ``src/robustfair`` (function-level ones too)
and fails on an import from a higher layer or on an import cycle between modules. This list
is the one place the layering is written down; ``docs/architecture.md`` draws it.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("robustfair", "_validation", "_optional", "_version", "_layers", "_lazy", "_distances"),  # shared helpers
    ("datasets", "metrics", "depth", "optim", "deep"),  # data, measures, search, torch parts
    ("cluster", "attacks", "defenses", "antidote", "influence", "summarize"),  # estimators, attacks, repairs
    ("experiments",),  # protocols, sweeps, the results store
    ("report",),  # HTML and figures, drawn from records
    ("cli", "__main__"),  # the command line
)
