/*
 * stream.c — see stream.h. Each watcher is a small struct shared by its connection (the content
 * reader, called by libmicrohttpd) and its source (which wakes it): a mutex, whether the
 * connection is parked, whether a wake came while it was not. Parking and waking follow the
 * one safe pattern of libmicrohttpd 0.9.75: MHD_suspend_connection from the content reader,
 * MHD_resume_connection from anywhere (MHD_ALLOW_SUSPEND_RESUME). A heartbeat thread wakes
 * every watcher every STREAM_HEARTBEAT_S seconds.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "request.h"
#include "stream.h"
#include "util.h"

struct stream_watcher {
    pthread_mutex_t mu;
    struct MHD_Connection *conn;
    const struct stream_src *src;
    void *state;
    bool parked, pending, beat, ended;
    struct stream_watcher *prev, *next; /* every open stream (the heartbeat, the shutdown) */
};

static pthread_mutex_t all_mu = PTHREAD_MUTEX_INITIALIZER;
static struct stream_watcher *all;
static size_t nall;
static bool closing;
static pthread_t beat_thread;
static bool beat_started;

size_t
stream_count(void)
{
    pthread_mutex_lock(&all_mu);
    size_t n = nall;
    pthread_mutex_unlock(&all_mu);
    return n;
}

/* Resume w if parked, else remember the wake; w->mu held by the caller. */
static void
wake_locked(struct stream_watcher *w)
{
    if (w->parked) {
        w->parked = false;
        MHD_resume_connection(w->conn);
    } else
        w->pending = true;
}

void
stream_wake(struct stream_watcher *w)
{
    pthread_mutex_lock(&w->mu);
    wake_locked(w);
    pthread_mutex_unlock(&w->mu);
}

static void *
heartbeat(void *arg)
{
    (void)arg;
    for (;;) {
        for (int i = 0; i < STREAM_HEARTBEAT_S * 10; i++) {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&all_mu);
            bool stop = closing;
            pthread_mutex_unlock(&all_mu);
            if (stop)
                return NULL;
        }
        pthread_mutex_lock(&all_mu);
        for (struct stream_watcher *w = all; w; w = w->next) {
            pthread_mutex_lock(&w->mu);
            w->beat = true;
            wake_locked(w);
            pthread_mutex_unlock(&w->mu);
        }
        pthread_mutex_unlock(&all_mu);
    }
}

/* The content reader. w->mu is not held while the source is asked (the source takes its own lock,
 * and a source waking w holds that lock while taking w->mu): a wake that comes meanwhile sets
 * pending, and the connection is then not parked but asked again. */
static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_watcher *w = cls;
    pthread_mutex_lock(&w->mu);
    bool ended = w->ended, beat = w->beat;
    w->pending = false;
    w->beat = false;
    pthread_mutex_unlock(&w->mu);
    if (ended)
        return MHD_CONTENT_READER_END_OF_STREAM;
    ssize_t n = w->src->next(w->state, buf, max);
    if (n < 0) {
        pthread_mutex_lock(&w->mu);
        w->ended = true;
        pthread_mutex_unlock(&w->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (n == 0 && beat && max >= 14) { /* an SSE comment: nothing happened, still here */
        memcpy(buf, ": heartbeat\n\n", 13);
        n = 13;
    }
    if (n > 0)
        return n;
    pthread_mutex_lock(&w->mu);
    if (!w->pending && !w->ended) {
        w->parked = true;
        MHD_suspend_connection(w->conn);
    }
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void
reader_free(void *cls)
{
    struct stream_watcher *w = cls;
    w->src->close(w->state, w); /* the source forgets w: no wake after this */
    pthread_mutex_lock(&all_mu);
    if (w->prev)
        w->prev->next = w->next;
    else
        all = w->next;
    if (w->next)
        w->next->prev = w->prev;
    nall--;
    pthread_mutex_unlock(&all_mu);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

bool
req_stream(struct req *r, const struct stream_src *src, void *state, struct stream_watcher **out)
{
    struct stream_watcher *w = calloc(1, sizeof *w);
    if (!w || pthread_mutex_init(&w->mu, NULL)) {
        free(w);
        req_error(r, E_INTERNAL, "the stream cannot be set up");
        return false;
    }
    w->conn = r->conn;
    w->src = src;
    w->state = state;
    pthread_mutex_lock(&all_mu);
    if (!beat_started && !closing)
        beat_started = pthread_create(&beat_thread, NULL, heartbeat, NULL) == 0;
    w->next = all;
    if (all)
        all->prev = w;
    all = w;
    nall++;
    pthread_mutex_unlock(&all_mu);
    *out = w;
    r->stream = w;
    r->status = 200;
    r->resp_type = "text/event-stream; charset=utf-8";
    return true;
}

struct MHD_Response *
stream_response(struct stream_watcher *w)
{
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, w, reader_free);
}

void
stream_discard(struct stream_watcher *w)
{
    reader_free(w);
}

void
stream_shutdown(void)
{
    pthread_mutex_lock(&all_mu);
    bool joined = beat_started;
    closing = true;
    for (struct stream_watcher *w = all; w; w = w->next) {
        pthread_mutex_lock(&w->mu);
        w->ended = true;
        wake_locked(w);
        pthread_mutex_unlock(&w->mu);
    }
    beat_started = false;
    pthread_mutex_unlock(&all_mu);
    if (joined)
        pthread_join(beat_thread, NULL);
}

/* ---- topics ---- */

struct topic {
    const char *kind;
    int64_t id;
    long seq;
    struct topic *next;
};
struct topic_watcher {
    struct topic *t;
    long seen;
    struct stream_watcher *w;
    struct topic_watcher *next;
};
static pthread_mutex_t topic_mu = PTHREAD_MUTEX_INITIALIZER;
static struct topic *topics;
static struct topic_watcher *topic_watchers;

/* topic_mu held */
static struct topic *
topic_of(const char *kind, int64_t id)
{
    for (struct topic *t = topics; t; t = t->next)
        if (t->id == id && !strcmp(t->kind, kind))
            return t;
    struct topic *t = calloc(1, sizeof *t);
    if (t) {
        t->kind = kind;
        t->id = id;
        t->next = topics;
        topics = t;
    }
    return t;
}

static ssize_t
topic_next(void *state, char *buf, size_t max)
{
    struct topic_watcher *tw = state;
    pthread_mutex_lock(&topic_mu);
    long seq = tw->t->seq;
    bool news = seq != tw->seen;
    tw->seen = seq;
    pthread_mutex_unlock(&topic_mu);
    if (!news)
        return 0;
    int n = snprintf(buf, max, "retry: 3000\nid: %ld\nevent: changed\ndata: {\"seq\":%ld}\n\n", seq,
                     seq);
    return n > 0 && (size_t)n < max ? n : 0;
}

static void
topic_close(void *state, struct stream_watcher *w)
{
    (void)w;
    struct topic_watcher *tw = state;
    pthread_mutex_lock(&topic_mu);
    for (struct topic_watcher **p = &topic_watchers; *p; p = &(*p)->next)
        if (*p == tw) {
            *p = tw->next;
            break;
        }
    pthread_mutex_unlock(&topic_mu);
    free(tw);
}

static const struct stream_src topic_src = {topic_next, topic_close};

bool
req_stream_topic(struct req *r, const char *kind, int64_t id)
{
    struct topic_watcher *tw = calloc(1, sizeof *tw);
    if (!tw) {
        req_error(r, E_INTERNAL, "the stream cannot be set up");
        return false;
    }
    pthread_mutex_lock(&topic_mu);
    tw->t = topic_of(kind, id);
    tw->seen = -1; /* the first read tells the watcher to read the thing once */
    bool ok = tw->t && req_stream(r, &topic_src, tw, &tw->w);
    if (ok) {
        tw->next = topic_watchers;
        topic_watchers = tw;
    }
    pthread_mutex_unlock(&topic_mu);
    if (!ok) {
        free(tw);
        if (!r->status)
            req_error(r, E_INTERNAL, "the stream cannot be set up");
    }
    return ok;
}

void
stream_topic_changed(const char *kind, int64_t id)
{
    pthread_mutex_lock(&topic_mu);
    struct topic *t = topic_of(kind, id);
    if (t) {
        t->seq++;
        for (struct topic_watcher *tw = topic_watchers; tw; tw = tw->next)
            if (tw->t == t)
                stream_wake(tw->w);
    }
    pthread_mutex_unlock(&topic_mu);
}
