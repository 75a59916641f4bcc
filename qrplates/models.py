"""Plates and their codes arrive with the plates issue."""
