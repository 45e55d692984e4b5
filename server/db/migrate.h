/*
 * migrate.h — the migrations runner: numbered SQL files in migrations/ (NNNN_name.sql),
 * applied once each, in order, recorded with their SHA-256 in schema_migrations.
 */
#ifndef GGZY_MIGRATE_H
#define GGZY_MIGRATE_H

#include <stdbool.h>

#include "config.h"

/* apply=true: apply pending files (`ggzyd migrate`). apply=false: only check that the database
 * is exactly at the files' state (serve refuses to start otherwise). Errors go to the log. */
bool migrate_run(const struct config *cfg, bool apply);

#endif
