//! Users as text: the ACL file (`aclfile`, ACL LOAD / ACL SAVE), the `user` lines of
//! the config file, and the check ACL SETUSER makes when a user loses channels.
//!
//! An ACL file holds one `user <name> <rules...>` line per user, words separated by
//! single spaces. Loading is all or nothing: every problem found is reported in one
//! line and nothing changes.

use super::describe::describe_user;
use super::error::RuleError;
use super::selector::{channel_in, has_spaces, RuleContext};
use super::user::{merge_selector_args, User};
use super::AclState;

/// The ACL file's text for the current users, in name order.
pub fn acl_file_text(state: &AclState) -> Vec<u8> {
    let mut text = Vec::new();
    for user in state.users() {
        text.extend_from_slice(&user_line(user, state));
        text.push(b'\n');
    }
    text
}

/// `user <name> <rules>`, as ACL LIST, ACL SAVE and CONFIG REWRITE write a user.
pub fn user_line(user: &User, state: &AclState) -> Vec<u8> {
    let mut line = b"user ".to_vec();
    line.extend_from_slice(&user.name);
    line.push(b' ');
    line.extend_from_slice(&describe_user(user, &state.catalog));
    line
}

/// Reads and parses the ACL file at `path` (ACL LOAD, start-up); `Err` says what is
/// wrong, Redis's way.
pub fn load_acl_file(path: &str, cx: RuleContext<'_>) -> Result<Vec<User>, String> {
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "Error loading ACLs, opening file '{path}': {}",
            crate::persistence::atomic_file::os_text(&e)
        )
    })?;
    parse_acl_file(&text, path, cx)
}

/// Parses an ACL file named `filename` (as configured, for messages). `Err` lists
/// every problem, then says nothing changed.
pub fn parse_acl_file(
    text: &[u8],
    filename: &str,
    cx: RuleContext<'_>,
) -> Result<Vec<User>, String> {
    let mut errors = String::new();
    let mut users: Vec<User> = Vec::new();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = trim(line, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let words: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        if let Some(user) = parse_line(&words, filename, index + 1, &users, cx, &mut errors) {
            users.push(user);
        }
    }
    if errors.is_empty() {
        return Ok(users);
    }
    errors.push_str(
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    );
    Err(errors)
}

/// One line of an ACL file; problems are appended to `errors`.
fn parse_line(
    words: &[&[u8]],
    filename: &str,
    number: usize,
    users: &[User],
    cx: RuleContext<'_>,
    errors: &mut String,
) -> Option<User> {
    if words[0] != b"user" || words.len() < 2 {
        errors.push_str(&format!(
            "{filename}:{number} should start with user keyword followed by the username. "
        ));
        return None;
    }
    let name = words[1];
    let shown = String::from_utf8_lossy(name);
    if has_spaces(name) {
        errors.push_str(&format!(
            "'{filename}:{number}: username '{shown}' contains invalid characters. "
        ));
        return None;
    }
    if users.iter().any(|u| u.name == name) {
        errors.push_str(&format!(
            "WARNING: Duplicate user '{shown}' found on line {number}. "
        ));
        return None;
    }
    let rules: Vec<Vec<u8>> = words[2..].iter().map(|w| w.to_vec()).collect();
    let Ok(merged) = merge_selector_args(&rules) else {
        errors.push_str(&format!(
            "{filename}:{number}: Unmatched parenthesis in selector definition."
        ));
        return None;
    };
    let mut user = User::new(name, cx.pubsub_all);
    let place = format!("{filename}:{number}");
    apply_file_rules(&mut user, &merged, &place, cx, errors);
    Some(user)
}

/// Applies an ACL file line's rules; every unknown command is reported, and the first
/// other error only (it may cause the next ones).
fn apply_file_rules(
    user: &mut User,
    rules: &[Vec<u8>],
    place: &str,
    cx: RuleContext<'_>,
    errors: &mut String,
) {
    let mut syntax_error = false;
    for rule in rules {
        let rule = trim(rule, b"\t\r\n");
        match user.apply(rule, cx) {
            Ok(()) => {}
            Err(RuleError::UnknownCommand) => errors.push_str(&format!(
                "{place}: Error in applying operation '{}': {}. ",
                String::from_utf8_lossy(rule),
                RuleError::UnknownCommand.text()
            )),
            Err(err) if !syntax_error => {
                errors.push_str(&format!("{place}: {}. ", err.text()));
                syntax_error = true;
            }
            Err(_) => {}
        }
    }
}

/// The users of the config file's `user` lines (each: the name, then its rules).
/// `default` is reset before its rules apply. `Err` is what start-up reports.
pub fn users_from_config(lines: &[Vec<String>], cx: RuleContext<'_>) -> Result<Vec<User>, String> {
    let mut users: Vec<User> = Vec::new();
    for line in lines {
        let Some((name, rules)) = line.split_first() else {
            continue;
        };
        if has_spaces(name.as_bytes()) {
            return Err("Spaces not allowed in ACL usernames".into());
        }
        if users.iter().any(|u| u.name == name.as_bytes()) {
            return Err(format!(
                "Error in user declaration '{name}': {}",
                RuleError::DuplicateUser.text()
            ));
        }
        let rules: Vec<Vec<u8>> = rules.iter().map(|r| r.as_bytes().to_vec()).collect();
        let merged = merge_selector_args(&rules).map_err(|at| {
            format!(
                "Error in user declaration '{}': {}",
                line[at],
                RuleError::Syntax.text()
            )
        })?;
        let mut user = User::new(name.as_bytes(), cx.pubsub_all);
        if name == "default" {
            let _ = user.apply(b"reset", cx);
        }
        for rule in &merged {
            user.apply(rule, cx).map_err(|err| {
                format!(
                    "Error loading ACL rule '{}' for the user named '{name}': {}",
                    String::from_utf8_lossy(rule),
                    err.text()
                )
            })?;
        }
        if !user.enabled {
            log::info!("The user '{name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.");
        }
        users.push(user);
    }
    Ok(users)
}

/// When ACL SETUSER changes `old` into `new` and some channel it could use before may
/// now be refused: the channel patterns `new` keeps, against which its subscribed
/// clients are checked. `None` when no client can have lost anything.
pub fn channels_left(old: &User, new: &User) -> Option<Vec<Vec<u8>>> {
    if new.selectors.iter().any(|s| s.all_channels) {
        return None;
    }
    let kept: Vec<Vec<u8>> = new
        .selectors
        .iter()
        .flat_map(|s| s.channels.iter().cloned())
        .collect();
    let superset = old
        .selectors
        .iter()
        .all(|s| !s.all_channels && s.channels.iter().all(|c| kept.contains(c)));
    (!superset).then_some(kept)
}

/// True if a client subscribed to these channels and patterns keeps them all under
/// the channel patterns `kept` (see [`channels_left`]).
pub fn subscriptions_fit(
    kept: &[Vec<u8>],
    patterns: &[bytes::Bytes],
    channels: &[bytes::Bytes],
) -> bool {
    patterns.iter().all(|p| channel_in(kept, p, true))
        && channels.iter().all(|c| channel_in(kept, c, false))
}

/// `bytes` without leading and trailing bytes from `set`.
fn trim<'a>(bytes: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = bytes
        .iter()
        .position(|b| !set.contains(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !set.contains(b))
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}
