"""The exceptions a user can act on.

A bad *record* is never an exception: it becomes a rejected row with a reason code. These exceptions
are for conditions that stop a whole run (a bad config, an output we cannot write, a missing
tokenizer file, a ledger that does not balance). The CLI catches `FtprepError` in one place and prints
`str(error)`, which therefore always names the file, line or field and ends with the likely fix.
"""


class FtprepError(Exception):
    """Base class: a run-stopping condition with a message meant for the user."""


class ConfigError(FtprepError):
    """The configuration file or an override is invalid (names the file and the field)."""


class InputError(FtprepError):
    """A source path or a file to validate cannot be used at all (names the path)."""


class EncodingUnavailable(FtprepError):
    """A tokenizer encoding is not available offline (names the encoding and the package to install)."""


class OutputError(FtprepError):
    """An output directory or file cannot be written (names the path)."""


class LedgerError(FtprepError):
    """Records were lost or double-counted: inputs do not equal outputs plus rejects. Always a bug."""


class DuplicateIdError(LedgerError):
    """Two output rows share an id, so one record would be written or counted twice. Always a bug."""
