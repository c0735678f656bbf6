"""The __service__ service's logic; app.py only routes to it."""
