//! CLIENT subcommands that name and identify the calling connection: ID, GETNAME,
//! SETNAME and SETINFO, and the rule for client names that HELLO SETNAME shares.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};

/// `CLIENT ID` — the client's unique id.
pub(super) fn client_id(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.session.id as i64);
    Ok(())
}

/// `CLIENT GETNAME` — the name set with SETNAME, or null.
pub(super) fn client_getname(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    match &ctx.session.name {
        Some(name) => ctx.reply.bulk(name),
        None => ctx.reply.null(),
    }
    Ok(())
}

/// `CLIENT SETNAME name` — names the connection; an empty name clears it.
pub(super) fn client_setname(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = &args[2];
    validate_client_name(name)?;
    // Names are kept as long as the connection: owned, not a slice of the query buffer.
    ctx.session.name = if name.is_empty() {
        None
    } else {
        Some(Bytes::copy_from_slice(name))
    };
    ctx.reply.ok();
    Ok(())
}

/// Client names are printable ASCII without spaces, so CLIENT LIST stays parseable.
pub fn validate_client_name(name: &[u8]) -> CmdResult {
    if !is_printable_word(name) {
        return Err(CmdError::raw(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

/// True when `text` is printable ASCII with no spaces.
fn is_printable_word(text: &[u8]) -> bool {
    text.iter().all(|b| (b'!'..=b'~').contains(b))
}

/// `CLIENT SETINFO LIB-NAME|LIB-VER value` (Redis 7.2; client libraries send it on
/// connect) — records what library the client runs.
pub(super) fn client_setinfo(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (attribute, value) = (&args[2], &args[3]);
    let is_name = args::is(attribute, "LIB-NAME");
    if !is_name && !args::is(attribute, "LIB-VER") {
        let text = format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attribute)
        );
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    }
    if !is_printable_word(value) {
        let text = format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attribute)
        );
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    }
    let stored = (!value.is_empty()).then(|| Bytes::copy_from_slice(value));
    if is_name {
        ctx.session.lib_name = stored;
    } else {
        ctx.session.lib_ver = stored;
    }
    ctx.reply.ok();
    Ok(())
}
