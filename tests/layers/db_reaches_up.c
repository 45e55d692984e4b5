/* Compiled as the database layer: HTTP is above it, so this must not compile. */
#include "http.h"
