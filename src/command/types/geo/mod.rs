//! Geo commands: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE GEORADIUS
//! GEORADIUSBYMEMBER GEORADIUS_RO GEORADIUSBYMEMBER_RO.
//!
//! A geo index is an ordinary sorted set whose scores are 52-bit interleaved geohashes
//! ([`crate::util::geohash`]): TYPE says `zset`, the ZSET commands work on it, and the
//! geo commands read any sorted set (decoding whatever scores it holds). GEOADD turns
//! its triples into a ZADD call. The six search commands share one worker, as Redis's
//! `georadiusGeneric` serves them all: parse (in Redis's order, so the same error wins),
//! scan the covering cells, sort, then reply or store.
//!
//! Numbers are printed as Redis prints them: distances with four decimals by scaling
//! and rounding to an integer ([`fixed4`]; always a bulk string, in RESP3 too),
//! coordinates with C's `%.17f` minus trailing zeros (a bulk string in RESP2, a double
//! in RESP3), and out-of-range coordinates in errors with C's `%f`.

use std::cmp::Ordering;
use std::os::raw::c_int;

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::db::Db;
use crate::store::value::Value;
use crate::store::zset::ZSetValue;
use crate::util::geohash::{self, Extent, Shape};

mod partial_sort;
mod table;
pub use table::COMMANDS;

/// A unit other than M, KM, FT, MI.
const ERR_UNIT: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
/// FROMMEMBER / GEORADIUSBYMEMBER naming a member the set lacks.
const ERR_MEMBER: &str = "ERR could not decode requested zset member";
/// A negative radius.
const ERR_NEGATIVE_RADIUS: &str = "ERR radius cannot be negative";
/// A negative box side.
const ERR_NEGATIVE_BOX: &str = "ERR height or width cannot be negative";
/// COUNT of zero or less.
const ERR_COUNT: &str = "ERR COUNT must be > 0";
/// ANY without COUNT.
const ERR_ANY: &str = "ERR the ANY argument requires COUNT argument";
/// STORE/STOREDIST with WITH* options, GEORADIUS family.
const ERR_STORE_WITH: &str =
    "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
/// GEOSEARCHSTORE with WITH* options.
const ERR_SEARCHSTORE_WITH: &str =
    "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options";

// ---------------------------------------------------------------- number formatting

/// `value` printed by the C library as `printf("%.<decimals>f")`, which rounds exactly
/// (ties to even) as Redis's replies do.
fn c_fixed(value: f64, decimals: c_int) -> Vec<u8> {
    let mut buf = vec![0u8; 64];
    loop {
        // SAFETY: `buf` is writable for `buf.len()` bytes, the format is NUL-terminated
        // and its one `*` and one `f` conversion take exactly the int and double passed.
        let n = unsafe {
            libc::snprintf(
                buf.as_mut_ptr().cast(),
                buf.len(),
                c"%.*f".as_ptr(),
                decimals,
                value,
            )
        };
        let Ok(n) = usize::try_from(n) else {
            return Vec::new();
        };
        if n < buf.len() {
            buf.truncate(n);
            return buf;
        }
        buf.resize(n + 1, 0);
    }
}

/// A coordinate as Redis prints a "human" long double: 17 decimals, then trailing
/// zeros (and a bare point) dropped, and `-0` written `0`.
fn human_coordinate(value: f64) -> Vec<u8> {
    let mut text = c_fixed(value, 17);
    if text.contains(&b'.') {
        while text.last() == Some(&b'0') {
            text.pop();
        }
        if text.last() == Some(&b'.') {
            text.pop();
        }
    }
    if text == b"-0" {
        text = b"0".to_vec();
    }
    text
}

/// Writes a coordinate: a bulk string in RESP2, a double in RESP3.
fn reply_coordinate(reply: &mut Reply<'_>, value: f64) {
    let text = human_coordinate(value);
    if reply.is_resp3() {
        reply.raw(b",");
        reply.raw(&text);
        reply.raw(b"\r\n");
    } else {
        reply.bulk(&text);
    }
}

/// A distance with four decimals as Redis 7.0 prints it: not `printf`'s exact
/// decimal rounding but the double times 10^4, rounded half to even to an integer
/// (C's `llrint`, whose out-of-range result is `i64::MIN`), with the point put back.
/// So 16975092.76785, whose product rounds to …678.5, prints `16975092.7678` where
/// `%.4f` gives `…7679`. Zero of either sign is `0.0000`.
fn fixed4(value: f64) -> Vec<u8> {
    if value == 0.0 {
        return b"0.0000".to_vec();
    }
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let scaled = (value * 10_000.0).round_ties_even();
    let scaled = if (-TWO_63..TWO_63).contains(&scaled) {
        scaled as i64
    } else {
        i64::MIN
    };
    let magnitude = scaled.unsigned_abs();
    let sign = if scaled < 0 { "-" } else { "" };
    format!("{sign}{}.{:04}", magnitude / 10_000, magnitude % 10_000).into_bytes()
}

/// Writes a distance with four decimals, always as a bulk string.
fn reply_distance(reply: &mut Reply<'_>, metres_in_unit: f64) {
    reply.bulk(&fixed4(metres_in_unit));
}

// ---------------------------------------------------------------- argument parsing

/// The sorted set at `key` for reading, or WRONGTYPE.
fn read_zset<'a>(db: &'a mut Db, key: &[u8], now: i64) -> CmdResult<Option<&'a ZSetValue>> {
    Ok(typed::read::<ZSetValue>(db, key, now)?.map(|zset| &*zset))
}

/// A longitude and latitude within the limits, or Redis's error naming both.
fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> CmdResult<(f64, f64)> {
    let lon = args::float(lon)?;
    let lat = args::float(lat)?;
    let lon_ok = (geohash::LONG_MIN..=geohash::LONG_MAX).contains(&lon);
    let lat_ok = (geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat);
    if lon_ok && lat_ok {
        return Ok((lon, lat));
    }
    let mut text = b"ERR invalid longitude,latitude pair ".to_vec();
    text.extend(c_fixed(lon, 6));
    text.push(b',');
    text.extend(c_fixed(lat, 6));
    Err(CmdError::raw(text))
}

/// Metres per unit for `m`, `km`, `ft` or `mi` (any case).
fn parse_unit(arg: &[u8]) -> CmdResult<f64> {
    const UNITS: [(&str, f64); 4] = [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)];
    UNITS
        .iter()
        .find(|(name, _)| args::is_c_option(arg, name))
        .map(|&(_, metres)| metres)
        .ok_or_else(|| CmdError::raw(ERR_UNIT))
}

/// A non-negative size, with `what` naming it in the "need numeric" error.
fn parse_size(arg: &[u8], what: &str) -> CmdResult<f64> {
    args::float(arg).map_err(|_| CmdError::raw(format!("ERR need numeric {what}")))
}

/// `radius unit`: the radius and the metres per unit.
fn parse_radius(radius: &[u8], unit: &[u8]) -> CmdResult<(Extent, f64)> {
    let r = parse_size(radius, "radius")?;
    if r < 0.0 {
        return Err(CmdError::raw(ERR_NEGATIVE_RADIUS));
    }
    Ok((Extent::Radius(r), parse_unit(unit)?))
}

/// `width height unit`: the box and the metres per unit.
fn parse_box(width: &[u8], height: &[u8], unit: &[u8]) -> CmdResult<(Extent, f64)> {
    let width = parse_size(width, "width")?;
    let height = parse_size(height, "height")?;
    if width < 0.0 || height < 0.0 {
        return Err(CmdError::raw(ERR_NEGATIVE_BOX));
    }
    Ok((Extent::Box { width, height }, parse_unit(unit)?))
}

/// The decoded position of `member`, if the set has it.
fn member_position(z: &ZSetValue, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).map(geohash::decode_score)
}

// ---------------------------------------------------------------- GEOADD

/// `GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]`
///
/// Validates every position, then runs ZADD with the encoded scores, so replies,
/// errors and the `zadd` notification are ZADD's.
///
/// # Returns
/// The number of members added (or changed, with CH).
fn geoadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn geopos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn geohash(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn geodist(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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

// ---------------------------------------------------------------- searches

/// Which search command is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GEORADIUS / GEORADIUS_RO: centre and radius are positional.
    Radius,
    /// GEORADIUSBYMEMBER / GEORADIUSBYMEMBER_RO: centre member and radius positional.
    ByMember,
    /// GEOSEARCH: FROM... and BY... options.
    Search,
    /// GEOSEARCHSTORE: GEOSEARCH storing into its first key.
    SearchStore,
}

impl Kind {
    /// True for the GEOSEARCH commands.
    fn is_search(self) -> bool {
        matches!(self, Kind::Search | Kind::SearchStore)
    }
}

/// Sort order of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The order the scan found them in.
    Unsorted,
    /// Nearest first.
    Asc,
    /// Farthest first.
    Desc,
}

/// Everything a search command asked for.
struct Request<'a> {
    /// Centre, once known (absent when the source key is missing).
    center: Option<(f64, f64)>,
    /// Extent and metres per unit, once known.
    extent: Option<(Extent, f64)>,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    any: bool,
    order: Order,
    /// 0: no limit.
    count: i64,
    /// Destination of STORE / STOREDIST / GEOSEARCHSTORE.
    store: Option<&'a Bytes>,
    store_dist: bool,
}

/// One point found by a search.
struct Found {
    member: Vec<u8>,
    lon: f64,
    lat: f64,
    /// Metres until the reply divides by the unit.
    dist: f64,
    score: f64,
}

/// Parses the positional centre/extent of the GEORADIUS commands; returns the index
/// where options begin.
fn parse_positional<'a>(
    args: &'a [Bytes],
    kind: Kind,
    z: Option<&ZSetValue>,
    req: &mut Request<'a>,
) -> CmdResult<usize> {
    match kind {
        Kind::Radius => {
            req.center = Some(parse_lon_lat(&args[2], &args[3])?);
            req.extent = Some(parse_radius(&args[4], &args[5])?);
            Ok(6)
        }
        Kind::ByMember => {
            if let Some(z) = z {
                let center =
                    member_position(z, &args[2]).ok_or_else(|| CmdError::raw(ERR_MEMBER))?;
                req.center = Some(center);
                req.extent = Some(parse_radius(&args[3], &args[4])?);
            }
            Ok(5)
        }
        Kind::Search => Ok(2),
        Kind::SearchStore => {
            req.store = Some(&args[1]);
            Ok(3)
        }
    }
}

/// Parses the options from `base` on, in Redis's order and with its conditions (an
/// option without enough arguments after it, or not valid for this command, is a
/// syntax error).
fn parse_options<'a>(
    args: &'a [Bytes],
    base: usize,
    kind: Kind,
    store_allowed: bool,
    z: Option<&ZSetValue>,
    req: &mut Request<'a>,
) -> CmdResult<(bool, bool)> {
    let (mut from_member, mut from_lonlat) = (false, false);
    let (mut by_radius, mut by_box) = (false, false);
    let search = kind.is_search();
    let mut i = base;
    while i < args.len() {
        let arg = &args[i][..];
        let left = args.len() - i - 1;
        let is = |name: &str| args::is_c_option(arg, name);
        if is("withdist") {
            req.with_dist = true;
        } else if is("withhash") {
            req.with_hash = true;
        } else if is("withcoord") {
            req.with_coord = true;
        } else if is("any") {
            req.any = true;
        } else if is("asc") {
            req.order = Order::Asc;
        } else if is("desc") {
            req.order = Order::Desc;
        } else if is("count") && left >= 1 {
            req.count = args::int(&args[i + 1])?;
            if req.count <= 0 {
                return Err(CmdError::raw(ERR_COUNT));
            }
            i += 1;
        } else if (is("store") || is("storedist")) && left >= 1 && store_allowed && !search {
            req.store = Some(&args[i + 1]);
            req.store_dist = is("storedist");
            i += 1;
        } else if is("storedist") && kind == Kind::SearchStore {
            req.store_dist = true;
        } else if is("frommember") && left >= 1 && search && !from_lonlat {
            if let Some(z) = z {
                let center =
                    member_position(z, &args[i + 1]).ok_or_else(|| CmdError::raw(ERR_MEMBER))?;
                req.center = Some(center);
            }
            from_member = true;
            i += 1;
        } else if is("fromlonlat") && left >= 2 && search && !from_member {
            req.center = Some(parse_lon_lat(&args[i + 1], &args[i + 2])?);
            from_lonlat = true;
            i += 2;
        } else if is("byradius") && left >= 2 && search && !by_box {
            req.extent = Some(parse_radius(&args[i + 1], &args[i + 2])?);
            by_radius = true;
            i += 2;
        } else if is("bybox") && left >= 3 && search && !by_radius {
            req.extent = Some(parse_box(&args[i + 1], &args[i + 2], &args[i + 3])?);
            by_box = true;
            i += 3;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    Ok((from_member || from_lonlat, by_radius || by_box))
}

/// Parses a whole search command line against the source set `z` (if it exists).
fn parse_request<'a>(
    args: &'a [Bytes],
    kind: Kind,
    store_allowed: bool,
    z: Option<&ZSetValue>,
) -> CmdResult<Request<'a>> {
    let mut req = Request {
        center: None,
        extent: None,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        any: false,
        order: Order::Unsorted,
        count: 0,
        store: None,
        store_dist: false,
    };
    let base = parse_positional(args, kind, z, &mut req)?;
    let (has_from, has_by) = parse_options(args, base, kind, store_allowed, z, &mut req)?;
    if req.store.is_some() && (req.with_dist || req.with_hash || req.with_coord) {
        let text = if kind == Kind::SearchStore {
            ERR_SEARCHSTORE_WITH
        } else {
            ERR_STORE_WITH
        };
        return Err(CmdError::raw(text));
    }
    let name = &args[0][..];
    if kind.is_search() && !has_from {
        let text = b"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ";
        return Err(CmdError::raw([&text[..], name].concat()));
    }
    if kind.is_search() && !has_by {
        let text = b"ERR exactly one of BYRADIUS and BYBOX can be specified for ";
        return Err(CmdError::raw([&text[..], name].concat()));
    }
    if req.any && req.count == 0 {
        return Err(CmdError::raw(ERR_ANY));
    }
    Ok(req)
}

/// Appends the points of `cell` inside `shape`, in score order, stopping once `limit`
/// points (0: no limit) have been found.
fn scan_cell(
    z: &ZSetValue,
    cell: geohash::Cell,
    shape: &Shape,
    limit: usize,
    out: &mut Vec<Found>,
) {
    let (min, max) = cell.score_range();
    let (min, max) = (min as f64, max as f64);
    let start = z.count_before(|_, s| s < min);
    let end = z.count_before(|_, s| s < max);
    z.for_range(start, end, false, |member, score| {
        if limit != 0 && out.len() >= limit {
            return;
        }
        let (lon, lat) = geohash::decode_score(score);
        if let Some(dist) = shape.contains(lon, lat) {
            out.push(Found {
                member: member.to_vec(),
                lon,
                lat,
                dist,
                score,
            });
        }
    });
}

/// Every point of `z` inside `shape`, in scan order: the centre cell, then each
/// neighbour still in play, skipping one equal to the cell scanned just before it.
fn find_points(z: &ZSetValue, shape: &Shape, limit: usize) -> Vec<Found> {
    let cells = shape.search_cells();
    let mut out = Vec::new();
    let mut last = 0;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_none() || (last != 0 && *cell == cells[last]) {
            continue;
        }
        if limit != 0 && out.len() >= limit {
            break;
        }
        scan_cell(z, *cell, shape, limit, &mut out);
        last = i;
    }
    out
}

/// The search worker behind every search command (Redis's `georadiusGeneric`).
fn search_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind, store_allowed: bool) -> CmdResult {
    let src = if kind == Kind::SearchStore { 2 } else { 1 };
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let z = read_zset(db, &args[src], now)?;
    let req = parse_request(args, kind, store_allowed, z)?;
    let (Some(z), Some((lon, lat)), Some((extent, to_metres))) = (z, req.center, req.extent) else {
        return reply_missing_source(ctx, req.store);
    };
    let shape = Shape {
        lon,
        lat,
        extent,
        to_metres,
    };
    let limit = if req.any { req.count as usize } else { 0 };
    let mut found = find_points(z, &shape, limit);
    let order = match req.order {
        Order::Unsorted if req.count != 0 && !req.any => Order::Asc,
        other => other,
    };
    let keep = match usize::try_from(req.count) {
        Ok(count) if count > 0 && count < found.len() => count,
        _ => found.len(),
    };
    sort_found(&mut found, order, keep);
    found.truncate(keep);
    for f in &mut found {
        f.dist /= to_metres;
    }
    match req.store {
        Some(dst) => store_points(ctx, dst, found, req.store_dist, kind),
        None => {
            reply_points(&mut ctx.reply, &found, &req);
            Ok(())
        }
    }
}

/// Compares two points by distance for `order` (never called with [`Order::Unsorted`]).
fn by_distance(order: Order, a: &Found, b: &Found) -> Ordering {
    let ord = if a.dist == b.dist {
        Ordering::Equal
    } else if a.dist > b.dist {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    if order == Order::Desc {
        ord.reverse()
    } else {
        ord
    }
}

/// Sorts the points as Redis does, so that points at equal distances come out in the
/// same order: everything kept is sorted with the C library's stable merge sort, a
/// prefix with Redis's partial quicksort (which is not stable).
fn sort_found(found: &mut [Found], order: Order, keep: usize) {
    if order == Order::Unsorted || found.is_empty() {
        return;
    }
    let cmp = |a: &Found, b: &Found| by_distance(order, a, b);
    if keep == found.len() {
        found.sort_by(cmp);
    } else {
        partial_sort::sort_prefix(found, keep, &cmp);
    }
}

/// The reply when the source key does not exist: STORE deletes its destination and
/// answers 0, otherwise an empty array.
fn reply_missing_source(ctx: &mut Ctx<'_>, store: Option<&Bytes>) -> CmdResult {
    match store {
        Some(dst) => {
            delete_destination(ctx, dst);
            ctx.reply.int(0);
        }
        None => ctx.reply.array_len(0),
    }
    Ok(())
}

/// Deletes a STORE destination, firing `del` if it existed.
fn delete_destination(ctx: &mut Ctx<'_>, dst: &[u8]) {
    let now = ctx.now();
    if ctx.db().remove(dst, now).is_some() {
        ctx.notify(notify::GENERIC, "del", dst);
        ctx.server.dirty += 1;
    }
}

/// Writes the found points: bare members, or `[member, dist?, hash?, [lon, lat]?]`.
fn reply_points(reply: &mut Reply<'_>, found: &[Found], req: &Request<'_>) {
    let extras = [req.with_dist, req.with_hash, req.with_coord]
        .iter()
        .filter(|&&on| on)
        .count();
    reply.array_len(found.len());
    for f in found {
        if extras > 0 {
            reply.array_len(extras + 1);
        }
        reply.bulk(&f.member);
        if req.with_dist {
            reply_distance(reply, f.dist);
        }
        if req.with_hash {
            reply.int(f.score as i64);
        }
        if req.with_coord {
            reply.array_len(2);
            reply_coordinate(reply, f.lon);
            reply_coordinate(reply, f.lat);
        }
    }
}

/// Stores the found points at `dst` (scores are geohashes, or distances in the unit
/// with STOREDIST); an empty result deletes `dst`. Replies with the count.
fn store_points(
    ctx: &mut Ctx<'_>,
    dst: &Bytes,
    found: Vec<Found>,
    store_dist: bool,
    kind: Kind,
) -> CmdResult {
    let n = found.len();
    if n == 0 {
        delete_destination(ctx, dst);
        ctx.reply.int(0);
        return Ok(());
    }
    let lim = (
        ctx.server.config.zset_max_listpack_entries,
        ctx.server.config.zset_max_listpack_value,
    );
    let mut z = ZSetValue::new_skiplist();
    for f in &found {
        if z.score(&f.member).is_none() {
            let score = if store_dist { f.dist } else { f.score };
            z.insert(&f.member, score, usize::MAX, usize::MAX);
        }
    }
    z.shrink_if_fits(lim.0, lim.1);
    let now = ctx.now();
    ctx.db().set(dst, Value::ZSet(Box::new(z)), false, now);
    let event = if kind.is_search() {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    ctx.notify(notify::ZSET, event, dst);
    ctx.signal_ready(dst);
    ctx.server.dirty += n as u64;
    ctx.reply.int(n as i64);
    Ok(())
}

/// `GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST]
/// [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]`
///
/// # Returns
/// The members within the radius (with the asked extras), or with STORE the count.
fn georadius(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Radius, true)
}

/// `GEORADIUS_RO`: GEORADIUS without STORE / STOREDIST.
fn georadius_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Radius, false)
}

/// `GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
/// [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]`
///
/// # Returns
/// As GEORADIUS, centred on a member's position.
fn georadiusbymember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::ByMember, true)
}

/// `GEORADIUSBYMEMBER_RO`: GEORADIUSBYMEMBER without STORE / STOREDIST.
fn georadiusbymember_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::ByMember, false)
}

/// `GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude
/// BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]]
/// [WITHCOORD] [WITHDIST] [WITHHASH]`
///
/// # Returns
/// The members inside the circle or box (with the asked extras).
fn geosearch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Search, false)
}

/// `GEOSEARCHSTORE destination source FROM... BY... [ASC|DESC] [COUNT count [ANY]]
/// [STOREDIST]`
///
/// # Returns
/// The number of members stored at `destination`.
fn geosearchstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::SearchStore, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_formatting_rounds_like_printf() {
        assert_eq!(c_fixed(0.03125, 4), b"0.0312");
        assert_eq!(c_fixed(0.09375, 4), b"0.0938");
        assert_eq!(c_fixed(200.0, 6), b"200.000000");
        assert_eq!(c_fixed(-0.0, 6), b"-0.000000");
        assert_eq!(c_fixed(1e300, 0).len(), 301);
    }

    #[test]
    fn distances_round_the_scaled_value() {
        assert_eq!(fixed4(16975092.76785), b"16975092.7678");
        assert_eq!(fixed4(166274.15156960033), b"166274.1516");
        assert_eq!(fixed4(0.0123), b"0.0123");
        assert_eq!(fixed4(0.00001), b"0.0000");
        assert_eq!(fixed4(-0.0), b"0.0000");
        assert_eq!(fixed4(-1.5), b"-1.5000");
        assert_eq!(fixed4(f64::INFINITY), b"-922337203685477.5808");
    }

    #[test]
    fn human_coordinates() {
        assert_eq!(
            human_coordinate(13.361389338970184),
            b"13.36138933897018433"
        );
        assert_eq!(human_coordinate(180.0), b"180");
        assert_eq!(human_coordinate(-0.0), b"0");
        assert_eq!(human_coordinate(0.5), b"0.5");
    }

    #[test]
    fn units() {
        assert_eq!(parse_unit(b"KM").ok(), Some(1000.0));
        assert_eq!(parse_unit(b"mi").ok(), Some(1609.34));
        assert_eq!(parse_unit(b"m\0x").ok(), Some(1.0));
        assert!(parse_unit(b"mm").is_err());
    }

    #[test]
    fn coordinate_errors_name_the_pair() {
        let err = parse_lon_lat(b"200", b"100").err().map(|e| e.to_bytes());
        assert_eq!(
            err.as_deref(),
            Some(&b"ERR invalid longitude,latitude pair 200.000000,100.000000"[..])
        );
        assert_eq!(parse_lon_lat(b"x", b"1").err(), Some(CmdError::NotFloat));
        assert_eq!(
            parse_lon_lat(b"180", b"-85.05112878").ok(),
            Some((180.0, -85.05112878))
        );
    }
}
