//! Command table entries of the scripting commands, with the flags, key specs and ACL
//! categories Redis 7.0 reports in COMMAND INFO (summaries in our own words).

use crate::command::core::command::CommandSpec;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};
use crate::command::scripting::{eval, function_dump, functions};

/// The scripting family's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("eval", -3, EVAL_FLAGS | MAY_REPLICATE, eval::eval)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RW_SPEC)
        .docs(Group::Scripting.doc("Runs a Lua script on the server.", "2.6.0", BY_SCRIPT).args(SCRIPT_ARGS)),
    CommandSpec::new("evalsha", -3, EVAL_FLAGS | MAY_REPLICATE, eval::evalsha)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RW_SPEC)
        .docs(Group::Scripting.doc("Runs a cached Lua script by its SHA1.", "2.6.0", BY_SCRIPT).args(SHA_ARGS)),
    CommandSpec::new("eval_ro", -3, EVAL_FLAGS | READONLY, eval::eval_ro)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RO_SPEC)
        .docs(Group::Scripting.doc("Runs a read-only Lua script on the server.", "7.0.0", BY_SCRIPT).args(SCRIPT_ARGS)),
    CommandSpec::new("evalsha_ro", -3, EVAL_FLAGS | READONLY, eval::evalsha_ro)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RO_SPEC)
        .docs(Group::Scripting.doc("Runs a cached read-only Lua script by its SHA1.", "7.0.0", BY_SCRIPT).args(SHA_ARGS)),
    CommandSpec::new("fcall", -3, EVAL_FLAGS | MAY_REPLICATE, functions::fcall)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RW_SPEC)
        .docs(Group::Scripting.doc("Calls a function.", "7.0.0", BY_FUNCTION).args(FCALL_ARGS)),
    CommandSpec::new("fcall_ro", -3, EVAL_FLAGS | READONLY, functions::fcall_ro)
        .acl(acl::SCRIPTING)
        .keys(0, 0, 0, RO_SPEC)
        .docs(Group::Scripting.doc("Calls a read-only function.", "7.0.0", BY_FUNCTION).args(FCALL_ARGS)),
    CommandSpec::container("function", -2, 0)
        .subcommands(FUNCTION_SUBCOMMANDS)
        .docs(Group::Scripting.doc("A container for function commands.", "7.0.0", "Depends on subcommand.")),
    CommandSpec::container("script", -2, 0)
        .subcommands(SCRIPT_SUBCOMMANDS)
        .docs(Group::Scripting.doc("A container for script cache commands.", "2.6.0", "Depends on subcommand.")),
];

#[rustfmt::skip]
const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("load", 3, NOSCRIPT | STALE, eval::script_load)
        .acl(acl::SCRIPTING)
        .tips(ALL_NODES)
        .docs(Group::Scripting.doc("Caches a Lua script without running it and returns its SHA1.",
            "2.6.0", "O(N) with N being the length in bytes of the script body.")
            .args(&[Arg::new("script", ArgType::String)])),
    CommandSpec::new("flush", -2, NOSCRIPT, eval::script_flush)
        .acl(acl::SCRIPTING)
        .tips(ALL_NODES)
        .docs(Group::Scripting.doc("Empties the script cache.", "2.6.0", "O(N) with N being the number of scripts in cache")
            .history(&[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")])
            .args(&[FLUSH_MODE.since("6.2.0")])),
    CommandSpec::new("help", 2, LOADING | STALE, eval::script_help)
        .acl(acl::SCRIPTING)
        .docs(Group::Scripting.doc("Lists the SCRIPT subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("exists", -3, NOSCRIPT, eval::script_exists)
        .acl(acl::SCRIPTING)
        .tips(&["request_policy:all_shards", "response_policy:agg_logical_and"])
        .docs(Group::Scripting.doc("Tells which of the given SHA1s are in the script cache.", "2.6.0",
            "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).")
            .args(&[Arg::new("sha1", ArgType::String).multiple()])),
    CommandSpec::new("kill", 2, NOSCRIPT | ALLOW_BUSY, eval::script_kill)
        .acl(acl::SCRIPTING)
        .tips(ONE_SUCCEEDED)
        .docs(Group::Scripting.doc("Stops the script that is running, if it has not written.", "2.6.0", "O(1)")),
];

#[rustfmt::skip]
const FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("delete", 3, WRITE | NOSCRIPT, functions::function_delete)
        .acl(acl::SCRIPTING)
        .tips(ALL_SHARDS)
        .docs(Group::Scripting.doc("Deletes a library and its functions.", "7.0.0", "O(1)")
            .args(&[Arg::new("library-name", ArgType::String)])),
    CommandSpec::new("list", -2, NOSCRIPT, functions::function_list)
        .acl(acl::SCRIPTING)
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Scripting.doc("Lists the libraries and their functions.", "7.0.0", "O(N) where N is the number of functions")
            .args(FUNCTION_LIST_ARGS)),
    CommandSpec::new("flush", -2, WRITE | NOSCRIPT, functions::function_flush)
        .acl(acl::SCRIPTING)
        .tips(ALL_SHARDS)
        .docs(Group::Scripting.doc("Deletes every library.", "7.0.0", "O(N) where N is the number of functions deleted")
            .args(&[FLUSH_MODE])),
    CommandSpec::new("stats", 2, NOSCRIPT | ALLOW_BUSY, functions::function_stats)
        .acl(acl::SCRIPTING)
        .tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .docs(Group::Scripting.doc("Tells which function is running and how many libraries are loaded.", "7.0.0", "O(1)")),
    CommandSpec::new("load", -3, WRITE | DENYOOM | NOSCRIPT, functions::function_load)
        .acl(acl::SCRIPTING)
        .tips(ALL_SHARDS)
        .docs(Group::Scripting.doc("Loads a library of functions.", "7.0.0", "O(1) (considering compilation time is redundant)")
            .args(FUNCTION_LOAD_ARGS)),
    CommandSpec::new("help", 2, LOADING | STALE, functions::function_help)
        .acl(acl::SCRIPTING)
        .docs(Group::Scripting.doc("Lists the FUNCTION subcommands.", "7.0.0", "O(1)")),
    CommandSpec::new("dump", 2, NOSCRIPT, function_dump::function_dump)
        .acl(acl::SCRIPTING)
        .docs(Group::Scripting.doc("Serializes every library, for FUNCTION RESTORE.", "7.0.0", "O(N) where N is the number of functions")),
    CommandSpec::new("restore", -3, WRITE | DENYOOM | NOSCRIPT, function_dump::function_restore)
        .acl(acl::SCRIPTING)
        .tips(ALL_SHARDS)
        .docs(Group::Scripting.doc("Restores libraries serialized by FUNCTION DUMP.", "7.0.0", "O(N) where N is the number of functions on the payload")
            .args(FUNCTION_RESTORE_ARGS)),
    CommandSpec::new("kill", 2, NOSCRIPT | ALLOW_BUSY, functions::function_kill)
        .acl(acl::SCRIPTING)
        .tips(ONE_SUCCEEDED)
        .docs(Group::Scripting.doc("Stops the function that is running, if it has not written.", "7.0.0", "O(1)")),
];

/// FUNCTION RESTORE's arguments.
const FUNCTION_RESTORE_ARGS: &[Arg] = &[
    Arg::new("serialized-value", ArgType::String),
    Arg::one_of(
        "policy",
        &[
            Arg::token("flush", "FLUSH"),
            Arg::token("append", "APPEND"),
            Arg::token("replace", "REPLACE"),
        ],
    )
    .optional(),
];

/// Flags shared by EVAL, EVALSHA, FCALL and their read-only forms.
const EVAL_FLAGS: u32 = NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS;

/// The complexity Redis documents for EVAL and its siblings.
const BY_SCRIPT: &str = "Depends on the script that is executed.";
/// The complexity Redis documents for FCALL and FCALL_RO.
const BY_FUNCTION: &str = "Depends on the function that is executed.";

/// Tips of SCRIPT LOAD and FLUSH: every node, all must succeed.
const ALL_NODES: &[&str] = &["request_policy:all_nodes", "response_policy:all_succeeded"];
/// Tips of the FUNCTION subcommands that change the libraries.
const ALL_SHARDS: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];
/// Tips of SCRIPT KILL and FUNCTION KILL.
const ONE_SUCCEEDED: &[&str] = &["request_policy:all_shards", "response_policy:one_succeeded"];

/// Keys follow `numkeys` (argument 2).
const fn numkeys_spec(flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        flags,
        begin: BeginSearch::Index(2),
        find: FindKeys::KeyNum {
            key_num_index: 0,
            first_key: 1,
            step: 1,
        },
    }
}

const RW_SPEC: &[KeySpec] = &[numkeys_spec(&["RW", "access", "update"])];
const RO_SPEC: &[KeySpec] = &[numkeys_spec(&["RO", "access"])];

/// `numkeys key... arg...` after what is run.
const fn run_args(what: &'static str) -> [Arg; 4] {
    [
        Arg::new(what, ArgType::String),
        Arg::new("numkeys", ArgType::Integer),
        Arg::key("key", 0).optional().multiple(),
        Arg::new("arg", ArgType::String).optional().multiple(),
    ]
}

const SCRIPT_ARGS: &[Arg] = &run_args("script");
const SHA_ARGS: &[Arg] = &run_args("sha1");
const FCALL_ARGS: &[Arg] = &run_args("function");

/// `[ASYNC | SYNC]` of SCRIPT FLUSH and FUNCTION FLUSH.
const FLUSH_MODE: Arg = Arg::one_of(
    "async",
    &[Arg::token("async", "ASYNC"), Arg::token("sync", "SYNC")],
)
.optional();

const FUNCTION_LIST_ARGS: &[Arg] = &[
    Arg::new("library-name-pattern", ArgType::String)
        .with_token("LIBRARYNAME")
        .optional(),
    Arg::token("withcode", "WITHCODE").optional(),
];

const FUNCTION_LOAD_ARGS: &[Arg] = &[
    Arg::token("replace", "REPLACE").optional(),
    Arg::new("function-code", ArgType::String),
];
