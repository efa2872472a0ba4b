//! What every command leaves in the metrics: its call count, time and failures
//! (commandstats, latencystats), the slow log, latency spikes, and error counts; plus
//! the cron's sampling. The data types are in `metrics`; this is where the executor
//! feeds them.

use std::time::Duration;

use bytes::Bytes;

use crate::command::core::command::{full_name, CommandSpec, Ctx};
use crate::command::core::spec::flags;
use crate::command::core::state::ServerState;
use crate::command::metrics::stats::Histogram;

/// The key a spec's statistics are kept under: its address (specs are static).
fn spec_key(spec: &'static CommandSpec) -> usize {
    spec as *const CommandSpec as usize
}

/// An error reply is going out: counted once, in INFO stats (`total_error_replies`)
/// and errorstats. Every error reply the executor sends passes here.
pub fn count_error_reply(server: &mut ServerState, text: &[u8]) {
    server.stats.error_replies += 1;
    server.admin.count_error(text);
}

/// After a command ran: counts the call, its time and failure, records its latency,
/// and feeds the slow log and the latency monitor. A command that blocked is counted
/// when it is finally served.
#[inline]
pub fn after_call(
    ctx: &mut Ctx<'_>,
    spec: &'static CommandSpec,
    args: &[Bytes],
    usec: u64,
    failed: bool,
) {
    if ctx.session.blocked.is_some() {
        // Counted once the command completes, together with its later runs.
        ctx.session.blocked_us += usec;
        return;
    }
    let usec = usec + std::mem::take(&mut ctx.session.blocked_us);
    let config = &ctx.server.config;
    let (tracking, slower_than, monitor) = (
        config.latency_tracking,
        config.slowlog_log_slower_than,
        config.latency_monitor_threshold,
    );
    let admin = &mut ctx.server.admin;
    let stat = admin.entry(spec_key(spec), || full_name(args, spec));
    stat.calls += 1;
    stat.usec += usec;
    stat.failed += u64::from(failed);
    if tracking {
        stat.histogram
            .get_or_insert_with(Histogram::default)
            .record(usec * 1000);
    }
    if slower_than >= 0 && usec >= slower_than as u64 && !spec.has(flags::SKIP_SLOWLOG) {
        let now = ctx.server.now_ms / 1000;
        let max_len = ctx.server.config.slowlog_max_len;
        admin
            .slowlog
            .push(args, usec, now, ctx.session, max_len as usize);
    }
    if monitor > 0 && usec / 1000 >= monitor {
        let event = if spec.has(flags::FAST) {
            "fast-command"
        } else {
            "command"
        };
        admin
            .latency
            .add(event, usec / 1000, ctx.server.now_ms / 1000);
    }
}

/// A blocked command whose timeout passed (or CLIENT UNBLOCK ended): one call, whose
/// time is what its runs before blocking took (`spent_us`), and a failed one when
/// `failed` (CLIENT UNBLOCK, as Redis counts it).
pub fn timed_out(
    server: &mut ServerState,
    spec: &'static CommandSpec,
    args: &[Bytes],
    spent_us: u64,
    failed: bool,
) {
    let tracking = server.config.latency_tracking;
    let stat = server.admin.entry(spec_key(spec), || full_name(args, spec));
    stat.calls += 1;
    stat.usec += spent_us;
    stat.failed += u64::from(failed);
    if tracking {
        stat.histogram
            .get_or_insert_with(Histogram::default)
            .record(0);
    }
}

/// A command refused before it ran with error `text`: the error is counted, and so is a
/// rejected call of `spec` when the command itself was known.
pub fn rejected(
    ctx: &mut Ctx<'_>,
    spec: Option<&'static CommandSpec>,
    args: &[Bytes],
    text: &[u8],
) {
    count_error_reply(ctx.server, text);
    if let Some(spec) = spec {
        ctx.server
            .admin
            .entry(spec_key(spec), || full_name(args, spec))
            .rejected += 1;
    }
}

/// Cron: records a slow active expire cycle as an `expire-cycle` latency spike (and
/// counts cycles that hit their time limit), and samples the instantaneous metrics.
pub fn cron(server: &mut ServerState, expire_cycle: Duration, hit_time_limit: bool) {
    let now = server.now_ms;
    let threshold = server.config.latency_monitor_threshold;
    let admin = &mut server.admin;
    let ms = expire_cycle.as_millis() as u64;
    admin.expire_cycle_us += expire_cycle.as_micros() as u64;
    admin.expire_time_cap_reached += u64::from(hit_time_limit);
    admin
        .latency
        .add_if_needed("expire-cycle", ms, threshold, now / 1000);
    let stats = &server.stats;
    admin.sample(
        stats.commands_processed,
        stats.net_input_bytes,
        stats.net_output_bytes,
        now,
    );
}
