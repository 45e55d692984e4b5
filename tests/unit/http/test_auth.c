/* Unit tests of the session tokens the HTTP layer hands out. */
#include <string.h>

#include "auth.h"
#include "check.h"
#include "crypto.h"

static void
tokens_are_random_43_characters_and_hash_to_what_is_stored(void)
{
    char t1[44], t2[44];
    uint8_t h1[32], h2[32], check[32];
    CHECK(auth_new_token(t1, h1));
    CHECK(auth_new_token(t2, h2));
    CHECK(strlen(t1) == 43 && strcmp(t1, t2));
    CHECK(crypto_sha256(t1, 43, check) && crypto_equal(check, h1, 32));
    CHECK(!crypto_equal(h1, h2, 32));
}

int
main(void)
{
    RUN(tokens_are_random_43_characters_and_hash_to_what_is_stored);
    return CHECK_DONE();
}
