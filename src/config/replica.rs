//! The parameters of this server as a replica: which master to follow at start-up,
//! how to authenticate to it, how to announce itself, and what clients may do while
//! it follows (read-only, stale data, maxmemory). The replication link
//! (`server/reactor/master_link.rs`) and the dispatch checks act on every one of them.

use super::model::MasterAddr;
use super::param::{bool_arg, err, int_arg, string_arg, yes_no, ConfigError, Param};

/// Parses `replicaof <host> <port>` (or `no one`), with Redis's errors.
fn replicaof_arg(args: &[String]) -> Result<Option<MasterAddr>, ConfigError> {
    let [host, port] = args else {
        return err("wrong number of arguments");
    };
    if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
        return Ok(None);
    }
    match port.parse::<u16>() {
        Ok(port) => Ok(Some(MasterAddr {
            host: host.clone(),
            port,
        })),
        Err(_) => err("Invalid master port"),
    }
}

/// A yes/no replica parameter bound to one [`ReplicaSettings`] field.
macro_rules! replica_flag {
    ($name:literal, $field:ident) => {
        Param {
            name: $name,
            mutable: true,
            get: |c| yes_no(c.replica.$field),
            set: |c, a| {
                c.replica.$field = bool_arg(a)?;
                Ok(())
            },
        }
    };
}

/// The replica parameters, in CONFIG GET order after the others.
pub const REPLICA_PARAMS: &[Param] = &[
    Param {
        name: "replicaof",
        mutable: false,
        get: |c| match &c.replica.replicaof {
            Some(addr) => format!("{} {}", addr.host, addr.port),
            None => String::new(),
        },
        set: |c, a| {
            c.replica.replicaof = replicaof_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "masterauth",
        mutable: true,
        get: |c| c.replica.masterauth.clone(),
        set: |c, a| {
            c.replica.masterauth = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "masteruser",
        mutable: true,
        get: |c| c.replica.masteruser.clone(),
        set: |c, a| {
            c.replica.masteruser = string_arg(a)?;
            Ok(())
        },
    },
    replica_flag!("replica-read-only", read_only),
    replica_flag!("replica-serve-stale-data", serve_stale_data),
    replica_flag!("replica-ignore-maxmemory", ignore_maxmemory),
    replica_flag!("replica-announced", announced),
    Param {
        name: "replica-announce-ip",
        mutable: true,
        get: |c| c.replica.announce_ip.clone(),
        set: |c, a| {
            c.replica.announce_ip = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "replica-announce-port",
        mutable: true,
        get: |c| c.replica.announce_port.to_string(),
        set: |c, a| {
            c.replica.announce_port = int_arg(a, 0, 65535)? as u16;
            Ok(())
        },
    },
    Param {
        name: "replica-priority",
        mutable: true,
        get: |c| c.replica.priority.to_string(),
        set: |c, a| {
            c.replica.priority = int_arg(a, 0, i64::from(i32::MAX))?;
            Ok(())
        },
    },
];

/// The `slave-*` spellings Redis still accepts for these parameters.
pub const REPLICA_ALIASES: &[(&str, &str)] = &[
    ("slaveof", "replicaof"),
    ("slave-read-only", "replica-read-only"),
    ("slave-serve-stale-data", "replica-serve-stale-data"),
    ("slave-ignore-maxmemory", "replica-ignore-maxmemory"),
    ("slave-announce-ip", "replica-announce-ip"),
    ("slave-announce-port", "replica-announce-port"),
    ("slave-priority", "replica-priority"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn replicaof_takes_a_host_and_a_port_or_no_one() {
        assert_eq!(
            replicaof_arg(&words("10.0.0.1 6380")),
            Ok(Some(MasterAddr {
                host: "10.0.0.1".into(),
                port: 6380
            }))
        );
        assert_eq!(replicaof_arg(&words("NO ONE")), Ok(None));
        assert_eq!(
            replicaof_arg(&words("127.0.0.1 abc")).unwrap_err().0,
            "Invalid master port"
        );
        assert_eq!(
            replicaof_arg(&words("127.0.0.1")).unwrap_err().0,
            "wrong number of arguments"
        );
    }
}
