/*
 * envstore.h — where sealed envelopes live: one file per envelope in bids.store_dir, named by
 * the hex SHA-256 of its bytes. An upload is spooled into tmp/ as it arrives and only becomes
 * an envelope by envstore_commit (fsync the file, rename it into place, fsync the directory),
 * which the submission calls before its transaction commits — so every receipt names a
 * durable file, and a connection or a server dying mid-upload leaves only a tmp/ file, which
 * the next start-up removes.
 */
#ifndef GGZY_BIDS_ENVSTORE_H
#define GGZY_BIDS_ENVSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make dir and dir/tmp (0700) and empty dir/tmp of uploads a crash left behind. */
bool envstore_init(const char *dir);

#define SPOOL_BUF (128 * 1024)
struct spool {
    int fd;          /* -1 when closed */
    char path[4096]; /* the tmp/ file while spooling */
    uint8_t *buf;    /* SPOOL_BUF bytes gathered before each write (fewer system calls) */
    size_t used;
};
/* Start an upload: a fresh file under tmp/. False on an I/O error (logged). */
bool spool_open(struct spool *s);
/* Append n bytes (buffered; envstore_commit writes the rest); false on an I/O error (logged). */
bool spool_write(struct spool *s, const void *p, size_t n);
/* Make the upload the envelope sha256 durably: fsync, rename, fsync the directory. An envelope
 * with those bytes already stored is not an error (the bytes are the same). */
bool envstore_commit(struct spool *s, const uint8_t sha256[32]);
/* Remove the stored envelope sha256 (its bid's transaction failed after envstore_commit and no
 * bid refers to those bytes). */
void envstore_remove(const uint8_t sha256[32]);
/* Drop an upload that did not become an envelope (no-op after a commit). */
void spool_abort(struct spool *s);

/* Remove stored envelopes no bid refers to: every "<sha256>.env" file older than min_age_s
 * seconds for which known(sha256, ctx) is false (a crash between making an envelope durable and
 * committing its bid leaves one; the age keeps a sweep from racing another ggzyd's submission
 * over a shared store). known returns -1 on an error, which stops the sweep. Returns the number
 * removed, or -1. */
int envstore_sweep(int (*known)(const uint8_t sha256[32], void *ctx), void *ctx, long min_age_s);

/* Open a stored envelope to serve it: a descriptor positioned at its first byte, which the
 * caller owns (and closes), once the file has been read through in 64 KiB pieces and found to
 * be exactly `size` bytes hashing to sha256 — so memory stays bounded whatever the size, and
 * bytes other than those received are never served. -1 when it is missing, unreadable, of
 * another size, or not the bytes named by sha256. */
int envstore_open(const uint8_t sha256[32], uint64_t size);
/* Read the envelope named sha256 into buf (cap bytes) and hash what was read into sha_out (the
 * caller compares: a mismatch is the platform's fault, not the bidder's). False when it is
 * missing, unreadable or larger than cap. */
bool envstore_read_into(const uint8_t sha256[32], uint8_t *buf, size_t cap, size_t *len,
                        uint8_t sha_out[32]);

#endif
