"""What operators watch: /healthz, /metrics and the figures behind them."""
