/*
 * draw.c — `ggzy draw verify --file EXPORT --draw ID`: replay a committee draw from an exported
 * audit log alone (docs/draw.md §9). The export is verified first as `ggzy audit verify --file`
 * does (every entry hashes into the signed tree); then the draw's entries go, in log order,
 * through the draw ledger (invariants_draws.c: the committed secret against its commitment, the
 * pool against its hash, the seed from its parts, each group's order, every invitation, skip and
 * replacement against it, the committee's size and make-up, the cosigning staff). Prints each
 * group's walk with the confirmed and replaced members; exit 0 when everything holds, 1 when a
 * check fails or the draw is not complete enough to replay, 2 on usage or I/O. The signatures in
 * these entries are checked by `ggzy audit replay` (INV-SIGNATURE).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "invariants.h"

int
cmd_draw_verify(const struct opts *o)
{
    if (!o->file || o->draw <= 0)
        return usage();
    int rc = cmd_audit_verify(o);
    if (rc != 0)
        return rc;
    FILE *f = fopen(o->file, "r");
    if (!f) {
        fprintf(stderr, "ggzy: cannot open %s\n", o->file);
        return 2;
    }
    struct draw_ledger *dl = dl_new();
    struct inv_report rep = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (dl && (n = getline(&line, &cap, f)) > 0) {
        if (n < 7 || memcmp(line, "entry ", 6))
            continue;
        char *sp1 = strchr(line + 6, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (!sp2 || !strncmp(sp2 + 1, "-", 1))
            continue; /* withheld from the exporter: a supervisor's export has every entry */
        cJSON *e = cJSON_Parse(sp2 + 1);
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(e, "object");
        if (json_str(obj, "type") && !strcmp(json_str(obj, "type"), "draw") &&
            json_i64(obj, "id", -1) == o->draw)
            dl_feed(dl, e, &rep);
        cJSON_Delete(e);
    }
    free(line);
    fclose(f);
    if (!dl) {
        fprintf(stderr, "ggzy: out of memory\n");
        return 2;
    }
    bool walked = dl_print(dl, o->draw) == 0;
    for (size_t i = 0; i < rep.n; i++)
        printf("FAILED: %s at index %lld: %s\n", rep.v[i].code, (long long)rep.v[i].index,
               rep.v[i].message);
    if (walked && !rep.n)
        printf("OK: draw %lld replays from the log: the committed secret, the logged pool, the "
               "seed, every invitation in stream order, the committee's size and its staff\n",
               o->draw);
    rc = walked && !rep.n ? 0 : 1;
    inv_report_free(&rep);
    dl_free(dl);
    return rc;
}
