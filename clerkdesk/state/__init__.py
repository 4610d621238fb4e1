"""The workstation's logic without Textual: counter state, refusals, display formats, intents."""
