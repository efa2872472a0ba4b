//! Why an ACL rule was refused, with Redis's texts (ACL SETUSER's error, the messages
//! of ACL LOAD and of start-up).

/// A refused rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// Not a rule, or a pattern with spaces.
    Syntax,
    /// `+cmd`, `-cmd` or `+@cat` names no command or category.
    UnknownCommand,
    /// A key pattern after `allkeys`.
    KeyAfterAllKeys,
    /// A channel pattern after `allchannels`.
    ChannelAfterAllChannels,
    /// `<pass` or `!hash` for a password the user does not have.
    NoSuchPassword,
    /// `#hash` or `!hash` that is not 64 lower-case hex digits.
    BadHash,
    /// The same user twice in the configuration.
    DuplicateUser,
    /// `+container|sub|arg`: first arguments of a subcommand.
    FirstArgOfSubcommand,
}

impl RuleError {
    /// The explanation Redis gives.
    pub fn text(self) -> &'static str {
        match self {
            RuleError::Syntax => "Syntax error",
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::KeyAfterAllKeys => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAllChannels => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::DuplicateUser => "Duplicate user found. A user can only be defined once in config files",
            RuleError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        }
    }
}
