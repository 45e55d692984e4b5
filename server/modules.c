/*
 * modules.c — the module table: every capability of ggzyd, listed once. Adding a module is
 * adding its descriptor here (and its folder under modules/ to CMakeLists.txt).
 */
#include "http.h"

#include "../modules/accounts/accounts.h"
#include "../modules/audit/audit_api.h"
#include "../modules/announce/announce.h"
#include "../modules/bids/bids.h"
#include "../modules/entry/entry.h"

extern const struct module core_module;

const struct module *const ggzy_modules[] = {
    &core_module, &accounts_module, &audit_module, &entry_module, &announce_module, &bids_module,
};
const size_t ggzy_nmodules = ARRAY_LEN(ggzy_modules);
