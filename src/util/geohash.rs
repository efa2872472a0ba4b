//! Geohash arithmetic for the GEO commands, bit for bit as Redis 7.0 does it.
//!
//! A position is stored as a sorted-set score: the longitude and latitude are each cut
//! into 2^26 cells over the Web-Mercator limits (longitude ±180, latitude
//! ±85.05112878), and the two 26-bit cell numbers are interleaved into a 52-bit integer
//! (latitude on the even bits, longitude on the odd ones). Cells of a coarser `step`
//! (bits per axis) are prefixes of that integer, so everything inside one cell is one
//! contiguous score range.
//!
//! A search turns its shape (a circle or an axis-aligned box, in metres) into a centre
//! cell plus its eight neighbours at a step chosen from the radius, drops neighbours
//! the shape cannot reach, and the caller scans each cell's score range keeping the
//! points the exact distance test accepts. Replies list points in the order that scan
//! finds them, so the cell choice, the neighbour order and every floating-point
//! operation here follow Redis exactly: a different but "equally valid" covering would
//! change reply order, and a different rounding would change which borderline points
//! are in.
//!
//! Distances are great-circle (haversine) distances on a sphere of radius
//! [`EARTH_RADIUS_M`].

/// Smallest longitude a position may have.
pub const LONG_MIN: f64 = -180.0;
/// Largest longitude a position may have.
pub const LONG_MAX: f64 = 180.0;
/// Smallest latitude (the Web-Mercator limit).
pub const LAT_MIN: f64 = -85.05112878;
/// Largest latitude (the Web-Mercator limit).
pub const LAT_MAX: f64 = 85.05112878;
/// Bits per axis of a stored position (52-bit scores).
pub const STEP_MAX: u8 = 26;
/// The sphere radius distances are measured on, in metres.
pub const EARTH_RADIUS_M: f64 = 6372797.560856;
/// Half the Web-Mercator world width in metres: the radius at which step 1 suffices.
const MERCATOR_MAX: f64 = 20037726.37;
/// Degrees to radians.
const DEG_TO_RAD: f64 = std::f64::consts::PI / 180.0;

/// A cell: `step` bits per axis, interleaved in the low `2 * step` bits of `bits`.
/// `step == 0` with `bits == 0` is "no cell" (a neighbour the search dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Interleaved cell number.
    pub bits: u64,
    /// Bits per axis.
    pub step: u8,
}

impl Cell {
    /// The dropped-neighbour marker.
    pub const NONE: Cell = Cell { bits: 0, step: 0 };

    /// True for [`Cell::NONE`].
    pub fn is_none(&self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The score range `[min, max)` holding every stored position inside this cell.
    pub fn score_range(&self) -> (u64, u64) {
        let shift = 52u32.wrapping_sub(u32::from(self.step) * 2) & 63;
        (
            self.bits.wrapping_shl(shift),
            self.bits.wrapping_add(1).wrapping_shl(shift),
        )
    }
}

/// A closed interval of degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
}

/// The longitude and latitude intervals a cell covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellArea {
    /// Longitude interval.
    pub lon: Span,
    /// Latitude interval.
    pub lat: Span,
}

/// The coordinate box stored positions are encoded over.
const WGS84_LON: Span = Span {
    min: LONG_MIN,
    max: LONG_MAX,
};
/// See [`WGS84_LON`].
const WGS84_LAT: Span = Span {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// Spreads the 32 bits of `v` onto the even bit positions of a u64.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bits of `x` into a u32 (the inverse of [`spread`]).
fn gather(x: u64) -> u32 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0x0000_0000_FFFF_FFFF) as u32
}

/// Interleaves a latitude cell number (even bits) with a longitude one (odd bits).
pub fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// Splits interleaved bits into (latitude, longitude) cell numbers.
pub fn deinterleave(bits: u64) -> (u32, u32) {
    (gather(bits), gather(bits >> 1))
}

/// The cell of `step` bits per axis holding (lon, lat) within the ranges, or `None`
/// when the point is outside them or the Web-Mercator limits.
fn encode_in(lon_span: Span, lat_span: Span, lon: f64, lat: f64, step: u8) -> Option<Cell> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if !(lat_span.min..=lat_span.max).contains(&lat)
        || !(lon_span.min..=lon_span.max).contains(&lon)
    {
        return None;
    }
    let cells = (1u64 << step) as f64;
    let lat_fraction = (lat - lat_span.min) / (lat_span.max - lat_span.min);
    let lon_fraction = (lon - lon_span.min) / (lon_span.max - lon_span.min);
    // Truncating casts, as C's double → uint32_t conversion (the values fit).
    let lat_cell = (lat_fraction * cells) as u32;
    let lon_cell = (lon_fraction * cells) as u32;
    Some(Cell {
        bits: interleave(lat_cell, lon_cell),
        step,
    })
}

/// The Web-Mercator cell of `step` bits per axis holding (lon, lat).
pub fn encode(lon: f64, lat: f64, step: u8) -> Option<Cell> {
    encode_in(WGS84_LON, WGS84_LAT, lon, lat, step)
}

/// The score GEOADD stores for (lon, lat), which must be within the limits.
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    encode(lon, lat, STEP_MAX).map(|c| c.score_range().0)
}

/// The intervals a cell covers within the given ranges. Cell numbers are taken as C's
/// `uint32_t` arithmetic takes them (the upper edge of the last cell wraps to 0).
fn decode_in(lon_span: Span, lat_span: Span, cell: Cell) -> CellArea {
    let (lat_cell, lon_cell) = deinterleave(cell.bits);
    let cells = (1u64 << (cell.step & 63)) as f64;
    let edge = |span: Span, n: u32| span.min + (f64::from(n) / cells) * (span.max - span.min);
    CellArea {
        lat: Span {
            min: edge(lat_span, lat_cell),
            max: edge(lat_span, lat_cell.wrapping_add(1)),
        },
        lon: Span {
            min: edge(lon_span, lon_cell),
            max: edge(lon_span, lon_cell.wrapping_add(1)),
        },
    }
}

/// The Web-Mercator intervals a cell covers.
pub fn decode(cell: Cell) -> CellArea {
    decode_in(WGS84_LON, WGS84_LAT, cell)
}

/// C's `(uint64_t)` conversion of a double as x86-64 code performs it: truncation
/// toward zero, two's complement for negatives, and the "integer indefinite" value for
/// anything out of range. Plain sorted sets may hold any score, and GEOPOS on them must
/// answer as Redis does.
pub fn c_double_to_u64(d: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const INDEFINITE: u64 = 1 << 63;
    let to_i64 = |v: f64| {
        if (-TWO_63..TWO_63).contains(&v) {
            v as i64 as u64
        } else {
            INDEFINITE
        }
    };
    if d >= TWO_63 {
        to_i64(d - TWO_63) ^ INDEFINITE
    } else {
        to_i64(d)
    }
}

/// The (longitude, latitude) a stored score stands for: the centre of its cell,
/// clamped to the limits.
pub fn decode_score(score: f64) -> (f64, f64) {
    let area = decode(Cell {
        bits: c_double_to_u64(score),
        step: STEP_MAX,
    });
    let lon = ((area.lon.min + area.lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((area.lat.min + area.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// The 11-character standard geohash (latitude over ±90) of a position; the last
/// character stands for bits that are not stored and is always `0`.
pub fn geohash_string(lon: f64, lat: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let standard_lat = Span {
        min: -90.0,
        max: 90.0,
    };
    let bits = encode_in(WGS84_LON, standard_lat, lon, lat, STEP_MAX).map_or(0, |c| c.bits);
    let mut out = [b'0'; 11];
    for (i, ch) in out.iter_mut().enumerate().take(10) {
        let shift = 52 - (i + 1) * 5;
        *ch = ALPHABET[((bits >> shift) & 0x1f) as usize];
    }
    out
}

/// Moves a cell one step along the longitude axis (odd bits), wrapping around the
/// antimeridian.
fn move_lon(cell: &mut Cell, east: bool) {
    let width = 64 - u32::from(cell.step) * 2;
    let lon = cell.bits & 0xAAAA_AAAA_AAAA_AAAA;
    let lat = cell.bits & 0x5555_5555_5555_5555;
    let fill = 0x5555_5555_5555_5555u64.checked_shr(width).unwrap_or(0);
    let moved = if east {
        lon.wrapping_add(fill.wrapping_add(1))
    } else {
        (lon | fill).wrapping_sub(fill.wrapping_add(1))
    };
    let mask = 0xAAAA_AAAA_AAAA_AAAAu64.checked_shr(width).unwrap_or(0);
    cell.bits = (moved & mask) | lat;
}

/// Moves a cell one step along the latitude axis (even bits), wrapping at the poles.
fn move_lat(cell: &mut Cell, north: bool) {
    let width = 64 - u32::from(cell.step) * 2;
    let lon = cell.bits & 0xAAAA_AAAA_AAAA_AAAA;
    let lat = cell.bits & 0x5555_5555_5555_5555;
    let fill = 0xAAAA_AAAA_AAAA_AAAAu64.checked_shr(width).unwrap_or(0);
    let moved = if north {
        lat.wrapping_add(fill.wrapping_add(1))
    } else {
        (lat | fill).wrapping_sub(fill.wrapping_add(1))
    };
    let mask = 0x5555_5555_5555_5555u64.checked_shr(width).unwrap_or(0);
    cell.bits = (moved & mask) | lon;
}

/// The neighbour of `cell` at offset (`dlon`, `dlat`), each -1, 0 or 1.
fn neighbour(cell: Cell, dlon: i8, dlat: i8) -> Cell {
    let mut n = cell;
    if dlon != 0 {
        move_lon(&mut n, dlon > 0);
    }
    if dlat != 0 {
        move_lat(&mut n, dlat > 0);
    }
    n
}

/// Index of each neighbour in a search's cell list (the centre is 0).
mod at {
    pub const NORTH: usize = 1;
    pub const SOUTH: usize = 2;
    pub const EAST: usize = 3;
    pub const WEST: usize = 4;
    pub const NORTH_EAST: usize = 5;
    pub const NORTH_WEST: usize = 6;
    pub const SOUTH_EAST: usize = 7;
    pub const SOUTH_WEST: usize = 8;
}

/// The centre cell followed by its neighbours N, S, E, W, NE, NW, SE, SW: the order a
/// search visits them in.
fn with_neighbours(center: Cell) -> [Cell; 9] {
    [
        center,
        neighbour(center, 0, 1),
        neighbour(center, 0, -1),
        neighbour(center, 1, 0),
        neighbour(center, -1, 0),
        neighbour(center, 1, 1),
        neighbour(center, -1, 1),
        neighbour(center, 1, -1),
        neighbour(center, -1, -1),
    ]
}

/// Degrees to radians.
fn to_rad(deg: f64) -> f64 {
    deg * DEG_TO_RAD
}

/// Radians to degrees.
fn to_deg(rad: f64) -> f64 {
    rad / DEG_TO_RAD
}

/// Distance in metres between two latitudes on one meridian.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (to_rad(lat2) - to_rad(lat1)).abs()
}

/// Great-circle distance in metres between (lon1, lat1) and (lon2, lat2).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let half_dlon = ((to_rad(lon2) - to_rad(lon1)) / 2.0).sin();
    if half_dlon == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1, lat2) = (to_rad(lat1), to_rad(lat2));
    let half_dlat = ((lat2 - lat1) / 2.0).sin();
    let a = half_dlat * half_dlat + lat1.cos() * lat2.cos() * half_dlon * half_dlon;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// What a search covers, in the units the user gave (`to_metres` converts them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extent {
    /// A circle of this radius.
    Radius(f64),
    /// An axis-aligned box of this width (east-west) and height (north-south).
    Box {
        /// East-west size.
        width: f64,
        /// North-south size.
        height: f64,
    },
}

/// A search shape: its centre, extent and unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// The extent, in user units.
    pub extent: Extent,
    /// Metres per user unit.
    pub to_metres: f64,
}

impl Shape {
    /// (min lon, min lat, max lon, max lat) around the shape; the longitude half-width
    /// is taken at the latitude edge nearer the pole, where meridians are closer.
    fn bounds(&self) -> [f64; 4] {
        let (half_w, half_h) = match self.extent {
            Extent::Radius(r) => (r, r),
            Extent::Box { width, height } => (width / 2.0, height / 2.0),
        };
        let (w, h) = (self.to_metres * half_w, self.to_metres * half_h);
        let dlat = to_deg(h / EARTH_RADIUS_M);
        let dlon_top = to_deg(w / EARTH_RADIUS_M / to_rad(self.lat + dlat).cos());
        let dlon_bottom = to_deg(w / EARTH_RADIUS_M / to_rad(self.lat - dlat).cos());
        let dlon = if self.lat < 0.0 {
            dlon_bottom
        } else {
            dlon_top
        };
        [
            self.lon - dlon,
            self.lat - dlat,
            self.lon + dlon,
            self.lat + dlat,
        ]
    }

    /// The distance from the centre to the farthest point of the shape, in metres.
    fn reach_metres(&self) -> f64 {
        let reach = match self.extent {
            Extent::Radius(r) => r,
            Extent::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        reach * self.to_metres
    }

    /// The distance in metres from the centre to (lon, lat) when the point is inside
    /// the shape.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.extent {
            Extent::Radius(r) => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= r * self.to_metres).then_some(d)
            }
            Extent::Box { width, height } => {
                let (w, h) = (width * self.to_metres, height * self.to_metres);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// The cells to scan, in scan order: the centre, then N, S, E, W, NE, NW, SE, SW,
    /// with [`Cell::NONE`] for neighbours the shape cannot reach.
    pub fn search_cells(&self) -> [Cell; 9] {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounds();
        let mut step = estimate_step(self.reach_metres(), self.lat);
        let mut cells = self.cells_at(step);
        let too_coarse = decode(cells[at::NORTH]).lat.max < max_lat
            || decode(cells[at::SOUTH]).lat.min > min_lat
            || decode(cells[at::EAST]).lon.max < max_lon
            || decode(cells[at::WEST]).lon.min > min_lon;
        if step > 1 && too_coarse {
            step -= 1;
            cells = self.cells_at(step);
        }
        if step >= 2 {
            let area = decode(cells[0]);
            let mut drop = |which: [usize; 3]| which.iter().for_each(|&i| cells[i] = Cell::NONE);
            if area.lat.min < min_lat {
                drop([at::SOUTH, at::SOUTH_WEST, at::SOUTH_EAST]);
            }
            if area.lat.max > max_lat {
                drop([at::NORTH, at::NORTH_EAST, at::NORTH_WEST]);
            }
            if area.lon.min < min_lon {
                drop([at::WEST, at::SOUTH_WEST, at::NORTH_WEST]);
            }
            if area.lon.max > max_lon {
                drop([at::EAST, at::SOUTH_EAST, at::NORTH_EAST]);
            }
        }
        cells
    }

    /// The centre cell at `step` and its eight neighbours.
    fn cells_at(&self, step: u8) -> [Cell; 9] {
        let center = encode(self.lon, self.lat, step).unwrap_or(Cell { bits: 0, step });
        with_neighbours(center)
    }
}

/// Bits per axis for cells big enough that the centre cell and its neighbours cover a
/// search reaching `metres` from a centre at latitude `lat` (coarser near the poles).
pub fn estimate_step(metres: f64, lat: f64) -> u8 {
    if metres == 0.0 {
        return STEP_MAX;
    }
    let mut step: i32 = 1;
    let mut m = metres;
    while m < MERCATOR_MAX {
        m *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trips() {
        for (lat, lon) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (0x3ff_ffff, 0x155_5555),
            (u32::MAX, 7),
        ] {
            assert_eq!(deinterleave(interleave(lat, lon)), (lat, lon));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    #[test]
    fn scores_match_redis() {
        // Values read from Redis 7.0 (GEOADD then ZSCORE).
        assert_eq!(score_of(13.361389, 38.115556), Some(3479099956230698));
        assert_eq!(score_of(15.087269, 37.502669), Some(3479447370796909));
        // The upper limits overflow into bits 52 and 53, as in Redis.
        assert_eq!(score_of(180.0, LAT_MAX), Some(13510798882111488));
        assert_eq!(score_of(180.1, 0.0), None);
        assert_eq!(score_of(0.0, -85.06), None);
    }

    #[test]
    fn decoding_gives_cell_centres() {
        let (lon, lat) = decode_score(3479099956230698.0);
        assert_eq!(format!("{lon:.17}"), "13.36138933897018433");
        assert_eq!(format!("{lat:.17}"), "38.11555639549629859");
        assert_eq!(decode_score(13510798882111488.0), (180.0, LAT_MAX));
    }

    #[test]
    fn c_conversion_of_odd_scores() {
        assert_eq!(c_double_to_u64(-1.0), u64::MAX);
        assert_eq!(c_double_to_u64(1e300), 0);
        assert_eq!(c_double_to_u64(-1e300), 1 << 63);
        assert_eq!(c_double_to_u64(f64::INFINITY), 0);
        assert_eq!(c_double_to_u64(1.5), 1);
        assert_eq!(c_double_to_u64(9_223_372_036_854_775_808.0), 1 << 63);
    }

    #[test]
    fn geohash_strings_match_redis() {
        let (lon, lat) = decode_score(3479099956230698.0);
        assert_eq!(&geohash_string(lon, lat), b"sqc8b49rny0");
        let (lon, lat) = decode_score(3479447370796909.0);
        assert_eq!(&geohash_string(lon, lat), b"sqdtr74hyu0");
    }

    #[test]
    fn distances() {
        let d = distance(13.361389, 38.115556, 15.087269, 37.502669);
        assert!((d - 166274.15).abs() < 1.0, "{d}");
        assert_eq!(distance(1.0, 2.0, 1.0, 2.0), 0.0);
        assert_eq!(distance(10.0, 0.0, 10.0, 1.0), lat_distance(0.0, 1.0));
    }

    #[test]
    fn neighbours_wrap_around_the_antimeridian() {
        let west_edge = encode(-179.99, 0.0, 4).expect("in range");
        let west = neighbour(west_edge, -1, 0);
        assert!(decode(west).lon.max > 179.0);
        let east = neighbour(west, 1, 0);
        assert_eq!(east, west_edge);
        let north = neighbour(west_edge, 0, 1);
        assert_eq!(neighbour(north, 0, -1), west_edge);
    }

    #[test]
    fn steps_by_radius() {
        assert_eq!(estimate_step(0.0, 0.0), STEP_MAX);
        assert_eq!(estimate_step(1e9, 0.0), 1);
        assert!(estimate_step(1000.0, 0.0) > estimate_step(1000.0, 70.0));
        assert!(estimate_step(1000.0, 70.0) > estimate_step(1000.0, 81.0));
        assert!(estimate_step(1e-30, 0.0) == STEP_MAX);
    }

    #[test]
    fn search_cells_cover_the_centre() {
        let shape = Shape {
            lon: 15.0,
            lat: 37.0,
            extent: Extent::Radius(200.0),
            to_metres: 1000.0,
        };
        let cells = shape.search_cells();
        let (lo, hi) = cells[0].score_range();
        let s = score_of(15.0, 37.0).expect("in range");
        assert!(lo <= s && s < hi);
        assert!(shape.contains(15.087269, 37.502669).is_some());
        assert!(shape.contains(30.0, 37.0).is_none());
    }
}
