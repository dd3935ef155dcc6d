def seed(context: dict) -> None:
    """Guests' document data for the demo hotel (see statutory.py)."""
