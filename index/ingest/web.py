"""Placeholder until HTML/RSS parsing lands."""
