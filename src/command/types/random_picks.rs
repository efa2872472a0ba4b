//! The reply to a negative count of SRANDMEMBER, ZRANDMEMBER or HRANDFIELD: that many
//! independent random picks, up to 2^63 of them.
//!
//! Picks are written straight into the reply while it is small. Once it passes
//! [`INLINE_LIMIT`] and more picks are left than the value has elements, the rest is
//! deferred ([`crate::protocol::deferred`]): the value's elements are encoded once and
//! the client's output buffer draws the remaining picks from that snapshot a slice at a
//! time as the client reads. Inside MULTI or a script the reply must be whole, so there
//! the reply is cut at the streaming cap and the client closed after it.

use crate::command::state::session::Session;
use crate::protocol::deferred::{EncodedItems, RandomPicks};
use crate::protocol::Reply;
use crate::util::rng::Rng;

/// A reply of random picks up to this size is written whole, as it always was.
const INLINE_LIMIT: usize = 1024 * 1024;

/// Tracks one reply of random picks while its first picks are written inline.
pub struct PickBudget {
    start: usize,
    deferrable: bool,
}

impl PickBudget {
    /// Starts tracking the reply about to be written into `reply` for `session`.
    pub fn new(reply: &Reply<'_>, session: &Session) -> Self {
        PickBudget {
            start: reply.pending(),
            deferrable: !session.in_exec && !session.in_script,
        }
    }

    /// True while another pick should be written inline, with `left` picks to go out
    /// of a value of `len` elements. Past the inline limit, picks go on inline only
    /// while the rest is no bigger than a snapshot of the value would be, and never
    /// past the streaming cap.
    pub fn inline(&self, reply: &Reply<'_>, left: u64, len: usize) -> bool {
        if reply.pending() - self.start < INLINE_LIMIT {
            return true;
        }
        if reply.over_streaming_cap() {
            return false;
        }
        !self.deferrable || left <= len as u64
    }

    /// Ends the reply once the inline picks stopped with `left` still to write: defers
    /// them, drawing from the snapshot `encode` makes; or, where the reply cannot be
    /// deferred, cuts it and closes the client after the write.
    pub fn finish(
        self,
        reply: &mut Reply<'_>,
        session: &mut Session,
        rng: &mut Rng,
        left: u64,
        encode: impl FnOnce(&Reply<'_>) -> EncodedItems,
    ) {
        if left == 0 {
            return;
        }
        if !self.deferrable {
            session.close_after_reply = true;
            return;
        }
        let items = encode(reply);
        if items.is_empty() {
            session.close_after_reply = true;
            return;
        }
        reply.defer(Box::new(RandomPicks::new(items, left, rng.next_u64())));
    }
}
