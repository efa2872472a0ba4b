//! Server-assisted client-side caching: CLIENT TRACKING, CACHING, TRACKINGINFO and
//! GETREDIR, and the table of who read which key.
//!
//! In the default mode the keys a tracking client reads (commands flagged READONLY) are
//! remembered by name, whatever the database; when any client modifies such a key, each
//! client that read it gets one invalidation and the key is forgotten. In BCAST mode a
//! client instead subscribes to key prefixes: keys modified under a prefix are gathered
//! and sent as one message per prefix before the server sleeps. FLUSHDB/FLUSHALL send a
//! null invalidation to every tracking client.
//!
//! Commands never write to other clients (docs/ARCHITECTURE.md, "The outbox"): invalidations are queued as
//! [`Invalidation`]s and the reactor writes them, resolving redirections, each
//! receiver's protocol version, and broken redirections.

use crate::command::state::tracking::Options;
use std::collections::BTreeSet;

use bytes::Bytes;

use crate::command::core::args;

use crate::command::core::command::Ctx;
use crate::command::state::tracking::overlaps;
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// The overlap error Redis reports for prefix `new` against `old`.
fn overlap_error(new: &[u8], old: &[u8], existing: bool) -> CmdError {
    let what = if existing {
        "an existing prefix"
    } else {
        "another provided prefix"
    };
    CmdError::raw(format!(
        "ERR Prefix '{}' overlaps with {what} '{}'. Prefixes for a single client must not overlap.",
        String::from_utf8_lossy(new),
        String::from_utf8_lossy(old)
    ))
}

/// `CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT]
/// [NOLOOP]` — turns key tracking for client-side caching on or off.
pub fn client_tracking(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut redirect: i64 = 0;
    let mut options = Options::default();
    let mut prefixes: Vec<Bytes> = Vec::new();
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let arg = &argv[j];
        if args::is(arg, "REDIRECT") && more {
            j += 1;
            if redirect != 0 {
                return Err(CmdError::raw(
                    "ERR A client can only redirect to a single other client",
                ));
            }
            redirect = parse_i64(&argv[j]).ok_or(CmdError::NotInteger)?;
            if !client_exists(ctx, redirect) {
                return Err(CmdError::raw(
                    "ERR The client ID you want redirect to does not exist",
                ));
            }
        } else if args::is(arg, "BCAST") {
            options.bcast = true;
        } else if args::is(arg, "OPTIN") {
            options.optin = true;
        } else if args::is(arg, "OPTOUT") {
            options.optout = true;
        } else if args::is(arg, "NOLOOP") {
            options.noloop = true;
        } else if args::is(arg, "PREFIX") && more {
            j += 1;
            prefixes.push(argv[j].clone());
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    if args::is(&argv[2], "OFF") {
        disable(ctx);
        ctx.reply.ok();
        return Ok(());
    }
    if !args::is(&argv[2], "ON") {
        return Err(CmdError::Syntax);
    }
    if !options.bcast && !prefixes.is_empty() {
        return Err(CmdError::raw(
            "ERR PREFIX option requires BCAST mode to be enabled",
        ));
    }
    let id = ctx.session.id;
    let current = ctx.server.tracking.clients.get(&id).cloned();
    if let Some(current) = &current {
        if current.bcast != options.bcast {
            return Err(CmdError::raw(
                "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
            ));
        }
    }
    if options.bcast && (options.optin || options.optout) {
        return Err(CmdError::raw(
            "ERR OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if options.optin && options.optout {
        return Err(CmdError::raw(
            "ERR You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if let Some(current) = &current {
        if (options.optin && current.optout) || (options.optout && current.optin) {
            return Err(CmdError::raw(
                "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
            ));
        }
    }
    if options.bcast {
        for (i, prefix) in prefixes.iter().enumerate() {
            if let Some(current) = &current {
                if let Some(old) = current.prefixes.iter().find(|old| overlaps(old, prefix)) {
                    return Err(overlap_error(prefix, old, true));
                }
            }
            if let Some(other) = prefixes[i + 1..].iter().find(|p| overlaps(prefix, p)) {
                return Err(overlap_error(prefix, other, false));
            }
        }
    }
    // A negative id cannot pass the existence check, so the cast keeps its value.
    ctx.server
        .tracking
        .enable(id, redirect as u64, &options, &prefixes);
    ctx.session.tracking = true;
    ctx.reply.ok();
    Ok(())
}

/// True when a connected client (the caller included) has this id.
fn client_exists(ctx: &Ctx<'_>, id: i64) -> bool {
    let Ok(id) = u64::try_from(id) else {
        return false;
    };
    id == ctx.session.id || ctx.clients.others().iter().any(|v| v.session.id == id)
}

/// Turns the caller's tracking off (CLIENT TRACKING OFF, RESET).
pub fn disable(ctx: &mut Ctx<'_>) {
    if ctx.session.tracking {
        ctx.server.tracking.disable(ctx.session.id);
    }
    ctx.session.tracking = false;
    ctx.session.tracking_caching = false;
}

/// `CLIENT CACHING YES|NO` — in OPTIN mode, track the keys of the next command; in
/// OPTOUT mode, do not.
pub fn client_caching(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let Some(options) = ctx.server.tracking.clients.get(&ctx.session.id) else {
        return Err(CmdError::raw(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
        ));
    };
    if args::is(&argv[2], "YES") {
        if !options.optin {
            return Err(CmdError::raw(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if args::is(&argv[2], "NO") {
        if !options.optout {
            return Err(CmdError::raw(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(CmdError::Syntax);
    }
    ctx.session.tracking_caching = true;
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT TRACKINGINFO` — the caller's tracking flags, redirect and prefixes.
pub fn client_trackinginfo(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let caching = ctx.session.tracking_caching;
    let options = ctx.server.tracking.clients.get(&ctx.session.id);
    let mut flags: Vec<&[u8]> = vec![if options.is_some() { b"on" } else { b"off" }];
    if let Some(o) = options {
        if o.bcast {
            flags.push(b"bcast");
        }
        if o.optin {
            flags.push(b"optin");
            if caching {
                flags.push(b"caching-yes");
            }
        }
        if o.optout {
            flags.push(b"optout");
            if caching {
                flags.push(b"caching-no");
            }
        }
        if o.noloop {
            flags.push(b"noloop");
        }
        if o.broken_redirect {
            flags.push(b"broken_redirect");
        }
    }
    let reply = &mut ctx.reply;
    reply.map_len(3);
    reply.bulk(b"flags");
    reply.set_len(flags.len());
    for flag in flags {
        reply.bulk(flag);
    }
    reply.bulk(b"redirect");
    reply.int(options.map_or(-1, |o| o.redirect as i64));
    reply.bulk(b"prefixes");
    let prefixes = options.map(|o| &o.prefixes);
    reply.array_len(prefixes.map_or(0, BTreeSet::len));
    for prefix in prefixes.into_iter().flatten() {
        reply.bulk(prefix);
    }
    Ok(())
}

/// `CLIENT GETREDIR` — -1 with tracking off, else the redirect target (0 for none).
pub fn client_getredir(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    let redirect = ctx.server.tracking.clients.get(&ctx.session.id);
    ctx.reply.int(redirect.map_or(-1, |o| o.redirect as i64));
    Ok(())
}
