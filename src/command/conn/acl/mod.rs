//! AUTH and the ACL container, by concern: authenticating (`auth`, which HELLO's AUTH
//! option shares), showing and changing users (`users`: SETUSER, DELUSER, GETUSER,
//! LIST, USERS, WHOAMI), inspecting (`inspect`: CAT, LOG, GENPASS, DRYRUN), the ACL
//! file (`files`: LOAD, SAVE), and the table. Users and rules live in `state::acl`;
//! the checks every command goes through are in `core::access`.

pub mod auth;
mod files;
mod inspect;
pub mod table;
mod users;
