"""Support for the tests, in one place: local fakes of the providers, environments, clocks and test data builders."""
