/*
 * rredis: the C `long double` and libc number-parsing shim.
 *
 * Redis computes INCRBYFLOAT/HINCRBYFLOAT in C `long double` (80-bit extended on
 * x86_64) and parses floats with the C library's strtod/strtold. Rust has no long
 * double and its float parser accepts a different grammar (no hex floats), so the few
 * operations whose results clients can observe are done here, by the same libc.
 *
 * Long doubles cross the boundary as opaque 16-byte, 16-aligned storage owned by the
 * Rust side (`LongDouble` in longdouble.rs); nothing here allocates long-lived memory.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest string accepted as a long double, exclusive (Redis's MAX_LONG_DOUBLE_CHARS). */
#define RR_LD_MAX_CHARS (5 * 1024)

/* Inputs up to this size are copied to the stack to NUL-terminate them. */
#define RR_SMALL_BUF 256

/* Size of the C long double, so the Rust side can check its storage is big enough. */
size_t rr_ld_size(void) { return sizeof(long double); }

/*
 * strtod over `len` bytes (which need not be NUL-terminated; an embedded NUL ends the
 * number, as it would for a C string). Stores the value, whether errno was ERANGE,
 * and returns how many bytes strtod consumed (0 when nothing parsed).
 */
size_t rr_strtod(const char *s, size_t len, double *out, int *erange) {
    char small[RR_SMALL_BUF];
    char *buf = small;
    char *end;
    size_t used;

    *out = 0;
    *erange = 0;
    if (len >= sizeof(small)) {
        buf = malloc(len + 1);
        if (buf == NULL) return 0;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    *erange = (errno == ERANGE);
    used = (size_t)(end - buf);
    if (buf != small) free(buf);
    return used;
}

/*
 * Parses a whole string as a long double with Redis's rules: not empty, shorter than
 * RR_LD_MAX_CHARS, no leading space, every byte consumed, no overflow to infinity or
 * underflow to zero, not NaN. "inf"/"infinity" and hex floats are accepted, as
 * strtold accepts them. Returns 1 and stores the value on success, else 0.
 */
int rr_ld_parse(const char *s, size_t len, long double *out) {
    char buf[RR_LD_MAX_CHARS];
    char *end;
    long double value;

    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    value = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' || (size_t)(end - buf) != len)
        return 0;
    if (errno == ERANGE &&
        (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO))
        return 0;
    if (errno == EINVAL || isnan(value)) return 0;
    *out = value;
    return 1;
}

/* Widens an integer (an int-encoded string value) to a long double. */
void rr_ld_from_i64(long long v, long double *out) { *out = (long double)v; }

/* out = a + b, in long double precision. */
void rr_ld_add(const long double *a, const long double *b, long double *out) {
    *out = *a + *b;
}

/* 1 when the value is neither NaN nor infinite. */
int rr_ld_is_finite(const long double *v) { return isfinite(*v) ? 1 : 0; }

/*
 * Formats like Redis's "human" long double mode: "%.17Lf", then trailing zeros after
 * the point and a trailing point removed, and "-0" turned into "0"; infinities print
 * as "inf"/"-inf". Returns the full length the text needs (not counting a NUL); the
 * text (NUL-terminated) is in `out` only when that length is < `cap`.
 */
size_t rr_ld_format_human(const long double *v, char *out, size_t cap) {
    int n;
    size_t len;

    if (isinf(*v)) {
        const char *text = *v > 0 ? "inf" : "-inf";
        len = strlen(text);
        if (len < cap) memcpy(out, text, len + 1);
        return len;
    }
    n = snprintf(out, cap, "%.17Lf", *v);
    if (n < 0) return 0;
    len = (size_t)n;
    if (len >= cap) return len;
    if (memchr(out, '.', len) != NULL) {
        while (len > 0 && out[len - 1] == '0') len--;
        if (len > 0 && out[len - 1] == '.') len--;
    }
    if (len == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        len = 1;
    }
    out[len] = '\0';
    return len;
}

/* C's "%.17g" of a double: the reference the Rust formatter is tested against. */
size_t rr_format_g17(double v, char *out, size_t cap) {
    int n = snprintf(out, cap, "%.17g", v);
    return n < 0 ? 0 : (size_t)n;
}
