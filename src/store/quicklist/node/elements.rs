//! A packed node's elements read and changed whole: each change takes the element's
//! full bytes and keeps the node's shared prefix true (the parent module says how),
//! so the list above never sees the prefix except in the [`Element`]s it reads.

use super::{shared_len, Node};
use crate::store::listpack::{Needle, Pos};
use crate::store::quicklist::Element;

impl Node {
    /// The element at `pos` (of this node's [`view`](Node::view)).
    #[cfg(test)]
    pub(in crate::store::quicklist) fn element(&self, pos: Pos) -> Element<'_> {
        let (prefix, body) = self.view(&std::cell::Cell::new(false));
        Element::new(prefix, body.get(pos))
    }

    /// Makes the prefix one that `value` begins with, rewriting the entries with the
    /// bytes it gives up; returns where the entry that was at `track` now is, and
    /// whether the entries were rewritten (the node's size against its limit may have
    /// grown: an entry that held an integer after the prefix may now hold bytes).
    #[inline]
    fn adopt(&mut self, value: &[u8], track: Pos) -> (Pos, bool) {
        if begins_with(value, &self.prefix) {
            return (track, false);
        }
        (self.give_up_prefix(value, track), true)
    }

    /// [`adopt`](Self::adopt) when `value` does not begin with the whole prefix.
    #[cold]
    #[inline(never)]
    fn give_up_prefix(&mut self, value: &[u8], track: Pos) -> Pos {
        let keep = shared_len(&self.prefix, value);
        let prefix = std::mem::take(&mut self.prefix);
        let track = self.body_mut().prepend_to_each(&prefix[keep..], track);
        self.prefix = prefix[..keep].into();
        track
    }

    /// The part of `value` an entry holds, once the prefix is one it begins with.
    fn rest<'v>(&self, value: &'v [u8]) -> &'v [u8] {
        &value[self.prefix.len()..]
    }

    /// Appends `value` as the node's last element; true when the prefix shrank (the
    /// node may now be over its limit).
    #[inline]
    pub(in crate::store::quicklist) fn push_back(&mut self, value: &[u8]) -> bool {
        let (_, reshaped) = self.adopt(value, Pos::default());
        let rest = self.rest(value);
        self.body_mut().push_back(rest);
        reshaped
    }

    /// Prepends `value` as the node's first element; true when the prefix shrank.
    #[inline]
    pub(in crate::store::quicklist) fn push_front(&mut self, value: &[u8]) -> bool {
        let (_, reshaped) = self.adopt(value, Pos::default());
        let rest = self.rest(value);
        self.body_mut().push_front(rest);
        reshaped
    }

    /// Inserts `value` before or after the element at `pos`; true when the prefix
    /// shrank.
    pub(in crate::store::quicklist) fn insert(
        &mut self,
        pos: Pos,
        value: &[u8],
        after: bool,
    ) -> bool {
        let (pos, reshaped) = self.adopt(value, pos);
        let rest = self.rest(value);
        match after {
            true => self.body_mut().insert_after(pos, rest),
            false => self.body_mut().insert_before(pos, rest),
        };
        reshaped
    }

    /// Replaces the element at `pos` with `value`.
    pub(in crate::store::quicklist) fn replace(&mut self, pos: Pos, value: &[u8]) {
        let (pos, _) = self.adopt(value, pos);
        let rest = self.rest(value);
        self.body_mut().replace(pos, rest);
    }

    /// Removes the element at `pos`.
    pub(in crate::store::quicklist) fn remove(&mut self, pos: Pos) {
        self.body_mut().remove(pos);
    }

    /// Removes up to `count` elements from index `first` (negative from the end).
    pub(in crate::store::quicklist) fn remove_range(&mut self, first: isize, count: usize) {
        self.body_mut().remove_range(first, count);
    }

    /// Removes and returns the first element.
    pub(in crate::store::quicklist) fn pop_front(&mut self) -> Option<Vec<u8>> {
        let (body, prefix) = self.parts_mut();
        let pos = body.first()?;
        let value = Element::new(prefix, body.get(pos)).to_vec();
        body.remove(pos);
        Some(value)
    }

    /// Removes and returns the last element.
    pub(in crate::store::quicklist) fn pop_back(&mut self) -> Option<Vec<u8>> {
        let (body, prefix) = self.parts_mut();
        let pos = body.last()?;
        let value = Element::new(prefix, body.get(pos)).to_vec();
        body.remove(pos);
        Some(value)
    }

    /// Position of the first element equal to `value`, in the entries as a change
    /// sees them (a compressed node is searched without being decompressed in place).
    pub(in crate::store::quicklist) fn find(&self, value: &[u8]) -> Option<Pos> {
        let rest = value.strip_prefix(&*self.prefix)?;
        self.body().find_needle(&Needle::new(rest), 0)
    }

    /// Removes up to `max` elements equal to `value`: the first ones, or the last ones
    /// when `from_tail`. Returns how many were removed.
    pub(in crate::store::quicklist) fn remove_equal(
        &mut self,
        value: &[u8],
        max: usize,
        from_tail: bool,
    ) -> usize {
        let Some(rest) = value.strip_prefix(&*self.prefix) else {
            return 0;
        };
        let needle = Needle::new(rest);
        if self.is_compressed() && self.body().find_needle(&needle, 0).is_none() {
            return 0;
        }
        let body = self.body_mut();
        let mut keep_first = 0;
        if from_tail {
            let total = body.iter().filter(|e| needle.matches(e)).count();
            keep_first = total.saturating_sub(max);
        }
        let (mut seen, mut removed) = (0, 0);
        body.retain(|entry| {
            if removed == max || !needle.matches(&entry) {
                return true;
            }
            seen += 1;
            if seen <= keep_first {
                return true;
            }
            removed += 1;
            false
        })
    }

    /// Calls `f` with every element, head to tail, leaving no decompressed copy.
    pub(in crate::store::quicklist) fn for_each(&self, f: &mut impl FnMut(Element<'_>)) {
        let body = self.body();
        body.iter()
            .for_each(|entry| f(Element::new(&self.prefix, entry)));
    }

    /// Moves the elements from index `index` on into a new node with the same prefix.
    pub(in crate::store::quicklist) fn split_off(&mut self, index: usize) -> Node {
        let right = self.body_mut().split_off(index);
        Node::with_prefix(self.prefix.clone(), right)
    }

    /// Moves the elements from `pos` on into a new node with the same prefix.
    pub(in crate::store::quicklist) fn split_off_at(&mut self, pos: Pos) -> Node {
        let right = self.body_mut().split_off_at(pos);
        Node::with_prefix(self.prefix.clone(), right)
    }

    /// Appends `other`'s elements after this node's, under the prefix both share.
    pub(in crate::store::quicklist) fn append(&mut self, other: &Node) {
        let keep = shared_len(&self.prefix, &other.prefix);
        self.adopt(&other.prefix[..keep], Pos::default());
        let mut tail = other.body();
        if other.prefix.len() > keep {
            tail.to_mut()
                .prepend_to_each(&other.prefix[keep..], Pos::default());
        }
        self.body_mut().append(&tail);
    }

    /// Position of the element after `pos`.
    pub(in crate::store::quicklist) fn next(&self, pos: Pos) -> Option<Pos> {
        self.body().next(pos)
    }

    /// Position of the element before `pos`.
    pub(in crate::store::quicklist) fn prev(&self, pos: Pos) -> Option<Pos> {
        self.body().prev(pos)
    }
}

/// Whether `value` begins with `prefix`: short prefixes (the common case: a few bytes
/// of an id) are compared in line rather than by a call to `memcmp`.
#[inline]
fn begins_with(value: &[u8], prefix: &[u8]) -> bool {
    let Some(head) = value.get(..prefix.len()) else {
        return false;
    };
    if prefix.len() <= 16 {
        head.iter().zip(prefix).all(|(a, b)| a == b)
    } else {
        head == prefix
    }
}
