//! Users written back as rules: the line ACL LIST, ACL SAVE and CONFIG REWRITE write
//! (`on #<hash> ~key* resetchannels -@all +get`), and the command rules ACL GETUSER
//! shows. Applying the description to a new user gives the same permissions.
//!
//! The command rules are found as Redis finds them: start from `+@all` or `-@all`
//! (whichever the selector was built from), greedily add the category that best fits
//! the remaining differences, then name single commands until the bitmaps agree.

use super::catalog::Catalog;
use super::selector::{CommandBits, Selector};
use super::user::User;

/// The rules that recreate `user` (flags, passwords, root selector, then each other
/// selector in parentheses), as ACL LIST shows them after the name.
pub fn describe_user(user: &User, catalog: &Catalog) -> Vec<u8> {
    let mut text = Vec::new();
    for flag in user.flag_names() {
        text.extend_from_slice(flag.as_bytes());
        text.push(b' ');
    }
    for hash in &user.passwords {
        text.push(b'#');
        text.extend_from_slice(hash.as_bytes());
        text.push(b' ');
    }
    for selector in &user.selectors {
        let rules = describe_selector(selector, catalog);
        if selector.root {
            text.extend_from_slice(&rules);
        } else {
            text.extend_from_slice(b" (");
            text.extend_from_slice(&rules);
            text.push(b')');
        }
    }
    text
}

/// A selector's keys, channels and commands as rules.
fn describe_selector(selector: &Selector, catalog: &Catalog) -> Vec<u8> {
    let mut text = Vec::new();
    if selector.all_keys {
        text.extend_from_slice(b"~* ");
    } else {
        for pattern in &selector.keys {
            text.extend_from_slice(&pattern.rule());
            text.push(b' ');
        }
    }
    if selector.all_channels {
        text.extend_from_slice(b"&* ");
    } else {
        text.extend_from_slice(b"resetchannels ");
        for channel in &selector.channels {
            text.push(b'&');
            text.extend_from_slice(channel);
            text.push(b' ');
        }
    }
    text.extend_from_slice(&describe_commands(selector, catalog));
    text
}

/// The key patterns as ACL GETUSER's `keys` field shows them.
pub fn describe_keys(selector: &Selector) -> Vec<u8> {
    if selector.all_keys {
        return b"~*".to_vec();
    }
    let rules: Vec<Vec<u8>> = selector.keys.iter().map(|p| p.rule()).collect();
    rules.join(&b' ')
}

/// The channel patterns as ACL GETUSER's `channels` field shows them.
pub fn describe_channels(selector: &Selector) -> Vec<u8> {
    if selector.all_channels {
        return b"&*".to_vec();
    }
    let rules: Vec<Vec<u8>> = selector
        .channels
        .iter()
        .map(|c| [b"&".as_slice(), c].concat())
        .collect();
    rules.join(&b' ')
}

/// The command rules of a selector: `+@all -flushdb`, `-@all +@read +set`...
pub fn describe_commands(selector: &Selector, catalog: &Catalog) -> Vec<u8> {
    let additive = !selector.bits.future();
    let mut rules = if additive {
        b"-@all ".to_vec()
    } else {
        b"+@all ".to_vec()
    };
    let mut fake = Selector::new(false, false);
    fake.bits.fill(!additive, catalog.len());
    let mut remaining = selector.bits.clone();
    let mut applied = vec![false; catalog.category_names().len()];
    while let Some(best) = best_category(&remaining, &applied, additive, catalog) {
        let flag = 1 << best;
        fake.change_category(flag, additive, catalog);
        let mut temp = Selector::new(false, false);
        temp.bits = remaining;
        temp.change_category(flag, !additive, catalog);
        remaining = temp.bits;
        rules.extend_from_slice(if additive { b"+@" } else { b"-@" });
        rules.extend_from_slice(catalog.category_names()[best].as_bytes());
        rules.push(b' ');
        applied[best] = true;
    }
    single_commands(selector, &mut fake, catalog, &mut rules);
    rules.pop();
    if !fake.bits.same_as(&selector.bits) {
        log::warn!(
            "ACL rules do not rebuild the user's commands exactly: '{}'",
            String::from_utf8_lossy(&rules)
        );
    }
    rules
}

/// The category that best describes the commands left: more of its commands agree
/// with the selector than differ, with the fewest differences (then the most
/// agreements), in category order on ties.
fn best_category(
    remaining: &CommandBits,
    applied: &[bool],
    additive: bool,
    catalog: &Catalog,
) -> Option<usize> {
    let mut best = None;
    let (mut min_diff, mut max_same) = (usize::MAX, 0);
    for (index, _) in catalog.category_names().iter().enumerate() {
        if applied[index] {
            continue;
        }
        let flag = 1 << index;
        let (mut on, mut off) = (0, 0);
        let counted = catalog
            .entries()
            .filter(|(_, e)| e.categories & flag != 0 && !e.hidden);
        for (id, _) in counted {
            if remaining.get(id) {
                on += 1;
            } else {
                off += 1;
            }
        }
        let (diff, same) = if additive { (off, on) } else { (on, off) };
        if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
            best = Some(index);
            min_diff = diff;
            max_same = same;
        }
    }
    best
}

/// Appends `+cmd`/`-cmd` for every command whose bit still differs from `fake` (a
/// container first, then its subcommands), and the allowed first arguments.
fn single_commands(
    selector: &Selector,
    fake: &mut Selector,
    catalog: &Catalog,
    rules: &mut Vec<u8>,
) {
    for &id in catalog.top_level() {
        let commands = std::iter::once(id).chain(catalog.entry(id).subcommands.iter().copied());
        for command in commands {
            let wanted = selector.bits.get(command);
            if wanted != fake.bits.get(command) {
                rules.push(if wanted { b'+' } else { b'-' });
                rules.extend_from_slice(catalog.entry(command).full_name.as_bytes());
                rules.push(b' ');
                fake.change_command(command, wanted, catalog);
            }
        }
        if selector.bits.get(id) {
            continue;
        }
        let first_args = selector.first_args.iter().filter(|(cmd, _)| *cmd == id);
        for arg in first_args.flat_map(|(_, args)| args) {
            rules.push(b'+');
            rules.extend_from_slice(catalog.entry(id).full_name.as_bytes());
            rules.push(b'|');
            rules.extend_from_slice(arg);
            rules.push(b' ');
        }
    }
}
