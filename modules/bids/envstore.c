/*
 * envstore.c — see envstore.h. Plain POSIX files; every write and sync is checked.
 */
#define _GNU_SOURCE
#include "envstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "util.h"

static char root[3000];

static bool
make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return true;
    log_error("%s: %s", path, strerror(errno));
    return false;
}

bool
envstore_init(const char *dir)
{
    char tmp[3100];
    if (strlen(dir) >= sizeof root - 100) {
        log_error("bids.store_dir is too long");
        return false;
    }
    snprintf(root, sizeof root, "%s", dir);
    snprintf(tmp, sizeof tmp, "%s/tmp", root);
    if (!make_dir(root) || !make_dir(tmp))
        return false;
    DIR *d = opendir(tmp);
    if (!d) {
        log_error("%s: %s", tmp, strerror(errno));
        return false;
    }
    int removed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    if (removed)
        log_info("removed %d unfinished upload(s) from %s", removed, tmp);
    return true;
}

bool
spool_open(struct spool *s)
{
    s->used = 0;
    s->buf = malloc(SPOOL_BUF);
    snprintf(s->path, sizeof s->path, "%s/tmp/upload-XXXXXX", root);
    s->fd = s->buf ? mkostemp(s->path, O_CLOEXEC) : -1;
    if (s->fd < 0) {
        log_error("%s: %s", s->path, s->buf ? strerror(errno) : "out of memory");
        s->path[0] = '\0';
        free(s->buf);
        s->buf = NULL;
        return false;
    }
    return true;
}

static bool
write_all(struct spool *s, const uint8_t *c, size_t n)
{
    while (n > 0) {
        ssize_t w = write(s->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_error("%s: %s", s->path, strerror(errno));
            return false;
        }
        c += w;
        n -= (size_t)w;
    }
    return true;
}

static bool
spool_flush(struct spool *s)
{
    bool ok = write_all(s, s->buf, s->used);
    s->used = 0;
    return ok;
}

bool
spool_write(struct spool *s, const void *p, size_t n)
{
    const uint8_t *c = p;
    if (s->fd < 0 || !s->buf)
        return false;
    while (n > 0) {
        size_t take = SPOOL_BUF - s->used < n ? SPOOL_BUF - s->used : n;
        memcpy(s->buf + s->used, c, take);
        s->used += take;
        c += take;
        n -= take;
        if (s->used == SPOOL_BUF && !spool_flush(s))
            return false;
    }
    return true;
}

static void
final_path(const uint8_t sha256[32], char *out, size_t len)
{
    char hex[65];
    hex_encode(sha256, 32, hex);
    snprintf(out, len, "%s/%s.env", root, hex);
}

bool
envstore_commit(struct spool *s, const uint8_t sha256[32])
{
    char to[3200];
    final_path(sha256, to, sizeof to);
    if (s->fd < 0 || !spool_flush(s))
        return false;
    free(s->buf);
    s->buf = NULL;
    if (fsync(s->fd) != 0) {
        log_error("fsync %s: %s", s->path, strerror(errno));
        return false;
    }
    if (close(s->fd) != 0) {
        s->fd = -1;
        log_error("close %s: %s", s->path, strerror(errno));
        return false;
    }
    s->fd = -1;
    if (rename(s->path, to) != 0) {
        log_error("rename to %s: %s", to, strerror(errno));
        return false;
    }
    s->path[0] = '\0'; /* nothing left to abort */
    int d = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = d >= 0 && fsync(d) == 0;
    if (!ok)
        log_error("fsync %s: %s", root, strerror(errno));
    if (d >= 0)
        close(d);
    return ok;
}

int
envstore_sweep(int (*known)(const uint8_t sha256[32], void *ctx), void *ctx, long min_age_s)
{
    DIR *d = opendir(root);
    if (!d) {
        log_error("%s: %s", root, strerror(errno));
        return -1;
    }
    int removed = 0;
    time_t now = time(NULL);
    for (struct dirent *e; removed >= 0 && (e = readdir(d));) {
        uint8_t sha[32];
        char hex[65];
        struct stat st;
        if (strlen(e->d_name) != 68 || strcmp(e->d_name + 64, ".env"))
            continue;
        memcpy(hex, e->d_name, 64);
        hex[64] = '\0';
        if (!hex_decode(hex, sha, 32) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            now - st.st_mtime < min_age_s)
            continue;
        int k = known(sha, ctx);
        if (k < 0)
            removed = -1;
        else if (k == 0 && unlinkat(dirfd(d), e->d_name, 0) == 0) {
            log_info("removed %s: no bid refers to it", e->d_name);
            removed++;
        }
    }
    closedir(d);
    return removed;
}

void
envstore_remove(const uint8_t sha256[32])
{
    char path[3200];
    final_path(sha256, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        log_error("unlink %s: %s", path, strerror(errno));
}

void
spool_abort(struct spool *s)
{
    free(s->buf);
    s->buf = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->path[0])
        unlink(s->path);
    s->path[0] = '\0';
}

bool
envstore_read_into(const uint8_t sha256[32], uint8_t *buf, size_t cap, size_t *len,
                   uint8_t sha_out[32])
{
    char path[3200];
    final_path(sha256, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    struct stat st;
    bool ok = fd >= 0 && md && fstat(fd, &st) == 0 && st.st_size >= 0 &&
              (uint64_t)st.st_size <= cap && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    size_t got = 0, want = ok ? (size_t)st.st_size : 0;
    while (ok && got < want) {
        /* hashed piece by piece while the bytes are still in the cache */
        size_t step = want - got < (1u << 18) ? want - got : (1u << 18);
        ssize_t r = read(fd, buf + got, step);
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && EVP_DigestUpdate(md, buf + got, (size_t)r) == 1;
        got += ok ? (size_t)r : 0;
    }
    ok = ok && EVP_DigestFinal_ex(md, sha_out, NULL) == 1;
    EVP_MD_CTX_free(md);
    if (fd >= 0)
        close(fd);
    *len = got;
    return ok;
}

int
envstore_open(const uint8_t sha256[32], uint64_t size)
{
    char path[3200];
    final_path(sha256, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t *buf = malloc(1u << 16), h[32];
    struct stat st;
    bool ok = fd >= 0 && md && buf && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size == size && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    uint64_t got = 0;
    while (ok && got < size) {
        ssize_t r = read(fd, buf, 1u << 16);
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && EVP_DigestUpdate(md, buf, (size_t)r) == 1;
        got += ok ? (uint64_t)r : 0;
    }
    ok = ok && got == size && EVP_DigestFinal_ex(md, h, NULL) == 1 &&
         CRYPTO_memcmp(h, sha256, 32) == 0 && lseek(fd, 0, SEEK_SET) == 0;
    EVP_MD_CTX_free(md);
    free(buf);
    if (!ok && fd >= 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}
