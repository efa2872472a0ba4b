//! CLIENT subcommands that show connections as CLIENT LIST lines: INFO (the caller)
//! and LIST (every connection, optionally filtered), plus what KILL shares with them.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::client_info::{caller_view, client_line};
use crate::command::core::command::Ctx;
use crate::command::state::directory;
use crate::command::state::directory::ClientType;
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// `CLIENT INFO` — the caller's CLIENT LIST line.
pub(super) fn client_info(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let mut text = String::new();
    client_line(&caller_view(ctx), ctx.server, &mut text);
    text.push('\n');
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// Which clients CLIENT LIST shows: all, those of one type, or those with given ids.
enum ListFilter {
    All,
    Type(ClientType),
    Ids(Vec<i64>),
}

/// `CLIENT LIST [TYPE type | ID id [id ...]]` — one line per connection.
pub(super) fn client_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let filter = if args.len() == 4 && args::is(&args[2], "TYPE") {
        ListFilter::Type(parse_type(&args[3])?)
    } else if args.len() >= 4 && args::is(&args[2], "ID") {
        let ids = args[3..]
            .iter()
            .map(|arg| parse_i64(arg).ok_or_else(|| CmdError::raw("ERR Invalid client ID")))
            .collect::<CmdResult<Vec<i64>>>()?;
        ListFilter::Ids(ids)
    } else if args.len() != 2 {
        return Err(CmdError::Syntax);
    } else {
        ListFilter::All
    };
    let mut text = String::new();
    for view in directory::all_clients(ctx.clients, caller_view(ctx)) {
        let shown = match &filter {
            ListFilter::All => true,
            ListFilter::Type(kind) => ClientType::of(view.session) == *kind,
            ListFilter::Ids(ids) => ids.contains(&(view.session.id as i64)),
        };
        if shown {
            client_line(&view, ctx.server, &mut text);
            text.push('\n');
        }
    }
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// The client type a TYPE filter names, or the error Redis gives for an unknown one.
pub(super) fn parse_type(name: &Bytes) -> CmdResult<ClientType> {
    ClientType::parse(name).ok_or_else(|| {
        let text = format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(name)
        );
        CmdError::raw(crate::error::one_line(text.into_bytes()))
    })
}
