"""The core: text to graph to trace. It never imports click, rich or the renderers (tests/test_layers.py)."""
