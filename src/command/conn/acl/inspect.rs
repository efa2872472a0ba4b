//! ACL subcommands that inspect without changing users: CAT, LOG, GENPASS, DRYRUN.

use std::io::Read;

use bytes::Bytes;

use crate::command::core::access;
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::acl::user::Denied;
use crate::error::{c_str, one_line, CmdError, CmdResult};

/// Longest password ACL GENPASS makes, in bits.
const GENPASS_MAX_BITS: i64 = 4096;
/// Entries ACL LOG shows without a count.
const LOG_DEFAULT_COUNT: i64 = 10;

/// `ACL CAT [category]`
///
/// # Returns
/// The category names, or the commands (and subcommands, as `container|sub`) in one.
pub(super) fn acl_cat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let catalog = &ctx.server.acl.catalog;
    match args.get(2) {
        _ if args.len() > 3 => Err(CmdError::subcommand_syntax("acl", &args[1])),
        None => {
            ctx.reply.array_len(catalog.category_names().len());
            for name in catalog.category_names() {
                ctx.reply.bulk(name.as_bytes());
            }
            Ok(())
        }
        Some(name) => {
            let Some(flag) = catalog.category(name) else {
                let mut text = b"ERR Unknown category '".to_vec();
                text.extend_from_slice(c_str(name, 128));
                text.push(b'\'');
                return Err(CmdError::raw(one_line(text)));
            };
            let names: Vec<&str> = catalog
                .in_category(flag)
                .map(|e| e.full_name.as_str())
                .collect();
            ctx.reply.array_len(names.len());
            for name in names {
                ctx.reply.bulk(name.as_bytes());
            }
            Ok(())
        }
    }
}

/// `ACL GENPASS [bits]`
///
/// # Returns
/// `bits` (256 by default) random bits from the OS as lower-case hex, rounded up to
/// whole hex digits.
pub(super) fn acl_genpass(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::subcommand_syntax("acl", &args[1]));
    }
    let bits = match args.get(2) {
        Some(arg) => args::int(arg)?,
        None => 256,
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return Err(CmdError::raw(format!("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}")));
    }
    let chars = ((bits + 3) / 4) as usize;
    let password = random_hex(chars).map_err(|e| CmdError::raw(format!("ERR {e}")))?;
    ctx.reply.bulk(password.as_bytes());
    Ok(())
}

/// `chars` random hex digits from `/dev/urandom`.
fn random_hex(chars: usize) -> std::io::Result<String> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = vec![0u8; chars.div_ceil(2)];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let mut text = String::with_capacity(chars + 1);
    for byte in bytes {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text.truncate(chars);
    Ok(text)
}

/// `ACL LOG [count | RESET]`
///
/// # Returns
/// The newest `count` (10 by default) entries, each a map of count, reason, context,
/// object, username, age-seconds and client-info; `+OK` after RESET.
pub(super) fn acl_log(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::subcommand_syntax("acl", &args[1]));
    }
    let mut count = LOG_DEFAULT_COUNT;
    if let Some(arg) = args.get(2) {
        if args::is(arg, "RESET") {
            ctx.server.acl.log.reset();
            ctx.reply.ok();
            return Ok(());
        }
        count = args::int(arg)?.max(0);
    }
    let log = &ctx.server.acl.log;
    let shown = usize::try_from(count).unwrap_or(usize::MAX).min(log.len());
    let now = ctx.server.now_ms;
    ctx.reply.array_len(shown);
    for entry in log.entries().take(shown) {
        let reply = &mut ctx.reply;
        reply.map_len(7);
        reply.bulk(b"count");
        reply.int(entry.count as i64);
        reply.bulk(b"reason");
        reply.bulk(entry.reason.name().as_bytes());
        reply.bulk(b"context");
        reply.bulk(entry.context.name().as_bytes());
        reply.bulk(b"object");
        reply.bulk(&entry.object);
        reply.bulk(b"username");
        reply.bulk(&entry.username);
        reply.bulk(b"age-seconds");
        reply.double((now - entry.last_ms) as f64 / 1000.0);
        reply.bulk(b"client-info");
        reply.bulk(entry.client_info.as_bytes());
    }
    Ok(())
}

/// `ACL DRYRUN username command [arg ...]`
///
/// # Returns
/// `+OK` if the user could run the command line; otherwise, as a bulk string (not an
/// error), what it may not do. Nothing is logged.
pub(super) fn acl_dryrun(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let Some((user, _)) = ctx.server.acl.find(&args[2]) else {
        return Err(named_error("ERR User '", &args[2], "' not found"));
    };
    let line = &args[3..];
    let Ok(spec) = ctx.table.resolve(line) else {
        return Err(named_error("ERR Command '", &line[0], "' not found"));
    };
    if !spec.arity_ok(line.len()) {
        let name = crate::command::core::command::full_name(line, spec);
        return Err(CmdError::wrong_arity(&name));
    }
    match access::check(ctx.server, ctx.table, user, spec, line) {
        Ok(()) => ctx.reply.ok(),
        Err(denied) => {
            let mut text = b"This user has no permissions to ".to_vec();
            match denied {
                Denied::Command => {
                    let name = crate::command::core::command::full_name(line, spec);
                    text.extend_from_slice(format!("run the '{name}' command").as_bytes());
                }
                Denied::Key(at) => denied_object(&mut text, &line[at], "key"),
                Denied::Channel(at) => denied_object(&mut text, &line[at], "channel"),
            }
            ctx.reply.bulk(&text);
        }
    }
    Ok(())
}

/// `access the '<object>' <what>`.
fn denied_object(text: &mut Vec<u8>, object: &[u8], what: &str) {
    text.extend_from_slice(b"access the '");
    text.extend_from_slice(object);
    text.extend_from_slice(format!("' {what}").as_bytes());
}

/// An error quoting a client-given name.
fn named_error(before: &str, name: &[u8], after: &str) -> CmdError {
    let mut text = before.as_bytes().to_vec();
    text.extend_from_slice(c_str(name, usize::MAX));
    text.extend_from_slice(after.as_bytes());
    CmdError::raw(one_line(text))
}
