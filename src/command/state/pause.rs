//! CLIENT PAUSE: the pause in force, kept by the executor and checked before every command.

use std::collections::VecDeque;

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

/// CLIENT PAUSE as the executor keeps it: the pause in force, the clients whose next
/// command it holds back (in arrival order), and whether the databases currently keep
/// expired keys stored (Redis 7.0 neither expires nor evicts during a pause). The
/// three change together, so only these methods change them.
#[derive(Debug, Default)]
pub struct PauseState {
    pause: Option<Pause>,
    postponed: VecDeque<u64>,
    expiry_held: bool,
}

impl PauseState {
    /// CLIENT PAUSE: a pause that overlaps the current one extends it (the stricter
    /// mode and the later end win).
    pub fn start(&mut self, mode: PauseMode, until_ms: i64) {
        self.pause = Some(match self.pause {
            Some(current) => Pause {
                mode: current.mode.max(mode),
                until_ms: current.until_ms.max(until_ms),
            },
            None => Pause { mode, until_ms },
        });
    }

    /// CLIENT UNPAUSE: the held-back clients run at the next chance.
    pub fn end(&mut self) {
        self.pause = None;
    }

    /// True when a pause was set, whether or not it has run out (one comparison on
    /// the hot path before the clock is consulted).
    pub fn is_set(&self) -> bool {
        self.pause.is_some()
    }

    /// The pause in force at `now_ms`, if any.
    pub fn in_force(&self, now_ms: i64) -> Option<Pause> {
        self.pause.filter(|pause| pause.until_ms > now_ms)
    }

    /// When the current pause ends, for the loop's sleep.
    pub fn deadline(&self) -> Option<i64> {
        self.pause.map(|pause| pause.until_ms)
    }

    /// Holds back `client`'s next command until the pause ends.
    pub fn hold(&mut self, client: u64) {
        self.postponed.push_back(client);
    }

    /// How many clients the pause holds back (INFO counts them as blocked, as Redis).
    pub fn held(&self) -> usize {
        self.postponed.len()
    }

    /// Forgets a held-back client that went away.
    pub fn release(&mut self, client: u64) {
        self.postponed.retain(|&id| id != client);
    }

    /// True when no pause is set and no command waits for one to end: the loop has
    /// nothing to check.
    pub fn idle(&self) -> bool {
        self.pause.is_none() && self.postponed.is_empty()
    }

    /// Clears a pause that ran out by `now_ms` and hands over the clients it held
    /// back, in arrival order; empty while a pause is in force.
    pub fn end_if_over(&mut self, now_ms: i64) -> VecDeque<u64> {
        if self.in_force(now_ms).is_some() {
            return VecDeque::new();
        }
        self.pause = None;
        std::mem::take(&mut self.postponed)
    }

    /// Whether a pause holds expired keys stored, as of the last check.
    pub fn expiry_is_held(&self) -> bool {
        self.expiry_held
    }

    /// Whether expired keys must stay stored at `now_ms`; `Some` only when that
    /// changed since the last call, so the caller updates the databases once.
    pub fn expiry_hold_change(&mut self, now_ms: i64) -> Option<bool> {
        let held = self.pause.is_some() && self.in_force(now_ms).is_some();
        if held == self.expiry_held {
            return None;
        }
        self.expiry_held = held;
        Some(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_pauses_extend_and_release_in_order() {
        let mut state = PauseState::default();
        state.start(PauseMode::Write, 1_000);
        state.start(PauseMode::All, 500);
        assert_eq!(
            state.in_force(0),
            Some(Pause {
                mode: PauseMode::All,
                until_ms: 1_000
            })
        );
        state.hold(7);
        state.hold(9);
        state.hold(8);
        state.release(9);
        assert!(state.end_if_over(999).is_empty());
        assert_eq!(state.end_if_over(1_000), VecDeque::from([7, 8]));
        assert!(!state.is_set());
    }

    #[test]
    fn expiry_hold_reports_changes_only() {
        let mut state = PauseState::default();
        assert_eq!(state.expiry_hold_change(0), None);
        state.start(PauseMode::All, 100);
        assert_eq!(state.expiry_hold_change(0), Some(true));
        assert_eq!(state.expiry_hold_change(50), None);
        assert_eq!(state.expiry_hold_change(100), Some(false));
    }
}
