"""Spaceport runtime adapter (Python, standard library only): runs a micro's HTTP server behind the Lambda
Runtime API. Behaves exactly like the Node adapter (runtime-layer/node); the conformance suite holds both to it."""
