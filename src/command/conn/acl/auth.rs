//! AUTH, and the authentication HELLO's AUTH option shares.

use bytes::Bytes;

use crate::command::core::access::log_auth_failure;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};

/// Refused credentials; the same text whether the user is unknown, off, or the
/// password wrong, so the reply tells nothing.
const ERR_WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// AUTH with only a password while `default` has none.
const ERR_NO_PASSWORD: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";

/// `AUTH [username] password`
///
/// Authenticates the connection as `username` (`default` when omitted).
///
/// # Returns
/// `+OK`; `-WRONGPASS` (logged in ACL LOG) when the pair is refused.
pub(super) fn auth(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let (username, password) = if args.len() == 2 {
        if ctx.server.acl.default_user().is_some_and(|d| d.nopass) {
            return Err(CmdError::raw(ERR_NO_PASSWORD));
        }
        (&b"default"[..], &args[1])
    } else {
        (&args[1][..], &args[2])
    };
    authenticate(ctx, args, username, password)?;
    ctx.reply.ok();
    Ok(())
}

/// Makes the calling client `username` if `password` is one of its passwords (and the
/// user is on); otherwise logs the failure (`args[0]` is the command, AUTH or HELLO)
/// and returns `-WRONGPASS`.
pub fn authenticate(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    username: &[u8],
    password: &[u8],
) -> CmdResult {
    match ctx.server.acl.authenticate(username, password) {
        Some(user) => {
            ctx.session.user = user;
            ctx.session.authenticated = true;
            Ok(())
        }
        None => {
            log_auth_failure(ctx, args, username);
            Err(CmdError::raw(ERR_WRONGPASS))
        }
    }
}
