"""Ratings (好差评): the citizen's 1-5 for a completed case, once per case (issue 15)."""
