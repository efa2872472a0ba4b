//! Random command generator for zsets: valid and invalid arguments over the shared
//! small key space, so WRONGTYPE and edge cases come up often.

use super::super::random::{Cmd, Gen};
use super::key;

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    Cmd::exact(vec![b"TYPE".to_vec(), key(g)])
}
