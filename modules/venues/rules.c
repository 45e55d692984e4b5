/*
 * rules.c — the venues module's rules as pure functions (see venues.h), unit-tested
 * (tests/unit/venues/test_venues_rules.c). Times are UTC microseconds; a room's opening hours are
 * local minutes (UTC+8, China Standard Time, which has no daylight saving).
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "venues.h"

const char *const venues_kinds[] = {"opening", "evaluation",  "negotiation",  "draw",
                                    "seats",   "remote_main", "remote_guest", NULL};
const char *const venues_room_states[] = {"open", "maintenance", "retired", NULL};
const char *const venues_purposes[] = {"opening", "evaluation", "negotiation", NULL};
const char *const venues_equipment[] = {"recording", "screens", "isolated_network",
                                        "document_cabinets", NULL};

bool
venues_rule_kind_serves(const char *kind, const char *purpose)
{
    static const struct {
        const char *purpose, *kinds[5];
    } serves[] = {
        {"opening", {"opening", NULL}},
        /* 评标: the closed area's rooms and seats; remote evaluation's main and guest venues */
        {"evaluation", {"evaluation", "seats", "remote_main", "remote_guest", NULL}},
        {"negotiation", {"negotiation", NULL}},
    };
    for (size_t i = 0; i < sizeof serves / sizeof serves[0]; i++)
        if (!strcmp(serves[i].purpose, purpose))
            for (size_t k = 0; serves[i].kinds[k]; k++)
                if (!strcmp(serves[i].kinds[k], kind))
                    return true;
    return false;
}

struct refusal
venues_rule_hours(int opens_min, int closes_min)
{
    struct refusal f = {0};
    if (opens_min < 0 || closes_min > 1440 || opens_min >= closes_min)
        refuse(&f, "VENUE-HOURS",
               "opening hours must begin before they end, within one day (00:00 to 24:00)");
    return f;
}

/* Floor division: the local minute and day of times before 1970 too. */
static int64_t
floordiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
venues_rule_local_day(int64_t t_us)
{
    return floordiv(floordiv(t_us, VENUES_MINUTE_US) + VENUES_UTC_OFFSET_MIN, 1440);
}

int64_t
venues_rule_day_start_us(int64_t day)
{
    return (day * 1440 - VENUES_UTC_OFFSET_MIN) * VENUES_MINUTE_US;
}

/* Minutes after local midnight of day at t. */
static int64_t
local_minute(int64_t t_us, int64_t day)
{
    return floordiv(t_us - venues_rule_day_start_us(day), VENUES_MINUTE_US);
}

static void
hhmm(int64_t m, char out[16])
{
    snprintf(out, 16, "%02d:%02d", (int)(m / 60 % 100), (int)(m % 60));
}

struct refusal
venues_rule_booking(const struct venue_room_facts *room, const struct venue_ask *a, int64_t now_us)
{
    struct refusal f = {0};
    if (a->end_us <= a->start_us) {
        refuse(&f, "VENUE-SPAN", "a booking must end after it begins");
        return f;
    }
    if (a->start_us % VENUES_MINUTE_US || a->end_us % VENUES_MINUTE_US) {
        refuse(&f, "VENUE-UNIT",
               "a booking begins and ends on whole minutes (start_us and end_us "
               "are multiples of 60000000)");
        return f;
    }
    if (a->start_us < now_us) {
        refuse(&f, "VENUE-PAST", "a booking cannot begin in the past");
        return f;
    }
    if (!venues_rule_kind_serves(room->kind, a->purpose)) {
        refuse(&f, "VENUE-KIND", "a room of kind %s does not hold a session of purpose %s",
               room->kind, a->purpose);
        return f;
    }
    if (strcmp(room->state, "open")) {
        refuse(&f, "VENUE-ROOM-STATE", "the room is %s and takes no bookings", room->state);
        f.conflict = true;
        return f;
    }
    int64_t day = venues_rule_local_day(a->start_us);
    int64_t from = local_minute(a->start_us, day), to = local_minute(a->end_us, day);
    if (to > 1440 || from < room->opens_min || to > room->closes_min) {
        char o[16], c[16];
        hhmm(room->opens_min, o);
        hhmm(room->closes_min, c);
        refuse(&f, "VENUE-HOURS",
               "a booking must begin and end within one day's opening hours of the room (%s to "
               "%s, UTC+8)",
               o, c);
        return f;
    }
    if (a->people < 1 || a->people > room->capacity) {
        refuse(&f, "VENUE-CAPACITY", "the room seats %lld; the booking is for %lld people",
               (long long)room->capacity, (long long)a->people);
        return f;
    }
    return f;
}

struct refusal
venues_rule_project_state(const char *purpose, const char *state)
{
    struct refusal f = {0};
    /* an opening is booked before the tender is published and may move while bids come in;
     * evaluation sessions are booked any time until the evaluation is over */
    static const char *const opening[] = {"accepted", "bidding", NULL};
    static const char *const evaluation[] = {"accepted", "bidding", "opened", "evaluating", NULL};
    const char *const *ok = !strcmp(purpose, "opening") ? opening : evaluation;
    for (size_t i = 0; ok[i]; i++)
        if (!strcmp(ok[i], state))
            return f;
    refuse(&f, "VENUE-PROJECT-STATE", "a project that is %s cannot book a room for %s", state,
           purpose);
    f.conflict = true;
    return f;
}

struct refusal
venues_rule_after_opening(int64_t start_us, int64_t opening_end_us, int lot)
{
    struct refusal f = {0};
    if (opening_end_us == 0)
        refuse(&f, "VENUE-AFTER-OPENING",
               "lot %d has no opening booked: its evaluation is booked after its opening", lot);
    else if (start_us < opening_end_us)
        refuse(&f, "VENUE-AFTER-OPENING",
               "lot %d's evaluation cannot begin before its opening session ends", lot);
    return f;
}

void
venues_rule_slots(int64_t start_us, int64_t end_us, int64_t buffer_us, int64_t *first,
                  int64_t *last)
{
    *first = floordiv(start_us, VENUES_MINUTE_US);
    *last = floordiv(end_us + buffer_us + VENUES_MINUTE_US - 1, VENUES_MINUTE_US);
}

bool
venues_rule_parse_day(const char *s, int64_t *day)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31 || y < 1970 || y > 9999)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    /* days from civil (Howard Hinnant's algorithm) */
    int yy = y - (m <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468;
    return true;
}

bool
venues_rule_covered(int64_t start_us, int64_t end_us, const int64_t *from, const int64_t *to,
                    size_t n)
{
    return spans_cover(start_us, end_us, from, to, n, VENUES_GAP_US);
}

struct refusal
venues_rule_attendee(const char *purpose, const char *role, const char *mode, bool own)
{
    struct refusal f = {0};
    bool opening = !strcmp(purpose, "opening");
    bool ok =
        !strcmp(role, "center_admin") || !strcmp(role, "supervisor") ||
        (!strcmp(role, "agent") && own) ||
        (opening ? !strcmp(role, "bidder") : !strcmp(role, "expert") || !strcmp(role, "tenderer"));
    if (!ok)
        refuse(&f, "VENUE-ATTENDEE", "a %s does not attend this %s session", role, purpose);
    else if (!opening && strcmp(mode, "in_room"))
        refuse(&f, "VENUE-ATTENDANCE-MODE",
               "an evaluation is closed: it is attended in its room, not online");
    return f;
}

struct refusal
venues_rule_attend_time(int64_t start_us, int64_t end_us, int64_t early_us, int64_t now_us)
{
    struct refusal f = {0};
    if (now_us < start_us - early_us)
        refuse(&f, "VENUE-ATTENDANCE-TIME", "sign-in opens %lld minutes before the session",
               (long long)(early_us / VENUES_MINUTE_US));
    else if (now_us >= end_us)
        refuse(&f, "VENUE-ATTENDANCE-TIME", "the session is over");
    return f;
}
