//! Seeded random command streams: generate, run on both servers in pipelined
//! batches, and on a mismatch shrink the stream to a short reproduction.

use super::compare::{self, Check, Stats};
use super::resp;
use super::servers::{Conn, Outcome, Pair, Side};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Commands per pipelined batch.
const BATCH: usize = 100;
/// Default number of commands per family (`DIFF_COUNT` overrides).
const DEFAULT_COUNT: usize = 20_000;
/// Upper bounds for shrinking: fresh-server runs and wall time.
const SHRINK_RUNS: usize = 250;
const SHRINK_TIME: Duration = Duration::from_secs(90);

/// One generated command and how its reply is compared.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub args: Vec<Vec<u8>>,
    pub check: Check,
}

impl Cmd {
    /// A command compared byte for byte.
    pub fn exact(args: Vec<Vec<u8>>) -> Cmd {
        Cmd {
            args,
            check: Check::Exact,
        }
    }
}

/// A family of commands: a name and a generator drawing one command at a time.
pub struct Family {
    pub name: &'static str,
    pub gen: fn(&mut Gen) -> Cmd,
}

/// Random source with helpers shared by all generators.
pub struct Gen {
    pub rng: StdRng,
}

impl Gen {
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    /// One element of `items`, as owned bytes.
    pub fn pick(&mut self, items: &[&[u8]]) -> Vec<u8> {
        items[self.rng.gen_range(0..items.len())].to_vec()
    }

    /// A uniformly random integer in `lo..=hi`, as decimal bytes.
    pub fn int_in(&mut self, lo: i64, hi: i64) -> Vec<u8> {
        self.rng.gen_range(lo..=hi).to_string().into_bytes()
    }

    /// A few random bytes, any value.
    pub fn binary(&mut self, max: usize) -> Vec<u8> {
        let len = self.rng.gen_range(0..=max);
        (0..len).map(|_| self.rng.gen()).collect()
    }
}

/// The seed: `DIFF_SEED` or a fresh random one.
pub fn seed() -> u64 {
    std::env::var("DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random)
}

/// The command count: `DIFF_COUNT` or the default.
pub fn count() -> usize {
    std::env::var("DIFF_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_COUNT)
}

/// Draws `count` commands, sometimes with one argument dropped or one junk argument
/// appended so arity and syntax errors of every command get exercised.
pub fn generate(family: &Family, seed: u64, count: usize) -> Vec<Cmd> {
    let mut gen = Gen {
        rng: StdRng::seed_from_u64(seed),
    };
    (0..count)
        .map(|_| {
            let mut cmd = (family.gen)(&mut gen);
            if gen.chance(0.03) && cmd.args.len() > 1 {
                cmd.args.pop();
            } else if gen.chance(0.02) {
                let junk = gen.pick(&[b"x", b"", b"0", b"\x00", b"foo bar"]);
                cmd.args.push(junk);
            }
            cmd
        })
        .collect()
}

/// The first disagreement of a stream.
pub struct Mismatch {
    pub index: usize,
    pub redis: Outcome,
    pub ours: Outcome,
}

/// Runs `cmds` on a fresh pair, stopping at the first mismatch.
pub fn run_stream(cmds: &[Cmd], stats: &mut Stats) -> Option<Mismatch> {
    let pair = Pair::start();
    let mut redis = Conn::open_or_dead(pair.get(Side::Redis).addr);
    let mut ours = Conn::open_or_dead(pair.get(Side::Ours).addr);
    for (b, batch) in cmds.chunks(BATCH).enumerate() {
        let r = run_batch(&mut redis, batch);
        let o = run_batch(&mut ours, batch);
        for (i, cmd) in batch.iter().enumerate() {
            stats.record(&cmd.args, cmd.check);
            if !compare::agree(cmd.check, &r[i], &o[i]) {
                let (redis, ours) = (r[i].clone(), o[i].clone());
                return Some(Mismatch {
                    index: b * BATCH + i,
                    redis,
                    ours,
                });
            }
        }
    }
    None
}

/// Pipelines a batch on one connection and reads one outcome per command.
fn run_batch(conn: &mut Conn, batch: &[Cmd]) -> Vec<Outcome> {
    let bytes: Vec<u8> = batch
        .iter()
        .flat_map(|c| resp::encode_command(&c.args))
        .collect();
    conn.send(&bytes);
    batch.iter().map(|_| conn.read_reply()).collect()
}

/// Runs a family with the configured seed and count; a mismatch is shrunk and
/// reported in `stats.mismatches`.
pub fn run_family(family: &Family, seed: u64, count: usize) -> Stats {
    println!(
        "random family '{}': seed {seed} (replay: DIFF_SEED={seed} DIFF_COUNT={count})",
        family.name
    );
    let cmds = generate(family, seed, count);
    let mut stats = Stats::default();
    if let Some(m) = run_stream(&cmds, &mut stats) {
        let header = format!(
            "random family '{}' seed {seed}: mismatch at command #{} of {count}",
            family.name, m.index
        );
        stats
            .mismatches
            .push(shrink_report(&header, &cmds[..=m.index], m));
    }
    stats
}

/// Shrinks a failing prefix and formats the reproduction.
fn shrink_report(header: &str, prefix: &[Cmd], original: Mismatch) -> String {
    let failing = |cmds: &[Cmd]| run_stream(cmds, &mut Stats::default());
    let (cmds, m, note) = match failing(prefix) {
        Some(m) => {
            let small = ddmin(prefix.to_vec(), &failing);
            match failing(&small) {
                Some(m) => (small[..=m.index].to_vec(), m, ""),
                None => (
                    prefix.to_vec(),
                    m,
                    " (shrinking was not stable: timing-dependent?)",
                ),
            }
        }
        None => (
            prefix.to_vec(),
            original,
            " (did NOT reproduce on fresh servers: timing-dependent?)",
        ),
    };
    let last = &cmds[m.index.min(cmds.len() - 1)];
    format!(
        "{header}\n    reproduction{note} ({} commands, corpus syntax):\n{}\n{}",
        cmds.len(),
        listing(&cmds),
        compare::report(
            "    last command",
            &last.args,
            last.check,
            &m.redis,
            &m.ours
        )
    )
}

/// The commands in corpus syntax, eliding the middle of very long listings.
fn listing(cmds: &[Cmd]) -> String {
    const HEAD: usize = 10;
    const TAIL: usize = 50;
    let line = |c: &Cmd| format!("      {}", resp::format_command(&c.args));
    if cmds.len() <= HEAD + TAIL {
        return cmds.iter().map(line).collect::<Vec<_>>().join("\n");
    }
    let head: Vec<String> = cmds[..HEAD].iter().map(line).collect();
    let tail: Vec<String> = cmds[cmds.len() - TAIL..].iter().map(line).collect();
    format!(
        "{}\n      ... {} commands omitted ...\n{}",
        head.join("\n"),
        cmds.len() - HEAD - TAIL,
        tail.join("\n")
    )
}

/// Delta debugging (Zeller's ddmin on complements): removes chunks of commands while
/// the stream still produces some mismatch, within the run and time budget.
fn ddmin(mut cmds: Vec<Cmd>, failing: &dyn Fn(&[Cmd]) -> Option<Mismatch>) -> Vec<Cmd> {
    let start = Instant::now();
    let mut runs = 0;
    let mut n = 2usize;
    while cmds.len() >= 2 && runs < SHRINK_RUNS && start.elapsed() < SHRINK_TIME {
        match failing_complement(&cmds, n, failing, &mut runs) {
            Some(smaller) => {
                cmds = smaller;
                n = (n - 1).max(2);
            }
            None if n >= cmds.len() => break,
            None => n = (n * 2).min(cmds.len()),
        }
    }
    cmds
}

/// Splits `cmds` into `n` chunks and returns the first complement (all but one chunk)
/// that still fails, cut just after its first mismatch.
fn failing_complement(
    cmds: &[Cmd],
    n: usize,
    failing: &dyn Fn(&[Cmd]) -> Option<Mismatch>,
    runs: &mut usize,
) -> Option<Vec<Cmd>> {
    let chunk = cmds.len().div_ceil(n);
    (0..n)
        .map(|i| (i * chunk, ((i + 1) * chunk).min(cmds.len())))
        .take_while(|(lo, hi)| lo < hi)
        .find_map(|(lo, hi)| {
            let candidate: Vec<Cmd> = cmds[..lo].iter().chain(&cmds[hi..]).cloned().collect();
            *runs += 1;
            failing(&candidate).map(|m| candidate[..=m.index].to_vec())
        })
}
