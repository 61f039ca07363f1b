"""Running the bot in production: health check, Prometheus metrics and the per-conversation lock."""
