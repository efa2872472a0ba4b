//! Raw protocol cases: bytes written as they are (possibly in several chunks with a
//! pause between), then everything the server sends until it closes or goes quiet.
//! Compared: the exact bytes received and whether the server closed the connection.
//! Cases run in parallel on one pair, so each case uses its own key names.

use super::compare::Stats;
use super::resp;
use super::servers::{Conn, Pair, Server};
use std::time::Duration;

/// How long the server must stay silent before we stop reading.
const IDLE: Duration = Duration::from_millis(400);
/// Pause between chunks of a split case.
const CHUNK_PAUSE: Duration = Duration::from_millis(30);

/// One case: a name and the chunks to write.
struct Case {
    name: &'static str,
    chunks: Vec<Vec<u8>>,
}

fn case(name: &'static str, chunks: &[&[u8]]) -> Case {
    Case {
        name,
        chunks: chunks.iter().map(|c| c.to_vec()).collect(),
    }
}

fn big(prefix: &[u8], fill: u8, n: usize, suffix: &[u8]) -> Vec<u8> {
    [prefix, &vec![fill; n], suffix].concat()
}

/// Every raw case.
fn cases() -> Vec<Case> {
    let mut all = vec![
        case("inline ping", &[b"PING\r\n"]),
        case("inline LF only", &[b"PING\n"]),
        case("inline leading/trailing spaces", &[b"   PING   \r\n"]),
        case("inline blank lines", &[b"\r\n\r\n\n PING\r\n"]),
        case(
            "inline quotes",
            &[b"SET \"inl a\" 'b c'\r\nGET \"inl a\"\r\nDEL \"inl a\"\r\n"],
        ),
        case(
            "inline escapes",
            &[b"ECHO \"a\\x41\\n\\t\\\\\\\"\"\r\nECHO 'x\\'y'\r\nECHO \"\\x4\"\r\n"],
        ),
        case(
            "inline unbalanced double quote",
            &[b"ECHO \"abc\r\nPING\r\n"],
        ),
        case(
            "inline unbalanced single quote",
            &[b"ECHO 'abc\r\nPING\r\n"],
        ),
        case("inline quote then letter", &[b"ECHO \"a\"b\r\nPING\r\n"]),
        case("inline NUL byte", &[b"PI\x00NG\r\n"]),
        case("inline unknown command", &[b"NOSUCH a b\r\n"]),
        case("inline wrong arity", &[b"GET\r\n"]),
        case("inline split", &[b"PI", b"NG\r", b"\nECHO x\r\n"]),
        case(
            "pipeline multibulk",
            &[b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$4\r\nPING\r\n"],
        ),
        case(
            "pipeline mixed inline",
            &[b"*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nz\r\n"],
        ),
        case(
            "split multibulk",
            &[b"*2\r\n$4\r\nEC", b"HO\r\n$3\r\nf", b"oo", b"\r\n"],
        ),
        case(
            "split inside length",
            &[
                b"*",
                b"2\r",
                b"\n$",
                b"4\r\nECHO\r\n$1",
                b"0\r\n0123456789\r\n",
            ],
        ),
        case("empty multibulk", &[b"*0\r\n*1\r\n$4\r\nPING\r\n"]),
        case(
            "negative multibulk",
            &[b"*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n"],
        ),
        case("empty command name", &[b"*1\r\n$0\r\n\r\n"]),
        case("null bulk in multibulk", &[b"*1\r\n$-1\r\nPING\r\n"]),
        case("expected $ got :", &[b"*1\r\n:5\r\nPING\r\n"]),
        case("expected $ got +", &[b"*2\r\n$4\r\nECHO\r\n+x\r\n"]),
        case("bad multibulk length", &[b"*abc\r\nPING\r\n"]),
        case("multibulk plus sign", &[b"*+1\r\n$4\r\nPING\r\n"]),
        case("multibulk over INT_MAX", &[b"*2147483648\r\n"]),
        case(
            "multibulk 2e9 (waits)",
            &[b"*2000000000\r\n", b"$4\r\nPING\r\n"],
        ),
        case("bad bulk length", &[b"*1\r\n$abc\r\nPING\r\n"]),
        case("bulk length leading zero", &[b"*1\r\n$04\r\nPING\r\n"]),
        case("bulk length space", &[b"*1\r\n$ 4\r\nPING\r\n"]),
        case("bulk length negative", &[b"*1\r\n$-2\r\n"]),
        case("bulk 600MB", &[b"*1\r\n$600000000\r\n"]),
        case("bulk 512MB+1", &[b"*1\r\n$536870913\r\n"]),
        case("bulk 512MB exactly (waits)", &[b"*1\r\n$536870912\r\n"]),
        case(
            "bulk not followed by CRLF",
            &[b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"],
        ),
        case(
            "incomplete command waits",
            &[b"*3\r\n$3\r\nSET\r\n$5\r\nproto\r\n"],
        ),
        case("unknown type byte", &[b"?foo\r\n"]),
        case("bulk as first byte", &[b"$4\r\nPING\r\n"]),
        case("colon as first byte", &[b":1\r\n"]),
        case(
            "error after good command",
            &[b"*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n"],
        ),
        case("quit", &[b"*1\r\n$4\r\nQUIT\r\nPING\r\n"]),
        case("quit inline", &[b"QUIT\r\n"]),
        case("lowercase command", &[b"*2\r\n$4\r\necho\r\n$2\r\nok\r\n"]),
        case(
            "binary argument",
            &[b"*2\r\n$4\r\nECHO\r\n$4\r\n\x00\r\n\xff\r\n"],
        ),
    ];
    all.push(Case {
        name: "inline over 64KB",
        chunks: vec![big(b"", b'a', 70_000, b"")],
    });
    all.push(Case {
        name: "multibulk count line over 64KB",
        chunks: vec![big(b"*", b'1', 70_000, b"")],
    });
    all.push(Case {
        name: "bulk length line over 64KB",
        chunks: vec![big(b"*1\r\n$", b'1', 70_000, b"")],
    });
    all.push(Case {
        name: "long inline argument",
        chunks: vec![big(b"ECHO ", b'z', 60_000, b"\r\n")],
    });
    all.push(Case {
        name: "1000 pipelined PINGs",
        chunks: vec![b"*1\r\n$4\r\nPING\r\n".repeat(1000)],
    });
    all.push(Case {
        name: "byte by byte",
        chunks: b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n"
            .iter()
            .map(|&b| vec![b])
            .collect(),
    });
    all
}

/// Writes a case to a fresh connection; returns (bytes received, closed by server).
fn play(server: &Server, case: &Case) -> (Vec<u8>, bool) {
    let Some(mut conn) = Conn::open(server.addr) else {
        return (b"<connect failed>".to_vec(), true);
    };
    for (i, chunk) in case.chunks.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(CHUNK_PAUSE);
        }
        conn.send(chunk);
    }
    conn.read_all(IDLE)
}

fn show(out: &(Vec<u8>, bool)) -> String {
    let text = resp::escape(&out.0);
    let text = if text.len() > 600 {
        format!("{}... ({} bytes)", &text[..600], out.0.len())
    } else {
        text
    };
    format!(
        "\"{text}\"{}",
        if out.1 {
            " then closed"
        } else {
            " (still open)"
        }
    )
}

/// Runs every case on one fresh pair, all cases in parallel.
pub fn run() -> Stats {
    let pair = Pair::start();
    let cases = cases();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|c| s.spawn(|| (play(&pair.redis, c), play(&pair.ours, c))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("case thread"))
            .collect()
    });
    let mut stats = Stats::default();
    let verbose = std::env::var_os("DIFF_VERBOSE").is_some();
    for (case, (redis, ours)) in cases.iter().zip(results) {
        stats.compared += 1;
        if verbose {
            println!("protocol case '{}': redis sent {}", case.name, show(&redis));
        }
        if redis != ours {
            let sent = resp::escape(&case.chunks.concat());
            let sent = if sent.len() > 200 {
                format!("{}...", &sent[..200])
            } else {
                sent
            };
            stats.mismatches.push(format!(
                "protocol case '{}': sent \"{sent}\" in {} chunk(s)\n    redis: {}\n    ours:  {}",
                case.name,
                case.chunks.len(),
                show(&redis),
                show(&ours)
            ));
        }
    }
    stats
}
