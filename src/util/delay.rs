//! The per-item pause behind Redis's `rdb-key-save-delay` and `key-load-delay` test
//! hooks, which make a snapshot slow on purpose so that tests can watch a save or a
//! load in progress.

use std::time::Duration;

/// Pauses after one item: `usec` microseconds when positive; when negative, one
/// microsecond once every `-usec` items (`count` is the running item count), which
/// averages to the fractional pause Redis's hook asks for. Zero does nothing.
pub fn per_item(usec: i32, count: u64) {
    let pause = match usec {
        0 => return,
        1.. => u64::from(usec.unsigned_abs()),
        _ if count.is_multiple_of(u64::from(usec.unsigned_abs())) => 1,
        _ => return,
    };
    std::thread::sleep(Duration::from_micros(pause));
}
