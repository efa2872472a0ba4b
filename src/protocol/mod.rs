//! RESP on the wire: the incremental request parser and the reply writer.
//!
//! This layer does no I/O. The parser cuts arguments out of a client's query buffer as
//! zero-copy `Bytes`; the reply writer appends protocol bytes to a client's output buffer
//! in the client's RESP version.

pub mod deferred;
pub mod inline;
pub mod names;
pub mod parser;
pub mod reply;
pub mod sizing;

pub use parser::{ParseLimits, ParseOutcome, RequestParser};
pub use reply::{OutBuf, Reply};
