//! Every error a client can see, with Redis 7.0's exact text.
//!
//! A command handler returns `Err(CmdError)`; the dispatcher writes `-<Display>\r\n`.
//! Keeping every text here (instead of string literals spread across handlers) is what
//! lets us promise byte-identical errors: one place to check against Redis.

use thiserror::Error;

/// An error reply from a command. `Display` is the reply text without the leading `-`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// A command ran against a key holding another type.
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    /// An argument that must be an `i64` was not one.
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    /// An argument that must be a double was not one.
    #[error("ERR value is not a valid float")]
    NotFloat,
    /// Options that do not parse, conflict or repeat.
    #[error("ERR syntax error")]
    Syntax,
    /// INCR/DECR family past `i64` bounds.
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    /// A float increment whose result is not finite.
    #[error("ERR increment would produce NaN or Infinity")]
    NanOrInfinity,
    /// RENAME and friends on a missing source key.
    #[error("ERR no such key")]
    NoSuchKey,
    /// SELECT / MOVE / COPY with a database index outside `0..databases`.
    #[error("ERR DB index is out of range")]
    DbIndexOutOfRange,
    /// A string would grow beyond `proto-max-bulk-len`.
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    /// An expire time that is not positive or overflows, naming the command.
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpireTime(String),
    /// The argument count does not match the command's arity.
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    /// A count or index that must not be negative.
    #[error("ERR value is out of range, must be positive")]
    MustBePositive,
    /// Any other error text, given whole (code included, e.g. `ERR ...`). Bytes, because
    /// Redis echoes client bytes into some errors unchanged.
    #[error("{}", String::from_utf8_lossy(.0))]
    Raw(Vec<u8>),
}

impl CmdError {
    /// An error whose full text (code included, e.g. `ERR ...`) is built at run time.
    pub fn raw(text: impl Into<Vec<u8>>) -> Self {
        CmdError::Raw(text.into())
    }

    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `.
    /// The quoted arguments stop once they take 128 bytes, as in Redis.
    pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> Self {
        let mut quoted: Vec<u8> = Vec::new();
        for arg in args {
            if quoted.len() >= 128 {
                break;
            }
            quoted.push(b'\'');
            quoted.extend_from_slice(c_str(arg, 128 - quoted.len()));
            quoted.extend_from_slice(b"' ");
        }
        let mut text = b"ERR unknown command '".to_vec();
        text.extend_from_slice(c_str(name, 128));
        text.extend_from_slice(b"', with args beginning with: ");
        text.extend_from_slice(&quoted);
        CmdError::Raw(one_line(text))
    }

    /// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    pub fn unknown_subcommand(command: &str, sub: &[u8]) -> Self {
        let mut text = b"ERR unknown subcommand '".to_vec();
        text.extend_from_slice(c_str(sub, 128));
        text.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
        CmdError::Raw(one_line(text))
    }

    /// A subcommand given arguments its container does not accept (Redis's
    /// `addReplySubcommandSyntaxError`): `sub` as the client typed it.
    pub fn subcommand_syntax(command: &str, sub: &[u8]) -> Self {
        let mut text = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
        text.extend_from_slice(c_str(sub, 128));
        text.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
        CmdError::Raw(one_line(text))
    }

    /// The reply text as bytes (without `-` and CRLF).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            CmdError::Raw(bytes) => bytes.clone(),
            other => other.to_string().into_bytes(),
        }
    }

    /// `ERR wrong number of arguments for '<cmd>' command`, for a full command name
    /// (`config|get` style names for subcommands).
    pub fn wrong_arity(name: &str) -> Self {
        CmdError::WrongArity(name.to_string())
    }
}

/// Client bytes as C's `%.*s` prints them: at most `limit` bytes, cut at the first NUL.
pub fn c_str(bytes: &[u8], limit: usize) -> &[u8] {
    let cut = &bytes[..bytes.len().min(limit)];
    match cut.iter().position(|&b| b == 0) {
        Some(nul) => &cut[..nul],
        None => cut,
    }
}

/// Replaces CR and LF with spaces so an error echoing client bytes stays one line.
pub fn one_line(mut text: Vec<u8>) -> Vec<u8> {
    for byte in text.iter_mut() {
        if *byte == b'\r' || *byte == b'\n' {
            *byte = b' ';
        }
    }
    text
}

/// A result whose error is an error reply.
pub type CmdResult<T = ()> = Result<T, CmdError>;

/// A malformed request: the client gets `-ERR Protocol error: ...` and is closed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// An inline request without a newline within 64 KB.
    #[error("too big inline request")]
    TooBigInline,
    /// A `*<count>` line without a CR within 64 KB.
    #[error("too big mbulk count string")]
    TooBigMbulkCount,
    /// A `$<len>` line without a CR within 64 KB.
    #[error("too big bulk count string")]
    TooBigBulkCount,
    /// A multibulk count that is not an integer or exceeds the limit.
    #[error("invalid multibulk length")]
    InvalidMultibulkLength,
    /// A bulk length that is not an integer, is negative or exceeds proto-max-bulk-len.
    #[error("invalid bulk length")]
    InvalidBulkLength,
    /// More than 10 arguments from a client that must still authenticate.
    #[error("unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    /// An argument over 16 KB from a client that must still authenticate.
    #[error("unauthenticated bulk length")]
    UnauthenticatedBulkLength,
    /// A bulk header that does not start with `$` (the byte found instead).
    #[error("expected '$', got '{}'", *.0 as char)]
    ExpectedDollar(u8),
    /// An inline request with an unterminated quote.
    #[error("unbalanced quotes in request")]
    UnbalancedQuotes,
}

impl ProtocolError {
    /// The error reply text Redis sends before closing the connection (no `-`, no CRLF).
    pub fn reply_text(&self) -> Vec<u8> {
        match self {
            ProtocolError::ExpectedDollar(byte) => {
                let mut text = b"ERR Protocol error: expected '$', got '".to_vec();
                text.push(*byte);
                text.push(b'\'');
                one_line(text)
            }
            other => format!("ERR Protocol error: {other}").into_bytes(),
        }
    }
}
