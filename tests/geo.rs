//! Geo commands end to end through the `redis` client crate: positions round-trip,
//! distances and geohashes, searches (checked against a brute-force haversine scan
//! over hundreds of random points, so no member inside the shape is ever missed),
//! stores, errors, and the RESP3 reply shapes through a raw socket.

mod common;

use common::TestServer;
use rand::{Rng, SeedableRng};
use redis::{Connection, RedisResult, Value};

/// The sphere radius Redis measures on, in metres.
const EARTH_RADIUS_M: f64 = 6372797.560856;

/// Great-circle distance in metres, computed independently of the server.
fn haversine(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = (lat2 - lat1).to_radians() / 2.0;
    let dlon = (lon2 - lon1).to_radians() / 2.0;
    let a = dlat.sin().powi(2) + p1.cos() * p2.cos() * dlon.sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

fn sicily(c: &mut Connection) {
    let added: i64 = redis::cmd("GEOADD")
        .arg("Sicily")
        .arg(&[
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ])
        .query(c)
        .expect("geoadd");
    assert_eq!(added, 2);
}

#[test]
fn positions_round_trip_to_the_cell_centre() {
    let server = TestServer::start();
    let mut c = server.client();
    sicily(&mut c);
    let pos: Vec<Option<(String, String)>> = redis::cmd("GEOPOS")
        .arg(&["Sicily", "Palermo", "nobody", "Catania"])
        .query(&mut c)
        .expect("geopos");
    assert_eq!(
        pos[0],
        Some(("13.36138933897018433".into(), "38.11555639549629859".into()))
    );
    assert_eq!(pos[1], None);
    let (lon, lat) = pos[2].clone().expect("catania");
    let (lon, lat): (f64, f64) = (lon.parse().expect("lon"), lat.parse().expect("lat"));
    assert!((lon - 15.087269).abs() < 1e-5 && (lat - 37.502669).abs() < 1e-5);
    let kind: String = redis::cmd("TYPE")
        .arg("Sicily")
        .query(&mut c)
        .expect("type");
    assert_eq!(kind, "zset");
    let score: f64 = redis::cmd("ZSCORE")
        .arg(&["Sicily", "Palermo"])
        .query(&mut c)
        .expect("zscore");
    assert_eq!(score, 3479099956230698.0);
}

#[test]
fn distances_units_and_geohashes() {
    let server = TestServer::start();
    let mut c = server.client();
    sicily(&mut c);
    let dist = |c: &mut Connection, unit: &str| -> String {
        redis::cmd("GEODIST")
            .arg(&["Sicily", "Palermo", "Catania", unit])
            .query(c)
            .expect("geodist")
    };
    assert_eq!(dist(&mut c, "m"), "166274.1516");
    assert_eq!(dist(&mut c, "KM"), "166.2742");
    assert_eq!(dist(&mut c, "mi"), "103.3182");
    assert_eq!(dist(&mut c, "ft"), "545518.8700");
    let missing: Option<String> = redis::cmd("GEODIST")
        .arg(&["Sicily", "Palermo", "nobody"])
        .query(&mut c)
        .expect("geodist");
    assert_eq!(missing, None);
    let hashes: Vec<Option<String>> = redis::cmd("GEOHASH")
        .arg(&["Sicily", "Palermo", "Catania", "nobody"])
        .query(&mut c)
        .expect("geohash");
    assert_eq!(
        hashes,
        vec![Some("sqc8b49rny0".into()), Some("sqdtr74hyu0".into()), None]
    );
}

#[test]
fn searches_find_exactly_the_points_inside() {
    let server = TestServer::start();
    let mut c = server.client();
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut points = Vec::new();
    let mut cmd = redis::cmd("GEOADD");
    cmd.arg("pts");
    for i in 0..600 {
        let lon: f64 = rng.gen_range(-10.0..10.0);
        let lat: f64 = rng.gen_range(40.0..50.0);
        cmd.arg(lon).arg(lat).arg(format!("p{i}"));
        points.push((format!("p{i}"), lon, lat));
    }
    let added: i64 = cmd.query(&mut c).expect("geoadd");
    assert_eq!(added, 600);
    let encoding: String = redis::cmd("OBJECT")
        .arg(&["ENCODING", "pts"])
        .query(&mut c)
        .expect("encoding");
    assert_eq!(encoding, "skiplist");
    for (lon, lat, km) in [(0.0, 45.0, 300.0), (-9.0, 41.0, 150.0), (5.5, 48.2, 20.0)] {
        let found: Vec<(String, String)> = redis::cmd("GEOSEARCH")
            .arg("pts")
            .arg("FROMLONLAT")
            .arg(lon)
            .arg(lat)
            .arg("BYRADIUS")
            .arg(km)
            .arg(&["km", "ASC", "WITHDIST"])
            .query(&mut c)
            .expect("geosearch");
        let dists: Vec<f64> = found
            .iter()
            .map(|(_, d)| d.parse().expect("dist"))
            .collect();
        assert!(dists.windows(2).all(|w| w[0] <= w[1]), "ASC order");
        // Positions are stored to about a metre, so skip points right on the border.
        for (name, plon, plat) in &points {
            let d = haversine(lon, lat, *plon, *plat) / 1000.0;
            if (d - km).abs() < 0.01 {
                continue;
            }
            let listed = found.iter().any(|(n, _)| n == name);
            assert_eq!(listed, d < km, "{name} at {d} km from ({lon}, {lat})");
        }
    }
}

#[test]
fn boxes_counts_and_stores() {
    let server = TestServer::start();
    let mut c = server.client();
    sicily(&mut c);
    let nearest: Vec<String> = redis::cmd("GEOSEARCH")
        .arg(&[
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYBOX",
            "400",
            "400",
            "km",
        ])
        .arg(&["COUNT", "1", "ASC"])
        .query(&mut c)
        .expect("geosearch");
    assert_eq!(nearest, vec!["Catania"]);
    let narrow: Vec<String> = redis::cmd("GEOSEARCH")
        .arg(&[
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYBOX",
            "400",
            "120",
            "km",
        ])
        .query(&mut c)
        .expect("geosearch");
    // Catania is 56 km north of the centre, inside the 120 km height; Palermo is not.
    assert_eq!(narrow, vec!["Catania"]);
    let stored: i64 = redis::cmd("GEOSEARCHSTORE")
        .arg(&[
            "near",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "200",
            "km",
        ])
        .arg(&["DESC", "STOREDIST"])
        .query(&mut c)
        .expect("geosearchstore");
    assert_eq!(stored, 2);
    let scores: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg(&["near", "0", "-1", "WITHSCORES"])
        .query(&mut c)
        .expect("zrange");
    assert_eq!(scores[0], ("Palermo".to_string(), 0.0));
    assert_eq!(scores[1].0, "Catania");
    assert!((scores[1].1 - 166.2742).abs() < 1e-3);
    let stored: i64 = redis::cmd("GEORADIUS")
        .arg(&["Sicily", "15", "37", "1", "km", "STORE", "near"])
        .query(&mut c)
        .expect("georadius");
    assert_eq!(stored, 0);
    let exists: i64 = redis::cmd("EXISTS")
        .arg("near")
        .query(&mut c)
        .expect("exists");
    assert_eq!(exists, 0, "an empty result deletes the destination");
}

#[test]
fn errors_carry_redis_texts() {
    let server = TestServer::start();
    let mut c = server.client();
    sicily(&mut c);
    let err = |c: &mut Connection, args: &[&str]| -> String {
        let r: RedisResult<Value> = redis::cmd(args[0]).arg(&args[1..]).query(c);
        let e = r.expect_err("an error reply");
        format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or(""))
    };
    assert_eq!(
        err(&mut c, &["GEOADD", "Sicily", "200", "100", "x"]),
        "ERR invalid longitude,latitude pair 200.000000,100.000000"
    );
    assert_eq!(
        err(&mut c, &["GEODIST", "Sicily", "a", "b", "parsec"]),
        "ERR unsupported unit provided. please use M, KM, FT, MI"
    );
    assert_eq!(
        err(
            &mut c,
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMMEMBER",
                "nobody",
                "BYRADIUS",
                "1",
                "km"
            ]
        ),
        "ERR could not decode requested zset member"
    );
    assert_eq!(
        err(
            &mut c,
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "1",
                "1",
                "BYRADIUS",
                "1",
                "km",
                "ANY"
            ]
        ),
        "ERR the ANY argument requires COUNT argument"
    );
    assert_eq!(
        err(
            &mut c,
            &["GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "0"]
        ),
        "ERR COUNT must be > 0"
    );
    assert_eq!(
        err(&mut c, &["GEORADIUS", "Sicily", "15", "37", "1", "km", "WITHDIST", "STORE", "d"]),
        "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
    );
    let _: () = redis::cmd("SET")
        .arg(&["s", "v"])
        .query(&mut c)
        .expect("set");
    assert!(err(&mut c, &["GEOPOS", "s", "a"]).starts_with("WRONGTYPE"));
}

#[test]
fn resp3_shapes() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"GEOADD", b"Sicily", b"13.361389", b"38.115556", b"Palermo"]);
    let hello = c.cmd(&[b"HELLO", b"3"]);
    assert!(hello.starts_with(b"%"));
    assert_eq!(
        c.cmd(&[b"GEOPOS", b"Sicily", b"Palermo", b"nobody"]),
        b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"
    );
    assert_eq!(
        c.cmd(&[b"GEODIST", b"Sicily", b"Palermo", b"Palermo"]),
        b"$6\r\n0.0000\r\n"
    );
    assert_eq!(
        c.cmd(&[
            b"GEOSEARCH",
            b"Sicily",
            b"FROMMEMBER",
            b"Palermo",
            b"BYRADIUS",
            b"1",
            b"m",
            b"WITHDIST",
            b"WITHHASH"
        ]),
        b"*1\r\n*3\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n"
    );
}
