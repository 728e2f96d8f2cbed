"""The middle floor: running a program numerically, symbolically or exactly, and what is checked
against the run (the gradient check and a student's answers). The CLI and `gradtrace.trace()` both
enter here; nothing here imports the renderers or the CLI."""
