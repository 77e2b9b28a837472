"""ftprep's library: pure stages over polars frames that turn documents into fine-tuning datasets."""

__version__ = "0.1.0"  # the one place: pyproject.toml takes the package version from here
