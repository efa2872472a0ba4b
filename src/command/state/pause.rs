//! CLIENT PAUSE: the pause in force, kept by the executor and checked before every command.

/// How CLIENT PAUSE holds clients back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseMode {
    /// Commands that write (or may replicate) wait; reads go on.
    Write,
    /// Every command waits.
    All,
}

/// An active CLIENT PAUSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// What waits.
    pub mode: PauseMode,
    /// When the pause ends (ms since the epoch).
    pub until_ms: i64,
}
