/*
 * jobs.c — the accounts module's background jobs (run by the core's scheduler as
 * system:housekeeping). They delete expired data — sessions a day past their expiry, login
 * throttle windows past their length, device tokens unused for ACCOUNTS_DEVICE_IDLE_DAYS — which
 * is housekeeping, not a state change of the platform, so they write no audit entry.
 */
#include "internal.h"
#include "store.h"

#define DAY_US (86400LL * 1000000)

bool
accounts_job_sessions(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    return store_sessions_expire(c, now_us - DAY_US) == DB_OK;
}

bool
accounts_job_throttle(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    return store_throttle_expire(c, now_us - accounts_conf.throttle_window_s * 1000000LL) == DB_OK;
}

bool
accounts_job_devices(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    return store_devices_expire(c, now_us - ACCOUNTS_DEVICE_IDLE_DAYS * DAY_US) == DB_OK;
}
