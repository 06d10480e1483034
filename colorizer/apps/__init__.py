"""The applications on top of the pipeline: the `chronochrome` command line, the batch writer
and the HTTP service (`colorizer.apps.service`)."""
