/* Compiled as module announce: bids is a later stage (bids depends on announce), so announce
 * must not include it — it asks through a provider hook instead. This must not compile. */
#include "bids/bids.h"
