-- 0012_jobs.sql — the scheduler's memory (server/app/scheduler.c, docs/architecture.md
-- "Background work"): when each background job is next due on the platform's clock, so that a
-- restart neither skips nor repeats a run, and so that one node of a cluster claims each run
-- (the claim is an UPDATE of the row that matches only while the run is due).
CREATE TABLE jobs (
    name         VARCHAR(64) NOT NULL PRIMARY KEY,
    next_due_us  BIGINT NOT NULL,
    last_run_us  BIGINT NULL,
    last_ok      TINYINT NULL,
    runs         BIGINT UNSIGNED NOT NULL DEFAULT 0,
    failures     BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB;
