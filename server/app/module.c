/*
 * module.c — what the core does with the module table it is given (ggzyd/ owns the table; the
 * core never names a module): add every module's routes to the router, in table order.
 */
#include <stdio.h>

#include "app.h"

bool
modules_routes(const struct module *const *mods, size_t nmods, bool test_mode, char *err,
               size_t errlen)
{
    router_free();
    for (size_t i = 0; i < nmods; i++)
        if (!router_add(mods[i]->name, mods[i]->routes, mods[i]->nroutes, test_mode, err, errlen)) {
            router_free();
            return false;
        }
    return true;
}
