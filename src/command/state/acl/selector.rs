//! A selector: one set of permissions (commands, key patterns, channel patterns). Every
//! user has a root selector, changed by rules written outside parentheses, and any
//! number of further selectors written as `(rule rule ...)`; a command is allowed when
//! one selector allows all of it.

use crate::util::glob::glob_match;

use super::catalog::Catalog;
use super::error::RuleError;

/// Read permission of a key pattern (`%R~`).
pub const READ: u8 = 1;
/// Write permission of a key pattern (`%W~`).
pub const WRITE: u8 = 2;
/// Both (`~`).
pub const READ_WRITE: u8 = READ | WRITE;

/// A key pattern and what it permits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    /// The glob.
    pub pattern: Vec<u8>,
    /// [`READ`], [`WRITE`] or both.
    pub access: u8,
}

impl KeyPattern {
    /// The rule that recreates it: `~p`, `%R~p` or `%W~p`.
    pub fn rule(&self) -> Vec<u8> {
        let mut text = match self.access {
            READ => b"%R~".to_vec(),
            WRITE => b"%W~".to_vec(),
            _ => b"~".to_vec(),
        };
        text.extend_from_slice(&self.pattern);
        text
    }
}

/// The allowed-commands bitmap: a bit per catalog id, plus the bit only `+@all` sets,
/// meaning "commands added later too" (it decides whether a description starts from
/// `+@all` or from `-@all`).
#[derive(Debug, Clone, Default)]
pub struct CommandBits {
    words: Vec<u64>,
    future: bool,
}

impl CommandBits {
    /// True if command `id` is allowed.
    pub fn get(&self, id: usize) -> bool {
        self.words
            .get(id / 64)
            .is_some_and(|word| word & (1 << (id % 64)) != 0)
    }

    /// Allows or denies command `id`.
    pub fn set(&mut self, id: usize, on: bool) {
        if self.words.len() <= id / 64 {
            if !on {
                return;
            }
            self.words.resize(id / 64 + 1, 0);
        }
        if on {
            self.words[id / 64] |= 1 << (id % 64);
        } else {
            self.words[id / 64] &= !(1 << (id % 64));
        }
    }

    /// Every one of `len` commands, and future ones, allowed (`on`) or denied.
    pub fn fill(&mut self, on: bool, len: usize) {
        self.words.clear();
        self.future = on;
        if on {
            self.words.resize(len.div_ceil(64), !0);
            if !len.is_multiple_of(64) {
                if let Some(last) = self.words.last_mut() {
                    *last = (1 << (len % 64)) - 1;
                }
            }
        }
    }

    /// True if `+@all` (or `allcommands`) built this bitmap.
    pub fn future(&self) -> bool {
        self.future
    }

    /// The same commands (and future bit) as `other`.
    pub fn same_as(&self, other: &CommandBits) -> bool {
        let len = self.words.len().max(other.words.len());
        let word = |bits: &CommandBits, i: usize| bits.words.get(i).copied().unwrap_or(0);
        self.future == other.future && (0..len).all(|i| word(self, i) == word(other, i))
    }
}

/// What rules need besides the rule itself: the commands, and whether new selectors
/// start with every channel (`acl-pubsub-default allchannels`).
#[derive(Clone, Copy)]
pub struct RuleContext<'a> {
    /// The commands rules name.
    pub catalog: &'a Catalog,
    /// `acl-pubsub-default` is `allchannels`.
    pub pubsub_all: bool,
}

/// One selector.
#[derive(Debug, Clone)]
pub struct Selector {
    /// The user's root selector (rules outside parentheses).
    pub root: bool,
    /// Any key (`allkeys`, `~*`).
    pub all_keys: bool,
    /// Any channel (`allchannels`, `&*`).
    pub all_channels: bool,
    /// Every command, no exception since `+@all`.
    pub all_commands: bool,
    /// The allowed commands.
    pub bits: CommandBits,
    /// First arguments allowed for commands otherwise denied (`+select|0`): (id, args).
    pub first_args: Vec<(usize, Vec<Vec<u8>>)>,
    /// Key patterns, in the order added.
    pub keys: Vec<KeyPattern>,
    /// Channel patterns, in the order added.
    pub channels: Vec<Vec<u8>>,
}

impl Selector {
    /// An empty selector: no command, no key; every channel under
    /// `acl-pubsub-default allchannels`.
    pub fn new(root: bool, pubsub_all: bool) -> Selector {
        Selector {
            root,
            all_keys: false,
            all_channels: pubsub_all,
            all_commands: false,
            bits: CommandBits::default(),
            first_args: Vec::new(),
            keys: Vec::new(),
            channels: Vec::new(),
        }
    }

    /// Applies one selector rule (commands, keys, channels).
    pub fn apply(&mut self, op: &[u8], cx: RuleContext<'_>) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || is("~*") {
            self.all_keys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.all_keys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.all_channels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.set_all_commands(true, cx.catalog.len());
        } else if is("nocommands") || is("-@all") {
            self.set_all_commands(false, cx.catalog.len());
        } else {
            return self.apply_pattern_or_command(op, cx);
        }
        Ok(())
    }

    fn apply_pattern_or_command(
        &mut self,
        op: &[u8],
        cx: RuleContext<'_>,
    ) -> Result<(), RuleError> {
        let second = op.get(1).copied();
        match op.first() {
            Some(b'~' | b'%') => self.add_key_pattern(op),
            Some(b'&') => self.add_channel(&op[1..]),
            Some(b'+') if second != Some(b'@') => self.allow_command(&op[1..], cx.catalog),
            Some(b'-') if second != Some(b'@') => {
                let id = cx
                    .catalog
                    .lookup(&op[1..])
                    .ok_or(RuleError::UnknownCommand)?;
                self.change_command(id, false, cx.catalog);
                Ok(())
            }
            Some(sign @ (b'+' | b'-')) => {
                let flag = cx
                    .catalog
                    .category(&op[2..])
                    .ok_or(RuleError::UnknownCommand)?;
                self.change_category(flag, *sign == b'+', cx.catalog);
                Ok(())
            }
            _ => Err(RuleError::Syntax),
        }
    }

    fn set_all_commands(&mut self, on: bool, len: usize) {
        self.bits.fill(on, len);
        self.all_commands = on;
        self.first_args.clear();
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.all_keys {
            return Err(RuleError::KeyAfterAllKeys);
        }
        let (access, start) = if op[0] == b'%' {
            key_access(op)?
        } else {
            (READ_WRITE, 1)
        };
        let pattern = &op[start..];
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.keys.iter_mut().find(|k| k.pattern == pattern) {
            Some(existing) => existing.access |= access,
            None => self.keys.push(KeyPattern {
                pattern: pattern.to_vec(),
                access,
            }),
        }
        Ok(())
    }

    /// `&pattern`.
    fn add_channel(&mut self, pattern: &[u8]) -> Result<(), RuleError> {
        if self.all_channels {
            return Err(RuleError::ChannelAfterAllChannels);
        }
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        if !self.channels.iter().any(|c| c == pattern) {
            self.channels.push(pattern.to_vec());
        }
        Ok(())
    }

    /// `+command`, `+container|subcommand`, or `+command|first-arg`.
    fn allow_command(&mut self, name: &[u8], catalog: &Catalog) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = catalog.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_command(id, true, catalog);
            return Ok(());
        };
        let (base, sub) = (&name[..bar], &name[bar + 1..]);
        let id = catalog.lookup(base).ok_or(RuleError::UnknownCommand)?;
        let entry = catalog.entry(id);
        if entry.parent.is_some() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !entry.subcommands.is_empty() {
            let sub_id = catalog.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_command(sub_id, true, catalog);
        } else {
            log::warn!(
                "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +{})",
                String::from_utf8_lossy(name)
            );
            self.add_first_arg(id, sub);
        }
        Ok(())
    }

    fn add_first_arg(&mut self, id: usize, arg: &[u8]) {
        let slot = match self.first_args.iter().position(|(cmd, _)| *cmd == id) {
            Some(at) => &mut self.first_args[at].1,
            None => {
                self.first_args.push((id, Vec::new()));
                let last = self.first_args.len() - 1;
                &mut self.first_args[last].1
            }
        };
        if !slot.iter().any(|a| a.eq_ignore_ascii_case(arg)) {
            slot.push(arg.to_vec());
        }
    }

    /// Allows or denies command `id` and, for a container, all its subcommands.
    pub fn change_command(&mut self, id: usize, allow: bool, catalog: &Catalog) {
        self.set_bit(id, allow);
        self.first_args.retain(|(cmd, _)| *cmd != id);
        for &sub in &catalog.entry(id).subcommands {
            self.set_bit(sub, allow);
        }
    }

    fn set_bit(&mut self, id: usize, allow: bool) {
        self.bits.set(id, allow);
        if !allow {
            self.all_commands = false;
        }
    }

    /// Allows or denies every command in category `flag`.
    pub fn change_category(&mut self, flag: u32, allow: bool, catalog: &Catalog) {
        for &id in catalog.top_level() {
            if catalog.entry(id).categories & flag != 0 {
                self.change_command(id, allow, catalog);
            }
            for &sub in &catalog.entry(id).subcommands {
                if catalog.entry(sub).categories & flag != 0 {
                    self.change_command(sub, allow, catalog);
                }
            }
        }
    }

    /// True if this selector lets command `id` run: its bit, or an allowed first
    /// argument (`first_arg`, argument 1). Commands flagged `no_auth` always run.
    pub fn allows_command(&self, id: usize, no_auth: bool, first_arg: Option<&[u8]>) -> bool {
        if self.all_commands || no_auth || self.bits.get(id) {
            return true;
        }
        let Some(arg) = first_arg else {
            return false;
        };
        self.first_args
            .iter()
            .find(|(cmd, _)| *cmd == id)
            .is_some_and(|(_, args)| args.iter().any(|a| a.eq_ignore_ascii_case(arg)))
    }

    /// True if `key` may be used with `access` ([`READ`], [`WRITE`], both, or none).
    pub fn allows_key(&self, key: &[u8], access: u8) -> bool {
        self.all_keys
            || self.keys.iter().any(|pattern| {
                pattern.access & access == access && glob_match(&pattern.pattern, key, false)
            })
    }

    /// True if every key may be used with `access`: `allkeys`, or a `*` pattern with it.
    pub fn allows_every_key(&self, access: u8) -> bool {
        self.all_keys
            || self
                .keys
                .iter()
                .any(|p| p.access & access == access && p.pattern == b"*")
    }

    /// True if `channel` may be used: a channel name matches the patterns as globs;
    /// a PSUBSCRIBE pattern (`is_pattern`) must equal one of them literally.
    pub fn allows_channel(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.all_channels || channel_in(&self.channels, channel, is_pattern)
    }
}

/// True if `channel` is allowed by `patterns` (see [`Selector::allows_channel`]).
pub fn channel_in(patterns: &[Vec<u8>], channel: &[u8], is_pattern: bool) -> bool {
    patterns.iter().any(|pattern| {
        if is_pattern {
            pattern.as_slice() == channel
        } else {
            glob_match(pattern, channel, false)
        }
    })
}

/// The access letters of a `%...~pattern` rule and where its pattern starts.
fn key_access(op: &[u8]) -> Result<(u8, usize), RuleError> {
    let mut access = 0;
    let mut at = 1;
    while at < op.len() {
        match op[at].to_ascii_uppercase() {
            b'R' if access & READ == 0 => access |= READ,
            b'W' if access & WRITE == 0 => access |= WRITE,
            b'~' => {
                at += 1;
                break;
            }
            _ => return Err(RuleError::Syntax),
        }
        at += 1;
    }
    // A pattern that permits nothing (`%~x`) is refused.
    if access == 0 {
        return Err(RuleError::Syntax);
    }
    Ok((access, at))
}

/// True if `bytes` holds a space (C's `isspace`) or a NUL: not allowed in user names
/// and patterns, so that rules can be written back unambiguously.
pub fn has_spaces(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0))
}
