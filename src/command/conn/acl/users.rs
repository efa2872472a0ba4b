//! ACL subcommands that show and change users: SETUSER, DELUSER, GETUSER, LIST,
//! USERS, WHOAMI; and the disconnections a change causes, as Redis makes them.

use bytes::Bytes;

use crate::command::core::command::Ctx;
use crate::command::core::state::ServerEvent;
use crate::command::state::acl::describe::{describe_channels, describe_commands, describe_keys};
use crate::command::state::acl::file::{subscriptions_fit, user_line};
use crate::command::state::acl::selector::Selector;
use crate::command::state::acl::{valid_user_name, UserId};
use crate::command::state::directory::ClientType;
use crate::error::{one_line, CmdError, CmdResult};

/// `ACL SETUSER username [rule ...]`
///
/// Creates the user (off, no permissions) if needed, then applies the rules, all or
/// none. Subscribed clients of the user that lose a channel are disconnected.
pub(super) fn acl_setuser(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = &args[2];
    if !valid_user_name(name) {
        return Err(CmdError::raw(
            "ERR Usernames can't contain spaces or null characters",
        ));
    }
    let rules: Vec<Vec<u8>> = args[3..].iter().map(|r| r.to_vec()).collect();
    let pubsub_all = ctx.server.config.acl_pubsub_all;
    let outcome = ctx
        .server
        .acl
        .set_user(name, &rules, pubsub_all)
        .map_err(|text| CmdError::raw(one_line(format!("ERR {text}").into_bytes())))?;
    if let Some(kept) = outcome.channels_left {
        disconnect_unfit_subscribers(ctx, outcome.id, &kept);
    }
    ctx.reply.ok();
    Ok(())
}

/// Disconnects the subscribed clients of `user` whose channels or patterns the
/// patterns `kept` no longer allow.
fn disconnect_unfit_subscribers(ctx: &mut Ctx<'_>, user: UserId, kept: &[Vec<u8>]) {
    let unfit = |session: &crate::command::state::session::Session| {
        let subs = &session.subscriptions;
        let channels: Vec<Bytes> = subs
            .channels
            .iter()
            .chain(&subs.shard_channels)
            .cloned()
            .collect();
        session.user == user
            && ClientType::of(session) == ClientType::PubSub
            && !subscriptions_fit(kept, &subs.patterns, &channels)
    };
    let victims: Vec<u64> = ctx
        .clients
        .others()
        .iter()
        .filter(|view| unfit(view.session))
        .map(|view| view.session.id)
        .collect();
    ctx.server
        .events
        .extend(victims.into_iter().map(ServerEvent::KillClient));
    if unfit(ctx.session) {
        ctx.session.close_after_reply = true;
    }
}

/// `ACL DELUSER username [username ...]`
///
/// # Returns
/// How many users were deleted; their clients are disconnected (the caller after
/// this reply).
pub(super) fn acl_deluser(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let names: Vec<&[u8]> = args[2..].iter().map(|n| &n[..]).collect();
    let removed = ctx
        .server
        .acl
        .delete(&names)
        .map_err(|text| CmdError::raw(format!("ERR {text}")))?;
    disconnect_users(ctx, &removed);
    ctx.reply.int(removed.len() as i64);
    Ok(())
}

/// Disconnects every client acting as one of `users`, which no longer exist: the
/// others at once, the caller once its reply is written (as the default user,
/// unauthenticated, meanwhile).
pub fn disconnect_users(ctx: &mut Ctx<'_>, users: &[UserId]) {
    if users.is_empty() {
        return;
    }
    let victims: Vec<u64> = ctx
        .clients
        .others()
        .iter()
        .filter(|view| users.contains(&view.session.user))
        .map(|view| view.session.id)
        .collect();
    ctx.server
        .events
        .extend(victims.into_iter().map(ServerEvent::KillClient));
    if users.contains(&ctx.session.user) {
        ctx.session.user = UserId::DEFAULT;
        ctx.session.authenticated = false;
        ctx.session.close_after_reply = true;
    }
}

/// `ACL GETUSER username`
///
/// # Returns
/// A map: `flags`, `passwords` (hashes), the root selector's `commands`, `keys` and
/// `channels`, and `selectors` (a map of the same three per other selector); a null
/// for an unknown user.
pub(super) fn acl_getuser(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let acl = &ctx.server.acl;
    let Some((_, user)) = acl.find(&args[2]) else {
        ctx.reply.null();
        return Ok(());
    };
    let reply = &mut ctx.reply;
    reply.map_len(6);
    reply.bulk(b"flags");
    let flags = user.flag_names();
    reply.set_len(flags.len());
    for flag in flags {
        reply.bulk(flag.as_bytes());
    }
    reply.bulk(b"passwords");
    reply.array_len(user.passwords.len());
    for hash in &user.passwords {
        reply.bulk(hash.as_bytes());
    }
    write_selector(reply, user.root(), acl);
    reply.bulk(b"selectors");
    reply.array_len(user.selectors.len() - 1);
    for selector in &user.selectors[1..] {
        reply.map_len(3);
        write_selector(reply, selector, acl);
    }
    Ok(())
}

/// A selector's `commands`, `keys` and `channels` fields.
fn write_selector(
    reply: &mut crate::protocol::Reply<'_>,
    selector: &Selector,
    acl: &crate::command::state::acl::AclState,
) {
    reply.bulk(b"commands");
    reply.bulk(&describe_commands(selector, &acl.catalog));
    reply.bulk(b"keys");
    reply.bulk(&describe_keys(selector));
    reply.bulk(b"channels");
    reply.bulk(&describe_channels(selector));
}

/// `ACL LIST` — every user as its `user <name> <rules>` line, by name.
pub(super) fn acl_list(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let acl = &ctx.server.acl;
    ctx.reply.array_len(acl.user_count());
    for user in acl.users() {
        ctx.reply.bulk(&user_line(user, acl));
    }
    Ok(())
}

/// `ACL USERS` — the user names, sorted.
pub(super) fn acl_users(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let acl = &ctx.server.acl;
    ctx.reply.array_len(acl.user_count());
    for user in acl.users() {
        ctx.reply.bulk(&user.name);
    }
    Ok(())
}

/// `ACL WHOAMI` — the connection's user name.
pub(super) fn acl_whoami(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let name = ctx.server.acl.name_of(ctx.session.user).to_vec();
    ctx.reply.bulk(&name);
    Ok(())
}
