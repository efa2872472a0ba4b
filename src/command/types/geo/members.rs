//! GEOADD, GEOPOS, GEOHASH and GEODIST: adding and reading named points. GEOADD turns
//! its triples into sorted-set inserts scored by 52-bit geohashes.

use bytes::Bytes;

use super::format::{reply_coordinate, reply_distance};
use super::parse::{member_position, parse_lon_lat, parse_unit, read_zset};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::util::geohash::{self};

/// `GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]`
///
/// Validates every position, then runs ZADD with the encoded scores, so replies,
/// errors and the `zadd` notification are ZADD's.
///
/// # Returns
/// The number of members added (or changed, with CH).
pub(super) fn geoadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut first = 2;
    let (mut nx, mut xx) = (false, false);
    while let Some(arg) = args.get(first) {
        if args::is_c_option(arg, "nx") {
            nx = true;
        } else if args::is_c_option(arg, "xx") {
            xx = true;
        } else if !args::is_c_option(arg, "ch") {
            break;
        }
        first += 1;
    }
    if !(args.len() - first).is_multiple_of(3) || (nx && xx) {
        return Err(CmdError::Syntax);
    }
    let mut zadd_args: Vec<Bytes> = Vec::with_capacity(first + (args.len() - first) / 3 * 2);
    zadd_args.push(Bytes::from_static(b"zadd"));
    zadd_args.extend(args[1..first].iter().cloned());
    for triple in args[first..].chunks(3) {
        let (lon, lat) = parse_lon_lat(&triple[0], &triple[1])?;
        let score = geohash::score_of(lon, lat).unwrap_or(0);
        zadd_args.push(Bytes::from(score.to_string()));
        zadd_args.push(triple[2].clone());
    }
    let zadd = ctx
        .table
        .get(b"zadd")
        .ok_or_else(|| CmdError::raw("ERR zadd is not available"))?;
    (zadd.handler)(ctx, &zadd_args)
}

// ---------------------------------------------------------------- GEOPOS GEOHASH GEODIST

/// `GEOPOS key [member ...]`
///
/// # Returns
/// One `[longitude, latitude]` pair per member, or a null array for a missing one.
pub(super) fn geopos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let z = read_zset(db, &args[1], now)?;
    let reply = &mut ctx.reply;
    reply.array_len(args.len() - 2);
    for member in &args[2..] {
        match z.and_then(|z| member_position(z, member)) {
            Some((lon, lat)) => {
                reply.array_len(2);
                reply_coordinate(reply, lon);
                reply_coordinate(reply, lat);
            }
            None => reply.null_array(),
        }
    }
    Ok(())
}

/// `GEOHASH key [member ...]`
///
/// # Returns
/// One 11-character standard geohash per member, or null for a missing one.
pub(super) fn geohash(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let z = read_zset(db, &args[1], now)?;
    let reply = &mut ctx.reply;
    reply.array_len(args.len() - 2);
    for member in &args[2..] {
        match z.and_then(|z| member_position(z, member)) {
            Some((lon, lat)) => reply.bulk(&geohash::geohash_string(lon, lat)),
            None => reply.null(),
        }
    }
    Ok(())
}

/// `GEODIST key member1 member2 [M|KM|FT|MI]`
///
/// # Returns
/// The distance in the unit (metres by default) with four decimals, or null when the
/// key or either member is missing.
pub(super) fn geodist(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let metres_per_unit = match args.len() {
        4 => 1.0,
        5 => parse_unit(&args[4])?,
        _ => return Err(CmdError::Syntax),
    };
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let z = read_zset(db, &args[1], now)?;
    let positions =
        z.and_then(|z| Some((member_position(z, &args[2])?, member_position(z, &args[3])?)));
    match positions {
        Some(((lon1, lat1), (lon2, lat2))) => {
            let d = geohash::distance(lon1, lat1, lon2, lat2);
            reply_distance(&mut ctx.reply, d / metres_per_unit);
        }
        None => ctx.reply.null(),
    }
    Ok(())
}
