/* Clocks: monotonic microseconds for intervals, wall time for timestamps. */
#ifndef WSX_UTIL_CLOCK_H
#define WSX_UTIL_CLOCK_H

#include <stdint.h>

uint64_t wsx_now_us(void);
/* Monotonic nanoseconds, for latencies below a microsecond's resolution. */
uint64_t wsx_now_ns(void);
/* Seconds since the epoch, with microseconds, for JSON timestamps. */
double wsx_wall_secs(void);

#endif
