//! Argument parsing the geo commands share: coordinates (out-of-range ones reported
//! with C's `%f`), units, radius and box sizes, and reading the sorted set behind a geo
//! index.

use super::format::c_fixed;
use crate::command::core::args;
use crate::command::core::typed;
use crate::error::{CmdError, CmdResult};
use crate::store::db::Db;
use crate::store::zset::ZSetValue;
use crate::util::geohash::{self, Extent};

/// A unit other than M, KM, FT, MI.
const ERR_UNIT: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
/// A negative radius.
const ERR_NEGATIVE_RADIUS: &str = "ERR radius cannot be negative";
/// A negative box side.
const ERR_NEGATIVE_BOX: &str = "ERR height or width cannot be negative";

/// The sorted set at `key` for reading, or WRONGTYPE.
pub(super) fn read_zset<'a>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> CmdResult<Option<&'a ZSetValue>> {
    Ok(typed::read::<ZSetValue>(db, key, now)?.map(|zset| &*zset))
}

/// A longitude and latitude within the limits, or Redis's error naming both.
pub(super) fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> CmdResult<(f64, f64)> {
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
pub(super) fn parse_unit(arg: &[u8]) -> CmdResult<f64> {
    const UNITS: [(&str, f64); 4] = [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)];
    UNITS
        .iter()
        .find(|(name, _)| args::is_c_option(arg, name))
        .map(|&(_, metres)| metres)
        .ok_or_else(|| CmdError::raw(ERR_UNIT))
}

/// A non-negative size, with `what` naming it in the "need numeric" error.
pub(super) fn parse_size(arg: &[u8], what: &str) -> CmdResult<f64> {
    args::float(arg).map_err(|_| CmdError::raw(format!("ERR need numeric {what}")))
}

/// `radius unit`: the radius and the metres per unit.
pub(super) fn parse_radius(radius: &[u8], unit: &[u8]) -> CmdResult<(Extent, f64)> {
    let r = parse_size(radius, "radius")?;
    if r < 0.0 {
        return Err(CmdError::raw(ERR_NEGATIVE_RADIUS));
    }
    Ok((Extent::Radius(r), parse_unit(unit)?))
}

/// `width height unit`: the box and the metres per unit.
pub(super) fn parse_box(width: &[u8], height: &[u8], unit: &[u8]) -> CmdResult<(Extent, f64)> {
    let width = parse_size(width, "width")?;
    let height = parse_size(height, "height")?;
    if width < 0.0 || height < 0.0 {
        return Err(CmdError::raw(ERR_NEGATIVE_BOX));
    }
    Ok((Extent::Box { width, height }, parse_unit(unit)?))
}

/// The decoded position of `member`, if the set has it.
pub(super) fn member_position(z: &ZSetValue, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).map(geohash::decode_score)
}

#[cfg(test)]
mod tests {
    use super::*;

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
