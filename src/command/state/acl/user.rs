//! One ACL user: whether it may log in (`on`/`off`, passwords or `nopass`), its
//! payload-sanitizing flag, and its selectors (the root one first). Rules change a user
//! as ACL SETUSER, the config file and the ACL file write them.

use bytes::Bytes;

use crate::protocol::inline::split_args;
use crate::util::sha256;

use super::error::RuleError;
use super::selector::{RuleContext, Selector};

/// `skip-sanitize-payload` / `sanitize-payload`: whether RESTORE payloads from this
/// user are checked deeply (under `sanitize-dump-payload clients`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanitize {
    /// Neither flag was given.
    Unset,
    /// `skip-sanitize-payload`.
    Skip,
    /// `sanitize-payload`.
    Always,
}

/// One user.
#[derive(Debug, Clone)]
pub struct User {
    /// The name (no spaces or NULs).
    pub name: Vec<u8>,
    /// `on`: the user may authenticate.
    pub enabled: bool,
    /// `nopass`: any password works.
    pub nopass: bool,
    /// The payload-sanitizing flag.
    pub sanitize: Sanitize,
    /// SHA-256 hex digests of the passwords, in the order added.
    pub passwords: Vec<String>,
    /// The selectors, the root selector first.
    pub selectors: Vec<Selector>,
}

/// Why a command was refused; the argument index is the key or channel refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The command (or subcommand) is not allowed.
    Command,
    /// The key at this argument is not allowed.
    Key(usize),
    /// The channel at this argument is not allowed.
    Channel(usize),
}

impl Denied {
    /// The precedence Redis gives a refusal when no selector allows the command: a
    /// channel over a key over the command itself.
    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(at) => (2, at),
            Denied::Channel(at) => (4, at),
        }
    }
}

/// What a command line asks for, as the permission check sees it.
pub struct Request<'a> {
    /// The command's catalog id.
    pub id: usize,
    /// The command is flagged `no_auth`.
    pub no_auth: bool,
    /// The arguments, the name first.
    pub args: &'a [Bytes],
    /// The argument that may match a `+command|first-arg` rule.
    pub first_arg: Option<&'a [u8]>,
    /// Key positions with the access they need (selector `READ`/`WRITE` bits).
    pub keys: &'a [(usize, u8)],
    /// Channel positions, and whether each is a PSUBSCRIBE pattern.
    pub channels: &'a [(usize, bool)],
}

impl User {
    /// A new user as ACL SETUSER creates it: off, no password, no permissions.
    pub fn new(name: &[u8], pubsub_all: bool) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: Sanitize::Unset,
            passwords: Vec::new(),
            selectors: vec![Selector::new(true, pubsub_all)],
        }
    }

    /// The root selector.
    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// True if the root selector allows everything: every command, key and channel.
    pub fn unrestricted(&self) -> bool {
        let root = self.root();
        root.all_commands && root.all_keys && root.all_channels
    }

    /// True if some selector limits keys, so a check needs the command's keys.
    pub fn limits_keys(&self) -> bool {
        self.selectors.iter().any(|s| !s.all_keys)
    }

    /// True if some selector limits channels.
    pub fn limits_channels(&self) -> bool {
        self.selectors.iter().any(|s| !s.all_channels)
    }

    /// Applies one rule.
    pub fn apply(&mut self, op: &[u8], cx: RuleContext<'_>) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
        } else if is("on") || is("off") {
            self.enabled = is("on");
        } else if is("skip-sanitize-payload") {
            self.sanitize = Sanitize::Skip;
        } else if is("sanitize-payload") {
            self.sanitize = Sanitize::Always;
        } else if is("nopass") || is("resetpass") {
            self.nopass = is("nopass");
            self.passwords.clear();
        } else if matches!(op[0], b'>' | b'#') {
            self.add_password(op)?;
        } else if matches!(op[0], b'<' | b'!') {
            self.remove_password(op)?;
        } else if op[0] == b'(' && op.ends_with(b")") {
            let selector = selector_from(&op[1..op.len() - 1], cx)?;
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            self.reset(cx);
        } else {
            self.selectors[0].apply(op, cx)?;
        }
        Ok(())
    }

    /// `reset`: as a new user (and `sanitize-payload`).
    fn reset(&mut self, cx: RuleContext<'_>) {
        self.nopass = false;
        self.passwords.clear();
        self.selectors.truncate(1);
        let root = &mut self.selectors[0];
        root.all_keys = false;
        root.keys.clear();
        root.all_channels = cx.pubsub_all;
        root.channels.clear();
        root.all_commands = false;
        root.bits.fill(false, cx.catalog.len());
        root.first_args.clear();
        self.enabled = false;
        self.sanitize = Sanitize::Always;
    }

    /// `>password` or `#hash`.
    fn add_password(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let hash = password_hash(op)?;
        if !self.passwords.contains(&hash) {
            self.passwords.push(hash);
        }
        self.nopass = false;
        Ok(())
    }

    /// `<password` or `!hash`.
    fn remove_password(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let hash = password_hash(op)?;
        let at = self
            .passwords
            .iter()
            .position(|p| *p == hash)
            .ok_or(RuleError::NoSuchPassword)?;
        self.passwords.remove(at);
        Ok(())
    }

    /// Applies `rules` in order on a copy, keeping it only if every rule applied;
    /// `Err` names the rule refused and why.
    pub fn apply_all(
        &mut self,
        rules: &[Vec<u8>],
        cx: RuleContext<'_>,
    ) -> Result<(), (Vec<u8>, RuleError)> {
        let mut staged = self.clone();
        for rule in rules {
            staged.apply(rule, cx).map_err(|e| (rule.clone(), e))?;
        }
        *self = staged;
        Ok(())
    }

    /// True if the user is on and `password` is one of its passwords (any, with
    /// `nopass`). Every stored digest is compared in full, in constant time.
    pub fn accepts(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let hashed = sha256::hex_digest(password);
        let mut matched = false;
        for stored in &self.passwords {
            matched |= constant_time_eq(hashed.as_bytes(), stored.as_bytes());
        }
        matched
    }

    /// The user flags ACL GETUSER and ACL LIST show, in Redis's order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut names = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            names.push("nopass");
        }
        match self.sanitize {
            Sanitize::Skip => names.push("skip-sanitize-payload"),
            Sanitize::Always => names.push("sanitize-payload"),
            Sanitize::Unset => {}
        }
        names
    }

    /// Checks a command line against every selector: `Ok` if one allows all of it,
    /// otherwise the refusal Redis reports.
    pub fn check(&self, request: &Request<'_>) -> Result<(), Denied> {
        let mut worst = Denied::Command;
        for selector in &self.selectors {
            match check_selector(selector, request) {
                Ok(()) => return Ok(()),
                Err(denied) if denied.rank() > worst.rank() => worst = denied,
                Err(_) => {}
            }
        }
        Err(worst)
    }
}

impl User {
    /// True if selector `index` alone allows the request.
    pub fn selector_allows(&self, index: usize, request: &Request<'_>) -> bool {
        check_selector(&self.selectors[index], request).is_ok()
    }
}

/// One selector's verdict on a request.
fn check_selector(selector: &Selector, request: &Request<'_>) -> Result<(), Denied> {
    if !selector.allows_command(request.id, request.no_auth, request.first_arg) {
        return Err(Denied::Command);
    }
    if !selector.all_keys {
        for &(at, access) in request.keys {
            if !selector.allows_key(&request.args[at], access) {
                return Err(Denied::Key(at));
            }
        }
    }
    if !selector.all_channels {
        for &(at, is_pattern) in request.channels {
            if !selector.allows_channel(&request.args[at], is_pattern) {
                return Err(Denied::Channel(at));
            }
        }
    }
    Ok(())
}

/// A selector from the inside of `(...)`: its rules split as redis-cli splits words
/// (unbalanced quotes leave the selector empty, as in Redis).
fn selector_from(inside: &[u8], cx: RuleContext<'_>) -> Result<Selector, RuleError> {
    let mut selector = Selector::new(false, cx.pubsub_all);
    for rule in split_args(inside).unwrap_or_default() {
        selector.apply(&rule, cx)?;
    }
    Ok(selector)
}

/// The stored form of a `>password`/`<password` (its digest) or `#hash`/`!hash`
/// (checked: 64 lower-case hex digits).
fn password_hash(op: &[u8]) -> Result<String, RuleError> {
    let value = &op[1..];
    if matches!(op[0], b'>' | b'<') {
        return Ok(sha256::hex_digest(value));
    }
    let valid = value.len() == 64 && value.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(RuleError::BadHash);
    }
    Ok(String::from_utf8_lossy(value).into_owned())
}

/// Compares two equally long byte strings without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

/// Joins selector rules written over several arguments (`(~a` `+get)`) into one, as
/// Redis does for ACL SETUSER and config lines. `Err` is the index of a `(` that is
/// never closed.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut merged = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (index, arg) in args.iter().enumerate() {
        if let Some((_, selector)) = open.as_mut() {
            selector.push(b' ');
            selector.extend_from_slice(arg);
            if arg.ends_with(b")") {
                merged.extend(open.take().map(|(_, s)| s));
            }
        } else if arg.first() == Some(&b'(') && !arg.ends_with(b")") {
            open = Some((index, arg.clone()));
        } else {
            merged.push(arg.clone());
        }
    }
    match open {
        Some((index, _)) => Err(index),
        None => Ok(merged),
    }
}
