//! REPLICAOF (and its old name SLAVEOF): follow a master, or stop following one and
//! become a master; ROLE: the role this server plays, in the shape Sentinel and
//! clients parse.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::loop_api::master_link::{follow, promote};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{CmdError, CmdResult};

/// `REPLICAOF host port | NO ONE`.
fn replicaof(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (host, port) = (&args[1], &args[2]);
    if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
        if ctx.server.is_replica() {
            promote(ctx.server);
            log::info!(
                "MASTER MODE enabled (user request from '{}')",
                ctx.session.addr
            );
        }
        ctx.reply.ok();
        return Ok(());
    }
    if ctx.session.replica {
        return Err(CmdError::raw(
            "ERR Command is not valid when client is a replica.",
        ));
    }
    let port = std::str::from_utf8(port)
        .ok()
        .and_then(|text| text.parse::<i64>().ok())
        .and_then(|port| u16::try_from(port).ok())
        .ok_or_else(|| CmdError::raw("ERR Invalid master port"))?;
    let host = String::from_utf8_lossy(host).into_owned();
    let same = ctx
        .server
        .master
        .as_ref()
        .is_some_and(|link| link.host.eq_ignore_ascii_case(&host) && link.port == port);
    if same {
        log::info!("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
        ctx.reply
            .simple(b"OK Already connected to specified master");
        return Ok(());
    }
    log::info!(
        "REPLICAOF {host}:{port} enabled (user request from '{}')",
        ctx.session.addr
    );
    // Our own history (or the previous master's) is what a new master may continue.
    follow(ctx.server, host, port, true);
    ctx.reply.ok();
    Ok(())
}

/// `ROLE` — `master, offset, [[ip, port, offset]...]` or `slave, host, port, state,
/// offset`.
fn role(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let Some(link) = ctx.server.master.as_ref() else {
        let feed = &ctx.server.replication;
        ctx.reply.array_len(3);
        ctx.reply.bulk(b"master");
        ctx.reply.int(feed.offset() as i64);
        ctx.reply.array_len(feed.replicas().len());
        for replica in feed.replicas().iter() {
            ctx.reply.array_len(3);
            ctx.reply.bulk(replica.ip.as_bytes());
            ctx.reply.bulk_int(i64::from(replica.conf.listening_port));
            ctx.reply.bulk_int(replica.ack_offset);
        }
        return Ok(());
    };
    let offset = if link.client.is_some() {
        link.applied
    } else {
        -1
    };
    ctx.reply.array_len(5);
    ctx.reply.bulk(b"slave");
    ctx.reply.bulk(link.host.as_bytes());
    ctx.reply.int(i64::from(link.port));
    ctx.reply.bulk(link.state.role_word().as_bytes());
    ctx.reply.int(offset);
    Ok(())
}

const REPLICAOF_ARGS: &[Arg] = &[Arg::one_of(
    "args",
    &[
        Arg::block(
            "host-port",
            &[
                Arg::new("host", ArgType::String),
                Arg::new("port", ArgType::Integer),
            ],
        ),
        Arg::block(
            "no-one",
            &[Arg::token("no", "NO"), Arg::token("one", "ONE")],
        ),
    ],
)];

/// The replication role commands' table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("replicaof", 3, NO_ASYNC_LOADING | ADMIN | NOSCRIPT | STALE, replicaof)
        .docs(Group::Server.doc("Makes the server a replica of another instance, or promotes it to master.", "5.0.0", "O(1)")
            .args(REPLICAOF_ARGS)),
    CommandSpec::new("slaveof", 3, NO_ASYNC_LOADING | ADMIN | NOSCRIPT | STALE, replicaof)
        .docs(Group::Server.doc("Makes the server a replica of another instance, or promotes it to master.", "1.0.0", "O(1)")
            .deprecated("5.0.0", "`REPLICAOF`")
            .args(REPLICAOF_ARGS)),
    CommandSpec::new("role", 1, NOSCRIPT | LOADING | STALE | FAST, role)
        .acl(acl::ADMIN | acl::DANGEROUS)
        .docs(Group::Server.doc("Reports this server's replication role.", "2.8.12", "O(1)")),
];
