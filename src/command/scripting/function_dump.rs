//! FUNCTION DUMP and FUNCTION RESTORE: every library's code in Redis's payload form
//! (a FUNCTION2 record per library, then the RDB version and a CRC-64), so libraries
//! move between this server and real Redis in both directions.

use bytes::Bytes;

use crate::command::core::command::Ctx;
use crate::command::scripting::library::Functions;
use crate::command::snapshot::rdb as snapshot;
use crate::error::{CmdError, CmdResult};
use crate::persistence::rdb::{dump_functions, restore_functions_detailed};

/// `FUNCTION DUMP` — the payload of every library.
pub fn function_dump(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let codes = ctx.server.scripting.functions.library_codes();
    let refs: Vec<&[u8]> = codes.iter().map(|code| code.as_ref()).collect();
    let payload = dump_functions(&refs, snapshot::save_options(&ctx.server.config));
    ctx.reply.bulk(&payload);
    Ok(())
}

/// What FUNCTION RESTORE does with libraries that already exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// Fail on any library name already loaded (the default).
    Append,
    /// Replace libraries of the same name.
    Replace,
    /// Drop every existing library first.
    Flush,
}

/// `FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]`
pub fn function_restore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 4 {
        return Err(CmdError::subcommand_syntax("function", &args[1]));
    }
    let policy =
        match args.get(3) {
            None => Policy::Append,
            Some(p) if p.eq_ignore_ascii_case(b"append") => Policy::Append,
            Some(p) if p.eq_ignore_ascii_case(b"replace") => Policy::Replace,
            Some(p) if p.eq_ignore_ascii_case(b"flush") => Policy::Flush,
            Some(_) => return Err(CmdError::raw(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            )),
        };
    let codes = restore_functions_detailed(&args[2]).map_err(|text| err(text.to_string()))?;
    let codes: Vec<Bytes> = codes.into_iter().map(Bytes::from).collect();
    let mut staged = Functions::default();
    for code in &codes {
        staged.load_library(code, false).map_err(err)?;
    }
    let functions = &mut ctx.server.scripting.functions;
    if policy == Policy::Flush {
        *functions = staged;
    } else {
        check_join(functions, &staged, policy == Policy::Replace).map_err(err)?;
        for code in &codes {
            functions.load_library(code, true).map_err(err)?;
        }
    }
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// The error reply for a restore failure text.
fn err(text: String) -> CmdError {
    CmdError::raw(format!("ERR {text}"))
}

/// Refuses a join that would clash: a library that exists (unless `replace`), or a
/// function name owned by a library that stays.
fn check_join(current: &Functions, staged: &Functions, replace: bool) -> Result<(), String> {
    for name in staged.libraries.keys() {
        if current.libraries.contains_key(name) && !replace {
            return Err(format!("Library {name} already exists"));
        }
    }
    let staying = current
        .libraries
        .iter()
        .filter(|(name, _)| !staged.libraries.contains_key(*name))
        .flat_map(|(_, lib)| lib.functions.iter());
    for kept in staying {
        let clash = staged
            .libraries
            .values()
            .flat_map(|lib| lib.functions.iter())
            .any(|f| f.name == kept.name);
        if clash {
            return Err(format!("Function {} already exists", kept.name));
        }
    }
    Ok(())
}
