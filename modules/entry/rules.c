/*
 * rules.c — the entry module's rules as pure functions (see entry.h), unit-tested.
 */
#include <stdio.h>
#include <string.h>

#include "entry.h"
#include "project_states.h"

static const char *const eng[] = {"open_tender", "invited_tender", NULL};
static const char *const proc[] = {"open_tender",
                                   "invited_tender",
                                   "competitive_negotiation",
                                   "competitive_consultation",
                                   "single_source",
                                   "inquiry",
                                   NULL};
static const char *const land[] = {"open_tender", "auction", "listing", NULL};
static const char *const prop[] = {"listing", "auction", "negotiated_transfer", NULL};

const char *const *
entry_rule_methods(enum category c)
{
    switch (c) {
    case CAT_ENGINEERING:
        return eng;
    case CAT_PROCUREMENT:
        return proc;
    case CAT_LAND_MINERAL:
        return land;
    case CAT_STATE_PROPERTY:
        return prop;
    default:
        return NULL;
    }
}

bool
entry_rule_method_allowed(enum category c, const char *method)
{
    for (const char *const *m = entry_rule_methods(c); m && *m; m++)
        if (!strcmp(*m, method))
            return true;
    return false;
}

bool
entry_rule_method_is_tender(const char *method)
{
    return !strcmp(method, "open_tender") || !strcmp(method, "invited_tender");
}

void
entry_rule_format_code(char out[32], const char *region, int year, enum category c, int seq)
{
    static const char *const letters[] = {"GC", "CG", "TD", "CQ"};
    snprintf(out, 32, "%.6s-%04d-%s-%05d", region, year % 10000, c < CAT__COUNT ? letters[c] : "XX",
             seq % 100000);
}

unsigned
entry_rule_transition_roles(const char *from, const char *to)
{
    /* Only the decisions the law gives to people; every other transition belongs to the
     * action that owns it (project_states.c) and is refused here whatever the caller's role. */
    const char *owner = project_transition_owner(from, to);
    if (!owner || !strstr(owner, "project.transition"))
        return 0;
    if (!strcmp(to, "terminated")) /* with a reason */
        return ROLE_AGENT | ROLE_CENTER_ADMIN;
    if (!strcmp(to, "submitted"))
        return ROLE_AGENT;
    if (!strcmp(from, "submitted")) /* accept, or return for amendment */
        return ROLE_CENTER_ADMIN;
    if (!strcmp(to, "suspended") || !strcmp(from, "suspended")) /* suspend, or resume */
        return ROLE_CENTER_ADMIN | ROLE_SUPERVISOR;
    if (!strcmp(to, "evaluating")) /* once every lot's opening has ended */
        return ROLE_AGENT | ROLE_CENTER_ADMIN;
    return 0;
}

static const struct {
    const char *type;
    const char *magic;
    size_t len;
} doc_types[] = {
    {"application/pdf", "%PDF-", 5},
    {"image/png", "\x89PNG\r\n\x1a\n", 8},
    {"image/jpeg", "\xFF\xD8\xFF", 3},
    {"application/zip", "PK\x03\x04", 4},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04", 4},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04", 4},
    {"application/msword", "\xD0\xCF\x11\xE0", 4},
};

struct refusal
entry_rule_document(const char *type, const void *bytes, size_t len)
{
    struct refusal f = {0};
    if (!type)
        return *refuse(&f, "ENT-DOCUMENT", "send the document with its Content-Type");
    for (size_t i = 0; i < sizeof doc_types / sizeof doc_types[0]; i++)
        if (!strcmp(doc_types[i].type, type)) {
            if (len < doc_types[i].len || memcmp(bytes, doc_types[i].magic, doc_types[i].len))
                return *refuse(&f, "ENT-DOCUMENT",
                               "the file's content is not of the type it claims");
            return f;
        }
    return *refuse(&f, "ENT-DOCUMENT", "documents must be PDF, PNG, JPEG, ZIP, DOCX, XLSX or DOC");
}

bool
entry_rule_is_party(const struct principal *who, const struct project_view *p)
{
    if (who->role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR))
        return true;
    if (who->role == ROLE_TENDERER) /* the project's owner */
        return who->org_id == p->tenderer_org_id;
    return who->role == ROLE_AGENT &&
           (who->org_id == p->agent_org_id || who->org_id == p->tenderer_org_id);
}
