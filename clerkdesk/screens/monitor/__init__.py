"""The duty lead's hall monitor (issue 13)."""
