"""Helpers of the addon that are not models: how SLA values read, system parameters."""
