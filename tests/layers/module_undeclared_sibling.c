/* Compiled as module entry, which does not declare bids: this must not compile. */
#include "bids/bids.h"
