/* Compiled as module entry, which declares DEPENDS accounts: this must compile. */
#include "accounts/accounts.h"

int probe(void);
int
probe(void)
{
    return 0;
}
