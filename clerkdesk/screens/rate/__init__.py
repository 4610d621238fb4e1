"""The rating pad at a counter (`clerkdesk rate --window N`, 好差评)."""
