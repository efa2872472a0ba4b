//! The cluster commands of a server running without cluster support, as Redis 7.0
//! started with `cluster-enabled no` has them: CLUSTER and its subcommands, READONLY,
//! READWRITE and ASKING are in the table (COMMAND INFO and DOCS describe them, ACL rules
//! name them, scripts are refused the `noscript` ones) and every call answers that
//! cluster support is disabled. This server has no cluster mode.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{CmdError, CmdResult};

/// Redis's answer to any cluster command when cluster mode is off.
const ERR_DISABLED: &str = "ERR This instance has cluster support disabled";

/// Every cluster command: refused, as a server without cluster support refuses it.
fn disabled(_ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    Err(CmdError::raw(ERR_DISABLED))
}

/// The cluster family's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("cluster", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Cluster.doc("A container for Redis Cluster commands.", "3.0.0", "Depends on subcommand.")),
    CommandSpec::new("readonly", 1, FAST | LOADING | STALE, disabled)
        .acl(acl::CONNECTION)
        .docs(Group::Cluster.doc("Lets a connection to a cluster replica serve reads.", "3.0.0", "O(1)")),
    CommandSpec::new("readwrite", 1, FAST | LOADING | STALE, disabled)
        .acl(acl::CONNECTION)
        .docs(Group::Cluster.doc("Ends READONLY for a connection to a cluster replica.", "3.0.0", "O(1)")),
    CommandSpec::new("asking", 1, FAST, disabled)
        .acl(acl::CONNECTION)
        .docs(Group::Cluster.doc("Lets the next command reach a slot being imported.", "3.0.0", "O(1)")),
];

/// CLUSTER's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("addslots", -3, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Assigns hash slots to this node.", "3.0.0", "O(N) for N slot arguments")
            .args(&[
                Arg::new("slot", ArgType::Integer).multiple(),
            ])),
    CommandSpec::new("addslotsrange", -4, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Assigns ranges of hash slots to this node.", "7.0.0", "O(N) for N slots in the ranges given")
            .args(&[
                Arg::block("start-slot_end-slot", &[
                    Arg::new("start-slot", ArgType::Integer),
                    Arg::new("end-slot", ArgType::Integer),
                ]).multiple(),
            ])),
    CommandSpec::new("bumpepoch", 2, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Advances this node's configuration epoch.", "3.0.0", "O(1)")),
    CommandSpec::new("count-failure-reports", 3, ADMIN | STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Counts the failure reports other nodes keep about a node.", "3.0.0", "O(N) for N failure reports")
            .args(&[
                Arg::new("node-id", ArgType::String),
            ])),
    CommandSpec::new("countkeysinslot", 3, STALE, disabled)
        .docs(Group::Cluster.doc("Counts the keys stored in a hash slot.", "3.0.0", "O(1)")
            .args(&[
                Arg::new("slot", ArgType::Integer),
            ])),
    CommandSpec::new("delslots", -3, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Removes hash slots from this node.", "3.0.0", "O(N) for N slot arguments")
            .args(&[
                Arg::new("slot", ArgType::Integer).multiple(),
            ])),
    CommandSpec::new("delslotsrange", -4, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Removes ranges of hash slots from this node.", "7.0.0", "O(N) for N slots in the ranges given")
            .args(&[
                Arg::block("start-slot_end-slot", &[
                    Arg::new("start-slot", ArgType::Integer),
                    Arg::new("end-slot", ArgType::Integer),
                ]).multiple(),
            ])),
    CommandSpec::new("failover", -2, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Makes this replica take over from its master.", "3.0.0", "O(1)")
            .args(&[
                Arg::one_of("options", &[
                    Arg::token("force", "FORCE"),
                    Arg::token("takeover", "TAKEOVER"),
                ]).optional(),
            ])),
    CommandSpec::new("flushslots", 2, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Removes every hash slot from this node.", "3.0.0", "O(1)")),
    CommandSpec::new("forget", 3, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Drops a node from this node's view of the cluster.", "3.0.0", "O(1)")
            .args(&[
                Arg::new("node-id", ArgType::String),
            ])),
    CommandSpec::new("getkeysinslot", 4, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Lists key names stored in a hash slot.", "3.0.0", "O(log(N)) for N keys asked for")
            .args(&[
                Arg::new("slot", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ])),
    CommandSpec::new("help", 2, LOADING | STALE, disabled)
        .docs(Group::Cluster.doc("Lists the CLUSTER subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("info", 2, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Reports this node's view of the cluster state.", "3.0.0", "O(1)")),
    CommandSpec::new("keyslot", 3, STALE, disabled)
        .docs(Group::Cluster.doc("Computes the hash slot of a key name.", "3.0.0", "O(N) for a key name of N bytes")
            .args(&[
                Arg::new("key", ArgType::String),
            ])),
    CommandSpec::new("links", 2, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Lists this node's links to its peers.", "7.0.0", "O(N) for N nodes in the cluster")),
    CommandSpec::new("meet", -4, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Connects this node to another node of a cluster.", "3.0.0", "O(1)")
            .history(&[("4.0.0", "The cluster bus port may be given.")])
            .args(&[
                Arg::new("ip", ArgType::String),
                Arg::new("port", ArgType::Integer),
                Arg::new("cluster_bus_port", ArgType::Integer).optional().since("4.0.0"),
            ])),
    CommandSpec::new("myid", 2, STALE, disabled)
        .docs(Group::Cluster.doc("Reports this node's identifier.", "3.0.0", "O(1)")),
    CommandSpec::new("nodes", 2, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Reports the cluster configuration as this node sees it.", "3.0.0", "O(N) for N nodes in the cluster")),
    CommandSpec::new("replicas", 3, ADMIN | STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Lists the replicas of a master node.", "5.0.0", "O(1)")
            .args(&[
                Arg::new("node-id", ArgType::String),
            ])),
    CommandSpec::new("replicate", 3, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Makes this node a replica of a master node.", "3.0.0", "O(1)")
            .args(&[
                Arg::new("node-id", ArgType::String),
            ])),
    CommandSpec::new("reset", -2, ADMIN | STALE | NOSCRIPT, disabled)
        .docs(Group::Cluster.doc("Resets this node's cluster state.", "3.0.0", "O(N) for N known nodes; a replica may also flush its data")
            .args(&[
                Arg::one_of("hard_soft", &[
                    Arg::token("hard", "HARD"),
                    Arg::token("soft", "SOFT"),
                ]).optional(),
            ])),
    CommandSpec::new("saveconfig", 2, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Writes the cluster configuration to disk.", "3.0.0", "O(1)")),
    CommandSpec::new("set-config-epoch", 3, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Sets this new node's configuration epoch.", "3.0.0", "O(1)")
            .args(&[
                Arg::new("config-epoch", ArgType::Integer),
            ])),
    CommandSpec::new("setslot", -4, NO_ASYNC_LOADING | ADMIN | STALE, disabled)
        .docs(Group::Cluster.doc("Binds a hash slot to a node, or marks it migrating or importing.", "3.0.0", "O(1)")
            .args(&[
                Arg::new("slot", ArgType::Integer),
                Arg::one_of("subcommand", &[
                    Arg::new("node-id", ArgType::String).with_token("IMPORTING"),
                    Arg::new("node-id", ArgType::String).with_token("MIGRATING"),
                    Arg::new("node-id", ArgType::String).with_token("NODE"),
                    Arg::token("stable", "STABLE"),
                ]),
            ])),
    CommandSpec::new("shards", 2, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Reports the cluster's shards and their nodes.", "7.0.0", "O(N) for N nodes in the cluster")
            .history(&[])),
    CommandSpec::new("slaves", 3, ADMIN | STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Lists the replicas of a master node (old name of CLUSTER REPLICAS).", "3.0.0", "O(1)")
            .deprecated("5.0.0", "`CLUSTER REPLICAS`")
            .args(&[
                Arg::new("node-id", ArgType::String),
            ])),
    CommandSpec::new("slots", 2, STALE, disabled)
        .tips(&["nondeterministic_output"])
        .docs(Group::Cluster.doc("Maps hash slot ranges to nodes.", "3.0.0", "O(N) for N nodes in the cluster")
            .deprecated("7.0.0", "`CLUSTER SHARDS`")
            .history(&[("4.0.0", "Node ids in the reply."), ("7.0.0", "The host name of each node in the reply.")])),

];
