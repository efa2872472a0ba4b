//! The commands as ACL rules see them: every command and subcommand with an id (its
//! bit in a selector's command bitmap), its full name (`get`, `config|get`), its
//! categories and its parent. `core` builds it from the command table at start-up, so
//! this layer knows the commands without importing their declarations.

use std::collections::HashMap;

use super::absent::{ABSENT, ABSENT_SUBCOMMANDS};

/// One command or subcommand.
#[derive(Debug, Clone)]
pub struct CommandEntry {
    /// `get`, or `config|get` for a subcommand.
    pub full_name: String,
    /// Category bits (explicit and implicit), in the order of [`Catalog::category_names`].
    pub categories: u32,
    /// The container, for a subcommand.
    pub parent: Option<usize>,
    /// The subcommands' ids, for a container.
    pub subcommands: Vec<usize>,
    /// Flagged `no_auth`: any user may run it (AUTH, HELLO, QUIT...).
    pub no_auth: bool,
    /// Newer than Redis 7.0 (CLIENT SETINFO...): rules apply to it, but ACL CAT does
    /// not list it and descriptions do not count it, so both read as in Redis 7.0.
    pub hidden: bool,
}

/// Every command by id, and the ACL categories by name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<CommandEntry>,
    top_level: Vec<usize>,
    by_name: HashMap<String, usize>,
    category_names: Vec<&'static str>,
}

impl Catalog {
    /// An empty catalog whose category bit `i` is named `category_names[i]`.
    pub fn new(category_names: &[&'static str]) -> Catalog {
        Catalog {
            category_names: category_names.to_vec(),
            ..Catalog::default()
        }
    }

    /// Adds a top-level command; returns its id.
    pub fn add_command(&mut self, name: &str, categories: u32, no_auth: bool) -> usize {
        let id = self.push(name.to_ascii_lowercase(), categories, None, no_auth);
        self.top_level.push(id);
        id
    }

    /// Adds subcommand `name` of container `parent`; returns its id.
    pub fn add_subcommand(
        &mut self,
        parent: usize,
        name: &str,
        categories: u32,
        no_auth: bool,
    ) -> usize {
        let full_name = format!("{}|{}", self.entries[parent].full_name, name).to_ascii_lowercase();
        let id = self.push(full_name, categories, Some(parent), no_auth);
        self.entries[parent].subcommands.push(id);
        id
    }

    fn push(
        &mut self,
        full_name: String,
        categories: u32,
        parent: Option<usize>,
        no_auth: bool,
    ) -> usize {
        let id = self.entries.len();
        self.by_name.insert(full_name.clone(), id);
        self.entries.push(CommandEntry {
            full_name,
            categories,
            parent,
            subcommands: Vec::new(),
            no_auth,
            hidden: false,
        });
        id
    }

    /// Marks command `id` as newer than Redis 7.0 (see [`CommandEntry::hidden`]).
    pub fn hide(&mut self, id: usize) {
        self.entries[id].hidden = true;
    }

    /// Adds the commands Redis 7.0 has and this server does not run (see
    /// [`super::absent`]), so that rules, ACL CAT and descriptions see Redis's set.
    pub fn add_absent(&mut self) {
        for absent in ABSENT {
            let id = self.add_command(absent.name, self.categories(absent.categories), false);
            for (name, categories) in absent.subcommands {
                let categories = self.categories(categories);
                self.add_subcommand(id, name, categories, false);
            }
        }
        for (container, name, categories) in ABSENT_SUBCOMMANDS {
            if let Some(&id) = self.by_name.get(*container) {
                let categories = self.categories(categories);
                self.add_subcommand(id, name, categories, false);
            }
        }
    }

    /// The category bits of category names.
    fn categories(&self, names: &[&str]) -> u32 {
        names
            .iter()
            .filter_map(|name| self.category(name.as_bytes()))
            .fold(0, |bits, bit| bits | bit)
    }

    /// How many commands and subcommands there are (ids are `0..len`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The command with id `id`.
    pub fn entry(&self, id: usize) -> &CommandEntry {
        &self.entries[id]
    }

    /// Every command and subcommand, in id order (a container before its subcommands).
    pub fn entries(&self) -> impl Iterator<Item = (usize, &CommandEntry)> {
        self.entries.iter().enumerate()
    }

    /// The top-level commands' ids, in table order.
    pub fn top_level(&self) -> &[usize] {
        &self.top_level
    }

    /// A command named as ACL rules name it, case-insensitively: `get` (a container
    /// names itself), or `config|get`; anything deeper, or a `|` after a command without
    /// subcommands, names nothing.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let name = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
        let mut parts = name.split('|');
        let base = parts.next()?;
        let sub = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let id = *self.by_name.get(base)?;
        match sub {
            None => Some(id),
            Some(_) if self.entries[id].subcommands.is_empty() => None,
            Some(_) => self.by_name.get(&name).copied(),
        }
    }

    /// The category bit named `name` (case-insensitive), if it is one.
    pub fn category(&self, name: &[u8]) -> Option<u32> {
        self.category_names
            .iter()
            .position(|c| c.as_bytes().eq_ignore_ascii_case(name))
            .map(|bit| 1 << bit)
    }

    /// Category names, in bit order (ACL CAT).
    pub fn category_names(&self) -> &[&'static str] {
        &self.category_names
    }

    /// Every command and subcommand in category `flag`, in id order (ACL CAT name).
    pub fn in_category(&self, flag: u32) -> impl Iterator<Item = &CommandEntry> {
        self.entries
            .iter()
            .filter(move |e| e.categories & flag != 0 && !e.hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalog {
        let mut catalog = Catalog::new(&["read", "write", "admin"]);
        catalog.add_command("get", 1, false);
        let config = catalog.add_command("config", 0, false);
        catalog.add_subcommand(config, "get", 4, false);
        catalog
    }

    #[test]
    fn names_resolve_as_acl_rules_name_them() {
        let catalog = sample();
        assert_eq!(catalog.lookup(b"GET"), Some(0));
        assert_eq!(catalog.lookup(b"config"), Some(1));
        assert_eq!(catalog.lookup(b"Config|Get"), Some(2));
        assert_eq!(catalog.lookup(b"config|set"), None);
        assert_eq!(catalog.lookup(b"get|x"), None);
        assert_eq!(catalog.lookup(b"config|get|x"), None);
        assert_eq!(catalog.lookup(b""), None);
        assert_eq!(catalog.entry(2).full_name, "config|get");
        assert_eq!(catalog.category(b"ADMIN"), Some(4));
        assert_eq!(catalog.category(b"nope"), None);
    }
}
