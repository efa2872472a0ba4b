//! The access checks Redis makes before a command runs (`processCommand`, EXEC and
//! `scriptCall`): `-NOAUTH` until a client authenticates when `default` needs a
//! password, and `-NOPERM` when the client's user may not run the command, touch its
//! keys or use its channels. Refusals are recorded in the ACL log.
//!
//! The users and rules are in `state::acl`; this module turns a command line into what
//! they judge (catalog id, keys with read/write access, channels). A client of the
//! `default` user while it may do anything costs dispatch one comparison.

use bytes::Bytes;

use crate::command::core::client_info::{caller_view, client_line, note_last_command};
use crate::command::core::command::{full_name, CommandSpec, CommandTable, Ctx};
use crate::command::core::keys::keys_of;
use crate::command::core::spec::flags;
use crate::command::core::state::ServerState;
use crate::command::state::acl::log::{Context, Entry, Reason};
use crate::command::state::acl::selector::{READ, WRITE};
use crate::command::state::acl::user::{Denied, Request};
use crate::command::state::acl::UserId;
use crate::command::state::directory::ClientView;
use crate::error::CmdError;

/// Refused before authentication.
pub const ERR_NOAUTH: &str = "NOAUTH Authentication required.";

/// The refusal of a command a client sends (Redis's order: authentication, then
/// permissions), or `None` when it may run. Inside MULTI a command refused for
/// being `no_multi` is left to that refusal, which Redis makes first.
pub(crate) fn refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    args: &[Bytes],
) -> Option<CmdError> {
    if ctx.server.acl.auth_required(ctx.session.authenticated) && !spec.has(flags::NO_AUTH) {
        return Some(CmdError::raw(ERR_NOAUTH));
    }
    if ctx.session.multi.is_some() && spec.has(flags::NO_MULTI) {
        return None;
    }
    let denied = check(ctx.server, ctx.table, ctx.session.user, spec, args).err()?;
    let context = if ctx.session.multi.is_some() {
        Context::Multi
    } else {
        Context::TopLevel
    };
    note_last_command(ctx, spec, args);
    let info = client_line_of(&caller_view(ctx), ctx.server);
    log_denial(
        ctx.server,
        ctx.session.user,
        spec,
        args,
        denied,
        context,
        info,
    );
    Some(CmdError::raw(match denied {
        Denied::Command => format!(
            "NOPERM this user has no permissions to run the '{}' command",
            full_name(args, spec)
        ),
        Denied::Key(_) => {
            "NOPERM this user has no permissions to access one of the keys used as arguments".into()
        }
        Denied::Channel(_) => {
            "NOPERM this user has no permissions to access one of the channels used as arguments"
                .into()
        }
    }))
}

/// The refusal of a command EXEC is about to run, when the rules changed since it was
/// queued; logged with the `multi` context.
pub(crate) fn queued_refusal(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    args: &[Bytes],
) -> Option<Vec<u8>> {
    let denied = check(ctx.server, ctx.table, ctx.session.user, spec, args).err()?;
    let info = client_line_of(&caller_view(ctx), ctx.server);
    log_denial(
        ctx.server,
        ctx.session.user,
        spec,
        args,
        denied,
        Context::Multi,
        info,
    );
    let reason = match denied {
        Denied::Command => "no permission to execute the command or subcommand",
        Denied::Key(_) => "no permission to touch the specified keys",
        Denied::Channel(_) => "no permission to access one of the channels used as arguments",
    };
    Some(format!("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}").into_bytes())
}

/// The refusal of a command a script calls (`redis.call`) for `caller`'s user, code
/// included; logged with the `lua` context and the caller's line.
pub fn script_refusal(
    inner: &mut Ctx<'_>,
    caller: ClientView<'_>,
    spec: &'static CommandSpec,
    args: &[Bytes],
) -> Option<&'static str> {
    let user = caller.session.user;
    if inner.server.acl.unchecked(user) {
        return None;
    }
    let denied = check(inner.server, inner.table, user, spec, args).err()?;
    let info = client_line_of(&caller, inner.server);
    log_denial(inner.server, user, spec, args, denied, Context::Lua, info);
    Some(match denied {
        Denied::Command => "ERR The user executing the script can't run this command or subcommand",
        Denied::Key(_) => "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments",
        Denied::Channel(_) => "ERR The user executing the script can't publish to the channel mentioned in the command",
    })
}

/// Whether `user` may run this command line: `Ok`, or what its rules refuse. The
/// server's own clients and a user since deleted are never refused, resp. always.
pub fn check(
    server: &ServerState,
    table: &CommandTable,
    user: UserId,
    spec: &CommandSpec,
    args: &[Bytes],
) -> Result<(), Denied> {
    if user == UserId::INTERNAL || server.acl.unchecked(user) {
        return Ok(());
    }
    let Some(account) = server.acl.user(user) else {
        return Err(Denied::Command);
    };
    if account.unrestricted() {
        return Ok(());
    }
    let Some(id) = table.acl_id(spec) else {
        return Err(Denied::Command);
    };
    let keys = if account.limits_keys() {
        key_access(spec, args)
    } else {
        Vec::new()
    };
    let channels = if account.limits_channels() {
        channels_of(spec, args)
    } else {
        Vec::new()
    };
    let first_arg_at = if table.acl_catalog().entry(id).parent.is_some() {
        2
    } else {
        1
    };
    account.check(&Request {
        id,
        no_auth: spec.has(flags::NO_AUTH),
        args,
        first_arg: args.get(first_arg_at).map(|a| &a[..]),
        keys: &keys,
        channels: &channels,
    })
}

/// True if the client's user may run the command with a selector that reads every
/// key (SORT's BY and GET options read keys named by the data, so they need `~*` or
/// `%R~*` in the selector that allows SORT).
pub fn reads_every_key(ctx: &Ctx<'_>, args: &[Bytes]) -> bool {
    let user = ctx.session.user;
    if user == UserId::INTERNAL || ctx.server.acl.unchecked(user) {
        return true;
    }
    let Ok(spec) = ctx.table.resolve(args) else {
        return false;
    };
    let (Some(account), Some(id)) = (ctx.server.acl.user(user), ctx.table.acl_id(spec)) else {
        return false;
    };
    let keys = key_access(spec, args);
    let channels = channels_of(spec, args);
    let request = Request {
        id,
        no_auth: spec.has(flags::NO_AUTH),
        args,
        first_arg: args.get(1).map(|a| &a[..]),
        keys: &keys,
        channels: &channels,
    };
    (0..account.selectors.len()).any(|index| {
        account.selectors[index].allows_every_key(READ) && account.selector_allows(index, &request)
    })
}

/// The command's keys with the access each needs: read when the key spec says
/// `access`, write when it says `insert`, `update` or `delete`.
fn key_access(spec: &CommandSpec, args: &[Bytes]) -> Vec<(usize, u8)> {
    keys_of(spec, args)
        .into_iter()
        .map(|(at, key_flags)| {
            let mut access = 0;
            for flag in key_flags {
                match *flag {
                    "access" => access |= READ,
                    "insert" | "update" | "delete" => access |= WRITE,
                    _ => {}
                }
            }
            (at, access)
        })
        .collect()
}

/// The channels ACL rules judge: those of PUBLISH/SPUBLISH and of the subscribing
/// commands (PSUBSCRIBE's are patterns). Unsubscribing is never refused.
fn channels_of(spec: &CommandSpec, args: &[Bytes]) -> Vec<(usize, bool)> {
    match spec.name {
        "publish" | "spublish" => vec![(1, false)],
        "subscribe" | "ssubscribe" => (1..args.len()).map(|at| (at, false)).collect(),
        "psubscribe" => (1..args.len()).map(|at| (at, true)).collect(),
        _ => Vec::new(),
    }
}

/// Records a refusal in the ACL log.
fn log_denial(
    server: &mut ServerState,
    user: UserId,
    spec: &CommandSpec,
    args: &[Bytes],
    denied: Denied,
    context: Context,
    client_info: String,
) {
    let (reason, object) = match denied {
        Denied::Command => (Reason::Command, full_name(args, spec).into_bytes()),
        Denied::Key(at) => (Reason::Key, args[at].to_vec()),
        Denied::Channel(at) => (Reason::Channel, args[at].to_vec()),
    };
    let username = server.acl.name_of(user).to_vec();
    add_log_entry(server, reason, context, object, username, client_info);
}

/// Records a failed authentication of the calling client as `username`.
pub fn log_auth_failure(ctx: &mut Ctx<'_>, args: &[Bytes], username: &[u8]) {
    let context = if ctx.session.multi.is_some() || ctx.session.in_exec {
        Context::Multi
    } else {
        Context::TopLevel
    };
    let info = client_line_of(&caller_view(ctx), ctx.server);
    add_log_entry(
        ctx.server,
        Reason::Auth,
        context,
        args[0].to_vec(),
        username.to_vec(),
        info,
    );
}

fn add_log_entry(
    server: &mut ServerState,
    reason: Reason,
    context: Context,
    object: Vec<u8>,
    username: Vec<u8>,
    client_info: String,
) {
    let entry = Entry {
        count: 1,
        reason,
        context,
        object,
        username,
        last_ms: server.now_ms,
        client_info,
    };
    let max_len = server.config.acllog_max_len;
    server.acl.log.add(entry, max_len);
}

/// A client's CLIENT LIST line.
fn client_line_of(view: &ClientView<'_>, server: &ServerState) -> String {
    let mut text = String::new();
    client_line(view, server, &mut text);
    text
}
