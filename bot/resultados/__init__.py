"""Outcomes: what each debtor did and when, the evidence file per debtor, liquidation curves and experiments."""
