"""Data the demo loads (`opsportal demo load`): not code, read with importlib.resources."""
