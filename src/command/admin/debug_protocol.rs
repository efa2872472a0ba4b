//! DEBUG PROTOCOL: one reply of each RESP type, as Redis's DEBUG PROTOCOL sends it, so
//! that clients and scripts can test how they read every type (and how RESP3 types
//! degrade for a RESP2 connection).

use bytes::Bytes;

use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};

const ERR_TYPE: &str = "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

/// `DEBUG PROTOCOL <type>` — a sample reply of `kind`.
// 3.141 is the sample double Redis sends, not an approximation of pi.
#[allow(clippy::approx_constant)]
pub fn reply(ctx: &mut Ctx<'_>, kind: &Bytes) -> CmdResult {
    let name = String::from_utf8_lossy(kind).to_ascii_lowercase();
    let reply = &mut ctx.reply;
    match name.as_str() {
        "string" => reply.bulk(b"Hello World"),
        "integer" => reply.int(12345),
        "double" => reply.double(3.141),
        "bignum" => reply.big_number(b"1234567999999999999999999999999999999"),
        "null" => reply.null(),
        "array" | "set" => {
            if name == "set" {
                reply.set_len(3);
            } else {
                reply.array_len(3);
            }
            (0..3).for_each(|n| reply.int(n));
        }
        "map" => {
            reply.map_len(3);
            for n in 0..3 {
                reply.int(n);
                reply.boolean(n == 1);
            }
        }
        "attrib" => {
            // An attribute describes the reply after it; RESP2 gets only that reply.
            reply.attribute_len(1);
            if reply.is_resp3() {
                reply.bulk(b"key-popularity");
                reply.array_len(2);
                reply.bulk(b"key:123");
                reply.int(90);
            }
            reply.bulk(b"Some real reply following the attribute");
        }
        "push" => {
            if !reply.is_resp3() {
                return Err(CmdError::raw("ERR RESP2 is not supported by this command"));
            }
            reply.push_len(2);
            reply.bulk(b"server-cpu-usage");
            reply.int(42);
            // A push is out of band: a normal reply follows for the caller to read.
            reply.bulk(b"Some real reply following the push reply");
        }
        "true" => reply.boolean(true),
        "false" => reply.boolean(false),
        "verbatim" => reply.verbatim(b"txt", b"This is a verbatim\nstring"),
        _ => return Err(CmdError::raw(ERR_TYPE)),
    }
    Ok(())
}
