//! The HELP subcommand's reply shape, shared by every container command's HELP.

use crate::protocol::Reply;

/// Writes a HELP reply: one status line each.
pub fn write_help(reply: &mut Reply<'_>, lines: &[&str]) {
    reply.array_len(lines.len());
    for line in lines {
        reply.simple(line.as_bytes());
    }
}
