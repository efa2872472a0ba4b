//! Command table entries of the scripting commands, with the flags, key specs and ACL
//! categories Redis 7.0 reports in COMMAND INFO (summaries in our own words).

use crate::command::scripting::{eval, functions};
use crate::command::table::{
    acl, container_handler, flags::*, Arg, ArgType, BeginSearch, CommandSpec, Docs, FindKeys,
    Group, Handler, KeySpec,
};

/// Flags shared by EVAL and EVALSHA.
const EVAL_FLAGS: u32 = NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS;

/// Keys follow `numkeys` (argument 2).
const fn numkeys_spec(flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        flags,
        begin: BeginSearch::Index(2),
        find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 },
    }
}

const RW_SPEC: &[KeySpec] = &[numkeys_spec(&["RW", "access", "update"])];
const RO_SPEC: &[KeySpec] = &[numkeys_spec(&["RO", "access"])];

const SCRIPT_ARGS: &[Arg] = &[
    Arg::new("script", ArgType::String),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgType::String).optional().multiple(),
];
const SHA_ARGS: &[Arg] = &[
    Arg::new("sha1", ArgType::String),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgType::String).optional().multiple(),
];

/// One of the four EVAL variants.
const fn eval_entry(
    name: &'static str,
    flags: u32,
    spec: &'static [KeySpec],
    handler: Handler,
    summary: &'static str,
    since: &'static str,
    args: &'static [Arg],
) -> CommandSpec {
    CommandSpec::keyed(
        name,
        -3,
        flags,
        acl::SCRIPTING,
        (0, 0, 0),
        spec,
        &[],
        handler,
        Docs::new(Group::Scripting, summary, since, "Depends on the script that is executed.", args),
    )
}

/// A SCRIPT subcommand.
const fn script_sub(
    name: &'static str,
    arity: i32,
    flags: u32,
    tips: &'static [&'static str],
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec::keyed(name, arity, flags, acl::SCRIPTING, (0, 0, 0), &[], tips, handler, docs)
}

const fn docs(summary: &'static str, since: &'static str, complexity: &'static str, args: &'static [Arg]) -> Docs {
    Docs::new(Group::Scripting, summary, since, complexity, args)
}

const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    script_sub(
        "load",
        3,
        NOSCRIPT | STALE,
        &["request_policy:all_nodes", "response_policy:all_succeeded"],
        eval::script_load,
        docs(
            "Caches a Lua script without running it and returns its SHA1.",
            "2.6.0",
            "O(N) with N being the length in bytes of the script body.",
            &[Arg::new("script", ArgType::String)],
        ),
    ),
    script_sub(
        "flush",
        -2,
        NOSCRIPT,
        &["request_policy:all_nodes", "response_policy:all_succeeded"],
        eval::script_flush,
        Docs {
            history: &[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")],
            ..docs(
                "Empties the script cache.",
                "2.6.0",
                "O(N) with N being the number of scripts in cache",
                &[Arg::one_of("async", &[Arg::token("async", "ASYNC"), Arg::token("sync", "SYNC")])
                    .since("6.2.0")
                    .optional()],
            )
        },
    ),
    script_sub(
        "help",
        2,
        LOADING | STALE,
        &[],
        eval::script_help,
        docs("Lists the SCRIPT subcommands.", "5.0.0", "O(1)", &[]),
    ),
    script_sub(
        "exists",
        -3,
        NOSCRIPT,
        &["request_policy:all_shards", "response_policy:agg_logical_and"],
        eval::script_exists,
        docs(
            "Tells which of the given SHA1s are in the script cache.",
            "2.6.0",
            "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
            &[Arg::new("sha1", ArgType::String).multiple()],
        ),
    ),
    script_sub(
        "kill",
        2,
        NOSCRIPT | ALLOW_BUSY,
        &["request_policy:all_shards", "response_policy:one_succeeded"],
        eval::script_kill,
        docs("Stops the script that is running, if it has not written.", "2.6.0", "O(1)", &[]),
    ),
];

const FCALL_ARGS: &[Arg] = &[
    Arg::new("function", ArgType::String),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgType::String).optional().multiple(),
];

/// Tips of the FUNCTION subcommands that change the libraries.
const ALL_SHARDS: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];

const FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    script_sub(
        "delete",
        3,
        WRITE | NOSCRIPT,
        ALL_SHARDS,
        functions::function_delete,
        docs("Deletes a library and its functions.", "7.0.0", "O(1)", &[Arg::new("library-name", ArgType::String)]),
    ),
    script_sub(
        "list",
        -2,
        NOSCRIPT,
        &["nondeterministic_output_order"],
        functions::function_list,
        docs(
            "Lists the libraries and their functions.",
            "7.0.0",
            "O(N) where N is the number of functions",
            &[
                Arg::new("library-name-pattern", ArgType::String).with_token("LIBRARYNAME").optional(),
                Arg::token("withcode", "WITHCODE").optional(),
            ],
        ),
    ),
    script_sub(
        "flush",
        -2,
        WRITE | NOSCRIPT,
        ALL_SHARDS,
        functions::function_flush,
        docs(
            "Deletes every library.",
            "7.0.0",
            "O(N) where N is the number of functions deleted",
            &[Arg::one_of("async", &[Arg::token("async", "ASYNC"), Arg::token("sync", "SYNC")]).optional()],
        ),
    ),
    script_sub(
        "stats",
        2,
        NOSCRIPT | ALLOW_BUSY,
        &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        functions::function_stats,
        docs("Tells which function is running and how many libraries are loaded.", "7.0.0", "O(1)", &[]),
    ),
    script_sub(
        "load",
        -3,
        WRITE | DENYOOM | NOSCRIPT,
        ALL_SHARDS,
        functions::function_load,
        docs(
            "Loads a library of functions.",
            "7.0.0",
            "O(1) (considering compilation time is redundant)",
            &[Arg::token("replace", "REPLACE").optional(), Arg::new("function-code", ArgType::String)],
        ),
    ),
    script_sub(
        "help",
        2,
        LOADING | STALE,
        &[],
        functions::function_help,
        docs("Lists the FUNCTION subcommands.", "7.0.0", "O(1)", &[]),
    ),
    script_sub(
        "kill",
        2,
        NOSCRIPT | ALLOW_BUSY,
        &["request_policy:all_shards", "response_policy:one_succeeded"],
        functions::function_kill,
        docs("Stops the function that is running, if it has not written.", "7.0.0", "O(1)", &[]),
    ),
];

/// The scripting family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    eval_entry("eval", EVAL_FLAGS, RW_SPEC, eval::eval, "Runs a Lua script on the server.", "2.6.0", SCRIPT_ARGS),
    eval_entry("evalsha", EVAL_FLAGS, RW_SPEC, eval::evalsha, "Runs a cached Lua script by its SHA1.", "2.6.0", SHA_ARGS),
    eval_entry("eval_ro", EVAL_FLAGS | READONLY, RO_SPEC, eval::eval_ro, "Runs a read-only Lua script on the server.", "7.0.0", SCRIPT_ARGS),
    eval_entry("evalsha_ro", EVAL_FLAGS | READONLY, RO_SPEC, eval::evalsha_ro, "Runs a cached read-only Lua script by its SHA1.", "7.0.0", SHA_ARGS),
    CommandSpec {
        docs: Docs { complexity: "Depends on the function that is executed.", ..docs("Calls a function.", "7.0.0", "", FCALL_ARGS) },
        ..eval_entry("fcall", EVAL_FLAGS, RW_SPEC, functions::fcall, "", "7.0.0", FCALL_ARGS)
    },
    CommandSpec {
        docs: Docs { complexity: "Depends on the function that is executed.", ..docs("Calls a read-only function.", "7.0.0", "", FCALL_ARGS) },
        ..eval_entry("fcall_ro", EVAL_FLAGS | READONLY, RO_SPEC, functions::fcall_ro, "", "7.0.0", FCALL_ARGS)
    },
    CommandSpec {
        subcommands: FUNCTION_SUBCOMMANDS,
        ..CommandSpec::keyed(
            "function",
            -2,
            0,
            0,
            (0, 0, 0),
            &[],
            &[],
            container_handler,
            docs("A container for function commands.", "7.0.0", "Depends on subcommand.", &[]),
        )
    },
    CommandSpec {
        subcommands: SCRIPT_SUBCOMMANDS,
        ..CommandSpec::keyed(
            "script",
            -2,
            0,
            0,
            (0, 0, 0),
            &[],
            &[],
            container_handler,
            docs("A container for script cache commands.", "2.6.0", "Depends on subcommand.", &[]),
        )
    },
];
