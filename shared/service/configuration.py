"""What a service cannot start with: a setting or file that fails its checks."""

from __future__ import annotations


class ConfigurationError(ValueError):
    """A file a service reads at start-up cannot be used; the message lists every problem in it.

    The file errors of every service (units, tokens, templates, routing rules, SLA policy) derive from it,
    so that :func:`shared.service.serve.main` stops the process with exit code 2 for any of them.
    """
