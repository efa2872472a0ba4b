//! What a shutdown does about the data (Redis's `prepareForShutdown`), for SHUTDOWN
//! and for SIGTERM/SIGINT: stop the children, make the AOF durable, save the snapshot
//! when asked or when save points exist.

use crate::command::core::state::ServerState;
use crate::command::snapshot::rdb::Failed;
use crate::command::snapshot::{aof, rdb};
use crate::store::Db;

/// What a shutdown does about the data: Redis's `prepareForShutdown`. A background save
/// is stopped; the dataset is saved when `save` says so, or by default when save points
/// exist. A failed save stops the shutdown unless `force`.
pub fn prepare_shutdown(
    dbs: &[Db],
    server: &mut ServerState,
    save: Option<bool>,
    force: bool,
) -> Result<(), Failed> {
    aof::prepare_shutdown(server, force)?;
    rdb::kill_bgsave(server);
    crate::command::snapshot::sync_child::kill(server);
    let wanted = save.unwrap_or_else(|| !server.config.save_points().is_empty());
    if !wanted {
        return Ok(());
    }
    log::info!("Saving the final RDB snapshot before exiting.");
    if rdb::save(dbs, server).is_err() && !force {
        log::warn!("Error trying to save the DB, can't exit.");
        return Err(Failed);
    }
    Ok(())
}
