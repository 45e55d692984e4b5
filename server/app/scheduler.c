/*
 * scheduler.c — the one place background work runs. Every module declares its jobs in its
 * descriptor (struct job in app.h); the scheduler runs each when it is due on the platform's one
 * clock (clock_now_us, which the test clock moves), as the job's named system actor, on a
 * connection of its own. There is no request: a job uses db_tx and audit_append directly.
 *
 * When a job is next due is kept in the table jobs, so a restart neither skips a run nor repeats
 * one. A run is claimed with one UPDATE that matches only while the run is due and moves the due
 * time on, so of several nodes of a cluster exactly one runs it (the others' UPDATE matches no
 * row; on Galera a concurrent claim fails certification and is not retried). A job marked
 * at_start also runs once whenever this node starts (the log's self-check). Moving the test
 * clock wakes the scheduler (scheduler_clock_moved), which first brings any due time more than a
 * period past the new now back to one period from it (the clock was set back: test mode only);
 * otherwise it looks once a second. Each node's clock is its own: a due time is never taken for
 * due because another node's clock disagrees.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "util.h"

struct sjob {
    const struct job *job;
    int64_t every_us;
    bool start_pending; /* at_start, not yet run since this node started */
    int64_t due_us;     /* when the table last said it is next due (0: ask): an idle job costs
                           no statement until then */
};

static struct sjob *jobs;
static size_t njobs;
static pthread_t thread;
static bool started;
static atomic_bool stopping;
static bool kicked;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static const char sql_register[] = "INSERT IGNORE INTO jobs (name, next_due_us) VALUES (?, ?)";
/* due now: one node's UPDATE matches, the others' find the due time already moved on */
static const char sql_claim[] =
    "UPDATE jobs SET next_due_us = ?, last_run_us = ? WHERE name = ? AND next_due_us <= ?";
/* the test clock was set back: a due time more than one period ahead comes back to one period
 * from the new now (test mode only: production's clock never moves back) */
static const char sql_rebase[] =
    "UPDATE jobs SET next_due_us = ? WHERE name = ? AND next_due_us > ?";
static atomic_bool rebase_pending;
static const char sql_due[] = "SELECT next_due_us FROM jobs WHERE name = ?";
static const char sql_done[] = "UPDATE jobs SET last_ok = ?, runs = runs + 1, failures = "
                               "failures + ? WHERE name = ?";

/* Run one job now on c as its system actor; record the outcome. */
static void
run_job(struct dbconn *c, const struct sjob *s, int64_t now)
{
    const struct job *j = s->job;
    log_set_request_id(j->name);
    struct actor a = {.role = "system", .name = j->actor};
    bool ok = j->run(c, &a, now);
    if (!ok)
        log_warn("run_job: %s failed; it runs again when next due", j->name);
    struct dbv p[] = {DBV_INT(ok ? 1 : 0), DBV_INT(ok ? 0 : 1), DBV_STR(j->name)};
    if (db_exec(c, sql_done, p, 3, NULL, NULL) != DB_OK)
        log_warn("run_job: %s: outcome not recorded: %s", j->name, db_last_error(c));
    log_set_request_id("scheduler");
}

/* Claim the run of s if it is due at now: true when this node is to run it. The due time the
 * table holds is remembered, so the table is asked again only once it has come (another node's
 * run can only have moved it later). */
static bool
claim(struct dbconn *c, struct sjob *s, int64_t now)
{
    if (s->every_us <= 0 || (s->due_us && now < s->due_us))
        return false; /* at start-up only, or not due yet */
    int64_t next = now + s->every_us;
    struct dbv p[] = {DBV_INT(next), DBV_INT(now), DBV_STR(s->job->name), DBV_INT(now)};
    uint64_t n = 0;
    if (db_exec(c, sql_claim, p, 4, &n, NULL) != DB_OK) {
        log_warn("claim: %s: %s", s->job->name, db_last_error(c));
        return false;
    }
    if (n == 1) {
        s->due_us = next;
        return true;
    }
    struct dbres r;
    struct dbv q[] = {DBV_STR(s->job->name)};
    s->due_us =
        db_query(c, sql_due, q, 1, &r) == DB_OK && r.nrows == 1 ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return false;
}

/* After the test clock moved: no due time stays more than one period past the new now. */
static void
rebase(struct dbconn *c)
{
    int64_t now = clock_now_us();
    for (size_t i = 0; i < njobs; i++) {
        if (jobs[i].every_us <= 0)
            continue;
        int64_t next = now + jobs[i].every_us;
        struct dbv p[] = {DBV_INT(next), DBV_STR(jobs[i].job->name), DBV_INT(next)};
        if (db_exec(c, sql_rebase, p, 3, NULL, NULL) != DB_OK)
            log_warn("rebase: %s: %s", jobs[i].job->name, db_last_error(c));
        jobs[i].due_us = 0; /* ask the table again */
    }
}

static void
tick(struct dbconn *c)
{
    if (atomic_exchange(&rebase_pending, false))
        rebase(c);
    for (size_t i = 0; i < njobs && !atomic_load(&stopping); i++) {
        int64_t now = clock_now_us();
        if (jobs[i].start_pending) {
            jobs[i].start_pending = false;
            run_job(c, &jobs[i], now);
        } else if (claim(c, &jobs[i], now))
            run_job(c, &jobs[i], now);
    }
}

static bool
register_jobs(struct dbconn *c)
{
    int64_t now = clock_now_us();
    for (size_t i = 0; i < njobs; i++) {
        /* a new job is first due one period from now (at_start jobs run at start anyway) */
        struct dbv p[] = {DBV_STR(jobs[i].job->name), DBV_INT(now + jobs[i].every_us)};
        if (db_exec(c, sql_register, p, 2, NULL, NULL) != DB_OK) {
            log_error("register_jobs: %s: %s", jobs[i].job->name, db_last_error(c));
            return false;
        }
    }
    return true;
}

static void *
loop(void *arg)
{
    (void)arg;
    log_set_request_id("scheduler");
    bool registered = false;
    while (!atomic_load(&stopping)) {
        struct dbconn *c = db_acquire();
        if (c) {
            if (!registered)
                registered = register_jobs(c);
            if (registered)
                tick(c);
            db_release(c);
        }
        pthread_mutex_lock(&mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (!kicked && !atomic_load(&stopping) && pthread_cond_timedwait(&cv, &mu, &until) == 0)
            ;
        kicked = false;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

bool
scheduler_start(const struct module *const *mods, size_t nmods, const struct config *cfg)
{
    size_t n = 0;
    for (size_t i = 0; i < nmods; i++)
        n += mods[i]->njobs;
    jobs = calloc(n ? n : 1, sizeof *jobs);
    if (!jobs)
        return false;
    njobs = 0;
    for (size_t i = 0; i < nmods; i++)
        for (size_t k = 0; k < mods[i]->njobs; k++) {
            const struct job *j = &mods[i]->jobs[k];
            int64_t every = j->every ? j->every(cfg) : j->every_s;
            jobs[njobs++] = (struct sjob){j, every * 1000000, j->at_start, 0};
        }
    atomic_store(&stopping, false);
    started = pthread_create(&thread, NULL, loop, NULL) == 0;
    if (!started) {
        log_error("scheduler_start: cannot start the scheduler thread");
        free(jobs);
        jobs = NULL;
    }
    return started;
}

void
scheduler_clock_moved(void)
{
    atomic_store(&rebase_pending, true);
    scheduler_kick();
}

void
scheduler_kick(void)
{
    pthread_mutex_lock(&mu);
    kicked = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

void
scheduler_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&mu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    started = false;
    free(jobs);
    jobs = NULL;
    njobs = 0;
}
