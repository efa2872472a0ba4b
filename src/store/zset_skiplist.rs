//! The ordered half of a big sorted set: a skiplist with spans (the distance each
//! forward link jumps), so insert, delete, rank and rank lookup are all O(log n).
//!
//! Nodes live in an arena (`Vec<Node>`, index 0 is the header) linked by `u32`
//! indices; freed slots are reused. Order is (score, member) with members compared
//! bytewise, exactly as Redis's zslInsert/zslDelete order them. Spans are `u32`
//! (a set cannot approach 4 billion members in memory), links a boxed slice.

use crate::store::bstr::Bstr;

/// "No node".
const NIL: u32 = u32::MAX;
/// Highest level a node may reach (Redis's ZSKIPLIST_MAXLEVEL).
const MAX_LEVEL: usize = 32;

/// One forward link of a node.
#[derive(Debug, Clone, Copy)]
struct Link {
    next: u32,
    span: u32,
}

/// One member: its bytes, score, backward link and forward links.
#[derive(Debug, Clone)]
struct Node {
    ele: Bstr,
    score: f64,
    backward: u32,
    links: Box<[Link]>,
}

/// A skiplist ordered by (score, member).
#[derive(Debug, Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    free: Vec<u32>,
    level: usize,
    len: usize,
    tail: u32,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> Self {
        Self::new()
    }
}

/// True when (s1, e1) sorts before (s2, e2).
fn before(s1: f64, e1: &[u8], s2: f64, e2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && e1 < e2)
}

impl SkipList {
    /// An empty list.
    pub fn new() -> Self {
        let header = Node {
            ele: Bstr::from_slice(b""),
            score: 0.0,
            backward: NIL,
            links: vec![Link { next: NIL, span: 0 }; MAX_LEVEL].into_boxed_slice(),
        };
        SkipList {
            nodes: vec![header],
            free: Vec::new(),
            level: 1,
            len: 0,
            tail: NIL,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A random level with p = 1/4 per extra level.
    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if level < MAX_LEVEL && (self.rng & 0xffff) < 0x4000 {
                level += 1;
            } else {
                return level;
            }
        }
    }

    fn link(&self, node: u32, i: usize) -> Link {
        self.nodes[node as usize].links[i]
    }

    /// Inserts a member that is not present yet.
    #[allow(clippy::needless_range_loop)]
    pub fn insert(&mut self, score: f64, ele: Bstr) {
        let mut update = [0u32; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = 0u32;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    break;
                }
                let n = &self.nodes[l.next as usize];
                if !before(n.score, n.ele.as_slice(), score, ele.as_slice()) {
                    break;
                }
                rank[i] += l.span as usize;
                x = l.next;
            }
            update[i] = x;
        }
        let level = self.random_level();
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = 0;
                self.nodes[0].links[i].span = self.len as u32;
            }
            self.level = level;
        }
        let node = Node {
            ele,
            score,
            backward: NIL,
            links: vec![Link { next: NIL, span: 0 }; level].into_boxed_slice(),
        };
        let idx = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        for i in 0..level {
            let up = update[i] as usize;
            let ul = self.nodes[up].links[i];
            self.nodes[idx as usize].links[i] = Link {
                next: ul.next,
                span: ul.span - (rank[0] - rank[i]) as u32,
            };
            self.nodes[up].links[i] = Link {
                next: idx,
                span: (rank[0] - rank[i] + 1) as u32,
            };
        }
        for i in level..self.level {
            self.nodes[update[i] as usize].links[i].span += 1;
        }
        self.nodes[idx as usize].backward = if update[0] == 0 { NIL } else { update[0] };
        let next = self.nodes[idx as usize].links[0].next;
        if next != NIL {
            self.nodes[next as usize].backward = idx;
        } else {
            self.tail = idx;
        }
        self.len += 1;
    }

    /// Removes (score, ele); false when absent.
    #[allow(clippy::needless_range_loop)]
    pub fn delete(&mut self, score: f64, ele: &[u8]) -> bool {
        let mut update = [0u32; MAX_LEVEL];
        let mut x = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    break;
                }
                let n = &self.nodes[l.next as usize];
                if !before(n.score, n.ele.as_slice(), score, ele) {
                    break;
                }
                x = l.next;
            }
            update[i] = x;
        }
        let target = self.link(x, 0).next;
        if target == NIL {
            return false;
        }
        let t = &self.nodes[target as usize];
        if t.score != score || t.ele.as_slice() != ele {
            return false;
        }
        for i in 0..self.level {
            let up = update[i] as usize;
            if self.nodes[up].links[i].next == target {
                let tl = self.nodes[target as usize].links[i];
                self.nodes[up].links[i].span += tl.span;
                self.nodes[up].links[i].span -= 1;
                self.nodes[up].links[i].next = tl.next;
            } else {
                self.nodes[up].links[i].span -= 1;
            }
        }
        let next = self.nodes[target as usize].links[0].next;
        let back = self.nodes[target as usize].backward;
        if next != NIL {
            self.nodes[next as usize].backward = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.nodes[0].links[self.level - 1].next == NIL {
            self.level -= 1;
        }
        let slot = &mut self.nodes[target as usize];
        slot.ele = Bstr::from_slice(b"");
        slot.links = Box::new([]);
        self.free.push(target);
        self.len -= 1;
        true
    }

    /// Number of members for which `pred` holds, `pred` being true for a prefix of the
    /// order (monotonic: once false, false for every later member).
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        let mut x = 0u32;
        let mut rank = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    break;
                }
                let n = &self.nodes[l.next as usize];
                if !pred(n.ele.as_slice(), n.score) {
                    break;
                }
                rank += l.span as usize;
                x = l.next;
            }
        }
        rank
    }

    /// 0-based rank of (score, ele), which must be present.
    pub fn rank(&self, score: f64, ele: &[u8]) -> usize {
        self.count_before(|e, s| before(s, e, score, ele))
    }

    /// The node at 0-based `rank`, if any.
    fn node_at(&self, rank: usize) -> u32 {
        if rank >= self.len {
            return NIL;
        }
        let want = rank + 1;
        let mut x = 0u32;
        let mut traversed = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link(x, i);
                if l.next == NIL || traversed + l.span as usize > want {
                    break;
                }
                traversed += l.span as usize;
                x = l.next;
            }
            if traversed == want {
                return x;
            }
        }
        NIL
    }

    /// The member at 0-based `rank`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        let x = self.node_at(rank);
        (x != NIL).then(|| {
            let n = &self.nodes[x as usize];
            (n.ele.as_slice(), n.score)
        })
    }

    /// Visits ranks `start..end` (clamped), in order, or in reverse order when `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let end = end.min(self.len);
        if start >= end {
            return;
        }
        let mut x = self.node_at(if rev { end - 1 } else { start });
        for _ in start..end {
            if x == NIL {
                return;
            }
            let n = &self.nodes[x as usize];
            f(n.ele.as_slice(), n.score);
            x = if rev { n.backward } else { n.links[0].next };
        }
    }

    /// Approximate heap bytes used.
    pub fn heap_size(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| n.ele.heap_size() + n.links.len() * 8)
            .sum::<usize>()
            + self.nodes.capacity() * std::mem::size_of::<Node>()
    }
}
