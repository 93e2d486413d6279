"""Fakes of the outside world for tests: servers on loopback, never mocks of our code."""

# How long a test's server waits for requests still in hand when the test ends before
# cancelling them: a handler told to hang must not hold the test up for its whole hang.
TEST_SERVER_GRACE = 1.0
