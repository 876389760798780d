/*
 * hostile.h — module shapes whose validation, compilation or compiled code
 * once grew as (repetitions x arity) instead of with the module's size
 * (issue 11).  See hostile.c.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hostile_shape {
	HOSTILE_BLOCKS,         /* k values, then n x `block (type [k]->[k]) end` */
	HOSTILE_BR_IF,          /* block (result x k) with 2k values, n x `br_if 0` */
	HOSTILE_CALLS,          /* k values, then n x `call g` with g: [k]->[k] */
	HOSTILE_RETURNS,        /* k values, then n x `if (type [k]->[k]) return end` */
	HOSTILE_BR_TABLE,       /* k nested blocks, then n x br_table to the function */
	HOSTILE_LOCAL_SETS,     /* k reads of local 1, then n x `local.set 0` */
} hostile_shape;

#define HOSTILE_NSHAPES 6

/* The module's bytes in *out (malloc'd; the caller frees), and their length;
 * 0 and *out = NULL if out of memory. */
size_t hostile_module(hostile_shape shape, uint32_t k, uint32_t n, uint8_t **out);
const char *hostile_shape_name(hostile_shape shape);

#endif
