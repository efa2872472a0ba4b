//! Access control (Redis's `acl.c`), as data and rules: the users and their selectors,
//! the rules that change them, their description as rules again, the ACL log and the
//! ACL file's text. No command handler lives here and nothing here imports `core`:
//! `core` builds the [`catalog::Catalog`] from the command table and asks
//! [`AclState`] before running a command; the ACL and AUTH handlers live in
//! `conn::acl`.
//!
//! Module map: `catalog` (commands by id and name, categories; `absent`: Redis's
//! commands this server does not run), `selector` (one set of
//! permissions and its rules), `user` (login flags, passwords, selectors, the
//! permission check), `describe` (users as rules), `log` (ACL LOG), `file` (the ACL
//! file and `user` config lines), `error` (rule errors).
//!
//! Sessions name their user by [`UserId`]. Ids are never reused, so a client whose
//! user was deleted can never act as another user created later.

pub mod absent;
pub mod catalog;
pub mod describe;
pub mod error;
pub mod file;
pub mod log;
pub mod selector;
pub mod user;

use crate::util::hash::IdMap;
use std::collections::BTreeMap;

use catalog::Catalog;
use log::AclLog;
use selector::{has_spaces, RuleContext};
use user::{merge_selector_args, User};

/// The user a client acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(u64);

impl UserId {
    /// The `default` user, every new connection's user.
    pub const DEFAULT: UserId = UserId(0);
    /// No user: the server's own clients (AOF loading), which ACLs never limit.
    pub const INTERNAL: UserId = UserId(u64::MAX);
    /// Matches no session: what [`AclState::unchecked`] holds when every client must
    /// be checked.
    const NOBODY: UserId = UserId(u64::MAX - 1);
}

/// Every user, the ACL log, and the command catalog rules refer to.
#[derive(Debug)]
pub struct AclState {
    users: IdMap<UserId, User>,
    names: BTreeMap<Vec<u8>, UserId>,
    next_id: u64,
    /// The one user whose commands need no check at all: `default` while it is on,
    /// needs no password and may do anything; [`UserId::NOBODY`] otherwise.
    unchecked: UserId,
    /// ACL LOG.
    pub log: AclLog,
    /// The commands, for rules and checks.
    pub catalog: Catalog,
}

/// What ACL SETUSER did.
pub struct SetUser {
    /// The user created or changed.
    pub id: UserId,
    /// When the change took channels away: the channel patterns the user keeps, which
    /// its subscribed clients must still fit (Redis disconnects those that do not).
    pub channels_left: Option<Vec<Vec<u8>>>,
}

impl AclState {
    /// The state at start: only `default`, which may do anything without a password.
    pub fn new(catalog: Catalog) -> AclState {
        let mut state = AclState {
            users: IdMap::default(),
            names: BTreeMap::new(),
            next_id: 1,
            unchecked: UserId::DEFAULT,
            log: AclLog::default(),
            catalog,
        };
        let default = state.default_user_rules(false);
        state.users.insert(UserId::DEFAULT, default);
        state.names.insert(b"default".to_vec(), UserId::DEFAULT);
        state.refresh();
        state
    }

    /// `default` as Redis creates it: `+@all ~* &* on nopass`.
    fn default_user_rules(&self, pubsub_all: bool) -> User {
        let mut user = User::new(b"default", pubsub_all);
        let cx = self.context(pubsub_all);
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            let _ = user.apply(rule.as_bytes(), cx);
        }
        user
    }

    /// The context rules are applied in.
    pub fn context(&self, pubsub_all: bool) -> RuleContext<'_> {
        RuleContext {
            catalog: &self.catalog,
            pubsub_all,
        }
    }

    /// True when `user`'s commands need no check (the one-comparison fast path).
    #[inline]
    pub fn unchecked(&self, user: UserId) -> bool {
        user == self.unchecked
    }

    /// Recomputes the fast path after `default` changed.
    fn refresh(&mut self) {
        let open = self
            .default_user()
            .is_some_and(|d| d.enabled && d.nopass && d.unrestricted() && d.selectors.len() == 1);
        self.unchecked = if open {
            UserId::DEFAULT
        } else {
            UserId::NOBODY
        };
    }

    /// The `default` user.
    pub fn default_user(&self) -> Option<&User> {
        self.users.get(&UserId::DEFAULT)
    }

    /// True when a new connection is authenticated at once: `default` is on and
    /// needs no password.
    pub fn new_clients_authenticated(&self) -> bool {
        self.default_user().is_some_and(|d| d.nopass && d.enabled)
    }

    /// True when a client that did not authenticate must do so before running
    /// commands (`default` needs a password or is off).
    pub fn auth_required(&self, authenticated: bool) -> bool {
        !authenticated && !self.new_clients_authenticated()
    }

    /// The user with id `id`, if it still exists.
    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(&id)
    }

    /// The user named `name`.
    pub fn find(&self, name: &[u8]) -> Option<(UserId, &User)> {
        let id = *self.names.get(name)?;
        Some((id, self.users.get(&id)?))
    }

    /// The name of user `id` (`default` for the server's own clients).
    pub fn name_of(&self, id: UserId) -> &[u8] {
        self.users.get(&id).map_or(b"default", |u| &u.name)
    }

    /// Every user, by name.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.names.values().filter_map(|id| self.users.get(id))
    }

    /// How many users there are.
    pub fn user_count(&self) -> usize {
        self.names.len()
    }

    /// The user named `name` if `password` is one of its passwords and it is on.
    pub fn authenticate(&self, name: &[u8], password: &[u8]) -> Option<UserId> {
        let (id, user) = self.find(name)?;
        user.accepts(password).then_some(id)
    }

    /// ACL SETUSER: creates or changes user `name` with `rules`, all or nothing.
    /// `Err` is Redis's error text (without the `ERR `).
    pub fn set_user(
        &mut self,
        name: &[u8],
        rules: &[Vec<u8>],
        pubsub_all: bool,
    ) -> Result<SetUser, String> {
        let merged = merge_selector_args(rules).map_err(|at| {
            format!(
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(&rules[at])
            )
        })?;
        let existing = self.find(name).map(|(id, user)| (id, user.clone()));
        let mut user = match &existing {
            Some((_, user)) => user.clone(),
            None => User::new(name, pubsub_all),
        };
        user.apply_all(&merged, self.context(pubsub_all))
            .map_err(|(rule, err)| {
                format!(
                    "Error in ACL SETUSER modifier '{}': {}",
                    String::from_utf8_lossy(&rule),
                    err.text()
                )
            })?;
        let channels_left = existing
            .as_ref()
            .and_then(|(_, old)| file::channels_left(old, &user));
        let id = match existing {
            Some((id, _)) => id,
            None => self.add(name),
        };
        self.users.insert(id, user);
        self.refresh();
        Ok(SetUser { id, channels_left })
    }

    /// Registers a new name; its user is inserted by the caller.
    fn add(&mut self, name: &[u8]) -> UserId {
        let id = UserId(self.next_id);
        self.next_id += 1;
        self.names.insert(name.to_vec(), id);
        id
    }

    /// ACL DELUSER: removes the users named (unknown names are skipped); returns the
    /// ids removed. `default` cannot be removed: then nothing is.
    pub fn delete(&mut self, names: &[&[u8]]) -> Result<Vec<UserId>, &'static str> {
        if names.iter().any(|n| *n == b"default") {
            return Err("The 'default' user cannot be removed");
        }
        let mut removed = Vec::new();
        for name in names {
            if let Some(id) = self.names.remove(*name) {
                self.users.remove(&id);
                removed.push(id);
            }
        }
        Ok(removed)
    }

    /// Replaces every user with `users` (ACL LOAD, start-up): `default` keeps its id
    /// (it gets `+@all ~* &* on nopass` if `users` has none); every other user gets a
    /// new id. Returns the ids that no longer exist.
    pub fn replace_all(&mut self, users: Vec<User>, pubsub_all: bool) -> Vec<UserId> {
        let removed: Vec<UserId> = self
            .users
            .keys()
            .copied()
            .filter(|id| *id != UserId::DEFAULT)
            .collect();
        self.users.clear();
        self.names.clear();
        let mut default = None;
        for user in users {
            if user.name == b"default" {
                default = Some(user);
                continue;
            }
            let id = self.add(&user.name);
            self.users.insert(id, user);
        }
        let default = default.unwrap_or_else(|| self.default_user_rules(pubsub_all));
        self.users.insert(UserId::DEFAULT, default);
        self.names.insert(b"default".to_vec(), UserId::DEFAULT);
        self.refresh();
        removed
    }

    /// `requirepass`: `default` gets exactly this password, or `nopass` when empty.
    pub fn set_default_password(&mut self, password: &[u8]) {
        let cx = RuleContext {
            catalog: &self.catalog,
            pubsub_all: false,
        };
        if let Some(default) = self.users.get_mut(&UserId::DEFAULT) {
            let _ = default.apply(b"resetpass", cx);
            let rule = if password.is_empty() {
                b"nopass".to_vec()
            } else {
                [b">".as_slice(), password].concat()
            };
            let _ = default.apply(&rule, cx);
        }
        self.refresh();
    }

    /// Loads `user` config lines (name then rules, as `user` directives give them):
    /// `default` is reset and given its rules, the others are created. `Err` is the
    /// start-up failure to report.
    pub fn load_config_users(
        &mut self,
        lines: &[Vec<String>],
        pubsub_all: bool,
    ) -> Result<(), String> {
        for user in file::users_from_config(lines, self.context(pubsub_all))? {
            let id = match self.find(&user.name) {
                Some((id, _)) => id,
                None => self.add(&user.name),
            };
            self.users.insert(id, user);
        }
        self.refresh();
        Ok(())
    }
}

/// True if `name` may be a user name (no spaces or NULs).
pub fn valid_user_name(name: &[u8]) -> bool {
    !has_spaces(name)
}
