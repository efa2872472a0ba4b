//! One client's CLIENT LIST / CLIENT INFO line, in Redis's field order. CLIENT LIST
//! and CLIENT INFO print it; the ACL log keeps it with each refusal, so it lives in
//! `core`, below both.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::state::directory::{BufferStats, ClientView};
use std::fmt::Write as _;

use crate::command::core::state::ServerState;
use crate::command::state::session::Session;

/// The `flags=` letters of a client, in Redis's order; `N` when none applies.
pub fn flag_letters(view: &ClientView<'_>, server: &ServerState) -> String {
    let session = view.session;
    let mut letters = String::new();
    let mut add = |on: bool, letter: char| {
        if on {
            letters.push(letter);
        }
    };
    add(session.replica, 'S');
    add(session.monitor, 'O');
    add(session.master, 'M');
    add(session.subscriptions.total() > 0, 'P');
    add(session.multi.is_some(), 'x');
    add(
        session.blocked.is_some() || session.postponed.is_some(),
        'b',
    );
    let tracking = server.tracking.clients.get(&session.id);
    add(session.tracking, 't');
    add(tracking.is_some_and(|t| t.broken_redirect), 'R');
    add(tracking.is_some_and(|t| t.bcast), 'B');
    add(server.watches.is_doomed(session.id), 'd');
    add(session.close_after_reply, 'c');
    add(session.unix_socket, 'U');
    add(session.no_evict, 'e');
    add(session.no_touch, 'T');
    if letters.is_empty() {
        letters.push('N');
    }
    letters
}

/// Memory held for one watched key: its entry in the session's list and the client's
/// id in the key's watcher list (the key's bytes are shared by all its watchers).
const WATCH_ENTRY: usize = std::mem::size_of::<(usize, Bytes)>() + std::mem::size_of::<u64>();
/// Memory held for one subscription: its entry in the session's list and the client's
/// id in the channel's subscriber list.
const SUBSCRIPTION_ENTRY: usize = std::mem::size_of::<Bytes>() + std::mem::size_of::<u64>();
/// Memory held for one BCAST prefix of the client's: a slot in its prefix set plus,
/// roughly, the same again for the set's nodes.
const TRACKING_PREFIX_ENTRY: usize = 2 * std::mem::size_of::<Bytes>();
/// Memory held for each command queued since MULTI, besides its arguments' bytes: its
/// argument vector.
const QUEUED_COMMAND: usize = std::mem::size_of::<Vec<Bytes>>();

/// The memory one client holds, as Redis 7.0 counts it for CLIENT LIST's `tot-mem`
/// and client eviction: its query buffer (allocated, not just used), the arguments of
/// a command still arriving, its output buffer, the client state itself, a queued
/// transaction, and the bookkeeping of its watched keys, subscriptions and tracking
/// prefixes (the keys and channel names themselves are shared, so not counted).
pub fn client_memory(view: &ClientView<'_>, server: &ServerState) -> usize {
    let session = view.session;
    let buffers = &view.buffers;
    let mut total = buffers.query_len
        + buffers.query_free
        + buffers.argv_mem
        + buffers.reply_memory
        + std::mem::size_of::<Session>();
    if let Some(queue) = &session.multi {
        total += session.multi_argv_len + queue.len() * QUEUED_COMMAND;
    }
    total += session.watched.len() * WATCH_ENTRY;
    total += session.subscriptions.total() * SUBSCRIPTION_ENTRY;
    if session.tracking {
        if let Some(tracking) = server.tracking.clients.get(&session.id) {
            total += tracking.prefixes.len() * TRACKING_PREFIX_ENTRY;
        }
    }
    total
}

/// One CLIENT LIST / CLIENT INFO line (without the trailing newline), with the fields
/// Redis 7.0 prints, in its order.
pub fn client_line(view: &ClientView<'_>, server: &ServerState, out: &mut String) {
    let session = view.session;
    let buffers = &view.buffers;
    let now = server.now_ms;
    let name = session
        .name
        .as_ref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let multi = session
        .multi
        .as_ref()
        .map_or(-1, |queue| queue.len() as i64);
    let multi_mem = if session.multi.is_some() {
        session.multi_argv_len
    } else {
        0
    };
    let cmd = match session.last_subcommand {
        Some(sub) => format!("{}|{}", session.last_command, sub),
        None => session.last_command.to_string(),
    };
    let events = if buffers.write_registered { "rw" } else { "r" };
    let tot_mem = client_memory(view, server);
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} \
         ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} \
         oll={} omem={} tot-mem={} events={} cmd={} user={} redir={} resp={}",
        session.id,
        session.addr,
        session.local_addr,
        session.fd,
        name,
        (now - session.created_ms).max(0) / 1000,
        (now - session.last_interaction_ms).max(0) / 1000,
        flag_letters(view, server),
        session.db,
        session.subscriptions.channels.len(),
        session.subscriptions.patterns.len(),
        session.subscriptions.shard_channels.len(),
        multi,
        buffers.query_len,
        buffers.query_free,
        buffers.argv_mem,
        multi_mem,
        buffers.reply_buffer_size,
        buffers.reply_buffer_peak,
        buffers.reply_tail,
        buffers.reply_chunks,
        buffers.reply_pending.saturating_sub(buffers.reply_tail),
        tot_mem,
        events,
        cmd,
        String::from_utf8_lossy(server.acl.name_of(session.user)),
        server
            .tracking
            .clients
            .get(&session.id)
            .map_or(-1, |t| t.redirect as i64),
        session.resp,
    );
}

/// The calling client as a directory entry: its input as the reactor saw it when the
/// batch of commands started, with this command's arguments
/// ([`ClientDirectory::caller_buffers`]), and its reply buffer as written so far.
///
/// [`ClientDirectory::caller_buffers`]: crate::command::state::directory::ClientDirectory::caller_buffers
pub fn caller_view<'a>(ctx: &'a Ctx<'_>) -> ClientView<'a> {
    let input = ctx.clients.caller_buffers();
    let out = ctx.reply.buffer();
    ClientView {
        session: ctx.session,
        buffers: BufferStats {
            reply_tail: out.pending(),
            reply_pending: out.pending(),
            reply_memory: out.memory(),
            reply_chunks: out.chunk_count(),
            reply_buffer_size: out.reply_buffer_size(),
            reply_buffer_peak: out.reply_buffer_peak(),
            ..input
        },
    }
}

/// Records the command being run (or refused) as the client's last one, CLIENT
/// LIST's `cmd=`: `get`, or `client|list`.
#[inline]
pub fn note_last_command(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    // A spec belongs to one container at most (the registry's tests check it), so
    // the same spec means the same names.
    let address = spec as *const CommandSpec as usize;
    if ctx.session.last_spec == address {
        return;
    }
    ctx.session.last_spec = address;
    // The name sent finds `spec` itself, or the container `spec` is a subcommand of.
    match ctx.table.get(&args[0]) {
        Some(container) if !std::ptr::eq(container, spec) => {
            ctx.session.last_command = container.name;
            ctx.session.last_subcommand = Some(spec.name);
        }
        _ => {
            ctx.session.last_command = spec.name;
            ctx.session.last_subcommand = None;
        }
    }
}
