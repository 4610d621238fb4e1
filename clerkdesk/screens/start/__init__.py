"""Before the counter: sign-in, signing in by itself, the first start, the window picker."""
