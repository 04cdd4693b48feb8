"""Runs: one attempt on a provider, the service, the run log, the hub, followers, history."""
