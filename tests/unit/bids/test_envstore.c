/* Unit tests of the envelope store (modules/bids/envstore.c) on a temporary directory: an upload
 * is spooled and becomes an envelope only when committed, start-up empties tmp/, and the sweep
 * removes old envelopes no bid refers to — and nothing else. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "check.h"
#include "crypto.h"
#include "envstore.h"

static char dir[64];

static int
count(const char *sub)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "ls -A %s/%s | wc -l", dir, sub);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void
an_upload_becomes_an_envelope_only_when_committed(void)
{
    struct spool a, b;
    uint8_t sha[32];
    static uint8_t big[300000];
    memset(big, 'x', sizeof big);
    CHECK(spool_open(&a) && spool_open(&b));
    CHECK(spool_write(&a, big, sizeof big) && spool_write(&b, "partial", 7));
    CHECK(count("tmp") == 2);
    CHECK(crypto_sha256(big, sizeof big, sha));
    CHECK(envstore_commit(&a, sha));
    spool_abort(&a); /* no-op after a commit */
    spool_abort(&b);
    CHECK(count("tmp") == 0);
    static uint8_t back[sizeof big + 1];
    int fd = envstore_open(sha, sizeof big);
    CHECK(fd >= 0);
    size_t len = 0;
    for (ssize_t n; fd >= 0 && (n = read(fd, back + len, sizeof back - len)) > 0;)
        len += (size_t)n;
    CHECK(len == sizeof big && !memcmp(back, big, len)); /* from the first byte, all of it */
    if (fd >= 0)
        close(fd);
    CHECK(envstore_open(sha, sizeof big - 1) < 0); /* not the size received */
    sha[0] ^= 1;                                   /* another name: nothing there */
    CHECK(envstore_open(sha, sizeof big) < 0);
    sha[0] ^= 1; /* the file altered in the store: not served */
    char path[4096];
    char hex[65];
    hex_encode(sha, 32, hex);
    snprintf(path, sizeof path, "%s/%s.env", dir, hex);
    FILE *f = fopen(path, "r+b");
    CHECK(f && fputc('y', f) != EOF && fclose(f) == 0);
    CHECK(envstore_open(sha, sizeof big) < 0);
}

static void
start_up_empties_tmp(void)
{
    struct spool s;
    CHECK(spool_open(&s) && spool_write(&s, "left by a crash", 15));
    close(s.fd); /* the process dies: nothing aborts it */
    free(s.buf);
    CHECK(count("tmp") == 1);
    CHECK(envstore_init(dir));
    CHECK(count("tmp") == 0);
}

static int
known_none(const uint8_t sha[32], void *ctx)
{
    (void)sha;
    (*(int *)ctx)++;
    return 0;
}

static int
known_all(const uint8_t sha[32], void *ctx)
{
    (void)sha;
    (void)ctx;
    return 1;
}

static void
the_sweep_removes_only_old_envelopes_no_bid_refers_to(void)
{
    /* the committed envelope of the first test is there; make it old */
    char path[200], other[200];
    int asked = 0;
    CHECK(count("") == 2);                               /* tmp/ and one envelope */
    CHECK(envstore_sweep(known_none, &asked, 600) == 0); /* too young to sweep */
    CHECK(asked == 0);
    snprintf(other, sizeof other, "%s/notes.txt", dir); /* not an envelope name: left alone */
    FILE *f = fopen(other, "w");
    if (f)
        fclose(f);
    struct utimbuf old = {time(NULL) - 3600, time(NULL) - 3600};
    snprintf(path, sizeof path, "ls %s/*.env", dir);
    FILE *p = popen(path, "r");
    CHECK(p && fgets(path, sizeof path, p));
    if (p)
        pclose(p);
    path[strcspn(path, "\n")] = '\0';
    CHECK(utime(path, &old) == 0 && utime(other, &old) == 0);
    CHECK(envstore_sweep(known_all, NULL, 600) == 0); /* a bid refers to it: kept */
    CHECK(access(path, F_OK) == 0);
    CHECK(envstore_sweep(known_none, &asked, 600) == 1);
    CHECK(asked == 1);
    CHECK(access(path, F_OK) != 0);
    CHECK(access(other, F_OK) == 0);
}

int
main(void)
{
    snprintf(dir, sizeof dir, "/tmp/ggzy-envstore-XXXXXX");
    if (!mkdtemp(dir) || !envstore_init(dir))
        return 1;
    RUN(an_upload_becomes_an_envelope_only_when_committed);
    RUN(start_up_empties_tmp);
    RUN(the_sweep_removes_only_old_envelopes_no_bid_refers_to);
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return CHECK_DONE();
}
