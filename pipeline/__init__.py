"""ftprep's library: the stages (functions of run state and config) and the code they call, which turn documents
into fine-tuning datasets."""

__version__ = "0.1.0"  # the one place: pyproject.toml takes the package version from here
