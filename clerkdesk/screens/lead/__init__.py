"""The duty lead's screen, its decisions, keys and dialog."""
