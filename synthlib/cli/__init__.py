"""The command line (`synthlib ...`) and the batch of many data sets; the top layer."""

from ._app import app

__all__ = ["app"]
