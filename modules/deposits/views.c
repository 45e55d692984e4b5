/*
 * views.c — the deposits module's JSON views (the one place its rows become answers), its
 * newest-first paging, and the collusion indicators other capabilities read (deposits.h).
 */
#include <string.h>

#include "canon.h"
#include "internal.h"
#include "util.h"

cJSON *
sub_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, SC_ID));
    json_add_i64(o, "project_id", dbres_i64(s, i, SC_PROJECT));
    json_add_i64(o, "lot", dbres_i64(s, i, SC_LOT));
    json_add_i64(o, "org_id", dbres_i64(s, i, SC_ORG));
    json_add_str_or_null(o, "number", dbres_str(s, i, SC_NUMBER));
    json_add_i64(o, "required_fen", dbres_i64(s, i, SC_REQUIRED));
    cJSON_AddStringToObject(o, "category",
                            category_name((enum category)dbres_i64(s, i, SC_CATEGORY)));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, SC_STATE));
    json_add_i64(o, "created_us", dbres_i64(s, i, SC_CREATED));
    return o;
}

cJSON *
basic_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, BA_ID));
    json_add_i64(o, "org_id", dbres_i64(s, i, BA_ORG));
    cJSON_AddStringToObject(o, "account_no", dbres_str(s, i, BA_ACCOUNT));
    cJSON_AddStringToObject(o, "bank_name", dbres_str(s, i, BA_BANK));
    cJSON_AddStringToObject(o, "holder_name", dbres_str(s, i, BA_HOLDER));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, BA_STATE));
    json_add_i64(o, "requested_by", dbres_i64(s, i, BA_REQUESTED_BY));
    json_add_i64(o, "requested_us", dbres_i64(s, i, BA_REQUESTED));
    json_add_col_i64(o, "decided_by", s, i, BA_DECIDED_BY);
    json_add_col_i64(o, "decided_us", s, i, BA_DECIDED);
    json_add_str_or_null(o, "reason", dbres_str(s, i, BA_REASON));
    return o;
}

cJSON *
notice_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, NC_ID));
    cJSON_AddStringToObject(o, "bank_txn", dbres_str(s, i, NC_TXN));
    cJSON_AddStringToObject(o, "kind", dbres_str(s, i, NC_KIND));
    cJSON_AddStringToObject(o, "account", dbres_str(s, i, NC_ACCOUNT));
    json_add_i64(o, "amount_fen", dbres_i64(s, i, NC_AMOUNT));
    json_add_str_or_null(o, "payer_account", dbres_str(s, i, NC_PAYER));
    json_add_str_or_null(o, "payer_name", dbres_str(s, i, NC_PAYER_NAME));
    json_add_str_or_null(o, "instrument", dbres_str(s, i, NC_INSTRUMENT));
    json_add_col_i64(o, "refund_id", s, i, NC_REFUND);
    json_add_i64(o, "value_us", dbres_i64(s, i, NC_VALUE));
    json_add_i64(o, "signed_us", dbres_i64(s, i, NC_SIGNED));
    json_add_i64(o, "received_us", dbres_i64(s, i, NC_RECEIVED));
    cJSON_AddStringToObject(o, "outcome", dbres_str(s, i, NC_OUTCOME));
    json_add_str_or_null(o, "hold_reason", dbres_str(s, i, NC_HOLD));
    json_add_col_i64(o, "subaccount_id", s, i, NC_SUB);
    json_add_col_i64(o, "entry_id", s, i, NC_ENTRY);
    if (s->ncols > NV_RETURN) /* a list's row (NOTICE_VIEW_COLS) */
        json_add_col_i64(o, "return_id", s, i, NV_RETURN);
    return o;
}

cJSON *
refund_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    int64_t p = dbres_i64(s, i, RC_PRINCIPAL), in = dbres_i64(s, i, RC_INTEREST),
            fee = dbres_i64(s, i, RC_FEE);
    json_add_i64(o, "id", dbres_i64(s, i, RC_ID));
    json_add_col_i64(o, "subaccount_id", s, i, RC_SUB);
    json_add_col_i64(o, "notice_id", s, i, RC_NOTICE);
    json_add_str_or_null(o, "reason", dbres_str(s, i, RC_REASON));
    if (s->ncols > RV_ORG) { /* a list's row (REFUND_VIEW_COLS) */
        json_add_col_i64(o, "project_id", s, i, RV_PROJECT);
        json_add_col_i64(o, "lot", s, i, RV_LOT);
        json_add_col_i64(o, "org_id", s, i, RV_ORG);
    }
    cJSON_AddStringToObject(o, "cause", dbres_str(s, i, RC_CAUSE));
    cJSON_AddStringToObject(o, "basis", dbres_str(s, i, RC_BASIS));
    json_add_i64(o, "principal_fen", p);
    json_add_i64(o, "interest_fen", in);
    json_add_i64(o, "fee_fen", fee);
    json_add_i64(o, "amount_fen", p + in + fee);
    cJSON_AddStringToObject(o, "to_account", dbres_str(s, i, RC_TO_ACCOUNT));
    cJSON_AddStringToObject(o, "to_name", dbres_str(s, i, RC_TO_NAME));
    json_add_i64(o, "event_us", dbres_i64(s, i, RC_EVENT));
    json_add_col_i64(o, "due_us", s, i, RC_DUE);
    cJSON_AddBoolToObject(o, "due_provisional", dbres_i64(s, i, RC_DUE_PROVISIONAL) != 0);
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, RC_STATE));
    json_add_i64(o, "created_us", dbres_i64(s, i, RC_CREATED));
    json_add_col_i64(o, "sent_us", s, i, RC_SENT);
    json_add_col_i64(o, "paid_us", s, i, RC_PAID);
    cJSON_AddBoolToObject(o, "late",
                          dbres_i64(s, i, RC_LATE) != 0 || dbres_str(s, i, RC_LATE_FLAGGED));
    json_add_col_i64(o, "warned_us", s, i, RC_WARNED);
    json_add_col_i64(o, "late_flagged_us", s, i, RC_LATE_FLAGGED);
    cJSON *ins = cJSON_Parse(dbres_str(s, i, RC_INSTRUCTION));
    if (ins)
        cJSON_AddItemToObject(o, "instruction", ins);
    return o;
}

cJSON *
guarantee_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, GC_ID));
    cJSON_AddStringToObject(o, "issuer_credit_code", dbres_str(s, i, GC_ISSUER));
    cJSON_AddStringToObject(o, "issuer_name", dbres_str(s, i, GC_ISSUER_NAME));
    cJSON_AddStringToObject(o, "guarantee_no", dbres_str(s, i, GC_NUMBER));
    cJSON_AddStringToObject(o, "issuer_key_id", dbres_str(s, i, GC_KEY));
    cJSON_AddStringToObject(o, "verify_ref", dbres_str(s, i, GC_REF));
    json_add_i64(o, "project_id", dbres_i64(s, i, GC_PROJECT));
    json_add_i64(o, "lot", dbres_i64(s, i, GC_LOT));
    json_add_i64(o, "org_id", dbres_i64(s, i, GC_ORG));
    json_add_i64(o, "amount_fen", dbres_i64(s, i, GC_AMOUNT));
    json_add_i64(o, "valid_from_us", dbres_i64(s, i, GC_FROM));
    json_add_i64(o, "valid_until_us", dbres_i64(s, i, GC_UNTIL));
    json_add_i64(o, "signed_us", dbres_i64(s, i, GC_SIGNED));
    json_add_i64(o, "received_us", dbres_i64(s, i, GC_RECEIVED));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, GC_STATE));
    return o;
}

cJSON *
forfeit_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, FF_ID));
    json_add_i64(o, "project_id", dbres_i64(s, i, FF_PROJECT));
    json_add_i64(o, "lot", dbres_i64(s, i, FF_LOT));
    json_add_i64(o, "org_id", dbres_i64(s, i, FF_ORG));
    json_add_col_i64(o, "subaccount_id", s, i, FF_SUB);
    json_add_col_i64(o, "guarantee_id", s, i, FF_GUARANTEE);
    cJSON_AddStringToObject(o, "ground", dbres_str(s, i, FF_GROUND));
    cJSON_AddStringToObject(o, "article", dbres_str(s, i, FF_ARTICLE));
    cJSON_AddStringToObject(o, "reason", dbres_str(s, i, FF_REASON));
    json_add_i64(o, "amount_fen", dbres_i64(s, i, FF_AMOUNT));
    json_add_i64(o, "proposed_by", dbres_i64(s, i, FF_PROPOSED_BY));
    json_add_i64(o, "proposed_us", dbres_i64(s, i, FF_PROPOSED));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, FF_STATE));
    json_add_col_i64(o, "decided_by", s, i, FF_DECIDED_BY);
    json_add_col_i64(o, "decided_us", s, i, FF_DECIDED);
    json_add_str_or_null(o, "decision_reason", dbres_str(s, i, FF_DECISION));
    return o;
}

bool
deposits_page(struct req *r, int64_t *before, int64_t *limit)
{
    const char *b = req_query(r, "before"), *l = req_query(r, "limit");
    *before = 0;
    *limit = 100;
    if (b && !parse_i64(b, 1, INT64_MAX, before)) {
        req_error(r, E_BAD_REQUEST, "before must be a positive id");
        return false;
    }
    if (l && !parse_i64(l, 1, 500, limit)) {
        req_error(r, E_BAD_REQUEST, "limit must be from 1 to 500");
        return false;
    }
    return true;
}

cJSON *
deposits_collusion(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st)
{
    struct dbres f = {0};
    *st = store_flags(c, project, lot, &f);
    if (*st != DB_OK) {
        dbres_free(&f);
        return NULL;
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < f.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "lot", dbres_i64(&f, i, FC_LOT));
        cJSON_AddStringToObject(o, "payer_account", dbres_str(&f, i, FC_PAYER));
        cJSON *ids = cJSON_AddArrayToObject(o, "org_ids");
        json_append_i64(ids, dbres_i64(&f, i, FC_ORG_A));
        json_append_i64(ids, dbres_i64(&f, i, FC_ORG_B));
        json_add_i64(o, "notice_id", dbres_i64(&f, i, FC_NOTICE));
        json_add_i64(o, "created_us", dbres_i64(&f, i, FC_CREATED));
        cJSON_AddStringToObject(o, "rule", "实施条例 第四十条");
        cJSON_AddItemToArray(arr, o);
    }
    dbres_free(&f);
    return arr;
}
