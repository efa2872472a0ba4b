//! Numbers printed as Redis prints them: distances with four decimals by scaling and
//! rounding to an integer (`fixed4`; always a bulk string, in RESP3 too), coordinates
//! with C's `%.17f` minus trailing zeros (a bulk string in RESP2, a double in RESP3).

use std::os::raw::c_int;

use crate::protocol::Reply;

/// `value` printed by the C library as `printf("%.<decimals>f")`, which rounds exactly
/// (ties to even) as Redis's replies do.
pub(super) fn c_fixed(value: f64, decimals: c_int) -> Vec<u8> {
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
pub(super) fn human_coordinate(value: f64) -> Vec<u8> {
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
pub(super) fn reply_coordinate(reply: &mut Reply<'_>, value: f64) {
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
pub(super) fn fixed4(value: f64) -> Vec<u8> {
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
pub(super) fn reply_distance(reply: &mut Reply<'_>, metres_in_unit: f64) {
    reply.bulk(&fixed4(metres_in_unit));
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
}
