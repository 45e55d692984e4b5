/*
 * metrics.h — request counters and latency histograms per route and status, and the database
 * pool gauges, rendered in the Prometheus text exposition format for GET /metrics.
 */
#ifndef GGZY_METRICS_H
#define GGZY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Call once the routes are added: sizes the tables for router_count() routes. */
bool metrics_init(void);
void metrics_free(void);
/* route_idx: router_index(), or router_count() for unmatched and router_count()+1 for static. */
void metrics_record(size_t route_idx, unsigned status, int64_t dur_us);
/* malloc'd text; caller frees. */
char *metrics_render(size_t *len);
/* A gauge of the platform's own state (the calendar's days left, the ledger's agreement, the
 * log check's last duration): set from anywhere, rendered with the others. name and help are
 * string literals; at most 32 gauges. False when the table is full. */
bool metrics_gauge_set(const char *name, const char *help, int64_t value);

#endif
