//! Ticks for timing commands: the processor's time-stamp counter where the kernel
//! itself trusts it, `CLOCK_MONOTONIC` in nanoseconds elsewhere.
//!
//! Every command is timed (commandstats, the slow log, latency tracking), so the clock
//! is read about once per command. Through the vDSO a `clock_gettime` costs about twice
//! an `rdtsc` on this kind of machine, and what the vDSO does with the counter (a
//! sequence lock, a scale, a shift) is not needed to measure a duration: the counter
//! is read raw and only the difference of two readings is turned into microseconds.
//!
//! The counter is used only when the kernel's current clocksource is `tsc`: the kernel
//! chose it after checking that it runs at a constant rate, does not stop in idle
//! states, and agrees between processors, so a command that starts on one core and
//! ends on another is timed right. Its rate is measured against `CLOCK_MONOTONIC`:
//! roughly at start-up, then over the whole time since, at every cron tick
//! ([`TickScale::recalibrate`]), so the error shrinks as the server runs.

use std::sync::OnceLock;

use crate::util::clock::monotonic_ns;

/// Fixed-point shift of [`TickScale`]'s microseconds per tick.
const SCALE_SHIFT: u32 = 32;
/// Readings of both clocks of which [`pair`] keeps the tightest.
const PAIR_TRIES: usize = 5;
/// How long the start-up measurement of the counter's rate lasts (ns).
const FIRST_MEASURE_NS: u64 = 200_000;

/// A reading of both clocks at once, the base every rate is measured from.
#[derive(Debug, Clone, Copy)]
struct Pair {
    ticks: u64,
    ns: u64,
}

/// Which clock ticks come from, decided once per process.
#[derive(Debug)]
struct Source {
    /// Ticks are time-stamp counter cycles (otherwise nanoseconds).
    counter: bool,
    /// Both clocks read when the source was chosen.
    base: Pair,
    /// Microseconds per tick measured at start-up, shifted by [`SCALE_SHIFT`].
    first_scale: u64,
}

static SOURCE: OnceLock<Source> = OnceLock::new();

/// The process's tick source, measuring the counter's rate the first time.
fn source() -> &'static Source {
    SOURCE.get_or_init(|| {
        let counter = counter_is_trusted();
        let base = pair(counter);
        let first_scale = if counter {
            loop {
                let now = pair(true);
                if now.ns >= base.ns + FIRST_MEASURE_NS {
                    break scale_between(base, now).unwrap_or(NS_SCALE);
                }
            }
        } else {
            NS_SCALE
        };
        Source {
            counter,
            base,
            first_scale,
        }
    })
}

/// Microseconds per nanosecond, shifted: the scale of the fallback.
const NS_SCALE: u64 = (1u64 << SCALE_SHIFT) / 1_000;

/// True when the kernel times itself with the time-stamp counter.
fn counter_is_trusted() -> bool {
    cfg!(target_arch = "x86_64")
        && std::fs::read_to_string(
            "/sys/devices/system/clocksource/clocksource0/current_clocksource",
        )
        .map(|name| name.trim() == "tsc")
        .unwrap_or(false)
}

/// One reading of the tick source.
#[inline]
fn read_ticks(counter: bool) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if counter {
        // SAFETY: `rdtsc` exists on every x86_64 processor and only reads a register.
        #[allow(unused_unsafe)]
        return unsafe { core::arch::x86_64::_rdtsc() };
    }
    let _ = counter;
    monotonic_ns()
}

/// Both clocks read together: the counter on either side of the monotonic clock,
/// averaged. Of a few tries the tightest is kept, so that a pair read across a
/// preemption (milliseconds between the two counter readings) cannot skew a rate.
fn pair(counter: bool) -> Pair {
    (0..PAIR_TRIES)
        .map(|_| {
            let before = read_ticks(counter);
            let ns = monotonic_ns();
            let after = read_ticks(counter);
            let spread = after.saturating_sub(before);
            (
                spread,
                Pair {
                    ticks: before + spread / 2,
                    ns,
                },
            )
        })
        .min_by_key(|&(spread, _)| spread)
        .map(|(_, pair)| pair)
        .unwrap_or(Pair { ticks: 0, ns: 0 })
}

/// Microseconds per tick between two pairs, shifted; `None` if no tick passed.
fn scale_between(from: Pair, to: Pair) -> Option<u64> {
    let ticks = to.ticks.checked_sub(from.ticks).filter(|&t| t > 0)?;
    let ns = to.ns.saturating_sub(from.ns);
    // Rounded up, so a whole number of ticks per microsecond converts exactly.
    let per = ticks as u128 * 1_000;
    let scale = ((ns as u128) << SCALE_SHIFT).div_ceil(per);
    u64::try_from(scale).ok().filter(|&s| s > 0)
}

/// Turns a difference of two [`TickScale::now`] readings into microseconds. Each
/// command clock holds its own copy and refines it ([`TickScale::recalibrate`]).
#[derive(Debug, Clone, Copy)]
pub struct TickScale {
    /// Ticks come from the counter.
    counter: bool,
    /// Microseconds per tick, shifted by [`SCALE_SHIFT`].
    scale: u64,
}

impl Default for TickScale {
    fn default() -> Self {
        let source = source();
        TickScale {
            counter: source.counter,
            scale: source.first_scale,
        }
    }
}

impl TickScale {
    /// A reading: only differences between two mean anything.
    #[inline]
    pub fn now(&self) -> u64 {
        read_ticks(self.counter)
    }

    /// Microseconds between two readings (0 if `end` reads earlier).
    #[inline]
    pub fn micros(&self, start: u64, end: u64) -> u64 {
        let ticks = end.saturating_sub(start) as u128;
        ((ticks * self.scale as u128) >> SCALE_SHIFT) as u64
    }

    /// Measures the counter's rate again over everything since the process chose
    /// it; cheap enough for every cron tick.
    pub fn recalibrate(&mut self) {
        let source = source();
        if !self.counter {
            return;
        }
        let now = pair(true);
        // A measurement over less than a second is no better than the first one.
        if now.ns.saturating_sub(source.base.ns) >= 1_000_000_000 {
            if let Some(scale) = scale_between(source.base, now) {
                self.scale = scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_measures_as_its_length() {
        let mut scale = TickScale::default();
        scale.recalibrate();
        let start = scale.now();
        let begun = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let real = begun.elapsed().as_micros() as u64;
        let measured = scale.micros(start, scale.now());
        // Within 5% of the real time (the start-up measurement lasted 200 µs).
        assert!(
            measured.abs_diff(real) * 20 <= real,
            "measured {measured} µs, slept {real} µs"
        );
    }

    #[test]
    fn readings_in_the_wrong_order_measure_nothing() {
        let scale = TickScale::default();
        let later = scale.now();
        assert_eq!(scale.micros(later + 1_000_000, later), 0);
    }

    #[test]
    fn the_scale_between_two_pairs_is_microseconds_per_tick() {
        // 3 GHz: 3,000 ticks per microsecond.
        let from = Pair { ticks: 0, ns: 0 };
        let to = Pair {
            ticks: 3_000_000_000,
            ns: 1_000_000_000,
        };
        let scale = scale_between(from, to).expect("ticks passed");
        let tick_clock = TickScale {
            counter: true,
            scale,
        };
        assert_eq!(tick_clock.micros(0, 3_000_000), 1_000);
        assert_eq!(tick_clock.micros(0, 2_999), 0);
        assert_eq!(scale_between(to, to), None);
    }
}
