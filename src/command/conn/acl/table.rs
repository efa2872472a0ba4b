//! AUTH and the ACL container's table: arity, flags, categories and docs as Redis 7.0
//! declares them. The handlers live in the sibling modules by concern.

use super::auth::auth;
use super::files::{acl_load, acl_save};
use super::inspect::{acl_cat, acl_dryrun, acl_genpass, acl_log};
use super::users::{acl_deluser, acl_getuser, acl_list, acl_setuser, acl_users, acl_whoami};
use crate::command::core::command::CommandSpec;
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};

/// Flags of the ACL subcommands that read or change users.
const ADMIN_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
/// Flags of the harmless ones (CAT, GENPASS, WHOAMI).
const BASE: u32 = NOSCRIPT | LOADING | STALE;

/// AUTH and the ACL container.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("auth", -2, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, auth)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Authenticates the connection as a user.", "1.0.0", "O(N) where N is the number of passwords defined for the user")
            .history(&[("6.0.0", "Added ACL style (username and password).")])
            .args(AUTH_ARGS)),
    CommandSpec::container("acl", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("A container for access control commands.", "6.0.0", "Depends on subcommand.")),
];

/// ACL's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("cat", -2, BASE, acl_cat)
        .docs(Group::Server.doc("Lists the ACL categories, or the commands in one.", "6.0.0", "O(1) since the categories and commands are a fixed set.")
            .args(&[Arg::new("categoryname", ArgType::String).optional()])),
    CommandSpec::new("deluser", -3, ADMIN_FLAGS, acl_deluser)
        .docs(Group::Server.doc("Deletes users, disconnecting their clients.", "6.0.0", "O(1) amortized time considering the typical user.")
            .args(&[Arg::new("username", ArgType::String).multiple()])),
    CommandSpec::new("dryrun", -4, ADMIN_FLAGS, acl_dryrun)
        .docs(Group::Server.doc("Says whether a user could run a command, without running it.", "7.0.0", "O(1).")
            .args(DRYRUN_ARGS)),
    CommandSpec::new("genpass", -2, BASE, acl_genpass)
        .docs(Group::Server.doc("Generates a random password.", "6.0.0", "O(1)")
            .args(&[Arg::new("bits", ArgType::Integer).optional()])),
    CommandSpec::new("getuser", 3, ADMIN_FLAGS, acl_getuser)
        .docs(Group::Server.doc("Returns a user's flags, passwords and permissions.", "6.0.0", "O(N). Where N is the number of password, command and pattern rules that the user has.")
            .history(GETUSER_HISTORY)
            .args(&[Arg::new("username", ArgType::String)])),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Server.doc("Lists the ACL subcommands.", "6.0.0", "O(1)")),
    CommandSpec::new("list", 2, ADMIN_FLAGS, acl_list)
        .docs(Group::Server.doc("Lists every user as rules, as the ACL file holds them.", "6.0.0", PER_USER)),
    CommandSpec::new("load", 2, ADMIN_FLAGS, acl_load)
        .docs(Group::Server.doc("Replaces the users with those of the ACL file.", "6.0.0", PER_USER)),
    CommandSpec::new("log", -2, ADMIN_FLAGS, acl_log)
        .docs(Group::Server.doc("Lists recent refusals by ACL rules and failed logins.", "6.0.0", "O(N) with N being the number of entries shown.")
            .args(LOG_ARGS)),
    CommandSpec::new("save", 2, ADMIN_FLAGS, acl_save)
        .docs(Group::Server.doc("Writes the users to the ACL file.", "6.0.0", PER_USER)),
    CommandSpec::new("setuser", -3, ADMIN_FLAGS, acl_setuser)
        .docs(Group::Server.doc("Creates a user or changes its rules.", "6.0.0", "O(N). Where N is the number of rules provided.")
            .history(SETUSER_HISTORY)
            .args(SETUSER_ARGS)),
    CommandSpec::new("users", 2, ADMIN_FLAGS, acl_users)
        .docs(Group::Server.doc("Lists the user names.", "6.0.0", PER_USER)),
    CommandSpec::new("whoami", 2, BASE, acl_whoami)
        .docs(Group::Server.doc("Returns the connection's user name.", "6.0.0", "O(1)")),
];

const PER_USER: &str = "O(N). Where N is the number of configured users.";

const AUTH_ARGS: &[Arg] = &[
    Arg::new("username", ArgType::String)
        .since("6.0.0")
        .optional(),
    Arg::new("password", ArgType::String),
];

const DRYRUN_ARGS: &[Arg] = &[
    Arg::new("username", ArgType::String),
    Arg::new("command", ArgType::String),
    Arg::new("arg", ArgType::String).optional().multiple(),
];

const LOG_ARGS: &[Arg] = &[Arg::one_of(
    "operation",
    &[
        Arg::new("count", ArgType::Integer),
        Arg::token("reset", "RESET"),
    ],
)
.optional()];

const SETUSER_ARGS: &[Arg] = &[
    Arg::new("username", ArgType::String),
    Arg::new("rule", ArgType::String).optional().multiple(),
];

const GETUSER_HISTORY: &[(&str, &str)] = &[
    ("6.2.0", "Added Pub/Sub channel patterns."),
    ("7.0.0", "Added selectors and changed the format of key and channel patterns from a list to their rule representation."),
];

const SETUSER_HISTORY: &[(&str, &str)] = &[
    ("6.2.0", "Added Pub/Sub channel patterns."),
    ("7.0.0", "Added selectors and key based permissions."),
];

/// Lines of ACL HELP.
const HELP: &[&str] = &[
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
];
