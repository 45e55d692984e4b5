/* Compiled as the application layer of the core: the core never includes a module. */
#include "accounts/accounts.h"
