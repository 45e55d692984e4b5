/*
 * stream.h — responses that stay open and push what happens (Server-Sent Events,
 * text/event-stream): a handler hands the request a source (req_stream); the HTTP layer asks the
 * source for bytes whenever the socket has room, and when it has none parks the connection
 * (libmicrohttpd's suspend) until the source wakes it (stream_wake) — no thread per watcher, no
 * polling. Every STREAM_HEARTBEAT_S seconds each watcher is woken to write a comment line, which
 * keeps proxies from closing an idle stream and lets a closed client be noticed. At shutdown every
 * stream ends (stream_shutdown) so the daemon can stop.
 */
#ifndef GGZY_HTTP_STREAM_H
#define GGZY_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define STREAM_HEARTBEAT_S 15

struct req;
struct stream_watcher;

struct stream_src {
    /* The next bytes for this watcher into buf (at most max): their number, 0 when nothing is
     * ready (the connection is parked until stream_wake), -1 to end the stream. Called from
     * libmicrohttpd's threads, never two at once for one watcher. */
    ssize_t (*next)(void *state, char *buf, size_t max);
    /* Called once when the stream ends, whatever ended it (after it, no stream_wake for w). */
    void (*close)(void *state, struct stream_watcher *w);
};

/* Answer r with an event stream fed by src (state is the source's, for this watcher). *w gets the
 * handle stream_wake takes; the source must keep it only until its close runs. False (500 set):
 * it could not be set up. */
bool req_stream(struct req *r, const struct stream_src *src, void *state,
                struct stream_watcher **w);
/* There is something for w: let its connection run (now, or at once when it parks next). Safe
 * from any thread, while w's source has not been closed. */
void stream_wake(struct stream_watcher *w);
/* For the HTTP layer (http.c): the response that reads w, or the watcher dropped unsent. */
struct MHD_Response;
struct MHD_Response *stream_response(struct stream_watcher *w);
void stream_discard(struct stream_watcher *w);
/* A change feed, the simplest source: the watchers of a topic (kind, id) — an opening record, say
 * — are sent `event: changed` with the topic's change counter each time stream_topic_changed is
 * called for it (and once when they connect), and read the thing itself again. For a page whose
 * record is public and small; a capability with an event log of its own writes a source (the
 * evaluation's live record). kind is a string constant. */
bool req_stream_topic(struct req *r, const char *kind, int64_t id);
void stream_topic_changed(const char *kind, int64_t id);
/* How many streams are open (for the metrics and the benchmark). */
size_t stream_count(void);
/* End every stream (shutdown): each source's next is no longer asked; the connections resume,
 * finish and close. */
void stream_shutdown(void);

#endif
