"""Fremdrift: follow-up on a KKR's recommendations, one traffic light at a time."""
