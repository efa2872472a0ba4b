//! COMMAND and its subcommands: COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP.
//!
//! Everything is read from the command table ([`CommandSpec`]), and written in exactly the
//! shape Redis 7.0 uses, so clients (redis-cli's hints, cluster clients' key routing) see
//! the same metadata. Sets are RESP3 sets (`~`), maps are maps (`%`); RESP2 flattens both.

use crate::command::core::args;
use bytes::Bytes;

use crate::command::core::command::{CommandSpec, CommandTable, Ctx};
use crate::command::core::help;
use crate::command::core::keys::keys_of;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{
    acl, argflags, flags, Arg, ArgType, BeginSearch, Docs, FindKeys, Group, KeySpec,
};
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::util::glob::glob_match;

const ERR_INVALID_COMMAND: &str = "ERR Invalid command specified";
const ERR_NO_KEY_ARGS: &str = "ERR The command has no key arguments";
const ERR_INVALID_ARG_COUNT: &str = "ERR Invalid number of arguments specified for command";
const ERR_INVALID_ARGS: &str = "ERR Invalid arguments specified for command";

/// Key spec flags in the order Redis lists them.
const KEY_FLAG_ORDER: [&str; 11] = [
    "RO",
    "RW",
    "OW",
    "RM",
    "access",
    "update",
    "insert",
    "delete",
    "not_key",
    "incomplete",
    "variable_flags",
];

/// A command and the name Redis shows for it (`get`, or `config|get`).
#[derive(Clone, Copy)]
struct Named {
    spec: &'static CommandSpec,
    parent: Option<&'static CommandSpec>,
}

impl Named {
    fn top(spec: &'static CommandSpec) -> Named {
        Named { spec, parent: None }
    }

    fn full_name(&self) -> String {
        match self.parent {
            Some(parent) => format!("{}|{}", parent.name, self.spec.name),
            None => self.spec.name.to_string(),
        }
    }

    fn subcommands(&self) -> impl Iterator<Item = Named> + '_ {
        let parent = self.spec;
        parent.subcommands.iter().map(move |spec| Named {
            spec,
            parent: Some(parent),
        })
    }
}

/// Every top-level command, in table order.
fn all_commands(table: &CommandTable) -> Vec<&'static CommandSpec> {
    crate::command::registry::FAMILIES
        .iter()
        .flat_map(|family| family.iter())
        .filter_map(|spec| table.get(spec.name.as_bytes()))
        .collect()
}

/// Looks up `name` or `container|sub`, case-insensitively (COMMAND INFO/DOCS names).
fn lookup_by_name(table: &CommandTable, name: &[u8]) -> Option<Named> {
    let mut parts = name.split(|&b| b == b'|');
    let base = table.get(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(Named::top(base)),
        (Some(sub), None) => base.subcommand(sub).map(|spec| Named {
            spec,
            parent: Some(base),
        }),
        _ => None,
    }
}

/// `COMMAND` — COMMAND INFO for every command.
fn command_all(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let commands = all_commands(ctx.table);
    ctx.reply.array_len(commands.len());
    for spec in commands {
        write_info(&mut ctx.reply, Named::top(spec));
    }
    Ok(())
}

/// `COMMAND COUNT` — the number of top-level commands.
fn command_count(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.table.len() as i64);
    Ok(())
}

/// `COMMAND INFO [command-name ...]` — details of the named commands (null for unknown
/// names), or of every command.
fn command_info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() == 2 {
        return command_all(ctx, args);
    }
    ctx.reply.array_len(args.len() - 2);
    for name in &args[2..] {
        match lookup_by_name(ctx.table, name) {
            Some(named) => write_info(&mut ctx.reply, named),
            None => ctx.reply.null(),
        }
    }
    Ok(())
}

/// `COMMAND DOCS [command-name ...]` — a map of name to documentation; unknown names are
/// left out.
fn command_docs(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let found: Vec<Named> = if args.len() == 2 {
        all_commands(ctx.table)
            .into_iter()
            .map(Named::top)
            .collect()
    } else {
        args[2..]
            .iter()
            .filter_map(|name| lookup_by_name(ctx.table, name))
            .collect()
    };
    ctx.reply.map_len(found.len());
    for named in found {
        ctx.reply.bulk(named.full_name().as_bytes());
        write_docs(&mut ctx.reply, named);
    }
    Ok(())
}

/// A COMMAND LIST filter.
enum Filter<'a> {
    None,
    Module,
    AclCat(Option<u32>),
    Pattern(&'a [u8]),
}

impl Filter<'_> {
    fn accepts(&self, named: &Named) -> bool {
        match self {
            Filter::None => true,
            Filter::Module => false,
            Filter::AclCat(cat) => cat.is_some_and(|cat| named.spec.acl_categories() & cat != 0),
            Filter::Pattern(pattern) => glob_match(pattern, named.full_name().as_bytes(), true),
        }
    }
}

/// `COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]` — names of
/// commands and subcommands.
fn command_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let filter = match args.len() {
        2 => Filter::None,
        5 if args::is(&args[2], "FILTERBY") => match &args[3] {
            kind if args::is(kind, "MODULE") => Filter::Module,
            kind if args::is(kind, "ACLCAT") => Filter::AclCat(acl_category(&args[4])),
            kind if args::is(kind, "PATTERN") => Filter::Pattern(&args[4]),
            _ => return Err(CmdError::Syntax),
        },
        _ => return Err(CmdError::Syntax),
    };
    let mut names = Vec::new();
    for spec in all_commands(ctx.table) {
        let top = Named::top(spec);
        for named in std::iter::once(top).chain(top.subcommands()) {
            if filter.accepts(&named) {
                names.push(named.full_name());
            }
        }
    }
    ctx.reply.array_len(names.len());
    for name in names {
        ctx.reply.bulk(name.as_bytes());
    }
    Ok(())
}

/// The ACL category bit named `name` (case-insensitive).
fn acl_category(name: &[u8]) -> Option<u32> {
    acl::NAMES
        .iter()
        .position(|cat| cat.as_bytes().eq_ignore_ascii_case(name))
        .map(|bit| 1 << bit)
}

/// `COMMAND GETKEYS command [arg ...]` — the key arguments of a full command line.
fn command_getkeys(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    getkeys_generic(ctx, args, false)
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]` — the key arguments with their key spec flags.
fn command_getkeysandflags(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    getkeys_generic(ctx, args, true)
}

fn getkeys_generic(ctx: &mut Ctx<'_>, args: &[Bytes], with_flags: bool) -> CmdResult {
    let argv = &args[2..];
    let spec = ctx
        .table
        .resolve(argv)
        .map_err(|_| CmdError::raw(ERR_INVALID_COMMAND))?;
    if !spec
        .key_specs
        .iter()
        .any(|ks| !ks.flags.contains(&"not_key"))
    {
        return Err(CmdError::raw(ERR_NO_KEY_ARGS));
    }
    if !spec.arity_ok(argv.len()) {
        return Err(CmdError::raw(ERR_INVALID_ARG_COUNT));
    }
    let keys = keys_of(spec, argv);
    if keys.is_empty() && !spec.has(NO_MANDATORY_KEYS) {
        return Err(CmdError::raw(ERR_INVALID_ARGS));
    }
    ctx.reply.array_len(keys.len());
    for (pos, key_flags) in keys {
        if with_flags {
            ctx.reply.array_len(2);
            ctx.reply.bulk(&argv[pos]);
            write_key_flags(&mut ctx.reply, key_flags);
        } else {
            ctx.reply.bulk(&argv[pos]);
        }
    }
    Ok(())
}

// ---- COMMAND INFO layout -------------------------------------------------------------

/// One command's COMMAND INFO entry: name, arity, flags, first, last, step, ACL
/// categories, tips, key specs, subcommands.
fn write_info(reply: &mut Reply<'_>, named: Named) {
    let spec = named.spec;
    reply.array_len(10);
    reply.bulk(named.full_name().as_bytes());
    reply.int(spec.arity as i64);
    write_bit_names(reply, spec.flags & !flags::HIDDEN, &flags::NAMES, "");
    reply.int(spec.first_key as i64);
    reply.int(spec.last_key as i64);
    reply.int(spec.key_step as i64);
    write_bit_names(reply, spec.acl_categories(), &acl::NAMES, "@");
    reply.set_len(spec.tips.len());
    for tip in spec.tips {
        reply.bulk(tip.as_bytes());
    }
    reply.set_len(spec.key_specs.len());
    for ks in spec.key_specs {
        write_key_spec(reply, ks);
    }
    if spec.subcommands.is_empty() {
        reply.set_len(0);
    } else {
        reply.array_len(spec.subcommands.len());
        for sub in named.subcommands() {
            write_info(reply, sub);
        }
    }
}

/// A set of status strings for the bits of `bits`, in bit order.
fn write_bit_names(reply: &mut Reply<'_>, bits: u32, names: &[&str], prefix: &str) {
    let set: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(bit, _)| bits & (1 << bit) != 0)
        .map(|(_, n)| *n)
        .collect();
    reply.set_len(set.len());
    for name in set {
        reply.simple(format!("{prefix}{name}").as_bytes());
    }
}

/// Key spec flags as a set of status strings, in Redis's order.
fn write_key_flags(reply: &mut Reply<'_>, key_flags: &[&str]) {
    let set: Vec<&str> = KEY_FLAG_ORDER
        .iter()
        .copied()
        .filter(|flag| key_flags.iter().any(|f| f.eq_ignore_ascii_case(flag)))
        .collect();
    reply.set_len(set.len());
    for flag in set {
        reply.simple(flag.as_bytes());
    }
}

fn write_key_spec(reply: &mut Reply<'_>, ks: &KeySpec) {
    reply.map_len(3);
    reply.bulk(b"flags");
    write_key_flags(reply, ks.flags);
    reply.bulk(b"begin_search");
    reply.map_len(2);
    reply.bulk(b"type");
    match ks.begin {
        BeginSearch::Index(index) => {
            reply.bulk(b"index");
            reply.bulk(b"spec");
            reply.map_len(1);
            reply.bulk(b"index");
            reply.int(index as i64);
        }
        BeginSearch::Keyword {
            keyword,
            start_from,
        } => {
            reply.bulk(b"keyword");
            reply.bulk(b"spec");
            reply.map_len(2);
            reply.bulk(b"keyword");
            reply.bulk(keyword.as_bytes());
            reply.bulk(b"startfrom");
            reply.int(start_from as i64);
        }
        BeginSearch::Unknown => {
            reply.bulk(b"unknown");
            reply.bulk(b"spec");
            reply.map_len(0);
        }
    }
    reply.bulk(b"find_keys");
    reply.map_len(2);
    reply.bulk(b"type");
    let fields: [(&[u8], i32); 3] = match ks.find {
        FindKeys::Range {
            last_key,
            step,
            limit,
        } => {
            reply.bulk(b"range");
            [
                (b"lastkey", last_key),
                (b"keystep", step),
                (b"limit", limit),
            ]
        }
        FindKeys::Unknown => {
            reply.bulk(b"unknown");
            reply.bulk(b"spec");
            reply.map_len(0);
            return;
        }
        FindKeys::KeyNum {
            key_num_index,
            first_key,
            step,
        } => {
            reply.bulk(b"keynum");
            [
                (b"keynumidx", key_num_index),
                (b"firstkey", first_key),
                (b"keystep", step),
            ]
        }
    };
    reply.bulk(b"spec");
    reply.map_len(3);
    for (name, value) in fields {
        reply.bulk(name);
        reply.int(value as i64);
    }
}

// ---- COMMAND DOCS layout -------------------------------------------------------------

/// One command's documentation map: summary, since, group, complexity, doc_flags,
/// deprecated_since, replaced_by, history, arguments, subcommands — each only when set.
fn write_docs(reply: &mut Reply<'_>, named: Named) {
    let docs: &Docs = &named.spec.docs;
    let present = [
        !docs.summary.is_empty(),
        !docs.since.is_empty(),
        true,
        !docs.complexity.is_empty(),
        !docs.doc_flags.is_empty(),
        docs.deprecated_since.is_some(),
        docs.replaced_by.is_some(),
        !docs.history.is_empty(),
        !docs.args.is_empty(),
        !named.spec.subcommands.is_empty(),
    ];
    reply.map_len(present.iter().filter(|p| **p).count());
    let strings = [
        ("summary", Some(docs.summary)),
        ("since", Some(docs.since)),
        ("group", Some(group_name(docs.group))),
        ("complexity", Some(docs.complexity)),
    ];
    for (name, value) in strings
        .iter()
        .filter(|(_, v)| v.is_some_and(|v| !v.is_empty()))
    {
        reply.bulk(name.as_bytes());
        reply.bulk(value.unwrap_or_default().as_bytes());
    }
    if !docs.doc_flags.is_empty() {
        reply.bulk(b"doc_flags");
        reply.set_len(docs.doc_flags.len());
        for flag in docs.doc_flags {
            reply.simple(flag.as_bytes());
        }
    }
    for (name, value) in [
        ("deprecated_since", docs.deprecated_since),
        ("replaced_by", docs.replaced_by),
    ] {
        if let Some(value) = value {
            reply.bulk(name.as_bytes());
            reply.bulk(value.as_bytes());
        }
    }
    write_history(reply, docs.history);
    if !docs.args.is_empty() {
        reply.bulk(b"arguments");
        write_args(reply, docs.args);
    }
    if !named.spec.subcommands.is_empty() {
        reply.bulk(b"subcommands");
        reply.map_len(named.spec.subcommands.len());
        for sub in named.subcommands() {
            reply.bulk(sub.full_name().as_bytes());
            write_docs(reply, sub);
        }
    }
}

fn group_name(group: Group) -> &'static str {
    group.name()
}

fn write_history(reply: &mut Reply<'_>, history: &[(&str, &str)]) {
    if history.is_empty() {
        return;
    }
    reply.bulk(b"history");
    reply.set_len(history.len());
    for (version, change) in history {
        reply.array_len(2);
        reply.bulk(version.as_bytes());
        reply.bulk(change.as_bytes());
    }
}

/// An argument list: each a map of name, type, key_spec_index, token, since, flags and
/// nested arguments, the optional fields only when set.
fn write_args(reply: &mut Reply<'_>, list: &[Arg]) {
    reply.array_len(list.len());
    for arg in list {
        let key_spec = match arg.kind {
            ArgType::Key(index) | ArgType::KeyPattern(index) => Some(index),
            _ => None,
        };
        let nested = matches!(arg.kind, ArgType::OneOf | ArgType::Block);
        let fields = 2
            + key_spec.is_some() as usize
            + arg.token.is_some() as usize
            + arg.since.is_some() as usize
            + arg.deprecated_since.is_some() as usize
            + (arg.flags != 0) as usize
            + nested as usize;
        reply.map_len(fields);
        reply.bulk(b"name");
        reply.bulk(arg.name.as_bytes());
        reply.bulk(b"type");
        reply.bulk(arg_type_name(arg.kind).as_bytes());
        if let Some(index) = key_spec {
            reply.bulk(b"key_spec_index");
            reply.int(index as i64);
        }
        let optional = [
            ("token", arg.token),
            ("since", arg.since),
            ("deprecated_since", arg.deprecated_since),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                reply.bulk(name.as_bytes());
                reply.bulk(value.as_bytes());
            }
        }
        write_arg_flags(reply, arg.flags);
        if nested {
            reply.bulk(b"arguments");
            write_args(reply, arg.args);
        }
    }
}

fn write_arg_flags(reply: &mut Reply<'_>, bits: u8) {
    if bits == 0 {
        return;
    }
    let names = [
        (argflags::OPTIONAL, "optional"),
        (argflags::MULTIPLE, "multiple"),
        (argflags::MULTIPLE_TOKEN, "multiple_token"),
    ];
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    reply.bulk(b"flags");
    reply.set_len(set.len());
    for name in set {
        reply.simple(name.as_bytes());
    }
}

fn arg_type_name(kind: ArgType) -> &'static str {
    match kind {
        ArgType::String => "string",
        ArgType::Integer => "integer",
        ArgType::Double => "double",
        ArgType::Key(_) => "key",
        ArgType::KeyPattern(_) => "pattern",
        ArgType::Pattern => "pattern",
        ArgType::UnixTime => "unix-time",
        ArgType::PureToken => "pure-token",
        ArgType::OneOf => "oneof",
        ArgType::Block => "block",
    }
}

// ---- table entries -------------------------------------------------------------------

/// COMMAND: with no subcommand it describes every command; its subcommands are below.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("command", -1, LOADING | STALE, command_all)
        .acl(acl::CONNECTION)
        .tips(ORDER_TIP)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("Describes every command the server knows.", "2.8.13", EVERY_COMMAND)),
];

/// COMMAND's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("count", 2, LOADING | STALE, command_count)
        .acl(acl::CONNECTION)
        .docs(Group::Server.doc("Counts the commands the server knows.", "2.8.13", "O(1)")),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .acl(acl::CONNECTION)
        .docs(Group::Server.doc("Lists the COMMAND subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("list", -2, LOADING | STALE, command_list)
        .acl(acl::CONNECTION)
        .tips(ORDER_TIP)
        .docs(Group::Server.doc("Lists command names, optionally filtered.", "7.0.0", EVERY_COMMAND)
            .args(LIST_ARGS)),
    CommandSpec::new("info", -2, LOADING | STALE, command_info)
        .acl(acl::CONNECTION)
        .tips(ORDER_TIP)
        .docs(Group::Server.doc("Describes the given commands, or all of them.", "2.8.13", PER_NAME)
            .history(&[("7.0.0", "Allowed to be called with no argument to get info on all commands.")])
            .args(NAME_ARGS)),
    CommandSpec::new("docs", -2, LOADING | STALE, command_docs)
        .acl(acl::CONNECTION)
        .tips(ORDER_TIP)
        .docs(Group::Server.doc("Documents the given commands, or all of them.", "7.0.0", PER_NAME)
            .args(NAME_ARGS)),
    CommandSpec::new("getkeys", -4, LOADING | STALE, command_getkeys)
        .acl(acl::CONNECTION)
        .docs(Group::Server.doc("Names the key arguments of a full command line.", "2.8.13", PER_ARGUMENT)),
    CommandSpec::new("getkeysandflags", -4, LOADING | STALE, command_getkeysandflags)
        .acl(acl::CONNECTION)
        .docs(Group::Server.doc("Names the key arguments of a full command line with their access flags.", "7.0.0", PER_ARGUMENT)),
];

const ORDER_TIP: &[&str] = &["nondeterministic_output_order"];
const EVERY_COMMAND: &str = "O(N) where N is the total number of Redis commands";
const PER_NAME: &str = "O(N) where N is the number of commands to look up";
const PER_ARGUMENT: &str = "O(N) where N is the number of arguments to the command";
const NAME_ARGS: &[Arg] = &[Arg::new("command-name", ArgType::String)
    .optional()
    .multiple()];
const LIST_ARGS: &[Arg] = &[Arg::one_of(
    "filterby",
    &[
        Arg::new("module-name", ArgType::String).with_token("MODULE"),
        Arg::new("category", ArgType::String).with_token("ACLCAT"),
        Arg::new("pattern", ArgType::Pattern).with_token("PATTERN"),
    ],
)
.with_token("FILTERBY")
.optional()];

/// Lines of COMMAND HELP.
const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];
