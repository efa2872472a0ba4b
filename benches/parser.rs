//! Parser micro-benchmarks: a pipeline of small SET commands, inline PINGs, and one large
//! bulk arriving in 64 KB pieces (checks that big bulks are not rescanned).

use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rredis::protocol::{ParseLimits, ParseOutcome, RequestParser};

fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend(format!("${}\r\n", arg.len()).into_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Parses every command in `input`, fed in `piece`-byte reads; returns the count.
fn parse_all(input: &[u8], piece: usize) -> usize {
    let mut parser = RequestParser::new();
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let limits = ParseLimits::default();
    let mut commands = 0;
    for chunk in input.chunks(piece) {
        buf.extend_from_slice(chunk);
        while let Ok(ParseOutcome::Command(args)) = parser.parse(&mut buf, &limits) {
            black_box(&args);
            commands += 1;
        }
    }
    commands
}

fn benches(c: &mut Criterion) {
    let mut pipeline = Vec::new();
    for i in 0..1000 {
        pipeline.extend(encode(&[b"SET", format!("key:{i:012}").as_bytes(), b"xxx"]));
    }
    let mut group = c.benchmark_group("parser");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("set_pipeline_1000", |b| {
        b.iter(|| parse_all(&pipeline, 16 * 1024))
    });
    let inline = b"PING\r\n".repeat(1000);
    group.bench_function("inline_ping_1000", |b| {
        b.iter(|| parse_all(&inline, 16 * 1024))
    });
    group.finish();

    let big = encode(&[b"SET", b"big", &vec![b'x'; 8 * 1024 * 1024]]);
    let mut group = c.benchmark_group("parser_big");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.sample_size(20);
    group.bench_function("bulk_8mb_in_64k_reads", |b| {
        b.iter(|| parse_all(&big, 64 * 1024))
    });
    group.finish();
}

criterion_group!(parser, benches);
criterion_main!(parser);
