"""Fakes of the outside world for tests: servers on loopback, never mocks of our code."""
