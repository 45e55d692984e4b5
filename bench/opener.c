/*
 * opener.c — the opening's floor on this machine, for bench/bids.py: the envelopes a run of
 * ggzyd has just opened, opened again here with the key its record published, without a server
 * or a database, on one thread per CPU as ggzyd's openers do: read each file into the thread's
 * buffer while hashing it (SHA-256), parse it, decapsulate the content key, decrypt every
 * chunk, parse the container. Next to that, two figures of the same bytes: SHA-256 plus
 * AES-256-GCM from memory on the same threads (what no opener can go below, the bytes having to
 * be hashed and decrypted), and AES-256-GCM on one thread (the bench's baseline, as
 * `openssl speed` measures it). Prints one line: "opener S inmem S gcm1 S envelopes N".
 *
 * usage: bench_opener STORE_DIR PRIVATE_KEY_HEX
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bidplain.h"
#include "crypto.h"
#include "envelope.h"
#include "hpke.h"
#include "util.h"

#define MAX_FILES   100000
#define MAX_THREADS 8

static char *files[MAX_FILES];
static size_t nfiles, cap;
static struct hpke_receiver key;
static atomic_size_t next_file;
static atomic_bool failed;
static int mode; /* 0: the opener's steps, 1: SHA-256 + AES-GCM from memory, 2: AES-GCM alone */
static uint8_t **mem;
static size_t *mem_len;

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read path into buf (cap bytes) hashing as it goes, 64 KiB a read as ggzyd's store does. */
static bool
read_hashed(EVP_MD_CTX *md, const char *path, uint8_t *buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    bool ok = fd >= 0 && fstat(fd, &st) == 0 && (size_t)st.st_size <= cap &&
              EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    size_t got = 0;
    while (ok && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, 1u << 16);
        ok = r > 0 && EVP_DigestUpdate(md, buf + got, (size_t)r) == 1;
        got += ok ? (size_t)r : 0;
    }
    uint8_t h[32];
    ok = ok && EVP_DigestFinal_ex(md, h, NULL) == 1;
    if (fd >= 0)
        close(fd);
    *len = got;
    return ok;
}

static void *
worker(void *arg)
{
    (void)arg;
    uint8_t *file = malloc(cap), *pt = malloc(cap);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_CIPHER_CTX *gc = EVP_CIPHER_CTX_new();
    static const uint8_t k[32] = {1}, iv[12] = {2};
    char why[300];
    if (!file || !pt || !md || !gc) {
        atomic_store(&failed, true);
        goto out;
    }
    for (size_t i; !atomic_load(&failed) && (i = atomic_fetch_add(&next_file, 1)) < nfiles;) {
        bool ok;
        if (mode == 0) {
            size_t len;
            struct env_view v;
            struct bidplain bp;
            ok = read_hashed(md, files[i], file, &len) &&
                 env_parse_layout(file, len, &v, false, why, sizeof why) &&
                 env_open_buf(&v, &key, pt, cap, why, sizeof why) &&
                 bidplain_parse(pt, (size_t)v.pt_len, &bp, why, sizeof why);
        } else {
            uint8_t h[32];
            int n = 0;
            ok = (mode == 2 || EVP_Digest(mem[i], mem_len[i], h, NULL, EVP_sha256(), NULL) == 1) &&
                 EVP_DecryptInit_ex(gc, EVP_aes_256_gcm(), NULL, k, iv) == 1 &&
                 EVP_DecryptUpdate(gc, pt, &n, mem[i], (int)mem_len[i]) == 1;
        }
        if (!ok) {
            fprintf(stderr, "bench_opener: %s: %s\n", files[i], mode ? "crypto failed" : why);
            atomic_store(&failed, true);
        }
    }
out:
    EVP_CIPHER_CTX_free(gc);
    EVP_MD_CTX_free(md);
    free(file);
    free(pt);
    return NULL;
}

/* Seconds for all files on nthreads threads in mode m. */
static double
run(int m, int nthreads)
{
    pthread_t th[MAX_THREADS];
    mode = m;
    atomic_store(&next_file, 0);
    double t0 = now();
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, worker, NULL) != 0) {
            fprintf(stderr, "bench_opener: no thread\n");
            exit(1);
        }
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    return now() - t0;
}

int
main(int argc, char **argv)
{
    uint8_t sk[32];
    if (argc != 3 || !hex_decode(argv[2], sk, 32)) {
        fprintf(stderr, "usage: bench_opener STORE_DIR PRIVATE_KEY_HEX\n");
        return 2;
    }
    if (!hpke_receiver_init(&key, sk)) {
        fprintf(stderr, "bench_opener: not a P-256 private key\n");
        return 1;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 1;
    }
    for (struct dirent *e; (e = readdir(d)) && nfiles < MAX_FILES;) {
        size_t l = strlen(e->d_name);
        struct stat st;
        char *p = NULL;
        if (l < 5 || strcmp(e->d_name + l - 4, ".env") ||
            asprintf(&p, "%s/%s", argv[1], e->d_name) < 0 || stat(p, &st) != 0) {
            free(p);
            continue;
        }
        files[nfiles++] = p;
        if ((size_t)st.st_size > cap)
            cap = (size_t)st.st_size;
    }
    closedir(d);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    if (nfiles == 0) {
        fprintf(stderr, "bench_opener: no envelopes in %s\n", argv[1]);
        return 1;
    }
    /* the same bytes in memory, for the floor and the baseline */
    mem = calloc(nfiles, sizeof *mem);
    mem_len = calloc(nfiles, sizeof *mem_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    for (size_t i = 0; mem && mem_len && md && i < nfiles; i++)
        if (!(mem[i] = malloc(cap)) || !read_hashed(md, files[i], mem[i], &mem_len[i])) {
            fprintf(stderr, "bench_opener: cannot read %s\n", files[i]);
            return 1;
        }
    EVP_MD_CTX_free(md);
    double opener = run(0, nthreads), inmem = run(1, nthreads), gcm1 = run(2, 1);
    if (atomic_load(&failed))
        return 1;
    printf("opener %.4f inmem %.4f gcm1 %.4f envelopes %zu threads %d\n", opener, inmem, gcm1,
           nfiles, nthreads);
    hpke_receiver_free(&key);
    OPENSSL_cleanse(sk, sizeof sk);
    return 0;
}
