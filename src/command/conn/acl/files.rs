//! ACL LOAD and ACL SAVE: the users to and from the `aclfile`.

use std::io::Write;

use bytes::Bytes;

use super::users::disconnect_users;
use crate::command::core::command::Ctx;
use crate::command::state::acl::file::{acl_file_text, load_acl_file};
use crate::error::{one_line, CmdError, CmdResult};

const ERR_NO_ACL_FILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

const ERR_SAVE: &str = "ERR There was an error trying to save the ACLs. Please check the server logs for more information";

/// The configured ACL file, or Redis's error when there is none.
fn acl_file(ctx: &Ctx<'_>) -> CmdResult<String> {
    let path = &ctx.server.config.aclfile;
    if path.is_empty() {
        return Err(CmdError::raw(ERR_NO_ACL_FILE));
    }
    Ok(path.clone())
}

/// `ACL LOAD` — replaces every user with the ACL file's, all or nothing. Clients of
/// users that are replaced (all but `default`'s) are disconnected.
pub(super) fn acl_load(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let path = acl_file(ctx)?;
    let pubsub_all = ctx.server.config.acl_pubsub_all;
    let users = load_acl_file(&path, ctx.server.acl.context(pubsub_all))
        .map_err(|errors| CmdError::raw(one_line(format!("ERR {errors}").into_bytes())))?;
    let removed = ctx.server.acl.replace_all(users, pubsub_all);
    disconnect_users(ctx, &removed);
    ctx.reply.ok();
    Ok(())
}

/// `ACL SAVE` — writes every user to the ACL file, replacing it at once (a temporary
/// file renamed over it).
pub(super) fn acl_save(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let path = acl_file(ctx)?;
    let text = acl_file_text(&ctx.server.acl);
    let temp = format!("{path}.tmp-{}-{}", std::process::id(), ctx.server.now_ms);
    let written = std::fs::File::create(&temp)
        .and_then(|mut file| file.write_all(&text))
        .and_then(|()| std::fs::rename(&temp, &path));
    if let Err(e) = written {
        log::warn!("Writing ACL file for ACL SAVE: {e}");
        let _ = std::fs::remove_file(&temp);
        return Err(CmdError::raw(ERR_SAVE));
    }
    ctx.reply.ok();
    Ok(())
}
