//! (being written)

use crate::command::table::CommandSpec;

/// This family's table entries.
pub const COMMANDS: &[CommandSpec] = &[];
