"""ftprep's library: pure stages over polars frames that turn documents into fine-tuning datasets."""

__version__ = "0.1.0"
