"""Exception classes. Every user-facing failure is one of these, with one clear message."""

from __future__ import annotations


class SynthlibError(Exception):
    """Base class: the message names the file, key or column and what is allowed."""


class ConfigError(SynthlibError):
    """A params file is missing, malformed, or holds an unknown or invalid key."""


class DataError(SynthlibError):
    """The data set cannot be loaded or does not fit the configuration."""


class SamplingError(SynthlibError):
    """A sampler cannot run on the given data (e.g. a minority class is too small)."""


class BundleError(SynthlibError):
    """An exported bundle is incomplete or a file does not match its manifest."""


class UnsignedBundleWarning(UserWarning):
    """A bundle was loaded without checking its signature (no public key given): its origin is unchecked."""
