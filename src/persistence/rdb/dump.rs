//! DUMP and FUNCTION DUMP payloads: an RDB fragment (a type byte and a value, or
//! function opcodes and library code), then a footer of the RDB version as a u16 LE
//! and the CRC-64 LE of everything before it. The checksum is always there, whatever
//! `rdbchecksum` says, as in Redis.

use std::io;

use crate::persistence::crc64::crc64;
use crate::store::Value;

use super::api::{Encodings, RestoreError, SaveOptions, RDB_VERSION};
use super::file::read_function;
use super::format::{OP_FUNCTION2, OP_FUNCTION_PRE_GA};
use super::load::read_value;
use super::read::Input;
use super::save::{type_byte, write_value};
use super::write::Output;

/// Footer bytes: version and checksum.
const FOOTER: usize = 10;

/// Builds a payload: `body`, then the footer.
fn payload(
    compression: bool,
    body: impl FnOnce(&mut Output<Vec<u8>>) -> io::Result<()>,
) -> Vec<u8> {
    let mut out = Output::new(Vec::new(), true, compression);
    let built = body(&mut out)
        .and_then(|()| out.bytes(&RDB_VERSION.to_le_bytes()))
        .and_then(|()| out.checksum())
        .and_then(|crc| out.bytes(&crc.to_le_bytes()));
    // Writing to a Vec does not fail.
    built.and_then(|()| out.finish()).unwrap_or_default()
}

/// DUMP's payload for `value`: its type byte and value, the RDB version, the CRC-64.
pub fn dump_payload(value: &Value, opts: SaveOptions) -> Vec<u8> {
    payload(opts.compression, |out| {
        out.byte(type_byte(value))?;
        write_value(out, value)
    })
}

/// Checks a payload's footer; returns the RDB fragment before it.
fn verify(payload: &[u8]) -> Result<&[u8], RestoreError> {
    if payload.len() < FOOTER {
        return Err(RestoreError::VersionOrChecksum);
    }
    let (body, footer) = payload.split_at(payload.len() - FOOTER);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&footer[2..]);
    if version > RDB_VERSION || crc64(0, &payload[..payload.len() - 8]) != u64::from_le_bytes(crc) {
        return Err(RestoreError::VersionOrChecksum);
    }
    Ok(body)
}

/// The value in a DUMP payload (RESTORE), built with `enc`'s thresholds.
///
/// # Errors
/// [`RestoreError::VersionOrChecksum`] for a bad footer; [`RestoreError::BadFormat`]
/// for anything that does not decode to a value, an empty collection included.
pub fn restore_payload(payload: &[u8], enc: &Encodings) -> Result<Value, RestoreError> {
    let body = verify(payload)?;
    let mut inp = Input::new(body, Some(body.len() as u64));
    let kind = inp.u8().map_err(|_| RestoreError::BadFormat)?;
    match read_value(&mut inp, kind, enc) {
        Ok(Some(value)) => Ok(value),
        _ => Err(RestoreError::BadFormat),
    }
}

/// FUNCTION DUMP's payload: each library's code after a FUNCTION2 opcode, then the
/// footer.
pub fn dump_functions(codes: &[&[u8]], opts: SaveOptions) -> Vec<u8> {
    payload(opts.compression, |out| {
        for code in codes {
            out.byte(OP_FUNCTION2)?;
            out.string(code)?;
        }
        Ok(())
    })
}

/// The library codes in a FUNCTION DUMP payload.
///
/// # Errors
/// [`RestoreError::VersionOrChecksum`] for a bad footer, [`RestoreError::BadFormat`]
/// otherwise; [`restore_functions_detailed`] gives Redis's exact reasons.
pub fn restore_functions(payload: &[u8]) -> Result<Vec<Vec<u8>>, RestoreError> {
    restore_functions_detailed(payload).map_err(|reason| match reason {
        r if r == RestoreError::VersionOrChecksum.message() => RestoreError::VersionOrChecksum,
        _ => RestoreError::BadFormat,
    })
}

/// Like [`restore_functions`], with the error text FUNCTION RESTORE replies with
/// (without `ERR `): `DUMP payload version or checksum are wrong`, `given type is not
/// a function` or `Failed loading library payload`.
pub fn restore_functions_detailed(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    let body = verify(payload).map_err(RestoreError::message)?;
    let mut inp = Input::new(body, Some(body.len() as u64));
    let mut codes = Vec::new();
    while inp.offset() < body.len() as u64 {
        let op = inp.u8().map_err(|_| "can not read data type")?;
        if op != OP_FUNCTION2 && op != OP_FUNCTION_PRE_GA {
            return Err("given type is not a function");
        }
        codes.push(read_function(&mut inp, op).map_err(|_| "Failed loading library payload")?);
    }
    Ok(codes)
}
