//! The six search commands (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS[_RO],
//! GEORADIUSBYMEMBER[_RO]) share one worker, as Redis's `georadiusGeneric` serves them
//! all: parse (in Redis's order, so the same error wins), scan the covering cells, sort,
//! then reply or store.

use std::cmp::Ordering;

use bytes::Bytes;

use super::format::{reply_coordinate, reply_distance};
use super::parse::{member_position, parse_box, parse_lon_lat, parse_radius, read_zset};
use super::partial_sort;
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::value::Value;
use crate::store::zset::ZSetValue;
use crate::util::geohash::{self, Extent, Shape};

/// FROMMEMBER / GEORADIUSBYMEMBER naming a member the set lacks.
const ERR_MEMBER: &str = "ERR could not decode requested zset member";
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
    ctx.db().set(dst, Value::ZSet(z), false, now);
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
pub(super) fn georadius(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Radius, true)
}

/// `GEORADIUS_RO`: GEORADIUS without STORE / STOREDIST.
pub(super) fn georadius_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Radius, false)
}

/// `GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
/// [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]`
///
/// # Returns
/// As GEORADIUS, centred on a member's position.
pub(super) fn georadiusbymember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::ByMember, true)
}

/// `GEORADIUSBYMEMBER_RO`: GEORADIUSBYMEMBER without STORE / STOREDIST.
pub(super) fn georadiusbymember_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::ByMember, false)
}

/// `GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude
/// BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]]
/// [WITHCOORD] [WITHDIST] [WITHHASH]`
///
/// # Returns
/// The members inside the circle or box (with the asked extras).
pub(super) fn geosearch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::Search, false)
}

/// `GEOSEARCHSTORE destination source FROM... BY... [ASC|DESC] [COUNT count [ANY]]
/// [STOREDIST]`
///
/// # Returns
/// The number of members stored at `destination`.
pub(super) fn geosearchstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    search_generic(ctx, args, Kind::SearchStore, false)
}
