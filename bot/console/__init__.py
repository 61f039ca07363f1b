"""The agents' console: login, the hand-off queue, taking over, replying and giving conversations back."""
