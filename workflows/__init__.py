"""The initiative domain: use cases on top of the generic engine (no Flask, no SpiffWorkflow)."""
